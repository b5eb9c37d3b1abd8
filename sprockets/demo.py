"""Demo data for sprockets: locations, sprocket types, factories with some history, sprockets.

Idempotent by natural key (postal code, dimensions, factory name): a factory that already
exists is left as it is, so running twice adds no sprockets and no chart points.

The samples in sprockets/samples/ are not imported here: their one sprocket type is "Small"
below, and their factories carry another system's history (counters with no sprocket rows),
while every demo factory's counter equals its sprockets. Import them with the commands of
docs/OPERATIONS.md, "Loading data".
"""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from . import services
from .caching import factory_cache_invalidate
from .models import Factory, FactoryChartEntry, Location, SprocketType

LOCATIONS = [
    {
        "name": "Bay Works",
        "address_1": "1 Harbor Way",
        "city": "Oakland",
        "state": "CA",
        "postal_code": "94607",
        "country_code": "US",
    },
    {
        "name": "Ruhr Plant",
        "address_1": "Industriestr. 5",
        "city": "Essen",
        "state": "",
        "postal_code": "45127",
        "country_code": "DE",
    },
]
SPROCKET_TYPES = [
    {
        "name": "Small",
        "teeth": 5,
        "pitch_diameter": Decimal("5"),
        "outside_diameter": Decimal("6"),
        "pitch": Decimal("1"),
    },
    {
        "name": "Medium",
        "teeth": 12,
        "pitch_diameter": Decimal("24.5"),
        "outside_diameter": Decimal("27"),
        "pitch": Decimal("6.35"),
    },
    {
        "name": "Large",
        "teeth": 40,
        "pitch_diameter": Decimal("101.6"),
        "outside_diameter": Decimal("106.2"),
        "pitch": Decimal("8"),
    },
]
FACTORIES = [("Oakland Sprocket Works", 0, 40), ("Essen Zahnradwerk", 1, 25)]
# A week of made-up history, a point every 6 hours, the real sprockets its newest points: a fresh
# demo's chart (and `?chart_points=5`) draws a line over days, not a column at the seed's second.
HISTORY_DAYS = 7
HISTORY_STEP = timedelta(hours=6)
DEMO_SPROCKETS = 5


def seed(*, stdout: Any, users: dict[str, Any]) -> None:
    locations = [
        Location.objects.get_or_create(postal_code=values["postal_code"], defaults=values)[0] for values in LOCATIONS
    ]
    types = []
    for values in SPROCKET_TYPES:
        dims = {k: v for k, v in values.items() if k != "name"}
        types.append(SprocketType.objects.get_or_create(**dims, defaults={"name": values["name"]})[0])
    for name, location_index, goal in FACTORIES:
        if Factory.objects.filter(name=name).exists():
            continue
        _seed_factory(name=name, location=locations[location_index], goal=goal, types=types, offset=location_index)
    stdout.write(f"  sprockets: {Factory.objects.count()} factories, {SprocketType.objects.count()} sprocket types\n")


def _seed_factory(*, name: str, location: Location, goal: int, types: list[SprocketType], offset: int) -> None:
    """A factory created a week ago, made-up history since, then its real sprockets, every HISTORY_STEP."""
    now = timezone.now()
    steps = HISTORY_DAYS * timedelta(days=1) // HISTORY_STEP
    times = [now - HISTORY_STEP * (steps - step) for step in range(steps + 1)]  # the last one is now
    factory = services.factory_create(name=name, location=location, sprocket_production_goal=goal)
    # The service recorded the "created" point now: it belongs at the start of the history.
    FactoryChartEntry.objects.filter(factory=factory).update(time=times[0])
    history = times[1 : len(times) - DEMO_SPROCKETS]
    FactoryChartEntry.objects.bulk_create(
        FactoryChartEntry(
            factory=factory,
            time=time,
            sprocket_production_goal=goal,
            sprocket_production_actual=(step * 7 + offset * 3) % (goal + 5),
        )
        for step, time in enumerate(history, start=1)
    )
    # Real sprockets through the service (the counter counts them), each produced at its point's time.
    for i, produced_at in enumerate(times[len(times) - DEMO_SPROCKETS :]):
        services.sprocket_create(
            factory=factory, sprocket_type=types[i % len(types)], name=f"{name} #{i + 1}", produced_at=produced_at
        )
        # The service stamped its point with the clock: give it the sprocket's time.
        recorded = FactoryChartEntry.objects.filter(factory=factory).latest("id")
        FactoryChartEntry.objects.filter(pk=recorded.pk).update(time=produced_at)
    # The retimings above are bulk writes: no signal drops the cached lists for them.
    factory_cache_invalidate()
