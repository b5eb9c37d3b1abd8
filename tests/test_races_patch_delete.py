"""A write racing a DELETE of the same object: 200, 204, 404 or 409, never a 500, nothing half-written.

The contract (API.md, Conventions): no endpoint answers 500 for "an object deleted by a concurrent
request". Every view reads the object before its service's transaction starts, so a DELETE can
commit in between. Each race is forced with a `Pause` on the service the view calls, which holds
one request right after the view's read while the other runs to the end:

- delete wins: PATCH/PUT read, DELETE commits, PATCH/PUT writes -> 404, and the object stays deleted
  (the write must not resurrect it or bring a soft-deleted row back to life);
- update wins: DELETE read, PATCH/PUT commits, DELETE deletes -> 200 then 204, the object is gone;
- delete twice: DELETE read, DELETE commits, DELETE deletes -> 204 then 404, as a second DELETE
  sent afterwards would get (a sprocket's factory loses exactly one from its counter).

A last test per resource lets the two requests run truly at once, many times over.
"""

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest
from django.db.models import Count, F, Model
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.models import Account, User
from accounts.services import tokens_for_user
from catalog import services as catalog_services
from catalog.models import Product
from messaging import services as messaging_services
from messaging.models import Message
from posts import services as post_services
from posts.models import Post
from sprockets import services as sprocket_services
from sprockets.models import Factory, Location, Sprocket, SprocketType
from tests.accounts.factories import AccountFactory, AdminFactory, UserFactory
from tests.catalog.factories import ProductFactory
from tests.concurrency import Pause, interleave, run_concurrently
from tests.helpers import assert_error_shape
from tests.messaging.factories import MessageFactory
from tests.posts.factories import PostFactory
from tests.sprockets.factories import FactoryFactory, LocationFactory, SprocketFactory, SprocketTypeFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REPEATS = 20


def _hard_deleted(model: type[Model]) -> Callable[[Model], bool]:
    return lambda obj: not model._default_manager.filter(pk=obj.pk).exists()


def _user_deleted(obj: Model) -> bool:
    user = User.objects.get(pk=obj.pk)
    return user.deleted_at is not None and not user.is_active


def _product_deleted(obj: Model) -> bool:
    return Product.objects.get(pk=obj.pk).deleted_at is not None


def _move_to_another_factory(obj: Model) -> dict[str, Any]:
    return {"factory": FactoryFactory.create().pk}


@dataclass(frozen=True)
class Resource:
    id: str
    path: str
    make: Callable[[User], Model]  # the object, owned by the given user where it has an owner
    change: Callable[[Model], dict[str, Any]]  # what the PATCH or PUT changes
    services: ModuleType
    update: str | None  # the service the view's perform_update calls (None: immutable)
    delete: str  # the service the view's perform_destroy calls
    is_deleted: Callable[[Model], bool]
    by_owner: bool = False  # the owner writes (else an admin)


RESOURCES = [
    Resource(
        "users",
        "/api/v1/users/",
        lambda owner: UserFactory.create(),
        # is_active=True: a PATCH landing after the soft delete must not re-activate the user.
        lambda obj: {"first_name": "Raced", "is_active": True},
        account_services,
        "user_update",
        "user_soft_delete",
        _user_deleted,
    ),
    Resource(
        "accounts",
        "/api/v1/accounts/",
        lambda owner: AccountFactory.create(owner=owner),
        lambda obj: {"name": "Raced"},
        account_services,
        "account_update",
        "account_delete",
        _hard_deleted(Account),
        by_owner=True,
    ),
    Resource(
        "products",
        "/api/v1/products/",
        lambda owner: ProductFactory.create(),
        lambda obj: {"name": "Raced"},
        catalog_services,
        "product_update",
        "product_soft_delete",
        _product_deleted,
    ),
    Resource(
        "locations",
        "/api/v1/locations/",
        lambda owner: LocationFactory.create(),
        lambda obj: {"name": "Raced"},
        sprocket_services,
        "location_update",
        "location_delete",
        _hard_deleted(Location),
    ),
    Resource(
        "sprocket-types",
        "/api/v1/sprocket-types/",
        lambda owner: SprocketTypeFactory.create(),
        lambda obj: {"name": "Raced"},
        sprocket_services,
        "sprocket_type_update",
        "sprocket_type_delete",
        _hard_deleted(SprocketType),
    ),
    Resource(
        "factories",
        "/api/v1/factories/",
        lambda owner: FactoryFactory.create(),
        lambda obj: {"name": "Raced", "sprocket_production_goal": 99},
        sprocket_services,
        "factory_update",
        "factory_delete",
        _hard_deleted(Factory),
    ),
    Resource(
        "sprockets",
        "/api/v1/sprockets/",
        lambda owner: SprocketFactory.create(),
        lambda obj: {"name": "Raced"},
        sprocket_services,
        "sprocket_update",
        "sprocket_delete",
        _hard_deleted(Sprocket),
    ),
    Resource(
        "sprocket-moves",
        "/api/v1/sprockets/",
        lambda owner: SprocketFactory.create(),
        _move_to_another_factory,
        sprocket_services,
        "sprocket_update",
        "sprocket_delete",
        _hard_deleted(Sprocket),
    ),
    Resource(
        "posts",
        "/api/v1/posts/",
        lambda owner: PostFactory.create(author=owner),
        lambda obj: {"text": "Raced"},
        post_services,
        "post_update",
        "post_delete",
        _hard_deleted(Post),
        by_owner=True,
    ),
    Resource(
        "messages",
        "/api/v1/messages/",
        lambda owner: MessageFactory.create(account=AccountFactory.create(owner=owner)),
        lambda obj: {},
        messaging_services,
        None,
        "message_delete",
        _hard_deleted(Message),
    ),
]
WRITABLE = [resource for resource in RESOURCES if resource.update]


