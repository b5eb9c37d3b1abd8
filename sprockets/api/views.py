"""Thin viewsets: rows come from sprockets.selectors (via `scoped_queryset`), writes go through sprockets.services."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from config.api.datetimes import OFFSET_RULE
from config.api.filters import given_parameters
from config.api.idempotency import IdempotentCreateMixin
from config.api.permissions import ReadAuthenticatedWriteAdmin, ReadCreateAuthenticatedChangeAdmin
from config.api.viewsets import ScopedModelViewSet
from sprockets import charts, selectors, services
from sprockets.charts import CHART_MAX_POINTS, CHART_POINTS_DEFAULT, CHART_POINTS_MAX, TooManyChartPoints
from sprockets.filters import FactoryFilter, LocationFilter, SprocketFilter, SprocketTypeFilter
from sprockets.models import Factory, Location, Sprocket, SprocketType

from .serializers import (
    ChartDataSerializer,
    ChartQuerySerializer,
    FactoryChartOptionsSerializer,
    FactorySerializer,
    FactoryWithChartSerializer,
    LocationSerializer,
    SprocketSerializer,
    SprocketTypeSerializer,
)

WITH_CHART_DATA = OpenApiParameter(
    name="with_chart_data",
    type=OpenApiTypes.BOOL,
    description=(
        "true: add `chart_data` to each factory: its newest `chart_points` points as goal, actual and "
        "unix time arrays, oldest first, and `total_points`, how many it has in all."
    ),
)
CHART_POINTS = OpenApiParameter(
    name="chart_points",
    type=OpenApiTypes.INT,
    description=(
        f"With `with_chart_data`: how many of the newest points (1..{CHART_POINTS_MAX}, default "
        f"{CHART_POINTS_DEFAULT}). The whole history is at `/factories/{{id}}/chart/`."
    ),
)

MOMENT_DESCRIPTION = f"ISO 8601 or unix seconds (inclusive); {OFFSET_RULE}"


class LocationViewSet(ScopedModelViewSet):
    """Locations: any signed-in user reads them, admins write them; the postal code is unique."""

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


class SprocketTypeViewSet(ScopedModelViewSet):
    """Sprocket types: any signed-in user reads them, admins write them."""

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


@extend_schema_view(
    list=extend_schema(parameters=[WITH_CHART_DATA, CHART_POINTS], responses=FactoryWithChartSerializer(many=True)),
    retrieve=extend_schema(parameters=[WITH_CHART_DATA, CHART_POINTS], responses=FactoryWithChartSerializer),
)
class FactoryViewSet(ScopedModelViewSet):
    """Factories; `?with_chart_data=true` adds each one's chart, read for the whole page in one query."""

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

    def scoped_queryset(self, user: Any) -> QuerySet[Factory]:
        return selectors.factory_list(user=user)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        # Validated before any query: a junk flag or point count is a 400 naming it.
        self.chart_options = {"with_chart_data": False}
        if self.action in ("list", "retrieve"):
            options = FactoryChartOptionsSerializer(data=given_parameters(request))
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

    @extend_schema(
        parameters=[
            OpenApiParameter("since", OpenApiTypes.STR, description=MOMENT_DESCRIPTION),
            OpenApiParameter("until", OpenApiTypes.STR, description=MOMENT_DESCRIPTION),
            OpenApiParameter("bucket", OpenApiTypes.STR, enum=list(charts.BUCKETS)),
        ],
        responses=ChartDataSerializer,
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def chart(self, request: Request, pk: str | None = None) -> Response:
        """The factory's chart over a range; with `bucket`, the last point of each minute/hour/day (UTC).

        At most 10,000 points per answer: a larger range is a 400 asking to narrow it or to bucket it.
        """
        factory = self.get_object()
        query = ChartQuerySerializer(data=given_parameters(request))
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


class SprocketViewSet(IdempotentCreateMixin, ScopedModelViewSet):
    """Any signed-in user reads and creates sprockets (`Idempotency-Key` honoured); admins change them."""

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
