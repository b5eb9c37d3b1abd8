# ruff: noqa: S608 - the SQL names only the models' own tables; every value is a parameter
"""Posts spread over the scale users, for `seed_demo --scale`."""

from accounts.scale import user_ids_sql
from config.scale_seed import SCALE_USER_PREFIX, ScaleSeed
from posts.models import Post


def seed_scale(seed: ScaleSeed) -> None:
    user_ids = user_ids_sql(seed)
    seed.chunked("posts", seed.scale.posts, lambda a, b: seed.run(
            f"""WITH u AS (SELECT {user_ids} AS ids)
                INSERT INTO {seed.table[Post]} (id, text, created_at, updated_at, author_id)
                SELECT gen_random_uuid(), 'Scale post ' || i || ': notes on ' || (i %% 977),
                       now() - i * interval '30 seconds', now() - i * interval '30 seconds',
                       u.ids[1 + (i - 1) %% %(users)s]
                FROM u, generate_series(%(a)s, %(b)s) AS i""",
            {"prefix": SCALE_USER_PREFIX, "users": seed.scale.users, "a": a, "b": b},
        ))  # fmt: skip
