"""Helpers shared by the apps' write services."""

from typing import Any


def assign_fields(instance: Any, data: dict[str, Any], allowed: tuple[str, ...]) -> list[str]:
    """Set on `instance` the `allowed` fields present in `data`; returns their names.

    PATCH passes only the fields it changes and PUT all of them, so what is absent stays as is.
    """
    changed = [field for field in allowed if field in data]
    for field in changed:
        setattr(instance, field, data[field])
    return changed
