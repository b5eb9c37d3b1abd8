"""Shapes of the sprockets API: types, lengths, required and read-only fields, nothing more.

The rules are the model's (validators, `clean()`, constraints) and the services' (the unique
postal code); their ValidationErrors come back as 400s naming the field, like these fields' own.
"""

from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from rest_framework import serializers

from config.api.datetimes import to_utc
from config.api.filters import StrictBooleanQueryField
from config.api.serializers import CodeField, DateTimeField, DecimalField, FullReplacementMixin
from sprockets.charts import BUCKETS, CHART_POINTS_DEFAULT, CHART_POINTS_MAX, empty_chart_data
from sprockets.countries import normalize_country_code
from sprockets.models import (
    COUNTRY_CODES,
    DIMENSION_DECIMAL_PLACES,
    DIMENSION_MAX_DIGITS,
    MAX_COUNTER,
    MIN_TEETH,
    Factory,
    Location,
    Sprocket,
    SprocketType,
)


class PositiveDimensionField(DecimalField):
    """A decimal > 0 with up to 8 digits, 3 of them after the point."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            max_digits=DIMENSION_MAX_DIGITS, decimal_places=DIMENSION_DECIMAL_PLACES, positive=True, **kwargs
        )


class LocationSerializer(FullReplacementMixin):
    name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    address_1 = serializers.CharField(max_length=255, allow_blank=False)
    address_2 = serializers.CharField(max_length=255, required=False, allow_blank=True)
    city = serializers.CharField(max_length=120, allow_blank=False)
    state = serializers.CharField(max_length=120, required=False, allow_blank=True)
    postal_code = serializers.CharField(min_length=1, max_length=16, allow_blank=False)
    country_code = CodeField(
        codes=COUNTRY_CODES,
        normalize=normalize_country_code,
        min_length=2,
        max_length=2,
        help_text="ISO 3166-1 alpha-2 country, any letter case (stored upper case).",
    )

    class Meta:
        model = Location
        fields = [
            "id",
            "name",
            "address_1",
            "address_2",
            "city",
            "state",
            "postal_code",
            "country_code",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]


class SprocketTypeSerializer(FullReplacementMixin):
    name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    teeth = serializers.IntegerField(min_value=MIN_TEETH, max_value=MAX_COUNTER)
    pitch_diameter = PositiveDimensionField()
    outside_diameter = PositiveDimensionField()
    pitch = PositiveDimensionField()

    class Meta:
        model = SprocketType
        fields = ["id", "name", "teeth", "pitch_diameter", "outside_diameter", "pitch", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class FactorySerializer(FullReplacementMixin):
    """`location` is the id (read and write); `location_detail` the nested Location (read)."""

    # `chart_data` is present only when the view asks for it (`?with_chart_data=true`): the view
    # puts every factory's chart, read in one query, in the context under `chart_data`.

    name = serializers.CharField(min_length=1, max_length=120, allow_blank=False)
    location = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.all(), required=False, allow_null=True, default=None
    )
    location_detail = LocationSerializer(source="location", read_only=True, allow_null=True)
    # `initial` pre-fills the browsable API's form: an empty form field is a malformed number
    # (config/api/strict_types.py), so the form starts from the default instead of blank.
    sprocket_production_goal = serializers.IntegerField(min_value=0, max_value=MAX_COUNTER, required=False, initial=0)

    class Meta:
        model = Factory
        fields = [
            "id",
            "name",
            "location",
            "location_detail",
            "sprocket_production_goal",
            "sprocket_production_actual",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "sprocket_production_actual", "created_at", "updated_at"]

    def to_representation(self, instance: Factory) -> dict[str, Any]:
        data = super().to_representation(instance)
        charts = self.context.get("chart_data")
        if charts is not None:
            data["chart_data"] = charts.get(instance.pk) or empty_chart_data()
        return data


# Documentation only: the chart is built by sprockets.charts, this states its shape.
class ChartDataSerializer(serializers.Serializer):
    """A production chart: three parallel arrays, oldest first, and how many points the factory has in all."""

    sprocket_production_actual = serializers.ListField(child=serializers.IntegerField())
    sprocket_production_goal = serializers.ListField(child=serializers.IntegerField())
    time = serializers.ListField(child=serializers.IntegerField(), help_text="Unix seconds.")
    total_points = serializers.IntegerField(help_text="How many chart points the factory has in all.")


class FactoryChartOptionsSerializer(serializers.Serializer):
    """`?with_chart_data=` and `?chart_points=` of the factory list and detail."""

    with_chart_data = StrictBooleanQueryField(required=False, default=False)
    chart_points = serializers.IntegerField(
        min_value=1, max_value=CHART_POINTS_MAX, required=False, default=CHART_POINTS_DEFAULT
    )


# Documentation only: FactorySerializer adds `chart_data` itself when the view asks for it.
class FactoryWithChartSerializer(FactorySerializer):
    """A factory as listed and read; `chart_data` only with `?with_chart_data=true`."""

    # Not read-only, so the schema does not mark it required: it is absent without the flag.
    chart_data = ChartDataSerializer(required=False)

    class Meta(FactorySerializer.Meta):
        fields = [*FactorySerializer.Meta.fields, "chart_data"]


class MomentField(serializers.Field):
    """ISO 8601 (a date alone is midnight UTC; no offset means UTC) or unix seconds.

    An ISO 8601 value follows the API's one date-time rule (config/api/datetimes.py).
    """

    default_error_messages = {"invalid": "Give an ISO 8601 date-time or unix seconds."}

    def to_internal_value(self, data: Any) -> datetime:
        text = str(data).strip()
        try:
            return datetime.fromtimestamp(float(text), tz=UTC)
        except (ValueError, OverflowError, OSError):
            pass
        try:
            moment = parse_datetime(text)
            if moment is None:
                day = parse_date(text)
                moment = datetime(day.year, day.month, day.day) if day else None
        except ValueError:
            moment = None
        if moment is None:
            self.fail("invalid")
        try:
            return to_utc(moment)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages, code="invalid") from None

    def to_representation(self, value: datetime) -> str:
        return value.isoformat()


class ChartQuerySerializer(serializers.Serializer):
    since = MomentField(required=False)
    until = MomentField(required=False)
    bucket = serializers.ChoiceField(
        choices=BUCKETS,
        required=False,
        error_messages={"invalid_choice": f'"{{input}}" is not a bucket: use one of {", ".join(BUCKETS)}.'},
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "since" in attrs and "until" in attrs and attrs["since"] > attrs["until"]:
            raise serializers.ValidationError({"since": "Must not be after until."}, code="invalid")
        return attrs


class SprocketSerializer(FullReplacementMixin):
    name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    factory = serializers.PrimaryKeyRelatedField(queryset=Factory.objects.all())
    sprocket_type = serializers.PrimaryKeyRelatedField(queryset=SprocketType.objects.all())
    # The browsable API's form starts at "now" (its datetime-local input takes no offset: UTC).
    produced_at = DateTimeField(required=False, initial=lambda: timezone.now().strftime("%Y-%m-%dT%H:%M:%S"))

    class Meta:
        model = Sprocket
        fields = ["id", "name", "factory", "sprocket_type", "produced_at", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
