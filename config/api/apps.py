from django.apps import AppConfig


class ApiConfig(AppConfig):
    """Cross-cutting API plumbing; an app so it can own the idempotency table, install strict types,
    text-only request charsets and the parsing of empty bodies."""

    name = "config.api"
    label = "api"
    verbose_name = "API plumbing"

    def ready(self) -> None:
        from . import charsets, checks, parsers, strict_types  # noqa: F401 - checks registers the system checks

        charsets.install()
        parsers.install()
        strict_types.install()