def _ids(resources: list[Resource]) -> list[Any]:
    return [pytest.param(resource, id=resource.id) for resource in resources]


class Race:
    """One resource's object, the user allowed to change it, and requests as that user."""

    def __init__(self, resource: Resource, owner: User | None = None, actor: User | None = None) -> None:
        self.resource = resource
        self.owner = owner or UserFactory.create()
        self.actor = actor or (self.owner if resource.by_owner else AdminFactory.create())
        self.obj = resource.make(self.owner)
        self.url = f"{resource.path}{self.obj.pk}/"

    def client(self) -> APIClient:
        # One client per request: each runs in its own thread, and a 500 must come back as an answer.
        client = APIClient(raise_request_exception=False)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for_user(user=self.actor)['access']}")
        return client

    def write_request(self, method: str) -> Callable[[], Any]:
        body = self.resource.change(self.obj)
        if method == "put":
            # A full replacement: what the object looks like now, with the change applied.
            current = self.client().get(self.url)
            assert current.status_code == 200, current.content
            body = {**current.json(), **body}
        return lambda: getattr(self.client(), method)(self.url, body, format="json")

    def delete_request(self) -> Any:
        return self.client().delete(self.url)

    def assert_deleted(self) -> None:
        assert self.resource.is_deleted(self.obj)
        assert_error_shape(self.client().get(self.url), 404, code="not_found")


def _assert_counters_match_sprockets() -> None:
    """Every factory's counter equals its sprockets: no decrement was lost or applied twice."""
    drifted = (
        Factory.objects.annotate(sprockets_count=Count("sprockets"))
        .exclude(sprocket_production_actual=F("sprockets_count"))
        .values_list("pk", "sprocket_production_actual", "sprockets_count")
    )
    assert list(drifted) == []


@pytest.mark.parametrize("method", ["patch", "put"])
@pytest.mark.parametrize("resource", _ids(WRITABLE))
def test_write_landing_after_a_committed_delete_is_a_404_and_does_not_resurrect(monkeypatch, resource, method):
    race = Race(resource)
    assert resource.update is not None
    write = race.write_request(method)
    pause = Pause(monkeypatch, resource.services, resource.update)

    written, deleted = interleave(pause, write, race.delete_request)

    assert deleted.status_code == 204, deleted.content
    assert_error_shape(written, 404, code="not_found")
    race.assert_deleted()
    _assert_counters_match_sprockets()


@pytest.mark.parametrize("method", ["patch", "put"])
@pytest.mark.parametrize("resource", _ids(WRITABLE))
def test_delete_landing_after_a_committed_write_still_deletes(monkeypatch, resource, method):
    race = Race(resource)
    write = race.write_request(method)
    pause = Pause(monkeypatch, resource.services, resource.delete)

    deleted, written = interleave(pause, race.delete_request, write)

    assert written.status_code == 200, written.content
    assert deleted.status_code == 204, deleted.content
    race.assert_deleted()
    _assert_counters_match_sprockets()


@pytest.mark.parametrize("resource", _ids(RESOURCES))
def test_delete_landing_after_a_committed_delete_is_a_404_and_deletes_once(monkeypatch, resource):
    race = Race(resource)
    pause = Pause(monkeypatch, resource.services, resource.delete)

    late, early = interleave(pause, race.delete_request, race.delete_request)

    assert early.status_code == 204, early.content
    assert_error_shape(late, 404, code="not_found")
    race.assert_deleted()
    _assert_counters_match_sprockets()


@pytest.mark.parametrize("resource", _ids(RESOURCES))
def test_requests_sent_at_the_same_moment_never_fail_or_half_write(resource):
    owner = actor = None
    for _ in range(REPEATS):
        race = Race(resource, owner, actor)
        owner, actor = race.owner, race.actor  # the same people each round: hashing passwords is slow
        other = race.write_request("patch") if resource.update else race.delete_request

        first, deleted = run_concurrently(other, race.delete_request)

        statuses = (first.status_code, deleted.status_code)
        assert set(statuses) <= {200, 204, 404, 409}, (statuses, first.content, deleted.content)
        assert 204 in statuses, statuses  # one of them deletes
        for response in (first, deleted):
            if response.status_code in (404, 409):
                assert_error_shape(response, response.status_code)
        race.assert_deleted()
    _assert_counters_match_sprockets()
