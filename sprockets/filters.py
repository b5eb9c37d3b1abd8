"""FilterSets of the sprockets API. Ids are plain numbers: an unknown id matches nothing (not a 400)."""

import django_filters

from .models import Factory, Location, Sprocket, SprocketType


class LocationFilter(django_filters.FilterSet):
    postal_code = django_filters.CharFilter(field_name="postal_code", lookup_expr="iexact")
    city = django_filters.CharFilter(field_name="city", lookup_expr="iexact")
    country_code = django_filters.CharFilter(field_name="country_code", lookup_expr="iexact")

    class Meta:
        model = Location
        fields = ["postal_code", "city", "country_code"]


class SprocketTypeFilter(django_filters.FilterSet):
    teeth = django_filters.NumberFilter(field_name="teeth")

    class Meta:
        model = SprocketType
        fields = ["teeth"]


class FactoryFilter(django_filters.FilterSet):
    location = django_filters.NumberFilter(field_name="location_id")

    class Meta:
        model = Factory
        fields = ["location"]


class SprocketFilter(django_filters.FilterSet):
    factory = django_filters.NumberFilter(field_name="factory_id")
    sprocket_type = django_filters.NumberFilter(field_name="sprocket_type_id")
    produced_after = django_filters.IsoDateTimeFilter(field_name="produced_at", lookup_expr="gte")
    produced_before = django_filters.IsoDateTimeFilter(field_name="produced_at", lookup_expr="lte")

    class Meta:
        model = Sprocket
        fields = ["factory", "sprocket_type", "produced_after", "produced_before"]
