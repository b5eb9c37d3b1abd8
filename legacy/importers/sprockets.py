"""The sprocket-factory service (PostgreSQL): locations, sprocket_types, factories, sprockets and
factories_histories; every timestamp there is unix seconds (read as UTC).

- a location is its postal code: one we already have is **merged** (the same place); it had no
  name (ours stays "");
- a sprocket type is its four dimensions, as for the sample importer: one we already have is
  merged; it had no name;
- a factory without a name gets "Imported factory <id>"; its `sprocket_production_actual` is
  not read (the old service derived it, never stored it) but recomputed from its imported
  sprockets once every table is in;
- a sprocket's `produced_at` is its `created_at`; the history keeps its original times
  (`sprocket_production_timestamp`), one chart entry per history row, never twice;
- a row whose location, type or factory was skipped or does not exist is skipped, naming it.
"""

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from legacy.models import LegacyRecord
from sprockets.caching import factory_cache_invalidate
from sprockets.models import Factory, FactoryChartEntry, Location, Sprocket, SprocketType

from ..importing import Imported, Merged, Row, Run, Skipped, Table, check, from_unix

SOURCE = "sprockets-service"


def _times(row: Row) -> dict[str, Any]:
    pairs = (("created_at", from_unix(row.get("created_at"))), ("updated_at", from_unix(row.get("updated_at"))))
    return {name: value for name, value in pairs if value is not None}


def _dimensions(teeth: Any, pitch_diameter: Any, outside_diameter: Any, pitch: Any) -> tuple[Any, ...]:
    quantum = Decimal("0.001")
    return (int(teeth), *(Decimal(value).quantize(quantum) for value in (pitch_diameter, outside_diameter, pitch)))


def _missing(what: str, legacy_id: Any) -> Skipped:
    return Skipped(f"{what} {legacy_id} was not imported (skipped, or absent from the source)")


