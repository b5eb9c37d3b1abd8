"""The sprockets REST API: validation, 404s, permissions, filters, ordering, 409s, query counts."""

from datetime import UTC, datetime

import pytest

from sprockets.models import Factory, Location, Sprocket, SprocketType
from tests.helpers import assert_error_shape

from .factories import FactoryFactory, LocationFactory, SprocketFactory, SprocketTypeFactory

pytestmark = pytest.mark.django_db

LOCATION = {
    "name": "HQ",
    "address_1": "1 Main St",
    "city": "Springfield",
    "postal_code": "12345",
    "country_code": "us",
}
SPROCKET_TYPE = {"teeth": 12, "pitch_diameter": "24.5", "outside_diameter": "27", "pitch": "6.35"}


# --- Shapes ---------------------------------------------------------------------------------
def test_location_is_created_with_country_code_upper_case(admin_client_api):
    response = admin_client_api.post("/api/v1/locations/", LOCATION)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["country_code"] == "US"
    assert set(body) == {
        "id",
        "name",
        "address_1",
        "address_2",
        "city",
        "state",
        "postal_code",
        "country_code",
        "created_at",
        "updated_at",
    }
    assert isinstance(body["id"], int)
    assert Location.objects.get().country_code == "US"


def test_sprocket_type_decimals_are_strings(admin_client_api):
    response = admin_client_api.post("/api/v1/sprocket-types/", SPROCKET_TYPE)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["pitch_diameter"] == "24.500"
    assert body["outside_diameter"] == "27.000"
    assert body["pitch"] == "6.350"
    assert body["name"] == ""


