"""The production counter and chart: which events record a point, order, buckets, since/until."""

from datetime import UTC, datetime, timedelta

import pytest

from sprockets import services
from sprockets.models import Factory, FactoryChartEntry
from tests.helpers import assert_error_shape

from .factories import FactoryFactory, LocationFactory, SprocketFactory, SprocketTypeFactory

pytestmark = pytest.mark.django_db


def points(factory: Factory) -> list[tuple[int, int]]:
    """(goal, actual) of each chart entry, oldest first."""
    return list(
        FactoryChartEntry.objects.filter(factory=factory)
        .order_by("time", "id")
        .values_list("sprocket_production_goal", "sprocket_production_actual")
    )


def test_creating_a_factory_records_one_point_with_actual_zero(admin_client_api):
    response = admin_client_api.post("/api/v1/factories/", {"name": "North", "sprocket_production_goal": 7})
    assert response.status_code == 201, response.content
    factory = Factory.objects.get(pk=response.json()["id"])
    assert points(factory) == [(7, 0)]
    assert response.json()["sprocket_production_actual"] == 0


def test_goal_change_records_a_point_and_rename_does_not(admin_client_api):
    factory = services.factory_create(name="North", sprocket_production_goal=5)
    response = admin_client_api.patch(f"/api/v1/factories/{factory.pk}/", {"name": "North 2"})
    assert response.status_code == 200
    assert points(factory) == [(5, 0)]
    response = admin_client_api.patch(f"/api/v1/factories/{factory.pk}/", {"sprocket_production_goal": 9})
    assert response.status_code == 200
    assert points(factory) == [(5, 0), (9, 0)]
    # Sending the same goal again is not a change.
    admin_client_api.patch(f"/api/v1/factories/{factory.pk}/", {"sprocket_production_goal": 9, "name": "N3"})
    assert points(factory) == [(5, 0), (9, 0)]


def test_sprocket_create_delete_and_move_change_counters_and_chart(admin_client_api):
    first = services.factory_create(name="A", sprocket_production_goal=3)
    second = services.factory_create(name="B", sprocket_production_goal=4)
    sprocket_type = SprocketTypeFactory.create()

    created = admin_client_api.post("/api/v1/sprockets/", {"factory": first.pk, "sprocket_type": sprocket_type.pk})
    assert created.status_code == 201, created.content
    sprocket_id = created.json()["id"]
    first.refresh_from_db()
    assert first.sprocket_production_actual == 1
    assert points(first) == [(3, 0), (3, 1)]

    moved = admin_client_api.patch(f"/api/v1/sprockets/{sprocket_id}/", {"factory": second.pk})
    assert moved.status_code == 200
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.sprocket_production_actual, second.sprocket_production_actual) == (0, 1)
    assert points(first) == [(3, 0), (3, 1), (3, 0)]
    assert points(second) == [(4, 0), (4, 1)]

    # An edit that does not move it records nothing.
    admin_client_api.patch(f"/api/v1/sprockets/{sprocket_id}/", {"name": "renamed"})
    assert len(points(second)) == 2

    deleted = admin_client_api.delete(f"/api/v1/sprockets/{sprocket_id}/")
    assert deleted.status_code == 204
    second.refresh_from_db()
    assert second.sprocket_production_actual == 0
    assert points(second) == [(4, 0), (4, 1), (4, 0)]
    assert points(first) == [(3, 0), (3, 1), (3, 0)]


def test_a_failed_sprocket_write_records_nothing(admin_client_api):
    factory = services.factory_create(name="A")
    response = admin_client_api.post("/api/v1/sprockets/", {"factory": factory.pk, "sprocket_type": 999999})
    assert_error_shape(response, 400, attr="sprocket_type")
    factory.refresh_from_db()
    assert factory.sprocket_production_actual == 0
    assert points(factory) == [(0, 0)]


def _entry(factory: Factory, when: datetime, goal: int, actual: int) -> FactoryChartEntry:
    return FactoryChartEntry.objects.create(
        factory=factory, time=when, sprocket_production_goal=goal, sprocket_production_actual=actual
    )


