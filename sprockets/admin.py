"""Admin for the sprockets app. Every write goes through sprockets.services (config.api.admin.ServiceAdmin).

So the counters and charts stay right: adding, moving (to another factory) or deleting a sprocket,
singly or with "delete selected", moves its 1 between the factories' `sprocket_production_actual`
and records their chart points; a goal change records a point. A taken postal code or a sprocket
type's bad diameters are form errors beside the field. The chart history is read-only.
The factory page shows its production chart, drawn by sprockets.charts as inline SVG.
A row deleted by someone else meanwhile makes a service raise ObjectNotFound: a 404 page
(config.api.middleware), not a re-inserted row.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from config.api.admin import ReadOnlyAdmin, ServiceAdmin

from . import charts, services
from .models import Factory, FactoryChartEntry, Location, Sprocket, SprocketType


@admin.register(Location)
class LocationAdmin(ServiceAdmin):
    list_display = ["id", "name", "address_1", "city", "postal_code", "country_code"]
    list_filter = ["country_code", "city"]
    search_fields = ["name", "address_1", "address_2", "city", "state", "postal_code"]
    readonly_fields = ["created_at", "updated_at"]

    def service_save(self, request: HttpRequest, form: forms.ModelForm, stored: Any) -> Location:
        data = self.posted(form, services.LOCATION_FIELDS)
        return services.location_update(location=stored, data=data) if stored else services.location_create(**data)

    def service_delete(self, request: HttpRequest, obj: Location) -> None:
        services.location_delete(location=obj)


@admin.register(SprocketType)
class SprocketTypeAdmin(ServiceAdmin):
    list_display = ["id", "name", "teeth", "pitch_diameter", "outside_diameter", "pitch"]
    list_filter = ["teeth"]
    search_fields = ["name"]
    readonly_fields = ["created_at", "updated_at"]

    def service_save(self, request: HttpRequest, form: forms.ModelForm, stored: Any) -> SprocketType:
        data = self.posted(form, services.SPROCKET_TYPE_FIELDS)
        if stored is None:
            return services.sprocket_type_create(**data)
        return services.sprocket_type_update(sprocket_type=stored, data=data)

    def service_delete(self, request: HttpRequest, obj: SprocketType) -> None:
        services.sprocket_type_delete(sprocket_type=obj)


@admin.register(Factory)
class FactoryAdmin(ServiceAdmin):
    # Fits its box at 1,400 px (tests/browser): the fields' own headers ("Sprocket production goal")
    # and an "Updated at" column made it wider, and the last columns were cut behind a scroll bar.
    list_display = ["id", "name", "location", "goal", "produced"]
    list_filter = ["location__country_code", "location"]
    list_select_related = ["location"]
    search_fields = ["name", "location__city", "location__postal_code"]
    autocomplete_fields = ["location"]
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

    @admin.display(description="Goal", ordering="sprocket_production_goal")
    def goal(self, factory: Factory) -> int:
        return factory.sprocket_production_goal

    @admin.display(description="Produced", ordering="sprocket_production_actual")
    def produced(self, factory: Factory) -> int:
        return factory.sprocket_production_actual

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

    def service_save(self, request: HttpRequest, form: forms.ModelForm, stored: Any) -> Factory:
        data = self.posted(form, services.FACTORY_FIELDS)
        return services.factory_update(factory=stored, data=data) if stored else services.factory_create(**data)

    def service_delete(self, request: HttpRequest, obj: Factory) -> None:
        services.factory_delete(factory=obj)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # The chart history goes with its factory (factory_delete), though staff cannot delete it alone.
        perms_needed.discard(str(FactoryChartEntry._meta.verbose_name))
        return deleted, counts, perms_needed, protected


@admin.register(FactoryChartEntry)
class FactoryChartEntryAdmin(ReadOnlyAdmin):
    """History is recorded by the app (sprockets.charts); the admin only reads it."""

    list_display = ["id", "factory", "time", "sprocket_production_goal", "sprocket_production_actual"]
    list_filter = ["factory"]
    list_select_related = ["factory"]
    search_fields = ["factory__name"]
    autocomplete_fields = ["factory"]
    date_hierarchy = "time"


@admin.register(Sprocket)
class SprocketAdmin(ServiceAdmin):
    list_display = ["id", "name", "factory", "sprocket_type", "produced_at"]
    list_filter = ["factory", "sprocket_type"]
    list_select_related = ["factory", "sprocket_type"]
    search_fields = ["name", "factory__name"]
    autocomplete_fields = ["factory", "sprocket_type"]
    readonly_fields = ["created_at", "updated_at"]
    date_hierarchy = "produced_at"

    def service_save(self, request: HttpRequest, form: forms.ModelForm, stored: Any) -> Sprocket:
        data = self.posted(form, services.SPROCKET_FIELDS)
        return services.sprocket_update(sprocket=stored, data=data) if stored else services.sprocket_create(**data)

    def service_delete(self, request: HttpRequest, obj: Sprocket) -> None:
        # "Delete selected" too: one service call each (ServiceAdmin.delete_queryset, one
        # transaction), since every delete must take its 1 off its factory and chart it.
        services.sprocket_delete(sprocket=obj)
