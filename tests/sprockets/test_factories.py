"""Factories: the location as an id with its nested detail, validation, filters and search."""

import pytest

from sprockets.models import Factory
from tests.helpers import assert_error_shape, created, listed_ids

from .factories import FactoryFactory, LocationFactory

pytestmark = pytest.mark.django_db


def test_factory_location_is_id_with_nested_detail(admin_client_api, user_client):
    location = LocationFactory.create()
    body = created(
        admin_client_api, "/api/v1/factories/", {"name": "F", "location": location.pk, "sprocket_production_actual": 99}
    )
    assert body["location"] == location.pk
    assert body["location_detail"]["postal_code"] == location.postal_code
    assert body["sprocket_production_actual"] == 0  # read-only: ignored
    assert body["sprocket_production_goal"] == 0
    assert {"created_at", "updated_at"} <= set(body)
    assert user_client.get(f"/api/v1/factories/{body['id']}").json() == body


@pytest.mark.parametrize(
    ("body", "attr"),
    [
        ({"name": ""}, "name"),
        ({}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"name": "F", "sprocket_production_goal": -1}, "sprocket_production_goal"),
        ({"name": "F", "sprocket_production_goal": "lots"}, "sprocket_production_goal"),
        ({"name": "F", "location": 999999}, "location"),
        ({"name": "F", "location": "abc"}, "location"),
    ],
)
def test_invalid_factory_field_is_400(admin_client_api, body, attr):
    assert_error_shape(admin_client_api.post("/api/v1/factories/", body), 400, attr=attr)
    assert not Factory.objects.exists()


def test_factory_filters_and_search(user_client):
    here, there = LocationFactory.create(), LocationFactory.create()
    alpha = FactoryFactory.create(name="Alpha Works", location=here)
    beta = FactoryFactory.create(name="Beta Works", location=there)
    assert listed_ids(user_client.get("/api/v1/factories/", {"location": here.pk})) == [alpha.pk]
    assert listed_ids(user_client.get("/api/v1/factories/", {"location": 0})) == []
    assert listed_ids(user_client.get("/api/v1/factories/", {"search": "BETA"})) == [beta.pk]
    assert listed_ids(user_client.get("/api/v1/factories/", {"ordering": "-name"})) == [beta.pk, alpha.pk]
    assert_error_shape(user_client.get("/api/v1/factories/", {"ordering": "secret"}), 400, attr="ordering")
