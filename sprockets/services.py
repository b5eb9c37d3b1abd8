"""Writes for locations, sprocket types, factories and sprockets. Each is atomic and validates first.

The production counter (`Factory.sprocket_production_actual`) is only ever changed by
`_change_actual`: an `UPDATE ... SET actual = actual + delta` (no read-modify-write in Python, so
concurrent requests never lose an update), then a re-read of the row inside the same transaction
(the UPDATE holds the row lock until commit, so the value read is the one that will be committed),
then the `production_changed` signal, whose receiver in sprockets.charts records the chart entry
in the same transaction.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from config.api.exceptions import field_errors
from config.api.idempotency import forget_answers
from config.api.services import assign_fields, ensure_unique, lock_for_update, validate_and_save

from .charts import production_changed
from .models import POSTAL_CODE_TAKEN, Factory, Location, Sprocket, SprocketType

LOCATION_FIELDS = ("name", "address_1", "address_2", "city", "state", "postal_code", "country_code")
SPROCKET_TYPE_FIELDS = ("name", "teeth", "pitch_diameter", "outside_diameter", "pitch")
FACTORY_FIELDS = ("name", "location", "sprocket_production_goal")
SPROCKET_FIELDS = ("name", "factory", "sprocket_type", "produced_at")


# --- Locations ------------------------------------------------------------------------------
def _validate_and_save_location(location: Location) -> Location:
    """A postal code another location has is a 400 on `postal_code`; the model checks the rest."""
    ensure_unique(location, among=Location.objects.all(), messages={"postal_code": POSTAL_CODE_TAKEN})
    return validate_and_save(location)


@transaction.atomic
def location_create(
    *,
    address_1: str,
    city: str,
    postal_code: str,
    country_code: str,
    name: str = "",
    address_2: str = "",
    state: str = "",
) -> Location:
    """The country code may be in any letter case: the model stores it upper case."""
    return _validate_and_save_location(
        Location(
            name=name,
            address_1=address_1,
            address_2=address_2,
            city=city,
            state=state,
            postal_code=postal_code,
            country_code=country_code,
        )
    )


@transaction.atomic
def location_update(*, location: Location, data: dict[str, Any]) -> Location:
    location = lock_for_update(Location.objects.all(), location.pk)
    assign_fields(location, data, LOCATION_FIELDS)
    return _validate_and_save_location(location)


@transaction.atomic
def location_delete(*, location: Location) -> None:
    """A location still used by a factory is protected (ProtectedError -> 409)."""
    lock_for_update(Location.objects.all(), location.pk).delete()


# --- Sprocket types -------------------------------------------------------------------------
@transaction.atomic
def sprocket_type_create(
    *, teeth: int, pitch_diameter: Decimal, outside_diameter: Decimal, pitch: Decimal, name: str = ""
) -> SprocketType:
    return validate_and_save(
        SprocketType(
            name=name, teeth=teeth, pitch_diameter=pitch_diameter, outside_diameter=outside_diameter, pitch=pitch
        )
    )


@transaction.atomic
def sprocket_type_update(*, sprocket_type: SprocketType, data: dict[str, Any]) -> SprocketType:
    """A change of one diameter is checked against the stored other (SprocketType.clean)."""
    sprocket_type = lock_for_update(SprocketType.objects.all(), sprocket_type.pk)
    assign_fields(sprocket_type, data, SPROCKET_TYPE_FIELDS)
    return validate_and_save(sprocket_type)


@transaction.atomic
def sprocket_type_delete(*, sprocket_type: SprocketType) -> None:
    """A sprocket type still used by a sprocket is protected (ProtectedError -> 409)."""
    lock_for_update(SprocketType.objects.all(), sprocket_type.pk).delete()


# --- Factories ------------------------------------------------------------------------------
@transaction.atomic
def factory_create(*, name: str, location: Location | None = None, sprocket_production_goal: int = 0) -> Factory:
    """The first chart point (goal, actual 0) is recorded by the post_save signal."""
    return validate_and_save(Factory(name=name, location=location, sprocket_production_goal=sprocket_production_goal))


@transaction.atomic
def factory_update(*, factory: Factory, data: dict[str, Any]) -> Factory:
    """A goal change records a chart point; a rename or a move to another location does not.

    The row is locked from the re-read to the commit, so the point carries the actual counter as
    it is at this commit, and the save writes back the very counter it read: a concurrent
    `_change_actual` waits for the lock and then adds to the committed value, losing nothing.
    """
    factory = lock_for_update(Factory.objects.all(), factory.pk)
    old_goal = factory.sprocket_production_goal
    assign_fields(factory, data, FACTORY_FIELDS)
    validate_and_save(factory)
    if factory.sprocket_production_goal != old_goal:
        _announce_production(
            factory_id=factory.pk, goal=factory.sprocket_production_goal, actual=factory.sprocket_production_actual
        )
    return factory


@transaction.atomic
def factory_delete(*, factory: Factory) -> None:
    """Its chart history goes with it; a factory that still has sprockets is protected (409)."""
    lock_for_update(Factory.objects.all(), factory.pk).delete()


def _change_actual(*, factory_id: int, delta: int) -> None:
    """Add `delta` to the factory's counter in the database, then record the committed value."""
    updated = Factory.objects.filter(pk=factory_id).update(
        # Greatest(): a counter that was already 0 (history imported without its sprockets) stays 0.
        sprocket_production_actual=Greatest(F("sprocket_production_actual") + delta, Value(0)),
        updated_at=timezone.now(),
    )
    if not updated:
        raise field_errors("does_not_exist", factory="This factory does not exist.")
    # The UPDATE above holds the row lock until commit: this re-read is the value that commits.
    goal, actual = Factory.objects.filter(pk=factory_id).values_list(
        "sprocket_production_goal", "sprocket_production_actual"
    )[0]
    _announce_production(factory_id=factory_id, goal=goal, actual=actual)


