"""Locations: their shape, PUT as a full replacement, validation, filters and search."""

import pytest

from sprockets.models import Location
from tests.helpers import assert_error_shape, created, documented_fields, listed_ids

from .factories import LocationFactory
from .payloads import LOCATION

pytestmark = pytest.mark.django_db


def test_location_is_created_with_country_code_upper_case(admin_client_api):
    body = created(admin_client_api, "/api/v1/locations/", LOCATION)
    assert body["country_code"] == "US"
    assert set(body) == documented_fields("Location")
    assert isinstance(body["id"], int)
    assert Location.objects.get().country_code == "US"


def test_put_is_a_full_replacement(admin_client_api):
    location = LocationFactory.create(state="CA", address_2="Suite 5")
    response = admin_client_api.put(
        f"/api/v1/locations/{location.pk}/",
        {"address_1": "2 Side St", "city": "Shelbyville", "postal_code": location.postal_code, "country_code": "DE"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == ""
    assert response.json()["address_2"] == ""
    assert response.json()["name"] == ""


@pytest.mark.parametrize(
    ("change", "attr"),
    [
        ({"country_code": "XX"}, "country_code"),
        ({"country_code": "USA"}, "country_code"),
        ({"country_code": None}, "country_code"),
        ({"postal_code": ""}, "postal_code"),
        ({"postal_code": "1" * 17}, "postal_code"),
        ({"address_1": ""}, "address_1"),
        ({"city": None}, "city"),
        ({"name": "x" * 121}, "name"),
    ],
)
def test_invalid_location_field_is_400(admin_client_api, change, attr):
    assert_error_shape(admin_client_api.post("/api/v1/locations/", {**LOCATION, **change}), 400, attr=attr)
    assert not Location.objects.exists()


def test_duplicate_postal_code_is_400_on_postal_code(admin_client_api):
    LocationFactory.create(postal_code="12345")
    assert_error_shape(admin_client_api.post("/api/v1/locations/", LOCATION), 400, attr="postal_code")


def test_location_filters_and_search(user_client):
    paris = LocationFactory.create(city="Paris", country_code="FR", postal_code="75001", name="LeftXBank")
    berlin = LocationFactory.create(city="Berlin", country_code="DE", postal_code="10115", name="Mitte 100%")
    assert listed_ids(user_client.get("/api/v1/locations/", {"city": "paris"})) == [paris.pk]
    assert listed_ids(user_client.get("/api/v1/locations/", {"country_code": "de"})) == [berlin.pk]
    assert listed_ids(user_client.get("/api/v1/locations/", {"postal_code": "75001"})) == [paris.pk]
    assert listed_ids(user_client.get("/api/v1/locations/", {"search": "mitte"})) == [berlin.pk]
    assert listed_ids(user_client.get("/api/v1/locations/", {"search": "100%"})) == [berlin.pk]
    assert listed_ids(user_client.get("/api/v1/locations/", {"search": "t_b"})) == []
    assert listed_ids(user_client.get("/api/v1/locations/", {"ordering": "-city"})) == [paris.pk, berlin.pk]
