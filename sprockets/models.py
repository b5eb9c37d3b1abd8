"""Locations, sprocket types, factories, the sprockets they make and each factory's chart history.

Each rule has one home. What must hold for every row is stated here, once: a field validator or
`clean()` answers a 400 naming the field (the services run them through `validate_and_save`, the
admin's forms run them too), and a database constraint repeats the rule as the backstop that no
code path can skip (the shell, a bulk write, a race: an IntegrityError, a 409). A rule that needs
other rows lives in sprockets.services: the unique postal code (`ensure_unique`), the production
counters. The API's serializers give only the shape of a request (types, lengths, required).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinLengthValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from config.api.fields import UpperCaseCodeField
from config.api.models import TimestampedModel

from .countries import COUNTRY_CODES, normalize_country_code

# Decimals of a sprocket type: up to 8 digits, 3 of them after the point, strictly positive.
DIMENSION_MAX_DIGITS = 8
DIMENSION_DECIMAL_PLACES = 3
DIMENSION_MIN = Decimal("0.001")
DIMENSION_MAX = Decimal("99999.999")
MIN_TEETH = 3
# Counters are PostgreSQL `integer`s.
MAX_COUNTER = 2_147_483_647

POSTAL_CODE_TAKEN = "A location with this postal code already exists."
OUTSIDE_NOT_LARGER = "outside_diameter must be larger than pitch_diameter."

__all__ = ["COUNTRY_CODES"]  # re-exported: the constraint below and migrations name it here


def validate_country_code(value: str) -> None:
    """An ISO 3166-1 alpha-2 code in any letter case (the country field's validator; migration 0001 names it)."""
    normalize_country_code(value)


class CountryCodeField(UpperCaseCodeField):
    """An ISO 3166-1 alpha-2 country code in any letter case, stored upper case."""

    code_length = 2
    default_validators = [validate_country_code]


class Location(TimestampedModel):
    """Where a factory stands. The postal code identifies a location (unique)."""

    name = models.CharField(max_length=120, blank=True, default="")
    address_1 = models.CharField(max_length=255)
    address_2 = models.CharField(max_length=255, blank=True, default="")
    city = models.CharField(max_length=120)
    state = models.CharField(max_length=120, blank=True, default="")
    postal_code = models.CharField(max_length=16, validators=[MinLengthValidator(1)])
    country_code = CountryCodeField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["postal_code"],
                name="sprockets_location_postal_code_unique",
                violation_error_message=POSTAL_CODE_TAKEN,
            ),
            models.CheckConstraint(condition=~Q(postal_code=""), name="sprockets_location_postal_code_not_blank"),
            models.CheckConstraint(
                condition=Q(country_code__in=sorted(COUNTRY_CODES)),
                name="sprockets_location_country_code_iso3166",
            ),
        ]
        indexes = [models.Index(fields=["city"]), models.Index(fields=["country_code"])]

    def __str__(self) -> str:
        label = self.name or self.address_1
        return f"{label}, {self.city} {self.postal_code} ({self.country_code})"


class SprocketType(TimestampedModel):
    """The shape of a sprocket. Its four dimensions are its natural key for imports."""

    name = models.CharField(max_length=120, blank=True, default="")
    teeth = models.PositiveIntegerField(validators=[MinValueValidator(MIN_TEETH), MaxValueValidator(MAX_COUNTER)])
    pitch_diameter = models.DecimalField(
        max_digits=DIMENSION_MAX_DIGITS,
        decimal_places=DIMENSION_DECIMAL_PLACES,
        validators=[MinValueValidator(DIMENSION_MIN)],
    )
    outside_diameter = models.DecimalField(
        max_digits=DIMENSION_MAX_DIGITS,
        decimal_places=DIMENSION_DECIMAL_PLACES,
        validators=[MinValueValidator(DIMENSION_MIN)],
    )
    pitch = models.DecimalField(
        max_digits=DIMENSION_MAX_DIGITS,
        decimal_places=DIMENSION_DECIMAL_PLACES,
        validators=[MinValueValidator(DIMENSION_MIN)],
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(teeth__gte=MIN_TEETH), name="sprockets_type_teeth_min"),
            models.CheckConstraint(
                condition=Q(pitch_diameter__gt=0) & Q(outside_diameter__gt=0) & Q(pitch__gt=0),
                name="sprockets_type_dimensions_positive",
            ),
            models.CheckConstraint(
                condition=Q(outside_diameter__gt=F("pitch_diameter")),
                name="sprockets_type_outside_gt_pitch_diameter",
                violation_error_message=OUTSIDE_NOT_LARGER,
            ),
        ]
        indexes = [models.Index(fields=["teeth", "pitch_diameter", "outside_diameter", "pitch"])]

    def __str__(self) -> str:
        dims = f"{self.teeth}T, PD {self.pitch_diameter}, OD {self.outside_diameter}, P {self.pitch}"
        return f"{self.name} ({dims})" if self.name else dims

    def clean(self) -> None:
        """outside_diameter > pitch_diameter (the CheckConstraint below is its backstop)."""
        if (
            self.outside_diameter is not None
            and self.pitch_diameter is not None
            and self.outside_diameter <= self.pitch_diameter
        ):
            raise ValidationError({"outside_diameter": ValidationError(OUTSIDE_NOT_LARGER, code="outside_not_larger")})


class Factory(TimestampedModel):
    """Makes sprockets. `sprocket_production_actual` is a counter written only with F() arithmetic.

    `location` is optional: the public sample data has factories without one.
    """

    name = models.CharField(max_length=120, validators=[MinLengthValidator(1)])
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="factories", null=True, blank=True)
    sprocket_production_goal = models.PositiveIntegerField(default=0, validators=[MaxValueValidator(MAX_COUNTER)])
    # Not editable: only sprocket writes (services) and the importer change it.
    sprocket_production_actual = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "factories"
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="sprockets_factory_name_not_blank"),
            models.CheckConstraint(condition=Q(sprocket_production_goal__gte=0), name="sprockets_factory_goal_gte_0"),
            models.CheckConstraint(
                condition=Q(sprocket_production_actual__gte=0), name="sprockets_factory_actual_gte_0"
            ),
        ]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name


class FactoryChartEntry(models.Model):
    """One point of a factory's production chart: the goal and the actual at `time`.

    Recorded by sprockets.charts in the transaction that changed the factory; imported
    history keeps its original times.
    """

    factory = models.ForeignKey(Factory, on_delete=models.CASCADE, related_name="chart_entries")
    time = models.DateTimeField(default=timezone.now)
    sprocket_production_goal = models.PositiveIntegerField()
    sprocket_production_actual = models.PositiveIntegerField()

    class Meta:
        ordering = ["time", "id"]
        verbose_name_plural = "factory chart entries"
        indexes = [models.Index(fields=["factory", "time", "id"], name="sprockets_chart_factory_time")]

    def __str__(self) -> str:
        counts = f"{self.sprocket_production_actual}/{self.sprocket_production_goal}"
        return f"{self.factory_id} @ {self.time:%Y-%m-%d %H:%M:%S}: {counts}"


class Sprocket(TimestampedModel):
    """One sprocket produced by a factory."""

    name = models.CharField(max_length=120, blank=True, default="")
    factory = models.ForeignKey(Factory, on_delete=models.PROTECT, related_name="sprockets")
    sprocket_type = models.ForeignKey(SprocketType, on_delete=models.PROTECT, related_name="sprockets")
    produced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["factory", "produced_at"]), models.Index(fields=["produced_at"])]

    def __str__(self) -> str:
        return self.name or f"Sprocket #{self.pk}"