def _announce_production(*, factory_id: int, goal: int, actual: int) -> None:
    """The one place that sends `production_changed` (a goal or counter changed, inside the write's
    transaction, with the values it will commit); its receiver, `sprockets.charts.on_production_changed`,
    records the chart entry (the design keeps the chart signal-driven)."""
    production_changed.send(sender=Factory, factory_id=factory_id, goal=goal, actual=actual)


def _change_actuals(deltas: dict[int, int]) -> None:
    # Lock rows in id order so two opposite moves cannot deadlock.
    for factory_id in sorted(deltas):
        if deltas[factory_id]:
            _change_actual(factory_id=factory_id, delta=deltas[factory_id])


# --- Sprockets ------------------------------------------------------------------------------
@transaction.atomic
def sprocket_create(
    *,
    factory: Factory,
    sprocket_type: SprocketType,
    name: str = "",
    produced_at: datetime | None = None,
) -> Sprocket:
    """Adds one to the factory's counter and records a chart point, in this transaction."""
    sprocket = validate_and_save(
        Sprocket(name=name, factory=factory, sprocket_type=sprocket_type, produced_at=produced_at or timezone.now())
    )
    _change_actual(factory_id=factory.pk, delta=1)
    return sprocket


@transaction.atomic
def sprocket_update(*, sprocket: Sprocket, data: dict[str, Any]) -> Sprocket:
    """Moving a sprocket to another factory moves its 1: a chart point for each factory."""
    sprocket = lock_for_update(Sprocket.objects.all(), sprocket.pk)
    old_factory_id = sprocket.factory_id
    assign_fields(sprocket, data, SPROCKET_FIELDS)
    if sprocket.produced_at is None:
        sprocket.produced_at = timezone.now()
    validate_and_save(sprocket)
    if sprocket.factory_id != old_factory_id:
        _change_actuals({old_factory_id: -1, sprocket.factory_id: 1})
    return sprocket


@transaction.atomic
def sprocket_delete(*, sprocket: Sprocket) -> None:
    """Takes one from the factory's counter and records a chart point.

    The lock makes the decrement happen once: a second, concurrent delete of the same sprocket
    waits for the first to commit, then finds no row (404) and leaves the counter alone.
    """
    sprocket = lock_for_update(Sprocket.objects.all(), sprocket.pk)
    factory_id = sprocket.factory_id
    forget_answers(Sprocket, [sprocket.pk])
    sprocket.delete()
    _change_actual(factory_id=factory_id, delta=-1)