def _history_factory() -> Factory:
    """Points inserted out of order: 10:00:30, 10:00:10, 10:01:05, 11:30:00, next day 09:00."""
    factory = Factory.objects.bulk_create([Factory(name="History")])[0]  # bulk: no creation point
    base = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    _entry(factory, base + timedelta(seconds=30), 10, 2)
    _entry(factory, base + timedelta(seconds=10), 10, 1)
    _entry(factory, base + timedelta(minutes=1, seconds=5), 11, 3)
    _entry(factory, base + timedelta(hours=1, minutes=30), 12, 4)
    _entry(factory, base + timedelta(days=1, hours=-1), 13, 5)
    return factory


def ts(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def test_chart_data_is_chronological_on_list_detail_and_chart(user_client):
    factory = _history_factory()
    expected = {
        "sprocket_production_actual": [1, 2, 3, 4, 5],
        "sprocket_production_goal": [10, 10, 11, 12, 13],
        "time": [
            ts("2024-05-01T10:00:10"),
            ts("2024-05-01T10:00:30"),
            ts("2024-05-01T10:01:05"),
            ts("2024-05-01T11:30:00"),
            ts("2024-05-02T09:00:00"),
        ],
        "total_points": 5,
    }
    detail = user_client.get(f"/api/v1/factories/{factory.pk}/?with_chart_data=true")
    assert detail.json()["chart_data"] == expected
    listed = user_client.get("/api/v1/factories/?with_chart_data=true")
    assert listed.json()["results"][0]["chart_data"] == expected
    assert user_client.get(f"/api/v1/factories/{factory.pk}/chart/").json() == expected
    assert user_client.get(f"/api/v1/factories/{factory.pk}/chart").json() == expected


def test_without_the_flag_there_is_no_chart_data_key(user_client):
    factory = _history_factory()
    assert "chart_data" not in user_client.get(f"/api/v1/factories/{factory.pk}/").json()
    assert "chart_data" not in user_client.get("/api/v1/factories/").json()["results"][0]
    assert "chart_data" not in user_client.get("/api/v1/factories/?with_chart_data=false").json()["results"][0]


@pytest.mark.parametrize(
    ("bucket", "expected"),
    [
        (
            "minute",
            {
                "sprocket_production_actual": [2, 3, 4, 5],
                "sprocket_production_goal": [10, 11, 12, 13],
                "time": [
                    ts("2024-05-01T10:00:00"),
                    ts("2024-05-01T10:01:00"),
                    ts("2024-05-01T11:30:00"),
                    ts("2024-05-02T09:00:00"),
                ],
                "total_points": 5,
            },
        ),
        (
            "hour",
            {
                "sprocket_production_actual": [3, 4, 5],
                "sprocket_production_goal": [11, 12, 13],
                "time": [ts("2024-05-01T10:00:00"), ts("2024-05-01T11:00:00"), ts("2024-05-02T09:00:00")],
                "total_points": 5,
            },
        ),
        (
            "day",
            {
                "sprocket_production_actual": [4, 5],
                "sprocket_production_goal": [12, 13],
                "time": [ts("2024-05-01T00:00:00"), ts("2024-05-02T00:00:00")],
                "total_points": 5,
            },
        ),
    ],
)
def test_bucket_keeps_the_last_point_of_each_bucket_at_the_bucket_start(user_client, bucket, expected):
    factory = _history_factory()
    response = user_client.get(f"/api/v1/factories/{factory.pk}/chart/?bucket={bucket}")
    assert response.status_code == 200
    assert response.json() == expected


def test_since_and_until_accept_iso_and_unix_seconds_inclusively(user_client):
    factory = _history_factory()
    url = f"/api/v1/factories/{factory.pk}/chart/"
    iso = user_client.get(url, {"since": "2024-05-01T10:00:30Z", "until": "2024-05-01T11:30:00+00:00"}).json()
    assert iso["sprocket_production_actual"] == [2, 3, 4]
    unix = user_client.get(url, {"since": ts("2024-05-01T10:00:30"), "until": ts("2024-05-01T11:30:00")}).json()
    assert unix == iso
    # A date alone is midnight: this `until` is before `since`, which the contract makes a 400.
    combined = user_client.get(url, {"since": "2024-05-01T10:00:00Z", "until": "2024-05-01", "bucket": "hour"})
    assert_error_shape(combined, 400, attr="since")
    combined = user_client.get(url, {"since": "2024-05-01T10:00:00Z", "bucket": "hour"})
    assert combined.json()["sprocket_production_actual"] == [3, 4, 5]


def test_until_a_time_read_off_the_chart_includes_that_point(user_client):
    """Points are recorded with sub-second precision but reported in whole seconds."""
    factory = Factory.objects.bulk_create([Factory(name="Fractions")])[0]
    base = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    _entry(factory, base + timedelta(seconds=1, microseconds=400_000), 1, 1)
    _entry(factory, base + timedelta(seconds=2, microseconds=900_000), 1, 2)
    _entry(factory, base + timedelta(seconds=3, microseconds=100_000), 1, 3)
    url = f"/api/v1/factories/{factory.pk}/chart/"
    times = user_client.get(url).json()["time"]
    assert times == [ts("2024-05-01T10:00:01"), ts("2024-05-01T10:00:02"), ts("2024-05-01T10:00:03")]
    for until in (times[1], "2024-05-01T10:00:02Z"):
        chart = user_client.get(url, {"until": until}).json()
        assert chart["sprocket_production_actual"] == [1, 2], until
    assert user_client.get(url, {"since": times[1], "until": times[1]}).json()["time"] == [times[1]]
    # A sub-second bound is exact.
    assert user_client.get(url, {"until": "2024-05-01T10:00:02.5Z"}).json()["sprocket_production_actual"] == [1]


@pytest.mark.parametrize(
    ("query", "present"),
    [
        ("", False),
        ("?with_chart_data=false", False),
        ("?with_chart_data=0", False),
        ("?with_chart_data=FALSE", False),
        ("?with_chart_data=true", True),
        ("?with_chart_data=TRUE", True),
        ("?with_chart_data=1", True),
    ],
)
def test_chart_data_key_only_when_the_flag_is_true(user_client, query, present):
    factory = FactoryFactory.create()
    assert ("chart_data" in user_client.get(f"/api/v1/factories/{factory.pk}/{query}").json()) is present
    assert ("chart_data" in user_client.get(f"/api/v1/factories{query}").json()["results"][0]) is present


@pytest.mark.parametrize(
    ("params", "attr"),
    [
        ({"since": "yesterday"}, "since"),
        ({"until": "2024-13-45"}, "until"),
        ({"since": "nan"}, "since"),
        ({"bucket": "week"}, "bucket"),
    ],
)
def test_bad_chart_parameters_are_400(user_client, params, attr):
    factory = _history_factory()
    assert_error_shape(user_client.get(f"/api/v1/factories/{factory.pk}/chart/", params), 400, attr=attr)


def test_since_after_until_is_a_400_and_equal_bounds_are_fine(user_client):
    factory = _history_factory()
    url = f"/api/v1/factories/{factory.pk}/chart/"

    assert_error_shape(user_client.get(url, {"since": "2024-05-02", "until": "2024-05-01"}), 400, attr="since")
    assert_error_shape(user_client.get(url, {"since": ts("2024-05-01T11:00:00"), "until": "2024-05-01T10:00:00Z"}), 400)
    assert user_client.get(url, {"since": "2024-05-01T11:30:00Z", "until": "2024-05-01T11:30:00Z"}).json()["time"] == [
        ts("2024-05-01T11:30:00")
    ]


def test_an_unknown_bucket_names_the_buckets(user_client):
    factory = _history_factory()

    response = user_client.get(f"/api/v1/factories/{factory.pk}/chart/", {"bucket": "week"})

    assert_error_shape(response, 400, attr="bucket", code="invalid_choice")
    detail = response.json()["errors"][0]["detail"]
    assert all(name in detail for name in ("minute", "hour", "day")), detail


def test_chart_of_missing_factory_is_404_and_anonymous_is_401(user_client, api_client):
    assert_error_shape(user_client.get("/api/v1/factories/999999/chart/"), 404)
    factory = _history_factory()
    assert_error_shape(api_client.get(f"/api/v1/factories/{factory.pk}/chart/"), 401)


# The factory list is cached and invalidated on commit: the second page must be a real miss.
@pytest.mark.django_db(transaction=True)
def test_list_with_chart_data_uses_constant_queries(user_client, django_assert_max_num_queries):
    def page_cost(count: int) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            response = user_client.get("/api/v1/factories/?with_chart_data=true&page_size=100")
        assert response.status_code == 200
        assert len(response.json()["results"]) == count
        return len(ctx.captured_queries)

    location = LocationFactory.create()
    FactoryFactory.create_batch(2, location=location)
    small = page_cost(2)
    for factory in FactoryFactory.create_batch(20, location=location):
        for _ in range(3):
            SprocketFactory.create(factory=factory)
    assert page_cost(22) == small
    with django_assert_max_num_queries(small):
        user_client.get("/api/v1/factories/?with_chart_data=true&page_size=100")


@pytest.mark.parametrize("value", ["junk", "2", "truee"])
def test_junk_with_chart_data_is_400_naming_it(user_client, value):
    # Found by schema fuzzing: junk was read as false (a 200), the contract says 400.
    factory = FactoryFactory.create()
    for url in (f"/api/v1/factories/{factory.pk}/", "/api/v1/factories/"):
        assert_error_shape(user_client.get(url, {"with_chart_data": value}), 400, attr="with_chart_data")


def test_empty_chart_parameters_are_not_given(user_client):
    factory = _history_factory()
    url = f"/api/v1/factories/{factory.pk}/chart/"
    assert user_client.get(url, {"since": "", "until": "", "bucket": ""}).json() == user_client.get(url).json()
    assert user_client.get(f"/api/v1/factories/{factory.pk}/", {"with_chart_data": ""}).status_code == 200


@pytest.mark.postgres(reason="PostgreSQL reads the newest points in its own query (LATERAL, one JSON array a factory)")
@pytest.mark.parametrize("points", [1, 3, 4, 5, 1000])
def test_postgresql_newest_points_equal_the_window_query(points):
    """`factory_chart_data_map` on PostgreSQL is what the portable window query gives, to the value and order.

    Histories shorter than, equal to and longer than `points`, ties in time (broken by id), a
    factory without points, an unknown id, negative unix seconds, the list's JSON bytes alike.
    """
    from config.api.renderers import JSONRenderer
    from sprockets import charts

    empty, short, tied, long = Factory.objects.bulk_create([Factory(name=n) for n in ("e", "s", "t", "l")])
    moment = datetime(1969, 12, 31, 23, 59, 30, tzinfo=UTC)
    FactoryChartEntry.objects.bulk_create(
        [FactoryChartEntry(factory=short, time=moment, sprocket_production_goal=1, sprocket_production_actual=2)]
        + [
            FactoryChartEntry(
                factory=tied,
                time=moment + timedelta(seconds=i // 2),
                sprocket_production_goal=i,
                sprocket_production_actual=7,
            )
            for i in range(4)
        ]
        + [
            FactoryChartEntry(
                factory=long,
                time=moment + timedelta(hours=i, microseconds=999_999),
                sprocket_production_goal=2_000_000_000,
                sprocket_production_actual=i,
            )
            for i in range(7)
        ]
    )
    ids = [long.pk, empty.pk, 10**9, tied.pk, short.pk]

    windows: dict[int, charts.ChartData] = {pk: charts.empty_chart_data() for pk in ids}
    for factory_id, time, goal, actual, total in charts._newest_points(ids, points):
        expected = windows[factory_id]
        expected["total_points"] = total
        expected["time"].append(time)
        expected["sprocket_production_goal"].append(goal)
        expected["sprocket_production_actual"].append(actual)

    got = charts.factory_chart_data_map(factory_ids=ids, points=points)
    assert got == windows
    assert list(got) == ids
    assert JSONRenderer().render(got) == JSONRenderer().render(windows)
    assert got[long.pk]["total_points"] == 7
    assert len(got[long.pk]["time"]) == min(points, 7)
