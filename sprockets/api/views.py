"""Thin viewsets: rows come from sprockets.selectors (via `scoped_queryset`), writes go through sprockets.services."""

from typing import Any

from django.db.models import QuerySet
from rest_framework.decorators import action
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from config.api.cached_views import CachedReadMixin
from config.api.filters import given_parameters
from config.api.idempotency import IdempotentCreateMixin
from config.api.openapi import documented
from config.api.permissions import ReadAuthenticatedWriteAdmin, ReadCreateAuthenticatedChangeAdmin
from config.api.viewsets import ScopedModelViewSet
from sprockets import charts, selectors, services
from sprockets.caching import FACTORY_CACHE_NAMESPACE, FACTORY_CACHE_SECONDS
from sprockets.charts import CHART_MAX_POINTS, TooManyChartPoints
from sprockets.filters import FactoryFilter, LocationFilter, SprocketFilter, SprocketTypeFilter
from sprockets.models import Factory, Location, Sprocket, SprocketType

from . import schema
from .serializers import (
    ChartQuerySerializer,
    FactoryChartOptionsSerializer,
    FactorySerializer,
    LocationSerializer,
    SprocketSerializer,
    SprocketTypeSerializer,
)


@documented("Locations", **schema.LOCATIONS)
class LocationViewSet(ScopedModelViewSet):
    """Where factories are. Any signed-in user reads them; only an admin writes them. The postal code is unique."""

    serializer_class = LocationSerializer
    permission_classes = [ReadAuthenticatedWriteAdmin]
    filterset_class = LocationFilter
    search_fields = ["name", "address_1", "address_2", "city", "state", "postal_code"]
    ordering_fields = ["id", "name", "city", "state", "postal_code", "country_code", "created_at", "updated_at"]
    ordering = ["id"]

    def scoped_queryset(self, user: Any) -> QuerySet[Location]:
        return selectors.location_list(user=user)

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.location_create(**serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.location_update(location=serializer.instance, data=serializer.validated_data)

    def perform_destroy(self, instance: Location) -> None:
        services.location_delete(location=instance)


@documented("Sprocket types", **schema.SPROCKET_TYPES)
class SprocketTypeViewSet(ScopedModelViewSet):
    """Sprocket types: teeth, pitch and diameters. Any signed-in user reads them; only an admin writes them."""

    serializer_class = SprocketTypeSerializer
    permission_classes = [ReadAuthenticatedWriteAdmin]
    filterset_class = SprocketTypeFilter
    search_fields = ["name"]
    ordering_fields = [
        "id",
        "name",
        "teeth",
        "pitch_diameter",
        "outside_diameter",
        "pitch",
        "created_at",
        "updated_at",
    ]
    ordering = ["id"]

    def scoped_queryset(self, user: Any) -> QuerySet[SprocketType]:
        return selectors.sprocket_type_list(user=user)

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.sprocket_type_create(**serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.sprocket_type_update(
            sprocket_type=serializer.instance, data=serializer.validated_data
        )

    def perform_destroy(self, instance: SprocketType) -> None:
        services.sprocket_type_delete(sprocket_type=instance)


# `?with_chart_data=true` reads the chart of the whole page in one query (get_serializer). The list
# is answered from the cache (sprockets.signals drops it on any factory, location or chart write);
# a detail is not, as its key would need the chart options too and it is one factory's query.
@documented("Factories", **schema.FACTORIES)
class FactoryViewSet(CachedReadMixin, ScopedModelViewSet):
    """Factories, their production goal and counter. Any signed-in user reads them; only an admin writes them.

    `?with_chart_data=true` adds each factory's newest production chart points; `/factories/{id}/chart/`
    has its whole history.
    """

    serializer_class = FactorySerializer
    permission_classes = [ReadAuthenticatedWriteAdmin]
    filterset_class = FactoryFilter
    search_fields = ["name"]
    ordering_fields = [
        "id",
        "name",
        "created_at",
        "updated_at",
        "sprocket_production_goal",
        "sprocket_production_actual",
    ]
    ordering = ["id"]
    # The same answer for every signed-in user: the viewer is not in the key.
    cache_timeout = FACTORY_CACHE_SECONDS
    cache_retrieve = False

    def cache_namespace_for(self, request: Request) -> str:
        return FACTORY_CACHE_NAMESPACE

    def extra_list_parameters(self, request: Request) -> list[tuple[str, str]]:
        if not self.chart_options.get("with_chart_data"):
            return []  # chart_points alone changes nothing (it was validated in initial())
        return [("chart_points", str(self.chart_options["chart_points"])), ("with_chart_data", "true")]

    def scoped_queryset(self, user: Any) -> QuerySet[Factory]:
        return selectors.factory_list(user=user)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        # Validated before any query: a junk flag or point count is a 400 naming it.
        self.chart_options = {"with_chart_data": False}
        if self.action in ("list", "retrieve"):
            options = FactoryChartOptionsSerializer(data=given_parameters(request, FactoryChartOptionsSerializer))
            options.is_valid(raise_exception=True)
            self.chart_options = options.validated_data

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        if getattr(self, "chart_options", {}).get("with_chart_data") and args:
            factories = args[0] if kwargs.get("many") else [args[0]]
            context = self.get_serializer_context()
            context["chart_data"] = charts.factory_chart_data_map(
                factory_ids=[f.pk for f in factories], points=self.chart_options["chart_points"]
            )
            kwargs["context"] = context
        return super().get_serializer(*args, **kwargs)

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.factory_create(**serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.factory_update(factory=serializer.instance, data=serializer.validated_data)

    def perform_destroy(self, instance: Factory) -> None:
        services.factory_delete(factory=instance)

    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def chart(self, request: Request, pk: str | None = None) -> Response:
        """The factory's chart over a range; with `bucket`, the last point of each minute, hour or day (UTC)."""
        factory = self.get_object()
        query = ChartQuerySerializer(data=given_parameters(request, ChartQuerySerializer))
        query.is_valid(raise_exception=True)
        try:
            return Response(charts.factory_chart_data(factory_id=factory.pk, **query.validated_data))
        except TooManyChartPoints:
            raise ValidationError(
                {
                    api_settings.NON_FIELD_ERRORS_KEY: [
                        ErrorDetail(
                            f"This range holds more than {CHART_MAX_POINTS} points: narrow it with since/until, "
                            "or pick a coarser bucket (minute, hour, day).",
                            code="too_many_points",
                        )
                    ]
                }
            ) from None


@documented("Sprockets", **schema.SPROCKETS)
class SprocketViewSet(IdempotentCreateMixin, ScopedModelViewSet):
    """Produced sprockets. Any signed-in user reads and creates them (an `Idempotency-Key` header makes a
    create safe to retry); only an admin changes or deletes them."""

    created_model = Sprocket

    serializer_class = SprocketSerializer
    permission_classes = [ReadCreateAuthenticatedChangeAdmin]
    filterset_class = SprocketFilter
    search_fields = ["name"]
    ordering_fields = ["id", "name", "produced_at", "created_at", "updated_at"]
    ordering = ["id"]

    def scoped_queryset(self, user: Any) -> QuerySet[Sprocket]:
        return selectors.sprocket_list(user=user)

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.sprocket_create(**serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.sprocket_update(sprocket=serializer.instance, data=serializer.validated_data)

    def perform_destroy(self, instance: Sprocket) -> None:
        services.sprocket_delete(sprocket=instance)
