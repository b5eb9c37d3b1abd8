import factory
from factory.django import DjangoModelFactory

from legacy.models import LegacyRecord


class LegacyRecordFactory(DjangoModelFactory[LegacyRecord]):
    class Meta:
        model = LegacyRecord

    source = "catalog-service"
    table = "products"
    legacy_id = factory.Sequence(str)
    model = "catalog.Product"
    object_id = factory.Faker("uuid4")
    fingerprint = "0" * 64
