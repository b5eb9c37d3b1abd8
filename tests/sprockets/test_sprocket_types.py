"""Sprocket types: decimals as strings, validation, the default order."""

import pytest

from sprockets.models import SprocketType
from tests.helpers import assert_error_shape, created, listed_ids

from .factories import SprocketTypeFactory
from .payloads import SPROCKET_TYPE

pytestmark = pytest.mark.django_db


def test_sprocket_type_decimals_are_strings(admin_client_api):
    body = created(admin_client_api, "/api/v1/sprocket-types/", SPROCKET_TYPE)
    assert body["pitch_diameter"] == "24.500"
    assert body["outside_diameter"] == "27.000"
    assert body["pitch"] == "6.350"
    assert body["name"] == ""


@pytest.mark.parametrize(
    ("change", "attr"),
    [
        ({"teeth": 2}, "teeth"),
        ({"teeth": "many"}, "teeth"),
        ({"pitch_diameter": "0"}, "pitch_diameter"),
        ({"pitch": "-1"}, "pitch"),
        ({"pitch": "1.0001"}, "pitch"),
        ({"outside_diameter": "123456.5"}, "outside_diameter"),
        ({"outside_diameter": "24.5"}, "outside_diameter"),  # not larger than pitch_diameter
        ({"outside_diameter": "20"}, "outside_diameter"),
        ({"pitch": None}, "pitch"),
    ],
)
def test_invalid_sprocket_type_field_is_400(admin_client_api, change, attr):
    response = admin_client_api.post("/api/v1/sprocket-types/", {**SPROCKET_TYPE, **change})
    assert_error_shape(response, 400, attr=attr)
    assert not SprocketType.objects.exists()


def test_patch_of_one_diameter_is_checked_against_the_stored_other(admin_client_api):
    sprocket_type = SprocketTypeFactory.create()
    response = admin_client_api.patch(f"/api/v1/sprocket-types/{sprocket_type.pk}/", {"pitch_diameter": "30"})
    assert_error_shape(response, 400, attr="outside_diameter")


def test_sprocket_type_ordering_default_is_id(user_client):
    first, second = SprocketTypeFactory.create(teeth=50), SprocketTypeFactory.create(teeth=4)
    assert listed_ids(user_client.get("/api/v1/sprocket-types/")) == [first.pk, second.pk]
    assert listed_ids(user_client.get("/api/v1/sprocket-types/", {"ordering": "teeth"})) == [second.pk, first.pk]
