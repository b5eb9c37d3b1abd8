"""Our apps' own parts, found through Django's app registry: a new app brings its own and edits nothing here.

`app_submodules("demo")` yields every installed app's `demo` module (skipping apps without one),
in `INSTALLED_APPS` order: the OpenAPI tags (`api.schema.TAGS`), the demo data (`demo.seed`) and
the scale seed's parts are collected this way.
"""

from collections.abc import Iterator
from importlib import import_module
from types import ModuleType

from django.apps import AppConfig, apps


def optional_module(dotted: str) -> ModuleType | None:
    """The module, or None if it does not exist (tests/specs.py finds each app's test specs this way)."""
    try:
        return import_module(dotted)
    except ModuleNotFoundError as exc:
        # Only the module itself (or a package on its path) missing means "this app has none";
        # a missing import inside it is a real error.
        if exc.name is not None and dotted.startswith(exc.name):
            return None
        raise


def app_submodules(submodule: str) -> Iterator[tuple[AppConfig, ModuleType]]:
    for app_config in apps.get_app_configs():
        module = optional_module(f"{app_config.name}.{submodule}")
        if module is not None:
            yield app_config, module
