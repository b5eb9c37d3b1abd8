"""Demo data for sprockets: locations, sprocket types, factories with some history, sprockets.

Idempotent by natural key (postal code, dimensions, factory name): a factory that already
exists is left as it is, so running twice adds no sprockets and no chart points.

The samples in sprockets/samples/ are not imported here: their one sprocket type is "Small"
below, and their factories carry another system's history (counters with no sprocket rows),
while every demo factory's counter equals its sprockets. Import them with the README's commands.
"""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from . import services
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
HISTORY_HOURS = 24


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
        factory = services.factory_create(name=name, location=locations[location_index], sprocket_production_goal=goal)
        # A day of hourly history before now, then a few real sprockets through the service.
        now = timezone.now()
        FactoryChartEntry.objects.bulk_create(
            FactoryChartEntry(
                factory=factory,
                time=now - timedelta(hours=HISTORY_HOURS - hour),
                sprocket_production_goal=goal,
                sprocket_production_actual=(hour * 7 + location_index * 3) % (goal + 5),
            )
            for hour in range(HISTORY_HOURS)
        )
        for i in range(5):
            services.sprocket_create(factory=factory, sprocket_type=types[i % len(types)], name=f"{name} #{i + 1}")
    stdout.write(f"  sprockets: {Factory.objects.count()} factories, {SprocketType.objects.count()} sprocket types\n")
