"""Factories for config.api's own table (the app label is `api`)."""

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from config.api.models import IdempotencyKey
from tests.accounts.factories import UserFactory


class IdempotencyKeyFactory(DjangoModelFactory[IdempotencyKey]):
    class Meta:
        model = IdempotencyKey

    user = factory.SubFactory(UserFactory)
    scope = "messages.create"
    key = factory.Sequence(lambda n: f"key-{n}")
    fingerprint = "0" * 64
    created_at = factory.LazyFunction(timezone.now)
