"""Importers for the public sprocket-challenge sample formats (used by the management commands).

Both validate the whole file first and then write in one transaction: a malformed file imports
nothing. Both are idempotent, by natural key:

- a sprocket type is its four dimensions (teeth, pitch_diameter, outside_diameter, pitch);
- a factory is its name; a factory without a name gets a deterministic one from a hash of its
  chart data ("Factory <8 hex digits>"), so re-importing the same file finds it again. Chart
  points are keyed by (factory, time): a point whose time the factory already has is skipped.
"""

import hashlib
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Max

from .caching import factory_cache_invalidate
from .models import MAX_COUNTER, Factory, FactoryChartEntry, SprocketType

CHART_KEYS = ("sprocket_production_actual", "sprocket_production_goal", "time")
BULK_BATCH_SIZE = 2000

Progress = Callable[[int, int], None]


class ImportFileError(Exception):
    """A malformed file; the message names the file, the item and the field."""


@dataclass
class FactoryRecord:
    name: str
    # (time, goal, actual), oldest first
    points: list[tuple[datetime, int, int]] = field(default_factory=list)


@dataclass
class ImportResult:
    created: int = 0
    existing: int = 0
    points_created: int = 0


def load_json(path: str | Path) -> Any:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except OSError as exc:
        raise ImportFileError(f"{path}: cannot read the file ({exc.strerror or exc}).") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ImportFileError(f"{path}: not valid JSON ({exc}).") from exc


def _list_of(data: Any, key: str, path: str | Path) -> list[Any]:
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise ImportFileError(f'{path}: expected an object with a "{key}" list at the top level.')
    return data[key]


# --- Sprocket types -----------------------------------------------------------------------------
def _dimension_key(values: Mapping[str, Any]) -> tuple[int, Decimal, Decimal, Decimal]:
    quantum = Decimal("0.001")
    return (
        int(values["teeth"]),
        Decimal(values["pitch_diameter"]).quantize(quantum),
        Decimal(values["outside_diameter"]).quantize(quantum),
        Decimal(values["pitch"]).quantize(quantum),
    )


# The file's own format, as the API reads the same fields: `teeth` a JSON integer; a dimension a
# JSON number or a string of plain digits ("24.5", ".5"); `name` an optional string. The rules
# (teeth >= 3, dimensions > 0 with 3 places, outside > pitch diameter) are the model's.
SPROCKET_TYPE_NUMBERS = ("teeth", "pitch_diameter", "outside_diameter", "pitch")
SPROCKET_TYPE_FIELD_ORDER = {name: order for order, name in enumerate(("name", *SPROCKET_TYPE_NUMBERS))}
_PLAIN_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")


def _read_value(name: str, value: Any) -> Any:
    """The Python value of one field of an item; ValueError with the message if it is not one."""
    if value is None:
        raise ValueError("This field may not be null.")
    if name == "name":
        if not isinstance(value, str):
            raise ValueError("Not a valid string.")
        return value.strip()
    if name == "teeth":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("A valid integer is required.")
        return value
    # JSON floats such as 5.1 arrive as binary floats: go through str() to keep their digits.
    text = str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value
    try:
        number = Decimal(text) if isinstance(text, str) else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or (isinstance(value, str) and not _PLAIN_DECIMAL.fullmatch(value)):
        raise ValueError("A valid number is required.")
    return number


