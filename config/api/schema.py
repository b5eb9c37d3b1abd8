"""The OpenAPI document, built once per process.

Building it walks every view and serializer (seconds of CPU for this API), and the endpoint is
public: uncached, anyone could keep workers busy by asking for it. The document only changes
with the code, and a deploy starts new processes, so a per-process memo is never stale.
"""

import threading
from typing import Any, ClassVar

from django.utils import translation
from drf_spectacular.views import SpectacularAPIView
from rest_framework.request import Request
from rest_framework.response import Response


class CachedSpectacularAPIView(SpectacularAPIView):
    _schemas: ClassVar[dict[tuple[Any, ...], dict]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

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
