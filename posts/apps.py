from django.apps import AppConfig


class PostsConfig(AppConfig):
    name = "posts"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the cache invalidation receivers)
