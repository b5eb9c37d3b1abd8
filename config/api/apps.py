from django.apps import AppConfig


class ApiConfig(AppConfig):
    """Cross-cutting API plumbing; an app only so it can own the idempotency table."""

    name = "config.api"
    label = "api"
    verbose_name = "API plumbing"
