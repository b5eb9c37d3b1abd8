"""The factory production chart: how its points are recorded, read and drawn. Everything about it is here.

A point (time, goal, actual) is recorded by the receivers below, in the transaction that made
the change, on exactly these events:

- **a factory is created** with `save()` (`services.factory_create`, the admin's add page, the
  demo seed): `post_save` with `created` records its first point (its goal, actual 0).
  `bulk_create` sends no `post_save` and a fixture load (`raw`) is skipped, so the importer's
  factories get no "created" point: imported history brings its own;
- **its goal changes** (`services.factory_update`, also from the admin's change page): one point
  with the new goal and the actual as locked in that transaction. Sending the same goal again,
  a rename or a move to another location records nothing;
- **a sprocket is created** (`services.sprocket_create`, the API, the admin): actual + 1, one point;
- **a sprocket is deleted** (`services.sprocket_delete`, one call per sprocket also for the
  admin's bulk delete): actual - 1, one point (also when the counter was already 0 and stays 0);
- **a sprocket moves to another factory** (`services.sprocket_update`): a point for each of the
  two factories (- 1 on the old, + 1 on the new, in factory id order); an update that keeps the
  factory records nothing.

The last four arrive as the `production_changed` signal, sent by `sprockets.services` with the
values re-read inside its transaction (what will be committed). Outside the receivers only two
writers add points, with their own times and no signal: `importers.import_factory_data` (the
file's history) and `demo.seed` (a week of made-up history, and its real sprockets' points moved to their
production times). A factory's points go with it when it is deleted (cascade).

Reads: a page of factories gets each one's newest `chart_points` points in one query
(`factory_chart_data_map`); `/factories/{id}/chart/` reads a range, optionally bucketed
(`factory_chart_data`, at most `CHART_MAX_POINTS`). The admin draws a chart as inline SVG
(`production_chart_svg`): no script, no CDN.
"""

import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, TypedDict

from django.db import connection
from django.db.models import BigIntegerField, Count, F, Func, QuerySet, Window
from django.db.models.functions import RowNumber, Trunc
from django.db.models.signals import post_save
from django.dispatch import Signal
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from .models import Factory, FactoryChartEntry

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


# --- Recording ----------------------------------------------------------------------------------
# Sent by sprockets.services after it changed a factory's goal or actual counter.
# kwargs: factory_id (int), goal (int), actual (int)
production_changed = Signal()


def record_chart_entry(*, factory_id: int, goal: int, actual: int, **_: Any) -> FactoryChartEntry:
    return FactoryChartEntry.objects.create(
        factory_id=factory_id, sprocket_production_goal=goal, sprocket_production_actual=actual
    )


def on_production_changed(sender: Any, *, factory_id: int, goal: int, actual: int, **kwargs: Any) -> None:
    """Receives `production_changed`, sent from one place: `sprockets.services._announce_production`."""
    record_chart_entry(factory_id=factory_id, goal=goal, actual=actual)


