# ruff: noqa: S608 - the SQL names only the models' own tables; every value is a parameter
"""Products ("<adjective> <noun> <n>", unique SKUs, prices and stock spread), for `seed_demo --scale`."""

from catalog.caching import product_cache_invalidate
from catalog.models import Product
from config.scale_seed import ScaleSeed

ADJECTIVES = [
    "red", "blue", "green", "steel", "brass", "oak", "compact", "heavy", "light", "smart",
    "classic", "modern", "mini", "pro", "eco", "royal", "rapid", "silent", "solar", "vintage",
]  # fmt: skip
NOUNS = [
    "widget", "hammer", "kettle", "lamp", "chair", "knife", "drill", "brush", "bottle", "clock",
    "basket", "helmet", "wrench", "mug", "table", "speaker", "cable", "garden hose", "backpack", "router",
]  # fmt: skip
CATEGORIES = ["Tools", "Garden", "Kitchen", "Books", "Toys", "Office", "Sports", "Audio", "Home", "Outdoor"]


def _sql_array(words: list[str]) -> str:
    return "ARRAY[" + ", ".join("'" + word.replace("'", "''") + "'" for word in words) + "]"


def seed_scale(seed: ScaleSeed) -> None:
    # Products: "<adjective> <noun> <n>" names, unique SKUs, prices and stock spread (some out).
    seed.chunked("products", seed.scale.products, lambda a, b: seed.run(
            f"""INSERT INTO {seed.table[Product]} (id, name, description, price, stock, category, sku, created_at,
                    updated_at)
                SELECT gen_random_uuid(),
                       initcap(adj[1 + i %% 20]) || ' ' || noun[1 + (i / 20) %% 20] || ' ' || i,
                       'A ' || adj[1 + (i / 7) %% 20] || ' ' || noun[1 + (i / 3) %% 20] || ' from batch '
                           || (i %% 997) || '.',
                       (i * 37 %% 100000) / 100.0, i %% 23, cat[1 + i %% 10], 'SC-' || lpad(i::text, 8, '0'),
                       now() - i * interval '1 second', now() - i * interval '1 second'
                FROM (SELECT {_sql_array(ADJECTIVES)} AS adj, {_sql_array(NOUNS)} AS noun,
                             {_sql_array(CATEGORIES)} AS cat) AS words,
                     generate_series(%(a)s, %(b)s) AS i""",
            {"a": a, "b": b},
        ))  # fmt: skip

    product_cache_invalidate()
