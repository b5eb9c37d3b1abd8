"""Message filters. `account`, `message_id`, `sender_number`, `receiver_number` take several values.

Several values may be comma-separated (`?account=a,b`) or repeated (`?account=a&account=b`), or
both; a message matches if it matches any value of a field (OR) and every field given (AND).
A malformed value is a 400 naming the filter: a bad UUID, or a phone number that cannot be
read (numbers are normalised to E.164 exactly as on create, so `(415) 555-0123` finds
`+14155550123`). A well-formed id that is not visible to the caller simply matches nothing.
"""

from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from config.api.filters import DateTimeFilter

from .models import Message
from .phone import normalize_phone_number

MAX_VALUES_PER_FILTER = 100


class MultiValueWidget(forms.TextInput):
    """Reads every occurrence of the parameter and splits each on commas."""

    # As Django's SelectMultiple says it: the parameter may be repeated (config.api.filters
    # refuses a repeat only of the single-valued ones).
    allow_multiple_selected = True

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[str]:
        raw = data.getlist(name) if hasattr(data, "getlist") else ([data[name]] if name in data else [])
        return [part.strip() for item in raw for part in str(item).split(",") if part.strip()]


class MultiValueField(forms.Field):
    """A list of values, each cleaned by `item_field`."""

    widget = MultiValueWidget

    def __init__(self, *, item_field: forms.Field, **kwargs: Any) -> None:
        self.item_field = item_field
        super().__init__(**kwargs)

    def clean(self, value: Any) -> list[Any]:
        values = value or []
        if len(values) > MAX_VALUES_PER_FILTER:
            raise ValidationError(f"At most {MAX_VALUES_PER_FILTER} values.", code="too_many_values")
        return [self.item_field.clean(item) for item in values]


class UUIDItemField(forms.UUIDField):
    default_error_messages = {"invalid": "'%(value)s' is not a valid UUID."}

    def to_python(self, value: Any) -> Any:
        try:
            return super().to_python(value)
        except ValidationError as exc:
            raise ValidationError(self.error_messages["invalid"], code="invalid", params={"value": value}) from exc


class PhoneNumberItemField(forms.CharField):
    def to_python(self, value: Any) -> str:
        return normalize_phone_number(super().to_python(value) or "")


@extend_schema_field(OpenApiTypes.STR)  # a list, not one UUID or number: "a,b" or repeated
class MultiValueFilter(django_filters.Filter):
    """`field_name__in` the cleaned values; no values, no filtering."""

    field_class = MultiValueField

    def filter(self, qs: Any, value: Any) -> Any:
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__in": value})


class MessageFilter(django_filters.FilterSet):
    account = MultiValueFilter(
        field_name="account_id", item_field=UUIDItemField(), label="Account id(s), comma-separated or repeated."
    )
    message_id = MultiValueFilter(
        field_name="id", item_field=UUIDItemField(), label="Message id(s), comma-separated or repeated."
    )
    sender_number = MultiValueFilter(
        field_name="sender_number",
        item_field=PhoneNumberItemField(),
        label="Sender number(s), comma-separated or repeated; normalised to E.164 as on create.",
    )
    receiver_number = MultiValueFilter(
        field_name="receiver_number",
        item_field=PhoneNumberItemField(),
        label="Receiver number(s), comma-separated or repeated; normalised to E.164 as on create.",
    )
    created_after = DateTimeFilter(field_name="created_at", lookup_expr="gte", label="Created at or after (ISO 8601).")
    created_before = DateTimeFilter(
        field_name="created_at", lookup_expr="lte", label="Created at or before (ISO 8601)."
    )

    class Meta:
        model = Message
        fields: list[str] = []
