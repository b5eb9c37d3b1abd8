"""Liveness, readiness and metrics endpoints for operators and load balancers."""

import hmac
import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django_prometheus.exports import ExportToDjangoView
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .exceptions import error_body
from .filters import given_parameters
from .renderers import JsonResponse

logger = logging.getLogger(__name__)


class _OperationsView(APIView):
    """No authentication, no throttling: probes must never be refused or touch the user table."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes: list = []


class HealthView(_OperationsView):
    """Liveness: 200 while the process answers. Touches neither the database nor the cache."""

    error_statuses = {"503": False}  # touches neither the database nor the cache

    @extend_schema(
        tags=["Operations"],
        summary="Liveness",
        description='200 `{"status": "ok"}` while the process answers; it checks nothing else.',
        responses=inline_serializer("Health", {"status": serializers.CharField()}),
    )
    def get(self, request: Request) -> Response:
        return Response({"status": "ok"})


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("Readiness: database check failed")
        return False


def _cache_ok() -> bool:
    # django-redis swallows connection errors (IGNORE_EXCEPTIONS), so a write that cannot be
    # read back is how an outage shows.
    probe_key = f"ready-probe:{uuid.uuid4().hex}"
    try:
        cache.set(probe_key, "1", timeout=10)
        ok = cache.get(probe_key) == "1"
        cache.delete(probe_key)
        return ok
    except Exception:
        logger.exception("Readiness: cache check failed")
        return False


READINESS_CHECKS = {"database": _database_ok, "cache": _cache_ok}


class ReadinessQuerySerializer(serializers.Serializer):
    checks = serializers.CharField(
        required=False,
        allow_blank=True,  # `?checks=%20` gets the message naming the choices, as any junk does
        help_text="Comma-separated checks to run (`database`, `cache`); all of them when not given. "
        "A Kubernetes readiness probe asks for `database` only: without Redis the service still "
        "answers (more slowly), so a Redis outage must not take every instance out of the load balancer.",
    )

    def validate_checks(self, value: str) -> list[str]:
        names = list(dict.fromkeys(name.strip() for name in value.split(",") if name.strip()))
        unknown = [name for name in names if name not in READINESS_CHECKS]
        if unknown or not names:
            named = ", ".join(map(repr, unknown)) or repr(value)
            raise serializers.ValidationError(f"Unknown check {named}: choose from {', '.join(READINESS_CHECKS)}.")
        return names


READINESS = inline_serializer(
    "Readiness",
    {"status": serializers.CharField(), "checks": serializers.DictField(child=serializers.CharField())},
)


class ReadyView(_OperationsView):
    """Readiness: 200 when the database and the cache answer, 503 naming the check that failed."""

    @extend_schema(
        tags=["Operations"],
        summary="Readiness",
        description="200 when the database and the cache both answer (or the checks named in `checks`); "
        "a 503 marks the failed check `error`. A load balancer sends traffic only to an instance that is ready.",
        parameters=[ReadinessQuerySerializer],
        responses={
            200: READINESS,
            503: OpenApiResponse(READINESS, description="A check failed: it is marked `error`."),
        },
    )
    def get(self, request: Request) -> Response:
        query = ReadinessQuerySerializer(data=given_parameters(request, ReadinessQuerySerializer))
        query.is_valid(raise_exception=True)
        names = query.validated_data.get("checks") or list(READINESS_CHECKS)
        checks = {name: "ok" if READINESS_CHECKS[name]() else "error" for name in names}
        healthy = all(value == "ok" for value in checks.values())
        return Response({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)


@csrf_exempt  # a POST must be the 405 below, not Django's HTML CSRF page
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus text format, summed over gunicorn workers (multiprocess mode, see gunicorn.conf.py)."""
    if request.method not in ("GET", "HEAD"):
        response = JsonResponse(
            error_body(405, "method_not_allowed", f'Method "{request.method}" not allowed.'), status=405
        )
        response["Allow"] = "GET, HEAD"
        return response
    token = settings.METRICS_TOKEN
    # Where a token is required and none is set (start-up refuses that), nothing opens /metrics.
    if token or settings.METRICS_TOKEN_REQUIRED:
        supplied = request.headers.get("Authorization", "")
        if not token or not hmac.compare_digest(supplied.encode(), f"Bearer {token}".encode()):
            response = JsonResponse(
                error_body(401, "not_authenticated", "A valid metrics bearer token is required."), status=401
            )
            response["WWW-Authenticate"] = "Bearer"
            return response
    return ExportToDjangoView(request)
