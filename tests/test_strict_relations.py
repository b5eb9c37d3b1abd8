"""A related id in JSON is the id's type (config.api.strict_types): "" is not null, "5" is not 5.

Schema fuzzing (CI of 8ce7415) sent `PATCH /factories/{id}/ {"location": ""}`; DRF read the empty
string as null and cleared the factory's location with a 200.
"""

import pytest

from tests.helpers import assert_error_shape
from tests.sprockets.factories import FactoryFactory, LocationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["", "1", True])
def test_a_string_or_boolean_location_is_a_400_and_changes_nothing(admin_client_api, value):
    factory = FactoryFactory.create(location=LocationFactory.create())
    response = admin_client_api.patch(f"/api/v1/factories/{factory.pk}/", {"location": value}, format="json")
    assert_error_shape(response, 400, attr="location")
    factory.refresh_from_db()
    assert factory.location_id is not None


def test_a_number_or_null_still_sets_it(admin_client_api):
    factory, location = FactoryFactory.create(), LocationFactory.create()
    url = f"/api/v1/factories/{factory.pk}/"
    assert admin_client_api.patch(url, {"location": location.pk}, format="json").json()["location"] == location.pk
    assert admin_client_api.patch(url, {"location": None}, format="json").json()["location"] is None


def test_a_form_s_empty_choice_is_still_null(admin_client_api):
    factory = FactoryFactory.create(location=LocationFactory.create())
    response = admin_client_api.patch(f"/api/v1/factories/{factory.pk}/", {"location": ""}, format="multipart")
    assert response.status_code == 200, response.content
    assert response.json()["location"] is None
