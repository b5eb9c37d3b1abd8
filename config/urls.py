from django.contrib import admin
from django.urls import URLPattern, include, path, re_path
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

from config.api.errors import api_not_found
from config.api.health import HealthView, ReadyView, metrics_view
from config.api.ratelimit import rate_limited_browsable_api_login
from config.api.schema import CachedSpectacularAPIView, redoc_bundle
from config.api_v1 import router as api_v1_router

API_ROOT_VIEW = next(
    pattern.callback for pattern in api_v1_router.urls if isinstance(pattern, URLPattern) and pattern.name == "api-root"
)

handler400 = "config.api.errors.handler400"
handler403 = "config.api.errors.handler403"
handler404 = "config.api.errors.handler404"
handler500 = "config.api.errors.handler500"

urlpatterns = [
    # A newcomer's first page: where the docs, the browsable API and the admin are.
    path("", TemplateView.as_view(template_name="api/landing.html"), name="landing"),
    # config.api.admin_site: named for the service, its login and password forms rate-limited.
    path("admin/", admin.site.urls),
    # DRF's session login and logout: the browsable API's "Log in" link. Its login form first,
    # with the API login's rate limits (the name DRF's templates reverse stays DRF's).
    path("api-auth/login/", rate_limited_browsable_api_login, name="browsable-api-login"),
    path("api-auth/", include("rest_framework.urls")),
    # `/admin` too, without a redirect (every route answers with and without the slash).
    re_path(r"^admin$", admin.site.admin_view(admin.site.index)),
    re_path(r"^health/?$", HealthView.as_view(), name="health"),
    re_path(r"^ready/?$", ReadyView.as_view(), name="ready"),
    re_path(r"^metrics/?$", metrics_view, name="metrics"),
    re_path(r"^api/v1/schema/?$", CachedSpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's initialiser as a script of its own: no inline script,
    # so the Content-Security-Policy needs no 'unsafe-inline' for scripts.
    re_path(r"^api/v1/docs/?$", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    # The stock ReDoc page loads Google Fonts; ours is served entirely by the app.
    re_path(
        r"^api/v1/redoc/?$",
        SpectacularRedocView.as_view(url_name="schema", template_name="api/redoc.html"),
        name="redoc",
    ),
    path("api/v1/redoc/redoc.standalone.js", redoc_bundle, name="redoc-bundle"),
    path("api/v1/", include("config.api_v1")),
    # The API root answers without its slash too, like every other route. The router's own root
    # view, not a second one: the browsable API's breadcrumbs list a view once however many of its
    # URLs a path's prefixes resolve to ("Public Api Root / Public Api Root" with two views).
    re_path(r"^api/v1$", API_ROOT_VIEW, name="api-root-no-slash"),
    # Anything else under /api/ is a JSON 404 in the contract's format, in DEBUG too.
    re_path(r"^api/", api_not_found),
]
