from django.apps import AppConfig


class SprocketsConfig(AppConfig):
    name = "sprockets"
