# ruff: noqa: S608 - the SQL names only the models' own tables; every value is a parameter
"""Scale users (scale-user-0001 ... with one known password) and their accounts, for `seed_demo --scale`."""

from accounts.models import Account, Role, User
from config.scale_seed import SCALE_USER_PREFIX, ScaleSeed


def user_ids_sql(seed: ScaleSeed) -> str:
    """The scale users' ids, in username order (an SQL array expression)."""
    return f"""(SELECT array_agg(id ORDER BY username) FROM {seed.table[User]}
               WHERE username LIKE %(prefix)s || '%%')"""


def account_ids_sql(seed: ScaleSeed) -> str:
    """The scale accounts' ids, in name order (an SQL array expression)."""
    return f"""(SELECT array_agg(a.id ORDER BY a.name) FROM {seed.table[Account]} a
               WHERE a.name LIKE 'Scale account %%')"""


def seed_scale(seed: ScaleSeed) -> None:
    from django.contrib.auth.hashers import make_password

    password_hash = make_password(seed.password)  # one hash for every scale user: hashing 100 times is slow
    # Users: scale-user-0001 ... with one known password.
    seed.chunked("users", seed.scale.users, lambda a, b: seed.run(
            f"""INSERT INTO {seed.table[User]} (id, password, is_superuser, first_name, last_name, is_staff,
                    is_active, date_joined, username, email, role)
                SELECT gen_random_uuid(), %(hash)s, false, '', '', false, true, now() - i * interval '1 hour',
                       %(prefix)s || lpad(i::text, 4, '0'), %(prefix)s || i || '@example.com', %(role)s
                FROM generate_series(%(a)s, %(b)s) AS i""",
            {"hash": password_hash, "prefix": SCALE_USER_PREFIX, "role": Role.USER, "a": a, "b": b},
        ))  # fmt: skip

    seed.chunked("accounts", seed.scale.accounts, lambda a, b: seed.run(
            f"""WITH u AS (SELECT {user_ids_sql(seed)} AS ids)
                INSERT INTO {seed.table[Account]} (id, name, description, balance, currency, active, created_at,
                    updated_at, owner_id)
                SELECT gen_random_uuid(), 'Scale account ' || i, '', (i %% 100000) / 100.0,
                       (ARRAY['USD', 'EUR', 'GBP'])[1 + i %% 3], true, now() - i * interval '1 minute',
                       now() - i * interval '1 minute', u.ids[1 + (i - 1) %% %(users)s]
                FROM u, generate_series(%(a)s, %(b)s) AS i""",
            {"prefix": SCALE_USER_PREFIX, "users": seed.scale.users, "a": a, "b": b},
        ))  # fmt: skip
