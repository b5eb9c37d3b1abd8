"""Sprockets: produced_at's default, validation, filters, idempotent creates."""

from datetime import UTC, datetime

import pytest

from sprockets.models import Sprocket
from tests.helpers import assert_error_shape, created, listed_ids

from .factories import FactoryFactory, SprocketFactory, SprocketTypeFactory

pytestmark = pytest.mark.django_db


def test_sprocket_produced_at_defaults_to_now(user_client):
    factory = FactoryFactory.create()
    sprocket_type = SprocketTypeFactory.create()
    before = datetime.now(UTC)
    body = created(user_client, "/api/v1/sprockets", {"factory": factory.pk, "sprocket_type": sprocket_type.pk})
    produced_at = datetime.fromisoformat(body["produced_at"].replace("Z", "+00:00"))
    assert before <= produced_at <= datetime.now(UTC)


@pytest.mark.parametrize(
    ("change", "attr"),
    [
        ({"factory": 999999}, "factory"),
        ({"factory": None}, "factory"),
        ({"sprocket_type": 999999}, "sprocket_type"),
        ({"sprocket_type": "x"}, "sprocket_type"),
        ({"produced_at": "not a date"}, "produced_at"),
        ({"name": "x" * 121}, "name"),
    ],
)
def test_invalid_sprocket_field_is_400(user_client, change, attr):
    body = {"factory": FactoryFactory.create().pk, "sprocket_type": SprocketTypeFactory.create().pk, **change}
    assert_error_shape(user_client.post("/api/v1/sprockets/", body), 400, attr=attr)
    assert not Sprocket.objects.exists()


def test_sprocket_filters(user_client):
    one, two = FactoryFactory.create(), FactoryFactory.create()
    small, big = SprocketTypeFactory.create(), SprocketTypeFactory.create(teeth=40)
    early = SprocketFactory.create(factory=one, sprocket_type=small, produced_at=datetime(2024, 1, 1, tzinfo=UTC))
    late = SprocketFactory.create(factory=two, sprocket_type=big, produced_at=datetime(2024, 6, 1, tzinfo=UTC))
    assert listed_ids(user_client.get("/api/v1/sprockets/", {"factory": one.pk})) == [early.pk]
    assert listed_ids(user_client.get("/api/v1/sprockets/", {"sprocket_type": big.pk})) == [late.pk]
    assert listed_ids(user_client.get("/api/v1/sprockets/", {"produced_after": "2024-03-01T00:00:00Z"})) == [late.pk]
    assert listed_ids(user_client.get("/api/v1/sprockets/", {"produced_before": "2024-03-01T00:00:00Z"})) == [early.pk]
    assert listed_ids(user_client.get("/api/v1/sprockets/", {"produced_after": "2024-06-01T00:00:00Z"})) == [late.pk]
    assert listed_ids(user_client.get("/api/v1/sprockets/", {"ordering": "-produced_at"})) == [late.pk, early.pk]
    assert_error_shape(user_client.get("/api/v1/sprockets/", {"produced_after": "soon"}), 400, attr="produced_after")


def test_sprocket_create_replay_with_same_key_creates_one(user_client):
    factory, sprocket_type = FactoryFactory.create(), SprocketTypeFactory.create()
    body = {"factory": factory.pk, "sprocket_type": sprocket_type.pk, "name": "once"}
    first = user_client.post("/api/v1/sprockets/", body, HTTP_IDEMPOTENCY_KEY="abc-1")
    again = user_client.post("/api/v1/sprockets/", body, HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Sprocket.objects.count() == 1
    factory.refresh_from_db()
    assert factory.sprocket_production_actual == 1
    other = user_client.post("/api/v1/sprockets/", {**body, "name": "twice"}, HTTP_IDEMPOTENCY_KEY="abc-1")
    assert_error_shape(other, 409)
