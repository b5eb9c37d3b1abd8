from django.apps import AppConfig


class SprocketsConfig(AppConfig):
    name = "sprockets"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import charts, signals  # noqa: F401  (signals connects the cache invalidation receivers)

        charts.connect()
