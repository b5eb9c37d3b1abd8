"""Serializer helpers shared by the apps."""

import copy
import re
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils import timezone
from rest_framework import serializers
from rest_framework.fields import empty

from .datetimes import OFFSET_RULE, to_utc


def any_case_pattern(codes: Any) -> str:
    """A pattern matching exactly the given codes in any letter case (`usd`, `Usd`, `USD`)."""
    alternatives = (
        "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else re.escape(c) for c in code) for code in codes
    )
    return f"^(?:{'|'.join(sorted(alternatives))})$"


def decimal_string_pattern(*, whole_digits: int, decimal_places: int, positive: bool = False) -> str:
    """Exactly the strings DecimalField below accepts: plain ASCII digits, at most `whole_digits` before
    the point (leading zeros aside) and `decimal_places` after it; no exponent, no spaces, no
    sign except on a zero (`"-0"` is zero). With `positive`, zero is refused too."""
    w, d = whole_digits, decimal_places
    if positive:
        nonzero_fraction = "|".join(
            "0" * i + "[1-9]" + (f"[0-9]{{0,{d - 1 - i}}}" if d - 1 - i else "") for i in range(d)
        )
        body = f"0*(?:[1-9][0-9]{{0,{w - 1}}}(?:\\.[0-9]{{0,{d}}})?|\\.(?:{nonzero_fraction}))"
        return f"^{body}$"
    number = f"0*(?:[0-9]{{1,{w}}}(?:\\.[0-9]{{0,{d}}})?|\\.[0-9]{{1,{d}}})"
    negative_zero = f"-(?:0+(?:\\.0{{0,{d}}})?|\\.0{{1,{d}}})"
    return f"^(?:{number}|{negative_zero})$"


class CodeField(serializers.CharField):
    """A code from a standard (a currency, a country) in any letter case, passed on as written.

    The rule is the model's (`normalize`, e.g. `accounts.currencies.normalize_currency_code`),
    called here only so that a wrong code is reported in the same 400 as the body's other shape
    errors; the model field stores it upper case. `schema_extra["pattern"]` is exactly what is
    accepted (config/api/openapi.py). Surrounding spaces are not trimmed: `" usd"` is not a code.
    """

    def __init__(self, *, codes: Any, normalize: Callable[[str], str], **kwargs: Any) -> None:
        self.normalize = normalize
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)
        self.schema_extra = {"pattern": any_case_pattern(codes)}

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        try:
            self.normalize(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages, code=exc.code or "invalid") from None
        return value


class DecimalField(serializers.DecimalField):
    """A decimal in a request: a string of plain digits (`"49.99"`, `".5"`, `"007"`) or a JSON number.

    Never below zero; `positive=True` refuses zero too. The strings accepted are exactly
    `pattern`, which the schema documents together with the number form (config/api/openapi.py),
    so the documented request schema and the validation cannot drift apart.
    """

    default_error_messages = {"not_positive": "Ensure this value is greater than 0."}

    def __init__(self, *, max_digits: int, decimal_places: int, positive: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", Decimal(0))
        super().__init__(max_digits=max_digits, decimal_places=decimal_places, **kwargs)
        self.positive = positive
        self.whole_digits, self.places = max_digits - decimal_places, decimal_places
        self.pattern = decimal_string_pattern(
            whole_digits=self.whole_digits, decimal_places=self.places, positive=positive
        )

    def to_internal_value(self, data: Any) -> Decimal:
        value = super().to_internal_value(data)
        if isinstance(data, str) and not re.fullmatch(self.pattern, data):
            self.fail("invalid")
        if self.positive and value <= 0:
            self.fail("not_positive")
        return value


class DateTimeField(serializers.DateTimeField):
    """A writable date-time under the API's one rule (config/api/datetimes.py): stored in UTC,
    an offset beyond -12:00..+14:00 or a year out of range is a 400 naming the field."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", f"ISO 8601 date-time; {OFFSET_RULE}")
        super().__init__(**kwargs)

    def enforce_timezone(self, value: datetime) -> datetime:
        if timezone.is_aware(value):
            try:
                value = to_utc(value)
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.messages, code="invalid") from None
        return super().enforce_timezone(value)


class ModelSerializer(serializers.ModelSerializer):
    """DRF's ModelSerializer, its fields built from the model once per class instead of once per instance.

    DRF's `get_fields()` rebuilds every model field for each serializer (`build_field`,
    `get_field_kwargs`, the model's validators): about a fifth of the CPU of a `GET /auth/me/`
    in-process (2,370 -> 1,860 µs, issue 22). The fields built for a class are kept, and each
    instance gets a deep copy, as DRF already does with declared fields (`Field.__deepcopy__`
    makes a field again from its arguments; validators are shared, as DRF shares them). What a
    subclass's own `get_fields()` changes per request (AccountSerializer's `owner`) still runs
    on that copy. Every ModelSerializer of the apps derives from this one
    (tests/test_model_serializer_fields.py).
    """

    _fields_built_once: ClassVar[dict[str, serializers.Field]]

    def get_fields(self) -> dict[str, serializers.Field]:
        built = type(self).__dict__.get("_fields_built_once")
        if built is None:  # two threads may both build it: the same fields, either is kept
            built = super().get_fields()
            type(self)._fields_built_once = built
        return copy.deepcopy(built)


class FullReplacementMixin(ModelSerializer):
    """PUT replaces the resource: optional fields left out return to their model defaults.

    DRF's own PUT leaves omitted optional fields unchanged, which makes PUT a PATCH in
    disguise. PATCH (`partial=True`) is untouched.
    """

    def to_internal_value(self, data: Any) -> Any:
        validated = super().to_internal_value(data)
        if self.instance is None or self.partial:
            return validated
        model = self.Meta.model
        for name, field in self.fields.items():
            if field.read_only or name in validated or field.source == "*":
                continue
            source = field.source or name
            try:
                model_field = model._meta.get_field(source)  # type: ignore[attr-defined]
            except FieldDoesNotExist:
                continue  # a computed field: nothing to reset
            default = self._model_default(model_field)
            if default is not empty:
                validated[source] = default
        return validated

    @staticmethod
    def _model_default(model_field: Any) -> Any:
        if not isinstance(model_field, models.Field) or model_field.primary_key or not model_field.editable:
            return empty
        if getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False):
            return empty
        if model_field.has_default():
            return model_field.get_default()
        if model_field.null:
            return None
        if model_field.blank and isinstance(model_field, (models.CharField, models.TextField)):
            return ""
        return empty
