"""Reads for the sprockets app: ordered querysets. The chart's reads are in sprockets.charts."""

from django.db.models import QuerySet

from .models import Factory, Location, Sprocket, SprocketType


def location_list() -> QuerySet[Location]:
    return Location.objects.order_by("id")


def sprocket_type_list() -> QuerySet[SprocketType]:
    return SprocketType.objects.order_by("id")


def factory_list() -> QuerySet[Factory]:
    return Factory.objects.select_related("location").order_by("id")


def sprocket_list() -> QuerySet[Sprocket]:
    return Sprocket.objects.order_by("id")
