from decimal import Decimal

import factory as fb
from factory.django import DjangoModelFactory

from sprockets import services
from sprockets.models import Factory, FactoryChartEntry, Location, Sprocket, SprocketType


class LocationFactory(DjangoModelFactory[Location]):
    class Meta:
        model = Location

    name = fb.Sequence(lambda n: f"Site {n}")
    address_1 = fb.Sequence(lambda n: f"{n} Main Street")
    city = "Springfield"
    postal_code = fb.Sequence(lambda n: f"P{n:05d}")
    country_code = "US"


class SprocketTypeFactory(DjangoModelFactory[SprocketType]):
    class Meta:
        model = SprocketType

    teeth = 12
    pitch_diameter = Decimal("24.500")
    outside_diameter = Decimal("27.000")
    pitch = Decimal("6.350")


class FactoryFactory(DjangoModelFactory[Factory]):
    """Saved with save(): the post_save signal records the creation chart point, as in production."""

    class Meta:
        model = Factory

    name = fb.Sequence(lambda n: f"Factory {n}")
    location = fb.SubFactory(LocationFactory)
    sprocket_production_goal = 10


class SprocketFactory(DjangoModelFactory[Sprocket]):
    """Created through the service so the factory's counter and chart stay right."""

    class Meta:
        model = Sprocket

    factory = fb.SubFactory(FactoryFactory)
    sprocket_type = fb.SubFactory(SprocketTypeFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.sprocket_create(**kwargs)


# tests/test_admin_changelists.py: chart entries have no factory of their own; each factory
# records its first chart point.
ADMIN_ROWS = {FactoryChartEntry: FactoryFactory.create_batch}
