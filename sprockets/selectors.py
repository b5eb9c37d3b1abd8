"""Reads for the sprockets app: ordered querysets, and chart data computed by the database."""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, TypedDict

from django.db import connection
from django.db.models import BigIntegerField, Count, F, Func, QuerySet, Window
from django.db.models.functions import RowNumber, Trunc

from .models import Factory, FactoryChartEntry, Location, Sprocket, SprocketType

Bucket = Literal["minute", "hour", "day"]
BUCKETS: tuple[Bucket, ...] = ("minute", "hour", "day")

# A factory inside a list or detail answer carries only its newest points (`?chart_points=`);
# its whole history is read from the chart endpoint, at most CHART_MAX_POINTS per answer.
CHART_POINTS_DEFAULT = 100
CHART_POINTS_MAX = 1000
CHART_MAX_POINTS = 10_000


class ChartData(TypedDict):
    """Three parallel arrays, oldest point first; `time` in unix seconds; `total_points`: all the factory has."""

    sprocket_production_actual: list[int]
    sprocket_production_goal: list[int]
    time: list[int]
    total_points: int


class TooManyChartPoints(Exception):
    """The range holds more than CHART_MAX_POINTS points (after bucketing)."""


def empty_chart_data() -> ChartData:
    return {"sprocket_production_actual": [], "sprocket_production_goal": [], "time": [], "total_points": 0}


def location_list() -> QuerySet[Location]:
    return Location.objects.order_by("id")


def sprocket_type_list() -> QuerySet[SprocketType]:
    return SprocketType.objects.order_by("id")


def factory_list() -> QuerySet[Factory]:
    return Factory.objects.select_related("location").order_by("id")


def sprocket_list() -> QuerySet[Sprocket]:
    return Sprocket.objects.order_by("id")


class UnixSeconds(Func):
    """A UTC date-time as whole unix seconds, computed by the database.

    Three times faster than building 100,000 aware datetimes in Python for a page of charts.
    """

    output_field = BigIntegerField()
    template = "CAST(FLOOR(EXTRACT(EPOCH FROM %(expressions)s)) AS bigint)"

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        # SQLite keeps UTC date-times as text; strftime('%s') reads them as UTC.
        return self.as_sql(compiler, connection, template="CAST(strftime('%%%%s', %(expressions)s) AS integer)")


def factory_chart_data_map(*, factory_ids: Iterable[int], points: int = CHART_POINTS_DEFAULT) -> dict[int, ChartData]:
    """The newest `points` chart points of several factories, oldest first, in ONE query.

    However long the histories and whatever the page size, at most `points` rows per factory
    leave the database, as bare tuples with the time already in unix seconds.
    """
    ids = list(factory_ids)
    charts: dict[int, ChartData] = {factory_id: empty_chart_data() for factory_id in ids}
    if not ids:
        return charts
    rows = _newest_points_postgresql(ids, points) if connection.vendor == "postgresql" else _newest_points(ids, points)
    for factory_id, time, goal, actual, total in rows:
        chart = charts[factory_id]
        chart["total_points"] = total
        if time is not None:  # a factory with no points still has its row (total 0)
            chart["time"].append(time)
            chart["sprocket_production_goal"].append(goal)
            chart["sprocket_production_actual"].append(actual)
    return charts


_NEWEST_POINTS_SQL = """
SELECT f.id, p.unix_time, p.goal, p.actual, t.total
FROM unnest(%(ids)s::bigint[]) AS f(id)
CROSS JOIN LATERAL (SELECT count(*) AS total FROM {table} c WHERE c.factory_id = f.id) AS t
LEFT JOIN LATERAL (
    SELECT e.time, e.id, CAST(FLOOR(EXTRACT(EPOCH FROM e.time)) AS bigint) AS unix_time,
           e.sprocket_production_goal AS goal, e.sprocket_production_actual AS actual
    FROM {table} e
    WHERE e.factory_id = f.id
    ORDER BY e.time DESC, e.id DESC
    LIMIT %(points)s
) AS p ON true
ORDER BY f.id, p.time, p.id
"""


