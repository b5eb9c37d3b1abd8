from django.apps import AppConfig


class ApiConfig(AppConfig):
    """Cross-cutting API plumbing; an app so it can own the idempotency table and install strict types."""

    name = "config.api"
    label = "api"
    verbose_name = "API plumbing"

    def ready(self) -> None:
        from .strict_types import install

        install()
