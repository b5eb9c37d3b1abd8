"""Types are strict (API.md): a JSON number, boolean, list or object where the schema says
"string" is a 400 naming the field.

DRF's CharField reads `5` as `"5"` and its UUIDField `5` as `00000000-0000-0000-0000-000000000005`,
while the schema documents both as strings. (Decimals are different: a JSON number is accepted
and documented as such, see config.api.serializers.DecimalField.)
`install()` runs once at start-up (config.api.apps) and covers every serializer, ours and
simplejwt's, so none can forget the rule. Form and multipart bodies carry only strings, so
they are unaffected; subclasses that call `super().to_internal_value()` inherit the check.
Likewise a JSON boolean must be `true`/`false` and a JSON integer a number (DRF took `0`, `"yes"`
and `"5"`); a form sends only strings, so there `"true"`/`"false"` and `"5"` are what it says.
"""

from collections.abc import Callable
from typing import Any

from django.http import QueryDict
from rest_framework import serializers

STRING_FIELDS: tuple[type[serializers.Field], ...] = (
    serializers.CharField,
    serializers.UUIDField,
)
JSON_TYPE_NAMES = {bool: "a boolean", int: "a number", float: "a number", list: "an array", dict: "an object"}


def _strict(original: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def to_internal_value(self: serializers.Field, data: Any) -> Any:
        if not isinstance(data, str):
            got = JSON_TYPE_NAMES.get(type(data), "not a string")
            raise serializers.ValidationError(f"Expected a string, got {got}.", code="invalid")
        # The documented maxLength is of the string sent: spaces that CharField trims do not
        # make room for more (a 256-character value padded with a space was accepted).
        max_length = getattr(self, "max_length", None)
        if max_length is not None and len(data) > max_length:
            self.fail("max_length", max_length=max_length)
        return original(self, data)

    to_internal_value.strict_types = True  # type: ignore[attr-defined]
    return to_internal_value


def from_form(field: serializers.Field) -> bool:
    """The value came from a form or multipart body (only strings), not from JSON."""
    return isinstance(getattr(field.root, "initial_data", None), QueryDict)


def _strict_boolean(original: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    # JSON: true or false. A form (the browsable API's checkbox sends "true"): "true" or "false".
    def to_internal_value(self: serializers.Field, data: Any) -> Any:
        if isinstance(data, bool):
            return data
        if isinstance(data, str) and from_form(self) and data.strip().lower() in ("true", "false"):
            return data.strip().lower() == "true"
        raise serializers.ValidationError("Must be true or false.", code="invalid")

    to_internal_value.strict_types = True  # type: ignore[attr-defined]
    return to_internal_value


def _is_json_integer(data: Any) -> bool:
    """Written as a JSON integer: `5`, not `5.0`, `5e0` or `1e400` (floats once decoded), nor `true`."""
    return isinstance(data, int) and not isinstance(data, bool)


def _strict_integer(original: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    # JSON: an integer ("5" is a string; 5.0 and 5e0 are numbers DRF truncated or accepted, 1e400
    # an infinity). A form can only send "5", so there it is read as before.
    def to_internal_value(self: serializers.Field, data: Any) -> Any:
        if not from_form(self) and not _is_json_integer(data):
            raise serializers.ValidationError("A valid integer is required.", code="invalid")
        return original(self, data)

    to_internal_value.strict_types = True  # type: ignore[attr-defined]
    return to_internal_value


def _strict_get_value(original: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    # DRF reads an empty form field as "not given" for every optional field. For a field that is
    # not text (a number, a boolean choice, a date-time, a choice) it is a malformed value, as the
    # same empty string is in JSON. A nullable field keeps reading "" as null (a form's only null).
    def get_value(self: serializers.Field, dictionary: Any) -> Any:
        if (
            isinstance(dictionary, QueryDict)
            and dictionary.get(self.field_name or "", None) == ""
            and not isinstance(self, serializers.CharField)
            and not getattr(self, "allow_null", False)
            and not getattr(self, "allow_blank", False)
        ):
            return ""
        return original(self, dictionary)

    get_value.strict_types = True  # type: ignore[attr-defined]
    return get_value


def _integer_keys(field: serializers.PrimaryKeyRelatedField) -> bool:
    """The related model's key is an integer (sprockets' ids), not a UUID (accounts, products)."""
    queryset = field.get_queryset()
    return queryset is not None and queryset.model._meta.pk.get_internal_type().endswith("AutoField")


def _strict_related(original: Callable[..., Any]) -> Callable[..., Any]:
    # In JSON an id is the id's type, or null: an integer id a JSON integer, a UUID a string.
    # DRF turned "" into null (a 200 that cleared `location`), read "5" and `true` as ids, `1.9`
    # and `1e0` as id 1 (int() truncates), `5` as the UUID 00000000-...-000000000005, and `1e400`
    # (a float infinity) raised OverflowError in the lookup: a 500. A form sends only strings: its
    # "5" is an integer id, and its empty choice stays null.
    def run_validation(self: serializers.RelatedField, data: Any = serializers.empty) -> Any:
        if data is not serializers.empty and data is not None and not from_form(self):  # type: ignore[arg-type]
            integer_keys = _integer_keys(self)  # type: ignore[arg-type]
            if not (_is_json_integer(data) if integer_keys else isinstance(data, str) and data != ""):
                self.fail("incorrect_type", data_type=JSON_TYPE_NAMES.get(type(data), "a string"))
        return original(self, data)

    run_validation.strict_types = True  # type: ignore[attr-defined]
    return run_validation


def install() -> None:
    related = serializers.PrimaryKeyRelatedField
    if not getattr(related.__dict__.get("run_validation"), "strict_types", False):
        related.run_validation = _strict_related(serializers.RelatedField.run_validation)  # type: ignore[method-assign]
    if not getattr(serializers.Field.get_value, "strict_types", False):
        serializers.Field.get_value = _strict_get_value(serializers.Field.get_value)  # type: ignore[method-assign,assignment]
    wrappers = [(field_class, _strict) for field_class in STRING_FIELDS]
    wrappers += [(serializers.BooleanField, _strict_boolean), (serializers.IntegerField, _strict_integer)]
    for field_class, wrap in wrappers:
        original = field_class.__dict__["to_internal_value"]
        if not getattr(original, "strict_types", False):
            field_class.to_internal_value = wrap(original)  # type: ignore[method-assign,assignment]