def test_factory_location_is_id_with_nested_detail(admin_client_api, user_client):
    location = LocationFactory.create()
    response = admin_client_api.post(
        "/api/v1/factories/",
        {"name": "F", "location": location.pk, "sprocket_production_actual": 99},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["location"] == location.pk
    assert body["location_detail"]["postal_code"] == location.postal_code
    assert body["sprocket_production_actual"] == 0  # read-only: ignored
    assert body["sprocket_production_goal"] == 0
    assert {"created_at", "updated_at"} <= set(body)
    assert user_client.get(f"/api/v1/factories/{body['id']}").json() == body


def test_sprocket_produced_at_defaults_to_now(user_client):
    factory = FactoryFactory.create()
    sprocket_type = SprocketTypeFactory.create()
    before = datetime.now(UTC)
    response = user_client.post("/api/v1/sprockets", {"factory": factory.pk, "sprocket_type": sprocket_type.pk})
    assert response.status_code == 201, response.content
    produced_at = datetime.fromisoformat(response.json()["produced_at"].replace("Z", "+00:00"))
    assert before <= produced_at <= datetime.now(UTC)


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


# --- 400 for every invalid field -------------------------------------------------------------
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


# --- 404 and 409 ------------------------------------------------------------------------------
@pytest.mark.parametrize("resource", ["locations", "sprocket-types", "factories", "sprockets"])
@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
@pytest.mark.parametrize("missing_id", ["999999", "abc", "99999999999999999999999"])
def test_missing_id_is_404(admin_client_api, resource, method, missing_id):
    response = getattr(admin_client_api, method)(f"/api/v1/{resource}/{missing_id}/", {})
    assert_error_shape(response, 404)


def test_deleting_things_in_use_is_409_naming_the_user(admin_client_api):
    sprocket = SprocketFactory.create()
    factory, sprocket_type, location = sprocket.factory, sprocket.sprocket_type, sprocket.factory.location
    assert location is not None
    for url, used_by in [
        (f"/api/v1/locations/{location.pk}/", f"1 factory (id {factory.pk})"),
        (f"/api/v1/sprocket-types/{sprocket_type.pk}/", f"1 sprocket (id {sprocket.pk})"),
        (f"/api/v1/factories/{factory.pk}/", f"1 sprocket (id {sprocket.pk})"),
    ]:
        response = admin_client_api.delete(url)
        assert_error_shape(response, 409)
        assert used_by in response.json()["errors"][0]["detail"]
    assert admin_client_api.delete(f"/api/v1/sprockets/{sprocket.pk}/").status_code == 204
    assert admin_client_api.delete(f"/api/v1/factories/{factory.pk}/").status_code == 204
    assert admin_client_api.delete(f"/api/v1/sprocket-types/{sprocket_type.pk}/").status_code == 204
    assert admin_client_api.delete(f"/api/v1/locations/{location.pk}/").status_code == 204


# --- Permissions ------------------------------------------------------------------------------
def _bodies() -> dict[str, dict]:
    factory = FactoryFactory.create()
    sprocket_type = SprocketTypeFactory.create()
    return {
        "locations": {**LOCATION, "postal_code": "99999"},
        "sprocket-types": SPROCKET_TYPE,
        "factories": {"name": "New"},
        "sprockets": {"factory": factory.pk, "sprocket_type": sprocket_type.pk},
    }


def _existing_ids() -> dict[str, int]:
    sprocket = SprocketFactory.create()
    return {
        "locations": LocationFactory.create().pk,
        "sprocket-types": SprocketTypeFactory.create().pk,
        "factories": FactoryFactory.create().pk,
        "sprockets": sprocket.pk,
    }


@pytest.mark.parametrize("resource", ["locations", "sprocket-types", "factories", "sprockets"])
def test_anonymous_gets_401_everywhere(api_client, resource):
    ids = _existing_ids()
    body = _bodies()[resource]
    detail = f"/api/v1/{resource}/{ids[resource]}/"
    assert_error_shape(api_client.get(f"/api/v1/{resource}/"), 401)
    assert_error_shape(api_client.post(f"/api/v1/{resource}/", body, format="json"), 401)
    assert_error_shape(api_client.get(detail), 401)
    assert_error_shape(api_client.patch(detail, {}, format="json"), 401)
    assert_error_shape(api_client.put(detail, body, format="json"), 401)
    assert_error_shape(api_client.delete(detail), 401)


@pytest.mark.parametrize("resource", ["locations", "sprocket-types", "factories", "sprockets"])
def test_user_reads_all_and_creates_only_sprockets(user_client, resource):
    ids = _existing_ids()
    body = _bodies()[resource]
    detail = f"/api/v1/{resource}/{ids[resource]}/"
    assert user_client.get(f"/api/v1/{resource}/").status_code == 200
    assert user_client.get(detail).status_code == 200
    created = user_client.post(f"/api/v1/{resource}/", body)
    if resource == "sprockets":
        assert created.status_code == 201
    else:
        assert_error_shape(created, 403)
    assert_error_shape(user_client.patch(detail, {"name": "x"}), 403)
    assert_error_shape(user_client.put(detail, body), 403)
    assert_error_shape(user_client.delete(detail), 403)


@pytest.mark.parametrize("resource", ["locations", "sprocket-types", "factories", "sprockets"])
def test_admin_does_everything(admin_client_api, resource):
    ids = _existing_ids()
    body = _bodies()[resource]
    detail = f"/api/v1/{resource}/{ids[resource]}/"
    assert admin_client_api.get(f"/api/v1/{resource}/").status_code == 200
    assert admin_client_api.post(f"/api/v1/{resource}/", body).status_code == 201
    assert admin_client_api.patch(detail, {"name": "renamed"}).status_code == 200
    if resource == "locations":
        body = {**body, "postal_code": "88888"}
    assert admin_client_api.put(detail, body).status_code == 200, body
    if resource != "sprockets":
        # Empty the resource first: the created sprocket still uses the others.
        Sprocket.objects.all().delete()
        Factory.objects.exclude(pk=ids["factories"]).filter(location_id=ids["locations"]).update(location=None)
        Factory.objects.filter(pk=ids["factories"]).update(location=None)
    assert admin_client_api.delete(detail).status_code == 204
    assert_error_shape(admin_client_api.get(detail), 404)


# --- Filters, search, ordering ------------------------------------------------------------
def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def test_location_filters_and_search(user_client):
    paris = LocationFactory.create(city="Paris", country_code="FR", postal_code="75001", name="LeftXBank")
    berlin = LocationFactory.create(city="Berlin", country_code="DE", postal_code="10115", name="Mitte 100%")
    assert _ids(user_client.get("/api/v1/locations/", {"city": "paris"})) == [paris.pk]
    assert _ids(user_client.get("/api/v1/locations/", {"country_code": "de"})) == [berlin.pk]
    assert _ids(user_client.get("/api/v1/locations/", {"postal_code": "75001"})) == [paris.pk]
    assert _ids(user_client.get("/api/v1/locations/", {"search": "mitte"})) == [berlin.pk]
    assert _ids(user_client.get("/api/v1/locations/", {"search": "100%"})) == [berlin.pk]
    assert _ids(user_client.get("/api/v1/locations/", {"search": "t_b"})) == []
    assert _ids(user_client.get("/api/v1/locations/", {"ordering": "-city"})) == [paris.pk, berlin.pk]


def test_factory_filters_and_search(user_client):
    here, there = LocationFactory.create(), LocationFactory.create()
    alpha = FactoryFactory.create(name="Alpha Works", location=here)
    beta = FactoryFactory.create(name="Beta Works", location=there)
    assert _ids(user_client.get("/api/v1/factories/", {"location": here.pk})) == [alpha.pk]
    assert _ids(user_client.get("/api/v1/factories/", {"location": 0})) == []
    assert _ids(user_client.get("/api/v1/factories/", {"search": "BETA"})) == [beta.pk]
    assert _ids(user_client.get("/api/v1/factories/", {"ordering": "-name"})) == [beta.pk, alpha.pk]
    assert_error_shape(user_client.get("/api/v1/factories/", {"ordering": "secret"}), 400, attr="ordering")


def test_sprocket_filters(user_client):
    one, two = FactoryFactory.create(), FactoryFactory.create()
    small, big = SprocketTypeFactory.create(), SprocketTypeFactory.create(teeth=40)
    early = SprocketFactory.create(factory=one, sprocket_type=small, produced_at=datetime(2024, 1, 1, tzinfo=UTC))
    late = SprocketFactory.create(factory=two, sprocket_type=big, produced_at=datetime(2024, 6, 1, tzinfo=UTC))
    assert _ids(user_client.get("/api/v1/sprockets/", {"factory": one.pk})) == [early.pk]
    assert _ids(user_client.get("/api/v1/sprockets/", {"sprocket_type": big.pk})) == [late.pk]
    assert _ids(user_client.get("/api/v1/sprockets/", {"produced_after": "2024-03-01T00:00:00Z"})) == [late.pk]
    assert _ids(user_client.get("/api/v1/sprockets/", {"produced_before": "2024-03-01T00:00:00Z"})) == [early.pk]
    assert _ids(user_client.get("/api/v1/sprockets/", {"produced_after": "2024-06-01T00:00:00Z"})) == [late.pk]
    assert _ids(user_client.get("/api/v1/sprockets/", {"ordering": "-produced_at"})) == [late.pk, early.pk]
    assert_error_shape(user_client.get("/api/v1/sprockets/", {"produced_after": "soon"}), 400, attr="produced_after")


@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("/api/v1/sprockets/", "factory"),
        ("/api/v1/sprockets/", "sprocket_type"),
        ("/api/v1/factories/", "location"),
        ("/api/v1/sprocket-types/", "teeth"),
    ],
)
def test_number_filters_take_whole_numbers_only(user_client, url, param):
    sprocket = SprocketFactory.create()
    value = {
        "factory": sprocket.factory_id,
        "sprocket_type": sprocket.sprocket_type_id,
        "location": sprocket.factory.location_id,
        "teeth": sprocket.sprocket_type.teeth,
    }[param]
    assert user_client.get(url, {param: value}).json()["count"] == 1
    # `1.5` used to be truncated by the integer column and match id 1.
    assert_error_shape(user_client.get(url, {param: f"{value}.5"}), 400, attr=param)
    assert user_client.get(url, {param: 10**30}).json()["count"] == 0


