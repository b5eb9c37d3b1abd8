"""The factory list is answered from the cache, and every write that changes an answer drops it.

Invalidation runs on commit (config.api.caching), so these tests commit for real.
"""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sprockets.caching import factory_cache_invalidate
from tests.sprockets.factories import FactoryFactory, LocationFactory, SprocketFactory, SprocketTypeFactory

pytestmark = pytest.mark.django_db(transaction=True)

CHART_LIST = "/api/v1/factories/?with_chart_data=true"
FACTORY_SAMPLE = "sprockets/samples/seed_factory_data.json"


def sprockets_queries(client, url: str) -> tuple[dict, int]:
    """The answer, and how many of its queries read the sprockets tables (not the caller's user)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json(), sum('"sprockets_' in query["sql"] for query in queries.captured_queries)


def only(answer: dict) -> dict:
    (factory,) = answer["results"]
    return factory


def test_a_repeated_list_reads_no_factory_or_chart_row(user_client):
    FactoryFactory.create(location=LocationFactory.create())

    first, first_queries = sprockets_queries(user_client, CHART_LIST)
    again, again_queries = sprockets_queries(user_client, CHART_LIST)

    assert first_queries >= 2  # the page, its count and the chart points
    assert again_queries == 0
    assert again == first


def test_a_new_sprocket_is_in_the_next_list_with_its_chart_point(user_client):
    factory = FactoryFactory.create()
    before = only(user_client.get(CHART_LIST).json())

    SprocketFactory.create(factory=factory, sprocket_type=SprocketTypeFactory.create())
    after = only(user_client.get(CHART_LIST).json())

    assert after["sprocket_production_actual"] == before["sprocket_production_actual"] + 1
    assert after["chart_data"]["total_points"] == before["chart_data"]["total_points"] + 1
    assert after["chart_data"]["sprocket_production_actual"][-1] == after["sprocket_production_actual"]


def test_a_sprocket_deleted_or_moved_through_the_api_is_in_the_next_list(user_client, admin_client_api):
    first, second = FactoryFactory.create(name="First"), FactoryFactory.create(name="Second")
    kind = SprocketTypeFactory.create()
    moved, deleted = (SprocketFactory.create(factory=first, sprocket_type=kind) for _ in range(2))

    def actuals() -> dict[str, int]:
        page = user_client.get(CHART_LIST).json()["results"]
        return {factory["name"]: factory["sprocket_production_actual"] for factory in page}

    assert actuals() == {"First": 2, "Second": 0}
    assert (
        admin_client_api.patch(f"/api/v1/sprockets/{moved.pk}/", {"factory": second.pk}, format="json").status_code
        == 200
    )
    assert actuals() == {"First": 1, "Second": 1}
    assert admin_client_api.delete(f"/api/v1/sprockets/{deleted.pk}/").status_code == 204
    assert actuals() == {"First": 0, "Second": 1}


def test_a_factory_created_through_the_api_is_in_the_next_list(user_client, admin_client_api):
    assert user_client.get("/api/v1/factories/").json()["count"] == 0

    created = admin_client_api.post("/api/v1/factories/", {"name": "New works"}, format="json")

    assert created.status_code == 201, created.content
    assert [f["name"] for f in user_client.get(CHART_LIST).json()["results"]] == ["New works"]


def test_a_goal_changed_through_the_api_is_in_the_next_list(user_client, admin_client_api):
    factory = FactoryFactory.create(sprocket_production_goal=5)
    assert only(user_client.get(CHART_LIST).json())["sprocket_production_goal"] == 5

    patched = admin_client_api.patch(f"/api/v1/factories/{factory.pk}/", {"sprocket_production_goal": 9}, format="json")

    assert patched.status_code == 200, patched.content
    assert only(user_client.get(CHART_LIST).json())["sprocket_production_goal"] == 9


def test_a_renamed_location_is_in_the_next_list(user_client, admin_client_api):
    location = LocationFactory.create(name="Old site")
    FactoryFactory.create(location=location)
    assert only(user_client.get("/api/v1/factories/").json())["location_detail"]["name"] == "Old site"

    admin_client_api.patch(f"/api/v1/locations/{location.pk}/", {"name": "New site"}, format="json")

    assert only(user_client.get("/api/v1/factories/").json())["location_detail"]["name"] == "New site"


def test_a_deleted_factory_leaves_the_next_list(user_client, admin_client_api):
    factory = FactoryFactory.create()
    assert user_client.get("/api/v1/factories/").json()["count"] == 1

    assert admin_client_api.delete(f"/api/v1/factories/{factory.pk}/").status_code == 204

    assert user_client.get("/api/v1/factories/").json()["count"] == 0


def test_an_import_is_in_the_next_list(user_client):
    assert user_client.get("/api/v1/factories/").json()["count"] == 0

    call_command("import_factory_data", FACTORY_SAMPLE, stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert user_client.get("/api/v1/factories/").json()["count"] > 0


def test_chart_options_are_part_of_the_key(user_client):
    factory = FactoryFactory.create()
    for _ in range(3):
        SprocketFactory.create(factory=factory, sprocket_type=SprocketTypeFactory.create())

    two = only(user_client.get(CHART_LIST + "&chart_points=2").json())
    three = only(user_client.get(CHART_LIST + "&chart_points=3").json())
    plain = only(user_client.get("/api/v1/factories/?chart_points=3").json())

    assert len(two["chart_data"]["time"]) == 2
    assert len(three["chart_data"]["time"]) == 3
    assert "chart_data" not in plain


def test_a_junk_chart_option_is_still_a_400_after_a_cached_answer(user_client):
    FactoryFactory.create()
    assert user_client.get(CHART_LIST).status_code == 200

    response = user_client.get(CHART_LIST + "&chart_points=0")

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "chart_points"


def test_a_cached_list_answers_304_to_its_etag(user_client):
    FactoryFactory.create()
    first = user_client.get(CHART_LIST)

    again = user_client.get(CHART_LIST, HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304


def test_an_explicit_invalidation_drops_the_list(user_client):
    FactoryFactory.create()
    _, _ = sprockets_queries(user_client, CHART_LIST)

    factory_cache_invalidate()
    _, queries = sprockets_queries(user_client, CHART_LIST)

    assert queries >= 2
