"""FilterSets of the sprockets API. Ids are plain numbers: an unknown id matches nothing (not a 400)."""

from typing import Any

import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from config.api.filters import DateTimeFilter

from .models import Factory, Location, Sprocket, SprocketType

# Beyond a 64-bit integer no row can match, and SQLite cannot even take it as a parameter.
LARGEST_STORABLE_INTEGER = 2**63 - 1


@extend_schema_field(OpenApiTypes.INT)  # documented as what it accepts: `1.5` is a 400
class WholeNumberFilter(django_filters.NumberFilter):
    """A whole number: `1.5` is a 400, not silently read as 1 by the integer column."""

    field_class = forms.IntegerField

    def filter(self, qs: Any, value: Any) -> Any:
        if value is not None and abs(value) > LARGEST_STORABLE_INTEGER:
            return qs.none()
        return super().filter(qs, value)


class LocationFilter(django_filters.FilterSet):
    postal_code = django_filters.CharFilter(field_name="postal_code", lookup_expr="iexact")
    city = django_filters.CharFilter(field_name="city", lookup_expr="iexact")
    country_code = django_filters.CharFilter(field_name="country_code", lookup_expr="iexact")

    class Meta:
        model = Location
        fields = ["postal_code", "city", "country_code"]


class SprocketTypeFilter(django_filters.FilterSet):
    teeth = WholeNumberFilter(field_name="teeth")

    class Meta:
        model = SprocketType
        fields = ["teeth"]


class FactoryFilter(django_filters.FilterSet):
    location = WholeNumberFilter(field_name="location_id")

    class Meta:
        model = Factory
        fields = ["location"]


class SprocketFilter(django_filters.FilterSet):
    factory = WholeNumberFilter(field_name="factory_id")
    sprocket_type = WholeNumberFilter(field_name="sprocket_type_id")
    produced_after = DateTimeFilter(field_name="produced_at", lookup_expr="gte")
    produced_before = DateTimeFilter(field_name="produced_at", lookup_expr="lte")

    class Meta:
        model = Sprocket
        fields = ["factory", "sprocket_type", "produced_after", "produced_before"]
