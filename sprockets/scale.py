# ruff: noqa: S608 - the SQL names only the models' own tables; every value is a parameter
"""Locations, factories, sprockets and each factory's chart, for `seed_demo --scale`.

Each factory's `sprocket_production_actual` is its number of sprockets, and its chart climbs from 0
to that counter (one point per hour, the last point equals the counter).
"""

from config.scale_seed import ScaleSeed
from sprockets.caching import factory_cache_invalidate
from sprockets.models import Factory, FactoryChartEntry, Location, Sprocket, SprocketType


def seed_scale(seed: ScaleSeed) -> None:
    # Factories, each at its own location; sprocket types if the demo seed made none.
    seed.chunked("locations", seed.scale.factories, lambda a, b: seed.run(
            f"""INSERT INTO {seed.table[Location]} (created_at, updated_at, name, address_1, address_2, city, state,
                    postal_code, country_code)
                SELECT now(), now(), 'Scale site ' || i, i || ' Industrial Way', '', 'Springfield', '',
                       'SC' || lpad(i::text, 7, '0'), 'US'
                FROM generate_series(%(a)s, %(b)s) AS i""",
            {"a": a, "b": b},
        ))  # fmt: skip
    seed.chunked("factories", seed.scale.factories, lambda a, b: seed.run(
            f"""INSERT INTO {seed.table[Factory]} (created_at, updated_at, name, sprocket_production_goal,
                    sprocket_production_actual, location_id)
                SELECT now(), now(), 'Scale factory ' || lpad(i::text, 5, '0'), 1000 + i %% 500, 0, l.id
                FROM generate_series(%(a)s, %(b)s) AS i
                JOIN {seed.table[Location]} l ON l.postal_code = 'SC' || lpad(i::text, 7, '0')""",
            {"a": a, "b": b},
        ))  # fmt: skip
    seed.cursor.execute(f"SELECT count(*) FROM {seed.table[SprocketType]}")
    if seed.cursor.fetchone()[0] == 0:
        seed.cursor.execute(
            f"""INSERT INTO {seed.table[SprocketType]} (created_at, updated_at, name, teeth, pitch_diameter,
                    outside_diameter, pitch)
                SELECT now(), now(), 'Scale type ' || i, 10 + i, 50 + i, 60 + i, 5 FROM generate_series(1, 10) i"""
        )
    factory_ids_sql = f"""(SELECT array_agg(id ORDER BY id) FROM {seed.table[Factory]}
                           WHERE name LIKE 'Scale factory %%')"""

    seed.chunked("sprockets", seed.scale.sprockets, lambda a, b: seed.run(
            f"""WITH f AS (SELECT {factory_ids_sql} AS ids),
                     t AS (SELECT array_agg(id ORDER BY id) AS ids FROM {seed.table[SprocketType]})
                INSERT INTO {seed.table[Sprocket]} (created_at, updated_at, name, produced_at, factory_id,
                    sprocket_type_id)
                SELECT now() - i * interval '10 seconds', now() - i * interval '10 seconds', 'Scale sprocket ' || i,
                       now() - i * interval '10 seconds', f.ids[1 + (i - 1) %% %(factories)s],
                       t.ids[1 + i %% cardinality(t.ids)]
                FROM f, t, generate_series(%(a)s, %(b)s) AS i""",
            {"factories": seed.scale.factories, "a": a, "b": b},
        ))  # fmt: skip
    # The counter is the number of sprockets (what sprockets.services keeps with F() arithmetic).
    seed.cursor.execute(
        f"""UPDATE {seed.table[Factory]} f SET sprocket_production_actual = s.n
            FROM (SELECT factory_id, count(*) AS n FROM {seed.table[Sprocket]} GROUP BY factory_id) s
            WHERE s.factory_id = f.id AND f.name LIKE 'Scale factory %%'"""
    )

    # Charts: one point an hour, from 0 up to the counter; the last point is the counter.
    per_factory = seed.scale.chart_entries_per_factory
    factories_per_chunk = max(1, seed.chunk // per_factory)
    seed.chunked("charts", seed.scale.factories, lambda a, b: seed.run(
            f"""INSERT INTO {seed.table[FactoryChartEntry]} (time, sprocket_production_goal,
                    sprocket_production_actual, factory_id)
                SELECT date_trunc('second', now()) - (%(points)s - j) * interval '1 hour',
                       f.sprocket_production_goal,
                       (f.sprocket_production_actual::bigint * (j - 1) / greatest(%(points)s - 1, 1))::int, f.id
                FROM (SELECT id, sprocket_production_goal, sprocket_production_actual,
                             row_number() OVER (ORDER BY id) AS n
                      FROM {seed.table[Factory]} WHERE name LIKE 'Scale factory %%') f,
                     generate_series(1, %(points)s) AS j
                WHERE f.n BETWEEN %(a)s AND %(b)s""",
            {"points": per_factory, "a": a, "b": b},
        ), chunk=factories_per_chunk)  # fmt: skip
    seed.summary[-1] = ("chart entries", seed.scale.factories * per_factory, seed.summary[-1][2])  # counted by factory

    factory_cache_invalidate()