def _newest_points_postgresql(ids: list[int], points: int) -> list[tuple]:
    """Per factory, a backward walk of the (factory, time, id) index that stops after `points` rows.

    A window function would number every point of every history first (2 s for 100 factories
    of 10,000 points, against 0.2 ms a factory here). The total is an index-only count.
    """
    sql = _NEWEST_POINTS_SQL.format(table=connection.ops.quote_name(FactoryChartEntry._meta.db_table))
    with connection.cursor() as cursor:
        cursor.execute(sql, {"ids": ids, "points": points})
        return cursor.fetchall()


def _newest_points(ids: list[int], points: int) -> Iterable[tuple]:
    """The same answer for databases without LATERAL (SQLite, the embedded default): two windows.

    ROW_NUMBER() keeps the newest `points`, COUNT(*) gives each factory's total; factories
    without points are absent and keep their empty chart.
    """
    return (
        FactoryChartEntry.objects.filter(factory_id__in=ids)
        .annotate(
            newest_rank=Window(
                RowNumber(), partition_by=[F("factory_id")], order_by=[F("time").desc(), F("id").desc()]
            ),
            factory_total=Window(Count("id"), partition_by=[F("factory_id")]),
            unix_time=UnixSeconds("time"),
        )
        .filter(newest_rank__lte=points)
        .order_by("factory_id", "time", "id")
        .values_list(
            "factory_id", "unix_time", "sprocket_production_goal", "sprocket_production_actual", "factory_total"
        )
    )


def factory_chart_points(
    *,
    factory_id: int,
    since: datetime | None = None,
    until: datetime | None = None,
    bucket: Bucket | None = None,
) -> QuerySet[FactoryChartEntry]:
    """The factory's points between `since` and `until` (both inclusive), oldest first.

    A whole-second `until` covers that whole second, as the `time` values are whole seconds.

    With a `bucket`, one point per minute/hour/day: the last goal and actual recorded in it,
    its `time` the bucket's start in UTC. The database picks the last row of each bucket
    (a ROW_NUMBER() window over the truncated time), so only one row per bucket is fetched.
    """
    entries = FactoryChartEntry.objects.filter(factory_id=factory_id)
    if since is not None:
        entries = entries.filter(time__gte=since)
    if until is not None:
        if until.microsecond:
            entries = entries.filter(time__lte=until)
        else:
            # Chart times are reported in whole seconds: `until=<a time read off the chart>`
            # must include that point, which was recorded a fraction of a second later.
            entries = entries.filter(time__lt=until + timedelta(seconds=1))
    if bucket is None:
        return entries.annotate(point_time=UnixSeconds("time")).order_by("time", "id")
    truncated = Trunc("time", bucket, tzinfo=UTC)
    return (
        entries.annotate(
            point_time=UnixSeconds(truncated),
            rank_in_bucket=Window(RowNumber(), partition_by=[truncated], order_by=[F("time").desc(), F("id").desc()]),
        )
        .filter(rank_in_bucket=1)
        .order_by("point_time")
    )


def factory_chart_data(
    *,
    factory_id: int,
    since: datetime | None = None,
    until: datetime | None = None,
    bucket: Bucket | None = None,
    limit: int = CHART_MAX_POINTS,
) -> ChartData:
    """A range of the factory's chart, at most `limit` points; more raises TooManyChartPoints.

    One row past the limit is fetched to tell "exactly the limit" from "too many" without
    counting the range first.
    """
    chart = empty_chart_data()
    points = factory_chart_points(factory_id=factory_id, since=since, until=until, bucket=bucket)
    # `point_time` is an annotation of factory_chart_points(), which the stubs cannot see.
    rows = list(
        points.values_list(  # type: ignore[misc]
            "point_time", "sprocket_production_goal", "sprocket_production_actual"
        )[: limit + 1]
    )
    if len(rows) > limit:
        raise TooManyChartPoints
    for time, goal, actual in rows:
        chart["time"].append(time)
        chart["sprocket_production_goal"].append(goal)
        chart["sprocket_production_actual"].append(actual)
    chart["total_points"] = FactoryChartEntry.objects.filter(factory_id=factory_id).count()
    return chart
