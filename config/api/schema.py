"""The OpenAPI document, built once per process.

Building it walks every view and serializer (seconds of CPU for this API), and the endpoint is
public: uncached, anyone could keep workers busy by asking for it. The document only changes
with the code, and a deploy starts new processes, so a per-process memo is never stale.
"""

import threading
from typing import Any, ClassVar

from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.request import Request
from rest_framework.response import Response


class CachedSpectacularAPIView(SpectacularAPIView):
    """The OpenAPI 3 description of this API (YAML; JSON with `?format=json`)."""

    error_statuses: ClassVar[dict[str, bool]] = {"503": False}  # built from the code; no database
    _schemas: ClassVar[dict[tuple[Any, ...], dict]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    @extend_schema(
        tags=["Operations"],
        summary="This OpenAPI document",
        description="The OpenAPI 3 description of this API: YAML, or JSON with `?format=json` (or "
        "`Accept: application/vnd.oai.openapi+json`). Swagger UI is at `/api/v1/docs/`, ReDoc at "
        "`/api/v1/redoc/`.",
        # `?lang=` still works; listing every language Django knows is noise, and each builds a document.
        parameters=[OpenApiParameter("lang", exclude=True)],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def _get_schema_response(self, request: Request) -> Response:
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (version, translation.get_language(), self.serve_public, str(self.urlconf))
        schema = self._schemas.get(key)
        if schema is None:
            with self._lock:  # concurrent first requests build it once
                schema = self._schemas.get(key)
                if schema is None:
                    generator = self.generator_class(urlconf=self.urlconf, api_version=version, patterns=self.patterns)
                    schema = generator.get_schema(request=request, public=self.serve_public)
                    self._schemas[key] = schema
        return Response(
            data=schema,
            headers={"Content-Disposition": f'inline; filename="{self._get_filename(request, version)}"'},
        )
