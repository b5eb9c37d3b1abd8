"""System checks of the service's own settings, and the start-up gate that runs them.

`manage.py check --deploy` reports them; `config.wsgi` and `config.asgi` run them before serving
(`refuse_to_serve_if_misconfigured`), so gunicorn does not start where `check --deploy` would fail
on one of them. They are deployment checks: `migrate`, `createsuperuser` and the other commands
do not need the serving secrets.
"""

import io
from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register, run_checks
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.wsgi import WSGIRequest
from rest_framework import serializers
from rest_framework.request import Request

OPERATIONS = "operations"
# As long as a random token_urlsafe(24); shorter ones are guessable by the request budget of a day.
METRICS_TOKEN_MIN_LENGTH = 32


@register(Tags.security, OPERATIONS, deploy=True)
def metrics_token_check(app_configs: Any = None, **kwargs: Any) -> list:
    """Production (METRICS_TOKEN_REQUIRED) serves /metrics only to `Authorization: Bearer <METRICS_TOKEN>`."""
    if not settings.METRICS_TOKEN_REQUIRED:
        return []
    token = settings.METRICS_TOKEN
    if not token.strip():
        return [
            Error(
                "METRICS_TOKEN is not set: /metrics (traffic, rate-limit and database figures) would have no "
                "protection.",
                hint='Set METRICS_TOKEN, e.g. python -c "import secrets; print(secrets.token_urlsafe(32))", and '
                "give Prometheus the same value as its bearer token (docs/SCALING.md).",
                id="api.E001",
            )
        ]
    if len(token) < METRICS_TOKEN_MIN_LENGTH:
        return [
            Warning(
                f"METRICS_TOKEN is {len(token)} characters; use at least {METRICS_TOKEN_MIN_LENGTH}.",
                hint='python -c "import secrets; print(secrets.token_urlsafe(32))"',
                id="api.W002",
            )
        ]
    return []


def _probe_request(content_type: str, method: str = "POST") -> WSGIRequest:
    return WSGIRequest(
        {
            "REQUEST_METHOD": method,
            "PATH_INFO": "/",
            "CONTENT_TYPE": content_type,
            "CONTENT_LENGTH": "0",
            "wsgi.input": io.BytesIO(b""),
        }
    )


def _charsets_patch_applies() -> bool:
    return getattr(_probe_request("application/json; charset=bz2"), "refused_charset", None) == "bz2"


def _empty_bodies_patch_applies() -> bool:
    request = Request(_probe_request("application/json", method="PATCH"))
    request._load_stream()  # type: ignore[attr-defined]
    return request._stream is not None  # type: ignore[attr-defined]


def _strict_types_patch_applies() -> bool:
    try:
        serializers.IntegerField().run_validation("5")
    except serializers.ValidationError:
        return True
    return False


# What each start-up patch (config.api.apps) guarantees, probed through the framework's own entry
# points: an upgrade of Django or DRF that renames the method a patch replaces would otherwise drop
# the protection silently (the patch would set a method nobody calls).
START_UP_PATCHES = {
    "config.api.charsets (a request charset other than UTF-8/ASCII is refused)": _charsets_patch_applies,
    "config.api.parsers (an empty write body goes to its parser)": _empty_bodies_patch_applies,
    "config.api.strict_types (a JSON string is not an integer)": _strict_types_patch_applies,
}


@register(Tags.security, OPERATIONS)
def start_up_patches_check(app_configs: Any = None, **kwargs: Any) -> list:
    """Each patch of Django's and DRF's request handling still takes effect."""
    return [
        Error(
            f"The start-up patch {name} no longer takes effect with the installed Django/DRF.",
            hint="The method it replaces was renamed or moved: update the patch before serving (docs/SECURITY.md).",
            id="api.E003",
        )
        for name, applies in START_UP_PATCHES.items()
        if not applies()
    ]


def refuse_to_serve_if_misconfigured() -> None:
    """Raise ImproperlyConfigured naming every error of the operations checks (called before serving)."""
    errors = [
        message for message in run_checks(tags=[OPERATIONS], include_deployment_checks=True) if message.is_serious()
    ]
    if errors:
        raise ImproperlyConfigured("; ".join(f"{error.id}: {error.msg} {error.hint or ''}".strip() for error in errors))
