"""Admin for the sprockets app. Writes go through sprockets.services so counters and charts stay right.

The factory page shows its production chart, drawn by sprockets.charts as inline SVG.
A row deleted by someone else meanwhile makes a service raise ObjectNotFound: a 404 page
(config.api.middleware), not a re-inserted row.
"""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from . import charts, services
from .models import Factory, FactoryChartEntry, Location, Sprocket, SprocketType


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
        chart = charts.factory_chart_data_map(factory_ids=[factory.pk], points=charts.CHART_POINTS_MAX)[factory.pk]
        history = reverse("factory-chart", kwargs={"pk": factory.pk})
        return format_html(
            '{svg}<p>The newest {shown} of {total} points. Whole history: <a href="{url}?bucket=hour">by hour</a>, '
            '<a href="{url}?bucket=day">by day</a>, <a href="{url}">every point</a> (at most {cap}).</p>',
            svg=charts.production_chart_svg(chart),
            shown=len(chart["time"]),
            total=chart["total_points"],
            url=history,
            cap=charts.CHART_MAX_POINTS,
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
