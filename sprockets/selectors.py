"""Reads for the sprockets app: ordered querysets. The chart's reads are in sprockets.charts.

Sprockets data is not owned: every signed-in user reads all of it (the views' permission classes
keep anonymous callers out), so each `<entity>_list(*, user)` takes the caller for the same shape
as the other apps' selectors and does not narrow by it.
"""

from typing import Any

from django.db.models import QuerySet

from .models import Factory, Location, Sprocket, SprocketType


def location_list(*, user: Any) -> QuerySet[Location]:
    return Location.objects.order_by("id")


def sprocket_type_list(*, user: Any) -> QuerySet[SprocketType]:
    return SprocketType.objects.order_by("id")


def factory_list(*, user: Any) -> QuerySet[Factory]:
    return Factory.objects.select_related("location").order_by("id")


def sprocket_list(*, user: Any) -> QuerySet[Sprocket]:
    return Sprocket.objects.order_by("id")
