"""Every admin page of our apps: the changelist's queries do not grow with its rows, the change page loads.

Walks `admin.site._registry`, so a newly registered model is checked without being listed here,
except for how to make its rows (`ROWS`; a model missing there fails the test that asks for it).
"""

from collections.abc import Callable

import pytest
from django.contrib import admin
from django.db import connection
from django.db.models import ForeignKey, Model
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account, User
from catalog.models import Product
from config.api.models import IdempotencyKey
from messaging.models import Message
from posts.models import Post
from sprockets.models import Factory, FactoryChartEntry, Location, Sprocket, SprocketType
from tests.accounts.factories import AccountFactory, UserFactory
from tests.catalog.factories import ProductFactory
from tests.messaging.factories import MessageFactory
from tests.posts.factories import PostFactory
from tests.sprockets.factories import FactoryFactory, LocationFactory, SprocketFactory, SprocketTypeFactory

pytestmark = pytest.mark.django_db

OUR_APPS = {"api", "accounts", "catalog", "sprockets", "posts", "messaging"}
FEW, MANY = 2, 30


def _idempotency_keys(count: int) -> None:
    for user in UserFactory.create_batch(count):
        IdempotencyKey.objects.create(
            user=user, scope="messages.create", key="k", fingerprint="0" * 64, created_at=timezone.now()
        )


# How to make `count` rows of each model, every row with its own related rows (so a missing
# select_related shows as one more query per row).
ROWS: dict[type[Model], Callable[[int], object]] = {
    User: UserFactory.create_batch,
    Account: AccountFactory.create_batch,
    Product: ProductFactory.create_batch,
    Location: LocationFactory.create_batch,
    SprocketType: SprocketTypeFactory.create_batch,
    Factory: FactoryFactory.create_batch,
    FactoryChartEntry: FactoryFactory.create_batch,  # each factory records its first chart point
    Sprocket: SprocketFactory.create_batch,
    Post: PostFactory.create_batch,
    Message: MessageFactory.create_batch,
    IdempotencyKey: _idempotency_keys,
}

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
