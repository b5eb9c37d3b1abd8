"""Each sprockets rule lives once, in the model or the service: every way in gets the same answer."""

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework.viewsets import ViewSetMixin

from config.api.exceptions import ObjectNotFound
from config.api.viewsets import ScopedModelViewSet
from sprockets import services
from sprockets.api import views
from sprockets.models import Location, SprocketType
from tests.helpers import assert_error_shape

from .factories import FactoryFactory, LocationFactory, SprocketFactory, SprocketTypeFactory

pytestmark = pytest.mark.django_db

LOCATION = {"address_1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country_code": "us"}


# --- Country code: one normalising model field, checked with pycountry ----------------------------
def test_country_code_is_stored_upper_case_whoever_writes_it():
    created = Location.objects.create(address_1="a", city="b", postal_code="1", country_code="de")
    assert created.country_code == "DE"
    Location.objects.bulk_create([Location(address_1="a", city="b", postal_code="2", country_code="fr")])
    assert Location.objects.get(postal_code="2").country_code == "FR"
    Location.objects.filter(pk=created.pk).update(country_code="no")
    assert Location.objects.get(pk=created.pk).country_code == "NO"
    # Query values are normalised the same way.
    assert Location.objects.filter(country_code="no").get() == created


def test_service_checks_and_normalises_the_country_code():
    assert services.location_create(**LOCATION).country_code == "US"
    with pytest.raises(ValidationError) as excinfo:
        services.location_create(**{**LOCATION, "postal_code": "2", "country_code": "xx"})
    assert excinfo.value.error_dict["country_code"][0].code == "invalid_country"


def test_invalid_country_code_error_quotes_the_input_as_written(admin_client_api):
    response = admin_client_api.post("/api/v1/locations/", {**LOCATION, "country_code": "xx"})
    assert_error_shape(response, 400, attr="country_code", code="invalid_country")
    assert response.json()["errors"][0]["detail"] == "'xx' is not an ISO 3166-1 alpha-2 country code."


@pytest.mark.parametrize("code", ["\u212ae", "\ud800\ud800"])
def test_a_code_that_only_looks_like_one_is_a_400_not_a_409_or_500(admin_client_api, code):
    # KELVIN SIGN lower-cases to "k" (pycountry would find KE) but upper-cases to itself.
    body = json.dumps({**LOCATION, "country_code": code})  # json.dumps escapes a lone surrogate
    response = admin_client_api.generic("POST", "/api/v1/locations/", body, content_type="application/json")
    assert_error_shape(response, 400, attr="country_code")
    assert not Location.objects.exists()


def test_admin_form_accepts_a_lower_case_country_code(admin_user):
    browser = Client()
    browser.force_login(admin_user)
    response = browser.post("/admin/sprockets/location/add/", {**LOCATION, "name": "", "address_2": "", "state": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Location.objects.get().country_code == "US"


# --- Postal code: unique, checked by the service -----------------------------------------------
def test_taken_postal_code_is_a_validation_error_from_the_service():
    LocationFactory.create(postal_code="12345")
    with pytest.raises(ValidationError) as excinfo:
        services.location_create(**LOCATION)
    (error,) = excinfo.value.error_dict["postal_code"]
    assert (error.code, error.message) == ("unique", "A location with this postal code already exists.")


def test_taken_postal_code_is_a_400_on_postal_code_for_create_and_update(admin_client_api):
    LocationFactory.create(postal_code="12345")
    other = LocationFactory.create(postal_code="99999")
    assert_error_shape(admin_client_api.post("/api/v1/locations/", LOCATION), 400, attr="postal_code", code="unique")
    response = admin_client_api.patch(f"/api/v1/locations/{other.pk}/", {"postal_code": "12345"})
    assert_error_shape(response, 400, attr="postal_code", code="unique")
    # Keeping its own postal code is not a clash.
    assert admin_client_api.patch(f"/api/v1/locations/{other.pk}/", {"postal_code": "99999"}).status_code == 200


# --- Outside diameter > pitch diameter: SprocketType.clean() --------------------------------------
def test_outside_diameter_rule_is_the_models_for_every_caller(admin_client_api):
    body = {"teeth": 12, "pitch_diameter": "24.5", "outside_diameter": "24.5", "pitch": "6.35"}
    response = admin_client_api.post("/api/v1/sprocket-types/", body)
    assert_error_shape(response, 400, attr="outside_diameter", code="outside_not_larger")
    with pytest.raises(ValidationError) as excinfo:
        services.sprocket_type_create(
            teeth=12, pitch_diameter=Decimal(5), outside_diameter=Decimal(5), pitch=Decimal(1)
        )
    assert excinfo.value.error_dict["outside_diameter"][0].code == "outside_not_larger"
    sprocket_type = SprocketTypeFactory.create()
    with pytest.raises(ValidationError):
        services.sprocket_type_update(sprocket_type=sprocket_type, data={"outside_diameter": Decimal(1)})
    assert not SprocketType.objects.exclude(pk=sprocket_type.pk).exists()


# --- Services raise domain errors only ----------------------------------------------------------
@pytest.mark.parametrize(
    ("make", "write"),
    [
        (LocationFactory.create, lambda obj: services.location_update(location=obj, data={"city": "x"})),
        (SprocketTypeFactory.create, lambda obj: services.sprocket_type_delete(sprocket_type=obj)),
        (FactoryFactory.create, lambda obj: services.factory_update(factory=obj, data={"name": "x"})),
        (SprocketFactory.create, lambda obj: services.sprocket_delete(sprocket=obj)),
    ],
)
def test_a_write_to_a_row_deleted_meanwhile_is_object_not_found(make, write):
    stale = make()
    type(stale).objects.filter(pk=stale.pk).delete()
    with pytest.raises(ObjectNotFound):
        write(stale)


def test_the_domain_does_not_import_the_api_layer():
    app = Path(settings.BASE_DIR) / "sprockets"
    for module in app.rglob("*.py"):
        if "api" in module.relative_to(app).parts:
            continue
        source = module.read_text()
        for layer in ("api.serializers", "sprockets.api", "from .api", "rest_framework"):
            assert layer not in source, f"{module} imports {layer}"


def _routed_viewsets() -> dict[str, type]:
    """The router's sprockets viewsets by basename: a new one is checked without editing this test."""
    from config.api_v1 import router

    return {basename: viewset for _, viewset, basename in router.registry if viewset.__module__ == views.__name__}


def test_every_viewset_of_the_app_is_routed_and_checked_below():
    defined = {
        obj
        for obj in vars(views).values()
        if isinstance(obj, type) and issubclass(obj, ViewSetMixin) and obj.__module__ == views.__name__
    }
    assert defined, "no viewsets found in sprockets.api.views"
    assert defined == set(_routed_viewsets().values())


@pytest.mark.parametrize("basename", sorted(_routed_viewsets()))
def test_sprockets_viewsets_get_their_rows_from_the_selectors(admin_user, basename):
    viewset = _routed_viewsets()[basename]
    assert issubclass(viewset, ScopedModelViewSet), viewset
    assert "scoped_queryset" in vars(viewset), viewset
    assert viewset().scoped_queryset(admin_user).ordered, viewset