def _read_item(item: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The item's values for the model, and the errors of the fields that are missing or mistyped."""
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name in SPROCKET_TYPE_FIELD_ORDER:
        if name not in item:
            if name != "name":
                errors[name] = ["This field is required."]
            continue
        try:
            values[name] = _read_value(name, item[name])
        except ValueError as exc:
            errors[name] = [str(exc)]
    return values, errors


def parse_sprocket_types(data: Any, *, path: str | Path) -> list[dict[str, Any]]:
    """Read every item, then check it with the model's own rules (`full_clean`, as the services
    do); the first error, in the model's field order, names the item and the field.
    """
    items = _list_of(data, "sprockets", path)
    parsed = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise ImportFileError(f"{path}: sprockets[{index}] is not an object.")
        values, errors = _read_item(item)
        sprocket_type = SprocketType(**values)
        try:
            sprocket_type.full_clean(exclude=list(errors), validate_constraints=False)
        except ValidationError as exc:
            errors = {**exc.message_dict, **errors}
        if errors:
            name = min(errors, key=lambda field: SPROCKET_TYPE_FIELD_ORDER.get(field, len(SPROCKET_TYPE_FIELD_ORDER)))
            where = f"sprockets[{index}]" if name == NON_FIELD_ERRORS else f"sprockets[{index}].{name}"
            raise ImportFileError(f"{path}: {where}: {' '.join(errors[name])}")
        parsed.append({name: getattr(sprocket_type, name) for name in ("name", *SPROCKET_TYPE_NUMBERS)})
    return parsed


@transaction.atomic
def import_sprocket_types(path: str | Path, *, progress: Progress | None = None) -> ImportResult:
    parsed = parse_sprocket_types(load_json(path), path=path)
    result = ImportResult()
    existing = {
        _dimension_key(values)
        for values in SprocketType.objects.values("teeth", "pitch_diameter", "outside_diameter", "pitch")
    }
    to_create: list[SprocketType] = []
    for index, values in enumerate(parsed, start=1):
        key = _dimension_key(values)
        if key in existing:
            result.existing += 1
        else:
            existing.add(key)
            to_create.append(SprocketType(**values))
        if progress:
            progress(index, len(parsed))
    SprocketType.objects.bulk_create(to_create, batch_size=BULK_BATCH_SIZE)
    result.created = len(to_create)
    return result


# --- Factories and their chart history ----------------------------------------------------------
def _check_int(value: Any, where: str, *, minimum: int, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ImportFileError(f"{where}: {value!r} is not a number.")
    if value != int(value):
        raise ImportFileError(f"{where}: {value!r} is not a whole number.")
    if not minimum <= value <= maximum:
        raise ImportFileError(f"{where}: {value!r} is out of range {minimum}..{maximum}.")
    return int(value)


def _default_name(chart: dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(chart, sort_keys=True).encode()).hexdigest()
    return f"Factory {digest[:8]}"


def parse_factories(data: Any, *, path: str | Path) -> list[FactoryRecord]:
    items = _list_of(data, "factories", path)
    records = []
    for index, item in enumerate(items):
        where = f"{path}: factories[{index}]"
        factory = item.get("factory") if isinstance(item, dict) else None
        if not isinstance(factory, dict):
            raise ImportFileError(f'{where}: expected {{"factory": {{...}}}}.')
        chart = factory.get("chart_data")
        if not isinstance(chart, dict):
            raise ImportFileError(f"{where}.factory.chart_data: expected an object with {', '.join(CHART_KEYS)}.")
        for key in CHART_KEYS:
            if not isinstance(chart.get(key), list):
                raise ImportFileError(f"{where}.factory.chart_data.{key}: expected a list.")
        lengths = {len(chart[key]) for key in CHART_KEYS}
        if len(lengths) != 1:
            raise ImportFileError(f"{where}.factory.chart_data: the three lists differ in length.")
        name = factory.get("name")
        if name is None:
            name = _default_name(chart)
        elif not isinstance(name, str) or not name.strip() or len(name.strip()) > 120:
            raise ImportFileError(f"{where}.factory.name: expected 1..120 characters.")
        points = []
        prefix = f"{where}.factory.chart_data"
        for i, (actual, goal, time) in enumerate(zip(*(chart[key] for key in CHART_KEYS), strict=True)):
            actual = _check_int(actual, f"{prefix}.sprocket_production_actual[{i}]", minimum=0, maximum=MAX_COUNTER)
            goal = _check_int(goal, f"{prefix}.sprocket_production_goal[{i}]", minimum=0, maximum=MAX_COUNTER)
            seconds = _check_int(time, f"{prefix}.time[{i}]", minimum=0, maximum=253_402_300_799)  # < year 10000
            points.append((datetime.fromtimestamp(seconds, tz=UTC), goal, actual))
        points.sort(key=lambda point: point[0])
        records.append(FactoryRecord(name=name.strip(), points=points))
    return records


@transaction.atomic
def import_factory_data(path: str | Path, *, progress: Progress | None = None) -> ImportResult:
    """Factories by name (bulk-created: no "created" chart point), then their history with its times.

    Each factory touched ends with the goal and actual of its newest chart point.
    """
    records = parse_factories(load_json(path), path=path)
    result = ImportResult()
    names = {record.name for record in records}
    factories = {f.name: f for f in Factory.objects.filter(name__in=names).order_by("id")}
    new_factories = []
    for record in records:
        if record.name in factories:
            result.existing += 1
            continue
        last = record.points[-1] if record.points else None
        factory = Factory(
            name=record.name,
            sprocket_production_goal=last[1] if last else 0,
            sprocket_production_actual=last[2] if last else 0,
        )
        factories[record.name] = factory
        new_factories.append(factory)
    Factory.objects.bulk_create(new_factories, batch_size=BULK_BATCH_SIZE)
    result.created = len(new_factories)

    known_times: dict[int, set[datetime]] = {}
    for factory_id, time in FactoryChartEntry.objects.filter(
        factory_id__in=[f.pk for f in factories.values()]
    ).values_list("factory_id", "time"):
        known_times.setdefault(factory_id, set()).add(time)

    entries = []
    for record in records:
        factory = factories[record.name]
        seen = known_times.setdefault(factory.pk, set())
        for time, goal, actual in record.points:
            if time in seen:
                continue
            seen.add(time)
            entries.append(
                FactoryChartEntry(
                    factory_id=factory.pk, time=time, sprocket_production_goal=goal, sprocket_production_actual=actual
                )
            )
    total = len(entries)
    for start in range(0, total, BULK_BATCH_SIZE):
        FactoryChartEntry.objects.bulk_create(entries[start : start + BULK_BATCH_SIZE])
        if progress:
            progress(min(start + BULK_BATCH_SIZE, total), total)
    result.points_created = total
    # New factories already carry their last point's values; existing ones may have got newer points.
    _sync_counters_to_newest_point(factory_ids={entry.factory_id for entry in entries} - {f.pk for f in new_factories})
    factory_cache_invalidate()  # bulk writes send no signal
    return result


def _sync_counters_to_newest_point(*, factory_ids: set[int]) -> None:
    """An existing factory that got history takes the goal and actual of its newest point.

    One query per such factory: only factories that existed before this import, usually none.
    """
    if not factory_ids:
        return
    newest = (
        FactoryChartEntry.objects.filter(factory_id__in=factory_ids)
        .values("factory_id")
        .annotate(newest=Max("time"))
        .values_list("factory_id", "newest")
    )
    for factory_id, time in newest:
        point = (
            FactoryChartEntry.objects.filter(factory_id=factory_id, time=time)
            .order_by("-id")
            .values_list("sprocket_production_goal", "sprocket_production_actual")
            .first()
        )
        if point:
            Factory.objects.filter(pk=factory_id).update(
                sprocket_production_goal=point[0], sprocket_production_actual=point[1]
            )
