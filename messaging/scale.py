# ruff: noqa: S608 - the SQL names only the models' own tables; every value is a parameter
"""Messages spread over the scale accounts, for `seed_demo --scale`."""

from accounts.scale import account_ids_sql
from config.scale_seed import ScaleSeed
from messaging.models import Message


def seed_scale(seed: ScaleSeed) -> None:
    account_ids = account_ids_sql(seed)
    # Messages: every account gets messages/accounts of them, one every few seconds, newest now.
    seed.chunked("messages", seed.scale.messages, lambda a, b: seed.run(
            f"""WITH acc AS (SELECT {account_ids} AS ids)
                INSERT INTO {seed.table[Message]} (id, sender_number, receiver_number, body, created_at, account_id)
                SELECT gen_random_uuid(), '+1415555' || lpad((i %% 10000)::text, 4, '0'),
                       '+1212555' || lpad(((i * 7) %% 10000)::text, 4, '0'),
                       'Scale message ' || i || ': your order ' || (i %% 9973) || ' has shipped',
                       now() - i * interval '3 seconds', acc.ids[1 + (i - 1) %% %(accounts)s]
                FROM acc, generate_series(%(a)s, %(b)s) AS i""",
            {"accounts": seed.scale.accounts, "a": a, "b": b},
        ))  # fmt: skip
