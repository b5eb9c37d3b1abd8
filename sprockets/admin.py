"""Admin for the sprockets app. Writes go through sprockets.services so counters and charts stay right.

The factory page shows its production chart as inline SVG drawn on the server: no script, no CDN.
"""

from datetime import UTC, datetime
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from . import selectors, services
from .models import Factory, FactoryChartEntry, Location, Sprocket, SprocketType

CHART_SVG_MAX_POINTS = 300  # drawn; more points are downsampled
CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 720, 240, 36


def _downsample(values: list[int], size: int) -> list[int]:
    """Keep at most `size` evenly spaced points (the first and the last always kept)."""
    if len(values) <= size:
        return values
    step = (len(values) - 1) / (size - 1)
    return [values[round(i * step)] for i in range(size)]


def production_chart_svg(chart: selectors.ChartData) -> SafeString:
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


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "address_1", "city", "postal_code", "country_code"]
    list_filter = ["country_code", "city"]
    search_fields = ["name", "address_1", "address_2", "city", "state", "postal_code"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(SprocketType)
class SprocketTypeAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "teeth", "pitch_diameter", "outside_diameter", "pitch"]
    list_filter = ["teeth"]
    search_fields = ["name"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Factory)
class FactoryAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "location", "sprocket_production_goal", "sprocket_production_actual", "updated_at"]
    list_filter = ["location__country_code", "location"]
    list_select_related = ["location"]
    search_fields = ["name", "location__city", "location__postal_code"]
    readonly_fields = ["sprocket_production_actual", "created_at", "updated_at", "production_chart"]
    fields = [
        "name",
        "location",
        "sprocket_production_goal",
        "sprocket_production_actual",
        "production_chart",
        "created_at",
        "updated_at",
    ]

    @admin.display(description="Production chart")
    def production_chart(self, factory: Factory) -> SafeString:
        """The newest points, from the same bounded read as the API; links lead to the whole history."""
        if factory.pk is None:
            return mark_safe("<p>Saved factories have a chart.</p>")
        chart = selectors.factory_chart_data_map(factory_ids=[factory.pk], points=selectors.CHART_POINTS_MAX)[
            factory.pk
        ]
        history = reverse("factory-chart", kwargs={"pk": factory.pk})
        return format_html(
            '{svg}<p>The newest {shown} of {total} points. Whole history: <a href="{url}?bucket=hour">by hour</a>, '
            '<a href="{url}?bucket=day">by day</a>, <a href="{url}">every point</a> (at most {cap}).</p>',
            svg=production_chart_svg(chart),
            shown=len(chart["time"]),
            total=chart["total_points"],
            url=history,
            cap=selectors.CHART_MAX_POINTS,
        )

    def save_model(self, request: HttpRequest, obj: Factory, form: Any, change: bool) -> None:
        data = {field: getattr(obj, field) for field in services.FACTORY_FIELDS}
        updated = services.factory_update(factory=obj, data=data) if change else services.factory_create(**data)
        obj.pk = updated.pk
        obj.sprocket_production_actual = updated.sprocket_production_actual


@admin.register(FactoryChartEntry)
class FactoryChartEntryAdmin(admin.ModelAdmin):
    """History is recorded by the app; the admin only reads it."""

    list_display = ["id", "factory", "time", "sprocket_production_goal", "sprocket_production_actual"]
    list_filter = ["factory"]
    list_select_related = ["factory"]
    date_hierarchy = "time"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Sprocket)
class SprocketAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "factory", "sprocket_type", "produced_at"]
    list_filter = ["factory", "sprocket_type"]
    list_select_related = ["factory", "sprocket_type"]
    search_fields = ["name", "factory__name"]
    readonly_fields = ["created_at", "updated_at"]
    date_hierarchy = "produced_at"

    def save_model(self, request: HttpRequest, obj: Sprocket, form: Any, change: bool) -> None:
        data = {field: getattr(obj, field) for field in services.SPROCKET_FIELDS}
        saved = services.sprocket_update(sprocket=obj, data=data) if change else services.sprocket_create(**data)
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: Sprocket) -> None:
        services.sprocket_delete(sprocket=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Sprocket]) -> None:
        # One service call each: every delete must take its 1 off its factory and chart it.
        for sprocket in queryset:
            services.sprocket_delete(sprocket=sprocket)
