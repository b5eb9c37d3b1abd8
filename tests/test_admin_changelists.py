"""Every admin page of our apps: the changelist's queries do not grow with its rows, the change page loads.

Walks `admin.site._registry` for our apps (those of the app registry not installed as packages),
so a newly registered model is checked without being listed here. How to make its rows comes
from its app's test factories (`tests/<app label>/factories.py`): every `DjangoModelFactory`
there, and the module's `ADMIN_ROWS` for a model made another way; a registered model with
neither fails the test that asks for it.
"""

from collections.abc import Callable
from importlib import import_module

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.db.models import ForeignKey, Model
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from factory.django import DjangoModelFactory

pytestmark = pytest.mark.django_db

# Our apps: the project's own, not those installed from packages (Django's, DRF's, ...).
OUR_APPS = {config.label for config in apps.get_app_configs() if "site-packages" not in config.path}
FEW, MANY = 2, 30


def _row_makers() -> dict[type[Model], Callable[[int], object]]:
    """How to make `count` rows of each model, every row with its own related rows (so a missing
    select_related shows as one more query per row): the first factory of each model in its app's
    test factories, then the module's `ADMIN_ROWS`."""
    makers: dict[type[Model], Callable[[int], object]] = {}
    for label in sorted(OUR_APPS):
        module = import_module(f"tests.{label}.factories")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, DjangoModelFactory)
                and value.__module__ == module.__name__
            ):
                makers.setdefault(value._meta.model, value.create_batch)
        makers.update(getattr(module, "ADMIN_ROWS", {}))
    return makers


ROWS = _row_makers()

REGISTERED = sorted(
    (model for model in admin.site._registry if model._meta.app_label in OUR_APPS), key=lambda m: m._meta.label
)
IDS = [model._meta.label for model in REGISTERED]


def _changelist_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def changelist_url(model: type[Model]) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def test_every_registered_model_of_our_apps_has_its_rows_maker():
    assert set(REGISTERED) == set(ROWS)


@pytest.mark.parametrize("model", REGISTERED, ids=IDS)
def test_the_changelist_makes_as_many_queries_for_30_rows_as_for_2(staff, model):
    url = changelist_url(model)
    ROWS[model](FEW)
    staff.get(url)  # warm-up: content types, session
    few = _changelist_queries(staff, url)
    ROWS[model](MANY - FEW)
    assert model.objects.count() >= MANY
    many = _changelist_queries(staff, url)
    assert many == few, f"{model._meta.label}: {few} queries for {FEW} rows, {many} for {MANY}"


@pytest.mark.parametrize("model", REGISTERED, ids=IDS)
def test_the_change_page_loads(staff, model):
    ROWS[model](1)
    obj = model.objects.order_by("pk").last()
    assert obj is not None
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
    assert staff.get(url).status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=IDS)
def test_the_changelist_is_searchable_filterable_and_joins_what_it_shows(model):
    model_admin = admin.site._registry[model]
    assert model_admin.list_display != ("__str__",), "list_display"
    assert model_admin.list_filter, "list_filter"
    assert model_admin.search_fields, "search_fields"
    foreign_keys = {field.name for field in model._meta.fields if isinstance(field, ForeignKey)}
    assert foreign_keys <= set(model_admin.autocomplete_fields), "autocomplete_fields"
    shown = foreign_keys & set(model_admin.list_display)
    joined = model_admin.list_select_related
    assert not shown or (isinstance(joined, list | tuple) and shown <= set(joined)), "list_select_related"
