from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ApiConfig(AppConfig):
    """Cross-cutting API plumbing; an app so it can own the idempotency table, install strict types,
    text-only request charsets and the parsing of empty bodies."""

    default = True  # config.api's app, beside ServiceAdminConfig below
    name = "config.api"
    label = "api"
    verbose_name = "API plumbing"

    def ready(self) -> None:
        from . import charsets, checks, parsers, strict_types  # noqa: F401 - checks registers the system checks

        charsets.install()
        parsers.install()
        strict_types.install()


class ServiceAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the service's admin site (config.api.admin_site) as `admin.site`."""

    default = False
    default_site = "config.api.admin_site.ServiceAdminSite"