def tables(run: Run) -> list[Table]:
    postal_codes: dict[str, Any] = {}
    dimensions: dict[tuple[Any, ...], Any] = {}

    def convert_locations(rows: list[Row]) -> list[Any]:
        codes = [row["postal_code"] for row in rows if row["postal_code"]]
        postal_codes.update(Location.objects.filter(postal_code__in=codes).values_list("postal_code", "pk"))
        outcomes: list[Any] = []
        for row in rows:
            existing = postal_codes.get(row["postal_code"])
            if existing is not None:
                outcomes.append(Merged(existing, note="merged by postal code into an existing location"))
                continue
            location = Location(
                address_1=row["address_1"] or "",
                address_2=row["address_2"] or "",
                city=row["city"] or "",
                state=row["state"] or "",
                postal_code=row["postal_code"] or "",
                country_code=row["country_code"] or "",
            )
            problem = check(location)
            if problem is not None:
                outcomes.append(problem)
                continue
            outcomes.append(Imported(location, times=_times(row)))
        return outcomes

    def after_locations(instances: list[Any]) -> None:
        postal_codes.update((location.postal_code, location.pk) for location in instances)
        factory_cache_invalidate()

    def convert_types(rows: list[Row]) -> list[Any]:
        outcomes: list[Any] = []
        for row in rows:
            sprocket_type = SprocketType(
                teeth=row["teeth"],
                pitch_diameter=row["pitch_diameter"],
                outside_diameter=row["outside_diameter"],
                pitch=row["pitch"],
            )
            problem = check(sprocket_type)
            if problem is not None:
                outcomes.append(problem)
                continue
            key = _dimensions(row["teeth"], row["pitch_diameter"], row["outside_diameter"], row["pitch"])
            if key not in dimensions:
                found = SprocketType.objects.filter(
                    teeth=key[0], pitch_diameter=key[1], outside_diameter=key[2], pitch=key[3]
                ).first()
                if found is not None:
                    dimensions[key] = found.pk
            if key in dimensions:
                outcomes.append(Merged(dimensions[key], note="merged by dimensions into an existing sprocket type"))
                continue
            dimensions[key] = sprocket_type  # its pk once written (after_types)
            outcomes.append(Imported(sprocket_type, times=_times(row)))
        return outcomes

    def after_types(instances: list[Any]) -> None:
        for sprocket_type in instances:
            key = _dimensions(
                sprocket_type.teeth,
                sprocket_type.pitch_diameter,
                sprocket_type.outside_diameter,
                sprocket_type.pitch,
            )
            dimensions[key] = sprocket_type.pk

    def convert_factories(rows: list[Row]) -> list[Any]:
        outcomes: list[Any] = []
        for row in rows:
            location = run.pk_of("locations", row["location_id"])
            if row["location_id"] is not None and location is None:
                outcomes.append(_missing("location", row["location_id"]))
                continue
            name = (row["name"] or "").strip() or f"Imported factory {row['id']}"
            factory = Factory(name=name, location_id=location, sprocket_production_goal=row["sprocket_production_goal"])
            problem = check(factory, exclude=["location"])
            outcomes.append(problem or Imported(factory, times=_times(row)))
        return outcomes

    def convert_sprockets(rows: list[Row]) -> list[Any]:
        outcomes: list[Any] = []
        for row in rows:
            factory = run.pk_of("factories", row["factory_id"])
            sprocket_type = run.pk_of("sprocket_types", row["sprocket_type_id"])
            if factory is None:
                outcomes.append(_missing("factory", row["factory_id"]))
                continue
            if sprocket_type is None:
                outcomes.append(_missing("sprocket type", row["sprocket_type_id"]))
                continue
            times = _times(row)
            sprocket = Sprocket(
                name=row["name"] or "",
                factory_id=factory,
                sprocket_type_id=sprocket_type,
                produced_at=times.get("created_at") or run.report.started_at,
            )
            problem = check(sprocket, exclude=["factory", "sprocket_type"])
            outcomes.append(problem or Imported(sprocket, times=times))
        return outcomes

    def convert_history(rows: list[Row]) -> list[Any]:
        outcomes: list[Any] = []
        for row in rows:
            factory = run.pk_of("factories", row["factory_id"])
            if factory is None:
                outcomes.append(_missing("factory", row["factory_id"]))
                continue
            time = from_unix(row["sprocket_production_timestamp"])
            if time is None:
                outcomes.append(Skipped(f"time: {row['sprocket_production_timestamp']!r} is not unix seconds"))
                continue
            entry = FactoryChartEntry(
                factory_id=factory,
                time=time,
                sprocket_production_goal=row["sprocket_production_goal"],
                sprocket_production_actual=row["sprocket_production_actual"],
            )
            problem = check(entry, exclude=["factory"])
            outcomes.append(problem or Imported(entry))
        return outcomes

    def invalidate(instances: list[Any]) -> None:
        factory_cache_invalidate()

    return [
        Table("locations", Location, convert_locations, after_write=after_locations),
        Table("sprocket_types", SprocketType, convert_types, after_write=after_types),
        Table("factories", Factory, convert_factories, after_write=invalidate),
        Table("sprockets", Sprocket, convert_sprockets, keep_ids=False),
        Table("factories_histories", FactoryChartEntry, convert_history, keep_ids=False, after_write=invalidate),
    ]


@transaction.atomic
def finish(run: Run) -> None:
    """Each imported factory's actual count is its sprockets (the old service derived it the same way)."""
    # object_id is text (ours are UUIDs or integers): the ids are read, not joined.
    factory_ids = [
        int(pk)
        for pk in LegacyRecord.objects.filter(source=SOURCE, table="factories").values_list("object_id", flat=True)
    ]
    per_factory = (
        Sprocket.objects.filter(factory=OuterRef("pk")).order_by().values("factory").annotate(n=Count("pk")).values("n")
    )
    updated = Factory.objects.filter(pk__in=factory_ids).update(
        sprocket_production_actual=Coalesce(Subquery(per_factory), Value(0))
    )
    run.report.notes.append(f"factories: sprocket_production_actual recomputed for {updated} factories")
    factory_cache_invalidate()
