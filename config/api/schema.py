"""The OpenAPI document, built once per process and configured language.

Building it walks every view and serializer (seconds of CPU for this API), and the endpoint is
public: uncached, anyone could keep workers busy by asking for it. The document only changes
with the code, and a deploy starts new processes, so a per-process memo is never stale.

The memo is keyed only by what the server configures, never by what a client sends: `?lang=` is
one of `settings.LANGUAGES` (any spelling or regional variant of one, e.g. `en-GB` is `en`) or a
400, and `?version=` is not read (the version is in the path). A key per client-chosen string
would build and keep one more document per new value: a request-priced memory leak.
"""

import functools
import threading
from pathlib import Path
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.filters import refuse_repeated
from config.api.renderers import JSONRenderer


def configured_language(requested: str) -> str:
    """The configured language `requested` names (`EN-gb` -> `en`), or a 400 on `lang`."""
    try:
        return translation.get_supported_language_variant(requested.strip().lower())
    except LookupError:
        languages = ", ".join(translation.get_supported_language_variant(code) for code, _ in settings.LANGUAGES)
        raise ValidationError(
            {"lang": [f"Unknown language {requested[:32]!r}; this document exists in: {languages}."]},
            code="invalid_choice",
        ) from None


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
        # `?lang=` still works (a configured language, else a 400); it is English only today.
        parameters=[OpenApiParameter("lang", exclude=True)],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        refuse_repeated(request.query_params, ["lang"])
        requested = request.query_params.get("lang")
        if requested:
            configured_language(requested)  # an unknown language is a 400 before anything is built
        return super().get(request, *args, **kwargs)

    def handle_exception(self, exc: Exception) -> Response:
        """Errors in JSON, as everywhere under /api/ (this view's renderers would write them as YAML)."""
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response

    def _get_version_parameter(self, request: Request) -> str | None:
        """No `?version=`: the API's version is its path (`/api/v1/`), the document's is SPECTACULAR_SETTINGS'."""
        return None

    def _get_schema_response(self, request: Request) -> Response:
        version = self.api_version or request.version or self._get_version_parameter(request)
        # The library activated `?lang=` as sent; the key (and the build) use the configured language it names.
        language = configured_language(translation.get_language() or "")
        key = (version, language, self.serve_public, str(self.urlconf))
        schema = self._schemas.get(key)
        if schema is None:
            with self._lock, translation.override(language):  # concurrent first requests build it once
                schema = self._schemas.get(key)
                if schema is None:
                    generator = self.generator_class(urlconf=self.urlconf, api_version=version, patterns=self.patterns)
                    schema = generator.get_schema(request=request, public=self.serve_public)
                    self._schemas[key] = schema
        return Response(
            data=schema,
            headers={"Content-Disposition": f'inline; filename="{self._get_filename(request, version)}"'},
        )


# ReDoc's sidebar footer shows its vendor's logo from cdn.redoc.ly: the Content-Security-Policy
# (img-src 'self' data:) blocks it, which is an error in the console of every visit. The page loads
# the sidecar's bundle through redoc_bundle() instead, with that one URL replaced by an empty image.
REDOC_BUNDLE = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
REDOC_LOGO_URL = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
EMPTY_IMAGE = b"data:image/svg+xml,%3Csvg xmlns=%27http://www.w3.org/2000/svg%27/%3E"


@functools.cache
def _redoc_bundle() -> bytes:
    found = finders.find(REDOC_BUNDLE)
    if not isinstance(found, str):
        raise ImproperlyConfigured(f"{REDOC_BUNDLE} not found: is drf_spectacular_sidecar installed?")
    source = Path(found).read_bytes()
    if REDOC_LOGO_URL not in source:
        raise ImproperlyConfigured(f"{REDOC_BUNDLE} no longer names {REDOC_LOGO_URL.decode()}: check its footer")
    return source.replace(REDOC_LOGO_URL, EMPTY_IMAGE)


def redoc_bundle(request: HttpRequest) -> HttpResponse:
    """The ReDoc page's script: the sidecar's bundle, its footer logo served from nowhere (see above)."""
    response = HttpResponse(_redoc_bundle(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response