def test_sprocket_type_ordering_default_is_id(user_client):
    first, second = SprocketTypeFactory.create(teeth=50), SprocketTypeFactory.create(teeth=4)
    assert _ids(user_client.get("/api/v1/sprocket-types/")) == [first.pk, second.pk]
    assert _ids(user_client.get("/api/v1/sprocket-types/", {"ordering": "teeth"})) == [second.pk, first.pk]


# --- Query counts -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "make"),
    [
        ("/api/v1/locations/", lambda n: LocationFactory.create_batch(n)),
        ("/api/v1/sprocket-types/", lambda n: SprocketTypeFactory.create_batch(n)),
        ("/api/v1/factories/", lambda n: FactoryFactory.create_batch(n)),
        ("/api/v1/factories/?with_chart_data=true", lambda n: FactoryFactory.create_batch(n)),
        ("/api/v1/sprockets/", lambda n: SprocketFactory.create_batch(n)),
    ],
)
def test_list_query_count_does_not_grow_with_page_size(
    user_client, django_assert_max_num_queries, django_capture_on_commit_callbacks, url, make
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make(2)
    with CaptureQueriesContext(connection) as small:
        assert user_client.get(url).status_code == 200
    # As if committed: the writes' on-commit cache invalidation runs (the first list and its
    # count are cached; a test transaction never commits).
    with django_capture_on_commit_callbacks(execute=True):
        make(25)
    separator = "&" if "?" in url else "?"
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = user_client.get(f"{url}{separator}page_size=100")
    assert response.json()["count"] == 27


# --- Idempotency ----------------------------------------------------------------------------
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
