"""A factory's chart inside list and detail answers is bounded; its whole history is on /chart/ (API.md)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sprockets.caching import factory_cache_invalidate
from sprockets.charts import CHART_MAX_POINTS
from sprockets.models import Factory, FactoryChartEntry
from tests.helpers import assert_error_shape

pytestmark = pytest.mark.django_db

START = datetime(2025, 1, 1, tzinfo=UTC)


def factory_with_history(points: int, *, name: str = "Busy", step: timedelta = timedelta(seconds=1)) -> Factory:
    """`points` chart entries one `step` apart, actual 1..points, goal 10 (bulk: no creation point)."""
    factory = Factory.objects.bulk_create([Factory(name=name, sprocket_production_actual=points)])[0]
    FactoryChartEntry.objects.bulk_create(
        FactoryChartEntry(
            factory=factory, time=START + i * step, sprocket_production_goal=10, sprocket_production_actual=i + 1
        )
        for i in range(points)
    )
    # A bulk writer drops the cached lists itself, as the importer does (on commit: it matters to
    # the transactional tests, which list factories after writing them).
    factory_cache_invalidate()
    return factory


def unix(moment: datetime) -> int:
    return int(moment.timestamp())


def test_a_long_history_answers_the_newest_100_points_in_order_and_the_total(user_client):
    factory = factory_with_history(5000)

    for response in (
        user_client.get(f"/api/v1/factories/{factory.pk}/?with_chart_data=true"),
        user_client.get("/api/v1/factories/?with_chart_data=true"),
    ):
        assert response.status_code == 200, response.content
        body = response.json()
        chart = body["chart_data"] if "chart_data" in body else body["results"][0]["chart_data"]
        assert chart["total_points"] == 5000
        assert chart["sprocket_production_actual"] == list(range(4901, 5001))
        assert chart["time"] == [unix(START + timedelta(seconds=i)) for i in range(4900, 5000)]
        assert chart["sprocket_production_goal"] == [10] * 100


@pytest.mark.parametrize("points", [1, 7, 1000])
def test_chart_points_chooses_how_many_of_the_newest(user_client, points):
    factory = factory_with_history(1200)

    chart = user_client.get(f"/api/v1/factories/{factory.pk}/", {"with_chart_data": "true", "chart_points": points})

    assert chart.status_code == 200, chart.content
    data = chart.json()["chart_data"]
    assert data["sprocket_production_actual"] == list(range(1200 - points + 1, 1201))
    assert data["total_points"] == 1200


def test_a_short_history_is_answered_whole(user_client):
    factory = factory_with_history(3)

    data = user_client.get(f"/api/v1/factories/{factory.pk}/?with_chart_data=true&chart_points=1000").json()

    assert data["chart_data"]["sprocket_production_actual"] == [1, 2, 3]
    assert data["chart_data"]["total_points"] == 3


def test_an_empty_chart_points_is_the_default_as_for_every_parameter(user_client):
    factory = factory_with_history(150)

    data = user_client.get(f"/api/v1/factories/{factory.pk}/?with_chart_data=true&chart_points=").json()

    assert len(data["chart_data"]["time"]) == 100


def test_a_factory_without_points_has_empty_arrays_and_total_zero(user_client):
    factory = Factory.objects.bulk_create([Factory(name="Empty")])[0]

    data = user_client.get(f"/api/v1/factories/{factory.pk}/?with_chart_data=true").json()

    assert data["chart_data"] == {
        "sprocket_production_actual": [],
        "sprocket_production_goal": [],
        "time": [],
        "total_points": 0,
    }


@pytest.mark.parametrize("value", ["0", "1001", "-5", "many", "1.5"])
def test_chart_points_outside_1_to_1000_is_a_400_naming_it(user_client, value):
    factory = factory_with_history(2)

    for path in (f"/api/v1/factories/{factory.pk}/", "/api/v1/factories/"):
        response = user_client.get(path, {"with_chart_data": "true", "chart_points": value})
        assert_error_shape(response, 400, attr="chart_points")


@pytest.mark.parametrize("value", ["maybe", "2", "t", "yes please"])
def test_a_junk_with_chart_data_is_a_400_naming_it(user_client, value):
    factory = factory_with_history(2)

    for path in (f"/api/v1/factories/{factory.pk}/", "/api/v1/factories/"):
        assert_error_shape(user_client.get(path, {"with_chart_data": value}), 400, attr="with_chart_data")


# The factory list is cached and invalidated on commit: the second page must be a real miss.
@pytest.mark.django_db(transaction=True)
def test_queries_stay_constant_for_a_page_of_factories_with_thousands_of_points(user_client):
    def page_queries(expected_factories: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = user_client.get("/api/v1/factories/?with_chart_data=true&page_size=100&chart_points=50")
        results = response.json()["results"]
        assert len(results) == expected_factories
        assert all(len(f["chart_data"]["time"]) == 50 for f in results)
        return len(queries.captured_queries)

    for n in range(2):
        factory_with_history(2000, name=f"First {n}")
    few = page_queries(2)
    for n in range(8):
        factory_with_history(2000, name=f"More {n}")

    assert page_queries(10) == few


# --- the chart endpoint: a whole range, at most 10,000 points -----------------------------------
def test_the_chart_endpoint_answers_a_whole_range_with_its_total(user_client):
    factory = factory_with_history(2500)

    data = user_client.get(f"/api/v1/factories/{factory.pk}/chart/").json()

    assert data["sprocket_production_actual"] == list(range(1, 2501))
    assert data["total_points"] == 2500


def test_more_than_10000_points_without_a_bucket_is_a_400_that_says_how_to_narrow_it(user_client):
    factory = factory_with_history(CHART_MAX_POINTS + 1)
    url = f"/api/v1/factories/{factory.pk}/chart/"

    response = user_client.get(url)

    assert_error_shape(response, 400, code="too_many_points")
    detail = response.json()["errors"][0]["detail"]
    assert "since" in detail
    assert "bucket" in detail
    # Exactly the cap is fine: drop the oldest point with `since`.
    narrowed = user_client.get(url, {"since": unix(START + timedelta(seconds=1))})
    assert narrowed.status_code == 200, narrowed.content
    assert len(narrowed.json()["time"]) == CHART_MAX_POINTS
    assert narrowed.json()["total_points"] == CHART_MAX_POINTS + 1
    # A coarse enough bucket answers the whole range.
    hourly = user_client.get(url, {"bucket": "hour"}).json()
    assert hourly["time"] == [unix(START), unix(START + timedelta(hours=1)), unix(START + timedelta(hours=2))]
    assert hourly["sprocket_production_actual"] == [3600, 7200, CHART_MAX_POINTS + 1]


def test_too_many_buckets_is_a_400_too(user_client):
    factory = factory_with_history(CHART_MAX_POINTS + 1, step=timedelta(minutes=1))

    assert_error_shape(user_client.get(f"/api/v1/factories/{factory.pk}/chart/?bucket=minute"), 400)
    assert user_client.get(f"/api/v1/factories/{factory.pk}/chart/?bucket=day").status_code == 200
