"""What the four sprockets routes share: 404s, 409s for rows in use, who may do what,
whole-number filters, list query counts."""

from dataclasses import dataclass
from typing import Any

import pytest

from sprockets.models import Factory, Sprocket
from tests.helpers import assert_error_shape

from .factories import FactoryFactory, LocationFactory, SprocketFactory, SprocketTypeFactory
from .payloads import LOCATION, SPROCKET_TYPE

pytestmark = pytest.mark.django_db

RESOURCES = ["locations", "sprocket-types", "factories", "sprockets"]


@pytest.mark.parametrize("resource", RESOURCES)
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


@dataclass
class Route:
    """One route with a row of each resource in place: its list URL, its row's URL, a valid body."""

    resource: str
    ids: dict[str, int]
    body: dict[str, Any]

    @property
    def list(self) -> str:
        return f"/api/v1/{self.resource}/"

    @property
    def detail(self) -> str:
        return f"/api/v1/{self.resource}/{self.ids[self.resource]}/"


@pytest.fixture(params=RESOURCES)
def route(request) -> Route:
    sprocket = SprocketFactory.create()
    ids = {
        "locations": LocationFactory.create().pk,
        "sprocket-types": SprocketTypeFactory.create().pk,
        "factories": FactoryFactory.create().pk,
        "sprockets": sprocket.pk,
    }
    bodies: dict[str, dict[str, Any]] = {
        "locations": {**LOCATION, "postal_code": "99999"},
        "sprocket-types": SPROCKET_TYPE,
        "factories": {"name": "New"},
        "sprockets": {"factory": FactoryFactory.create().pk, "sprocket_type": SprocketTypeFactory.create().pk},
    }
    return Route(request.param, ids, bodies[request.param])


def test_anonymous_gets_401_everywhere(api_client, route):
    assert_error_shape(api_client.get(route.list), 401)
    assert_error_shape(api_client.post(route.list, route.body, format="json"), 401)
    assert_error_shape(api_client.get(route.detail), 401)
    assert_error_shape(api_client.patch(route.detail, {}, format="json"), 401)
    assert_error_shape(api_client.put(route.detail, route.body, format="json"), 401)
    assert_error_shape(api_client.delete(route.detail), 401)


def test_user_reads_all_and_creates_only_sprockets(user_client, route):
    assert user_client.get(route.list).status_code == 200
    assert user_client.get(route.detail).status_code == 200
    created = user_client.post(route.list, route.body)
    if route.resource == "sprockets":
        assert created.status_code == 201
    else:
        assert_error_shape(created, 403)
    assert_error_shape(user_client.patch(route.detail, {"name": "x"}), 403)
    assert_error_shape(user_client.put(route.detail, route.body), 403)
    assert_error_shape(user_client.delete(route.detail), 403)


def test_admin_does_everything(admin_client_api, route):
    assert admin_client_api.get(route.list).status_code == 200
    assert admin_client_api.post(route.list, route.body).status_code == 201
    assert admin_client_api.patch(route.detail, {"name": "renamed"}).status_code == 200
    body = {**route.body, "postal_code": "88888"} if route.resource == "locations" else route.body
    assert admin_client_api.put(route.detail, body).status_code == 200, body
    if route.resource != "sprockets":
        # Empty the resource first: the created sprocket still uses the others.
        Sprocket.objects.all().delete()
        factory_id, location_id = route.ids["factories"], route.ids["locations"]
        Factory.objects.exclude(pk=factory_id).filter(location_id=location_id).update(location=None)
        Factory.objects.filter(pk=factory_id).update(location=None)
    assert admin_client_api.delete(route.detail).status_code == 204
    assert_error_shape(admin_client_api.get(route.detail), 404)


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
