"""The shared write helpers and the one scoping mechanism (config/api/services.py, viewsets.py)."""

import ast
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction

from accounts.models import User
from config.api.exceptions import ObjectNotFound
from config.api.services import ensure_unique, lock_for_update, validate_and_save
from config.api.viewsets import ScopedModelViewSet, ScopedViewSetMixin
from config.api_v1 import router
from sprockets.models import Location
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_every_routed_viewset_gets_its_rows_through_the_scoped_base() -> None:
    unscoped = [viewset.__name__ for _, viewset, _ in router.registry if not issubclass(viewset, ScopedViewSetMixin)]
    assert unscoped == []


def test_a_viewset_that_overrides_get_queryset_is_refused_when_defined() -> None:
    with pytest.raises(ImproperlyConfigured, match="scoped_queryset"):

        class Sneaky(ScopedModelViewSet):
            def get_queryset(self):  # type: ignore[override]
                return Location.objects.all()


def test_lock_for_update_of_a_row_that_is_gone_is_object_not_found() -> None:
    location = Location.objects.create(name="Gone", postal_code="00001", country_code="US")
    pk = location.pk
    location.delete()
    with transaction.atomic(), pytest.raises(ObjectNotFound, match="No Location matches"):
        lock_for_update(Location.objects.all(), pk)


def test_validate_and_save_runs_the_model_rules_before_saving() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_and_save(Location(address_1="1 Main St", city="Springfield", postal_code="00002", country_code="XX"))
    assert list(caught.value.message_dict) == ["country_code"]
    assert not Location.objects.filter(postal_code="00002").exists()


def test_ensure_unique_names_every_clashing_field_and_ignores_the_instance_itself() -> None:
    taken = UserFactory.create(email="Taken@example.com", username="taken")
    newcomer = UserFactory.build(email="taken@EXAMPLE.com", username="TAKEN")
    with pytest.raises(ValidationError) as caught:
        ensure_unique(
            newcomer,
            among=User.objects.all(),
            messages={"email": "email taken", "username": "username taken"},
            ignore_case=True,
        )
    assert caught.value.message_dict == {"email": ["email taken"], "username": ["username taken"]}
    ensure_unique(taken, among=User.objects.all(), messages={"email": "x"}, ignore_case=True)


def _our_app_configs() -> list:
    from django.apps import apps
    from django.conf import settings

    base = Path(settings.BASE_DIR)
    return [
        app
        for app in apps.get_app_configs()
        if Path(app.path).is_relative_to(base) and "site-packages" not in Path(app.path).parts
    ]


def test_only_an_app_s_apps_py_imports_its_signals_module() -> None:
    """Cache namespaces and their invalidation live in `<app>/caching.py`: a service or a seed that needs
    `*_cache_invalidate()` imports it from there, and `signals.py` holds receivers only."""
    importers = []
    for app in _our_app_configs():
        for path in Path(app.path).rglob("*.py"):
            if path.name in ("signals.py", "apps.py"):
                continue
            importers += [
                f"{path.relative_to(app.path)} ({app.label}): from {node.module}"
                for node in ast.walk(ast.parse(path.read_text()))
                if isinstance(node, ast.ImportFrom)
                and (node.module or "").split(".")[-1] == "signals"
                and node.module != "django.db.models.signals"
            ]
    assert importers == []


def test_services_raise_domain_errors_only() -> None:
    """No app's services module holds a DRF exception: the API's status codes are the handler's (exceptions.py)."""
    from rest_framework.exceptions import APIException

    from config.api.registry import app_submodules

    drf = [
        f"{module.__name__}.{name}"
        for _, module in app_submodules("services")
        for name, value in vars(module).items()
        if isinstance(value, type) and issubclass(value, APIException)
    ]
    assert drf == []


def test_a_model_validator_s_too_large_is_a_413() -> None:
    """A field validator's `too_large` (the post text's 1 MiB) is the contract's 413, naming the sizes."""
    from rest_framework.exceptions import APIException

    from config.api.exceptions import ApiExceptionHandler

    error = ValidationError(
        {
            "text": [
                ValidationError("The post text is 3 bytes of UTF-8; the limit is 2 bytes (1 MiB).", code="too_large"),
                ValidationError("No control characters.", code="invalid"),
            ]
        }
    )
    context: Any = {"view": None, "args": (), "kwargs": {}, "request": None}
    converted = ApiExceptionHandler(error, context).convert_known_exceptions(error)
    assert isinstance(converted, APIException)
    assert converted.status_code == 413
    assert converted.get_full_details() == {
        "message": "The post text is 3 bytes of UTF-8; the limit is 2 bytes (1 MiB).",
        "code": "payload_too_large",
    }