def on_factory_saved(sender: type[Factory], instance: Factory, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if created and not raw:
        record_chart_entry(
            factory_id=instance.pk,
            goal=instance.sprocket_production_goal,
            actual=instance.sprocket_production_actual,
        )


def connect() -> None:
    """Called from SprocketsConfig.ready(); dispatch_uid keeps it idempotent."""
    production_changed.connect(on_production_changed, dispatch_uid="sprockets.chart.production_changed")
    post_save.connect(on_factory_saved, sender=Factory, dispatch_uid="sprockets.chart.factory_created")


# --- Reading ------------------------------------------------------------------------------------
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
    are read, the time already in unix seconds.
    """
    ids = list(factory_ids)
    charts: dict[int, ChartData] = {factory_id: empty_chart_data() for factory_id in ids}
    if not ids:
        return charts
    if connection.vendor == "postgresql":
        for factory_id, total, flat in _newest_points_postgresql(ids, points):
            chart = charts[factory_id]
            chart["total_points"] = total
            if flat:  # [time, goal, actual, time, goal, actual, ...], oldest first
                numbers = json.loads(flat)
                chart["time"] = numbers[0::3]
                chart["sprocket_production_goal"] = numbers[1::3]
                chart["sprocket_production_actual"] = numbers[2::3]
        return charts
    for factory_id, time, goal, actual, total in _newest_points(ids, points):
        chart = charts[factory_id]
        chart["total_points"] = total
        chart["time"].append(time)
        chart["sprocket_production_goal"].append(goal)
        chart["sprocket_production_actual"].append(actual)
    return charts


# One row per factory: its total and its newest points as ONE JSON array of numbers (time, goal,
# actual, ...), oldest first. Rows per point (48,000 for 50 x 1,000) cost a sort of all of them,
# which spilled to disk, and a Python tuple each: 45-50 ms of PostgreSQL and 35 ms of fetching
# and appending, against 40 ms and a json.loads() per factory (docs/PERFORMANCE.md, issue 22).
# The count reads the history only when the newest points may not be all of it.
_NEWEST_POINTS_SQL = """
SELECT f.id,
       CASE WHEN p.n < %(points)s THEN p.n
            ELSE (SELECT count(*) FROM {table} c WHERE c.factory_id = f.id) END AS total,
       p.flat
FROM unnest(%(ids)s::bigint[]) AS f(id)
CROSS JOIN LATERAL (
    SELECT count(*) AS n,
           '[' || string_agg(concat_ws(',', s.unix_time, s.goal, s.actual), ',' ORDER BY s.time, s.id) || ']' AS flat
    FROM (
        SELECT e.time, e.id, CAST(FLOOR(EXTRACT(EPOCH FROM e.time)) AS bigint) AS unix_time,
               e.sprocket_production_goal AS goal, e.sprocket_production_actual AS actual
        FROM {table} e
        WHERE e.factory_id = f.id
        ORDER BY e.time DESC, e.id DESC
        LIMIT %(points)s
    ) AS s
) AS p
"""


def _newest_points_postgresql(ids: list[int], points: int) -> list[tuple[int, int, str | None]]:
    """Per factory, a backward walk of the (factory, time, id) index that stops after `points` rows.

    A window function would number every point of every history first (2 s for 100 factories
    of 10,000 points, against 0.2 ms a factory here). The total is counted only when the newest
    `points` may not be the whole history.
    """
    sql = _NEWEST_POINTS_SQL.format(table=connection.ops.quote_name(FactoryChartEntry._meta.db_table))
    with connection.cursor() as cursor:
        cursor.execute(sql, {"ids": ids, "points": points})
        return cursor.fetchall()


def _newest_points(ids: list[int], points: int) -> Iterable[tuple]:
    """The same answer for databases without LATERAL (SQLite, the embedded default): two windows.

    ROW_NUMBER() keeps the newest `points`, COUNT(*) gives each factory's total; factories
    without points are absent and keep their empty chart. Rows per point, oldest first.
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


# --- Drawing (the admin's factory page) -----------------------------------------------------------
CHART_SVG_MAX_POINTS = 300  # drawn; more points are downsampled
CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 720, 240, 36


def _downsample(values: list[int], size: int) -> list[int]:
    """Keep at most `size` evenly spaced points (the first and the last always kept)."""
    if len(values) <= size:
        return values
    step = (len(values) - 1) / (size - 1)
    return [values[round(i * step)] for i in range(size)]


def production_chart_svg(chart: ChartData) -> SafeString:
    """A line chart of goal (dashed) and actual over time, as an inline SVG element."""
    times = chart["time"]
    if not times:
        return mark_safe("<p>No chart points yet.</p>")
    indices = _downsample(list(range(len(times))), CHART_SVG_MAX_POINTS)
    xs = [times[i] for i in indices]
    goals = [chart["sprocket_production_goal"][i] for i in indices]
    actuals = [chart["sprocket_production_actual"][i] for i in indices]
    x_min, x_max = xs[0], xs[-1]
    y_max = max([*goals, *actuals, 1])
    inner_w, inner_h = CHART_WIDTH - 2 * CHART_PAD, CHART_HEIGHT - 2 * CHART_PAD

    def point(x: int, y: int) -> str:
        px = CHART_PAD + (inner_w * (x - x_min) / (x_max - x_min) if x_max > x_min else inner_w / 2)
        py = CHART_PAD + inner_h - inner_h * y / y_max
        return f"{px:.1f},{py:.1f}"

    goal_points = " ".join(point(x, y) for x, y in zip(xs, goals, strict=True))
    actual_points = " ".join(point(x, y) for x, y in zip(xs, actuals, strict=True))
    # Every interpolated value is a number computed above: format_html escapes them anyway.
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" '
        'aria-label="Production goal and actual over time" style="background:#fff;border:1px solid #ddd">'
        '<line x1="{p}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#999"/>'
        '<line x1="{p}" y1="{p}" x2="{p}" y2="{bottom}" stroke="#999"/>'
        '<text x="4" y="{p}" font-size="11">{y_max}</text>'
        '<text x="4" y="{bottom}" font-size="11">0</text>'
        '<polyline fill="none" stroke="#d62728" stroke-width="1.5" stroke-dasharray="5,3" points="{goal}"/>'
        '<polyline fill="none" stroke="#1f77b4" stroke-width="1.5" points="{actual}"/>'
        '<text x="{p}" y="{legend_y}" font-size="11" fill="#1f77b4">actual</text>'
        '<text x="{legend_x}" y="{legend_y}" font-size="11" fill="#d62728">goal (dashed)</text>'
        '<text x="{p}" y="{h_minus}" font-size="10">{first} UTC</text>'
        '<text x="{right}" y="{h_minus}" font-size="10" text-anchor="end">{last} UTC · {count} points</text>'
        "</svg>",
        w=CHART_WIDTH,
        h=CHART_HEIGHT,
        p=CHART_PAD,
        bottom=CHART_PAD + inner_h,
        right=CHART_PAD + inner_w,
        y_max=y_max,
        goal=goal_points,
        actual=actual_points,
        legend_y=CHART_PAD - 10,
        legend_x=CHART_PAD + 60,
        h_minus=CHART_HEIGHT - 8,
        first=_utc(x_min),
        last=_utc(x_max),
        count=len(times),
    )


def _utc(unix_seconds: int) -> str:
    return datetime.fromtimestamp(unix_seconds, tz=UTC).strftime("%Y-%m-%d %H:%M")
