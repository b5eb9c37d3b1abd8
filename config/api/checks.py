"""System checks of the service's own settings, and the start-up gate that runs them.

`manage.py check --deploy` reports them; `config.wsgi` and `config.asgi` run them before serving
(`refuse_to_serve_if_misconfigured`), so gunicorn does not start where `check --deploy` would fail
on one of them. They are deployment checks: `migrate`, `createsuperuser` and the other commands
do not need the serving secrets.
"""

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register, run_checks
from django.core.exceptions import ImproperlyConfigured

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


def refuse_to_serve_if_misconfigured() -> None:
    """Raise ImproperlyConfigured naming every error of the operations checks (called before serving)."""
    errors = [
        message for message in run_checks(tags=[OPERATIONS], include_deployment_checks=True) if message.is_serious()
    ]
    if errors:
        raise ImproperlyConfigured("; ".join(f"{error.id}: {error.msg} {error.hint or ''}".strip() for error in errors))
