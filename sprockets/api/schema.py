"""OpenAPI for the sprockets app: query parameters, summaries, descriptions and examples of each
operation (views.py applies them with `config.api.openapi.documented`)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema

from config.api.datetimes import OFFSET_RULE
from sprockets import charts
from sprockets.charts import CHART_MAX_POINTS, CHART_POINTS_DEFAULT, CHART_POINTS_MAX

from .serializers import ChartDataSerializer, FactoryWithChartSerializer

# The OpenAPI tags of this app's operations, in order (collected by config.api.openapi.postprocess_tags).
TAGS = [
    {
        "name": "Locations",
        "description": "Where factories are: any signed-in user reads them, admins write them.",
    },
    {
        "name": "Sprocket types",
        "description": "Teeth, pitch and diameters of sprockets: signed-in users read them, admins write them.",
    },
    {
        "name": "Factories",
        "description": "Factories, their production goal and counter, and their production chart.",
    },
    {
        "name": "Sprockets",
        "description": "Produced sprockets: each one counts towards its factory's production.",
    },
]


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

LOCATION = {
    "id": 3,
    "name": "Riverside works",
    "address_1": "1 Mill Lane",
    "address_2": "",
    "city": "Springfield",
    "state": "IL",
    "postal_code": "62701",
    "country_code": "US",
    "created_at": "2025-03-01T08:00:00Z",
    "updated_at": "2025-03-01T08:00:00Z",
}
CHART_DATA = {
    "sprocket_production_actual": [0, 12, 31],
    "sprocket_production_goal": [40, 40, 40],
    "time": [1741852800, 1741856400, 1741860000],
    "total_points": 3,
}
FACTORY_WITH_CHART = {
    "id": 7,
    "name": "Riverside works",
    "location": 3,
    "location_detail": LOCATION,
    "sprocket_production_goal": 40,
    "sprocket_production_actual": 31,
    "created_at": "2025-03-13T08:00:00Z",
    "updated_at": "2025-03-13T10:00:00Z",
    "chart_data": CHART_DATA,
}
SPROCKET = {
    "id": 1024,
    "name": "SP-20T",
    "factory": 7,
    "sprocket_type": 2,
    "produced_at": "2025-03-13T10:00:00Z",
    "created_at": "2025-03-13T10:00:01Z",
    "updated_at": "2025-03-13T10:00:01Z",
}
CHART_EXAMPLE = OpenApiExample("With chart data", response_only=True, status_codes=["200"], value=FACTORY_WITH_CHART)

LOCATIONS = {
    "destroy": extend_schema(description="Admin only. A location a factory is still at is a 409 naming it."),
}
SPROCKET_TYPES = {
    "destroy": extend_schema(description="Admin only. A type sprockets still use is a 409 naming them."),
}
FACTORIES = {
    "list": extend_schema(
        description=(
            "A page of factories with their production goal and counter. `?with_chart_data=true` adds each "
            "one's newest chart points (`chart_points`, default "
            f"{CHART_POINTS_DEFAULT}); filter by `location`, search the name."
        ),
        parameters=[WITH_CHART_DATA, CHART_POINTS],
        responses=FactoryWithChartSerializer(many=True),
        examples=[CHART_EXAMPLE],
    ),
    "retrieve": extend_schema(
        description="One factory; `?with_chart_data=true` adds its newest chart points.",
        parameters=[WITH_CHART_DATA, CHART_POINTS],
        responses=FactoryWithChartSerializer,
        examples=[CHART_EXAMPLE],
    ),
    "create": extend_schema(
        description=(
            "Admin only. `sprocket_production_actual` starts at 0 and counts the factory's sprockets; the "
            "first chart point is recorded now."
        )
    ),
    "destroy": extend_schema(description="Admin only. A factory that still has sprockets is a 409."),
    "chart": extend_schema(
        summary="Get a factory's production chart",
        description=(
            "The factory's goal and actual over time, oldest first, for a range (`since`, `until`); with "
            "`bucket`, the last point of each minute, hour or day (UTC). At most "
            f"{CHART_MAX_POINTS:,} points per answer: a larger range is a 400 asking to narrow it or to bucket it."
        ),
        parameters=[
            OpenApiParameter("since", OpenApiTypes.STR, description=MOMENT_DESCRIPTION),
            OpenApiParameter("until", OpenApiTypes.STR, description=MOMENT_DESCRIPTION),
            OpenApiParameter("bucket", OpenApiTypes.STR, enum=list(charts.BUCKETS)),
        ],
        responses=ChartDataSerializer,
        examples=[OpenApiExample("Chart", response_only=True, status_codes=["200"], value=CHART_DATA)],
    ),
}
SPROCKETS = {
    "create": extend_schema(
        description=(
            "Records a produced sprocket; its factory's `sprocket_production_actual` goes up by one. "
            "`produced_at` defaults to now. Send an `Idempotency-Key` header to make a retry safe: the "
            "same key and body within 24 hours returns the first answer and creates nothing."
        ),
        examples=[
            OpenApiExample(
                "New sprocket",
                request_only=True,
                value={"name": "SP-20T", "factory": 7, "sprocket_type": 2, "produced_at": "2025-03-13T10:00:00Z"},
            ),
            OpenApiExample("Created", response_only=True, status_codes=["201"], value=SPROCKET),
        ],
    ),
    "update": extend_schema(
        description="Admin only. Full replacement; moving a sprocket to another factory moves its count too."
    ),
    "partial_update": extend_schema(
        description="Admin only. Changes the fields sent; moving a sprocket to another factory moves its count too."
    ),
    "destroy": extend_schema(description="Admin only. Its factory's `sprocket_production_actual` goes down by one."),
}
