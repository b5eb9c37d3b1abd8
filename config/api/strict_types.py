"""Types are strict (API.md): a JSON number, boolean, list or object where the schema says
"string" is a 400 naming the field.

DRF's CharField reads `5` as `"5"` and its UUIDField `5` as `00000000-0000-0000-0000-000000000005`,
while the schema documents both as strings. (Decimals are different: a JSON number is accepted
and documented as such, see config.api.serializers.DecimalField.)
`install()` runs once at start-up (config.api.apps) and covers every serializer, ours and
simplejwt's, so none can forget the rule. Form and multipart bodies carry only strings, so
they are unaffected; subclasses that call `super().to_internal_value()` inherit the check.
"""

from collections.abc import Callable
from typing import Any

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
        return original(self, data)

    to_internal_value.strict_types = True  # type: ignore[attr-defined]
    return to_internal_value


def install() -> None:
    for field_class in STRING_FIELDS:
        original = field_class.__dict__["to_internal_value"]
        if not getattr(original, "strict_types", False):
            field_class.to_internal_value = _strict(original)  # type: ignore[method-assign,assignment]
