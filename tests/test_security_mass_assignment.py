"""API3 BOPLA / mass assignment as tables (docs/SECURITY.md), through the HTTP API only.

A field the caller may not set is either refused with a 403 (a change of `role` or `is_active` by
a non-admin, API.md "Roles") or ignored (everything read-only); the database shows which. The
forged `id` and timestamps are tried on every routed resource, from its test spec (tests/specs.py).
"""

from typing import Any

import pytest
from django.db.models import Model, UUIDField
from rest_framework.test import APIClient

from accounts.models import Account, User
from posts.models import Post
from sprockets.models import Factory
from tests.accounts.factories import DEFAULT_PASSWORD, AccountFactory
from tests.posts.factories import PostFactory
from tests.specs import Action, ResourceSpec, Role, specs
from tests.sprockets.factories import FactoryFactory, SprocketFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"
FORGED_UUID = "00000000-0000-4000-8000-000000000001"
FORGED_INT = 987654
LONG_AGO = "2000-01-01T00:00:00Z"


def assert_status(response: Any, status: int) -> None:
    assert response.status_code == status, (response.status_code, response.content[:500])


def user_row(user: User) -> dict[str, Any] | None:
    return User.objects.filter(pk=user.pk).values().first()


# --- register -------------------------------------------------------------------------------
# (field, value): privilege fields in a sign-up body are ignored (API.md, Auth: "role is always user").
REGISTER_PRIVILEGES = [
    ("role", "admin"),
    ("is_staff", True),
    ("is_superuser", True),
    ("is_active", False),
    ("id", FORGED_UUID),
    ("date_joined", LONG_AGO),
]


@pytest.mark.parametrize(("field", "value"), REGISTER_PRIVILEGES)
def test_register_ignores_privilege_and_read_only_fields(api_client, field, value):
    body = {"email": "newcomer@example.com", "username": "newcomer", "password": "a-Strong-passphrase-17"}

    response = api_client.post(f"{API}/auth/register/", {**body, field: value}, format="json")

    assert_status(response, 201)
    created = User.objects.get(username="newcomer")
    assert (created.role, created.is_staff, created.is_superuser, created.is_active) == ("user", False, False, True)
    assert str(created.pk) != FORGED_UUID
    assert created.date_joined.year != 2000
    assert response.json()["user"]["role"] == "user"


# --- self-service profile updates -----------------------------------------------------------
# (field, value, status): on one's own user a non-admin's change of `role` or `is_active` is a 403;
# other privilege and read-only fields are ignored. Either way the row is unchanged.
SELF_UPDATE_FIELDS = [
    ("role", "admin", 403),
    ("is_active", False, 403),
    ("is_staff", True, 200),
    ("is_superuser", True, 200),
    ("id", FORGED_UUID, 200),
    ("date_joined", LONG_AGO, 200),
    ("deleted_at", LONG_AGO, 200),
    ("last_login", LONG_AGO, 200),
    ("password", "set-without-the-old-one-1", 200),
]
SELF_ENDPOINTS = ["PATCH /auth/me/", "PATCH /users/{self}/", "PUT /users/{self}/"]


@pytest.mark.parametrize("endpoint", SELF_ENDPOINTS)
@pytest.mark.parametrize(("field", "value", "status"), SELF_UPDATE_FIELDS)
def test_a_user_cannot_raise_their_own_privileges(user, client_for, endpoint, field, value, status):
    method, path = endpoint.split()
    body: dict[str, Any] = {field: value}
    if method == "PUT":  # a full replacement needs the required fields: the current ones
        body |= {"email": user.email, "username": user.username}
    before = user_row(user)

    response = getattr(client_for(user), method.lower())(API + path.format(self=user.pk), body, format="json")

    assert_status(response, status)
    assert user_row(user) == before
    assert User.objects.get(pk=user.pk).check_password(DEFAULT_PASSWORD)


def test_an_admin_may_change_role_and_is_active(admin_user, user, client_for):
    response = client_for(admin_user).patch(f"{API}/users/{user.pk}/", {"role": "admin"}, format="json")

    assert_status(response, 200)
    assert User.objects.get(pk=user.pk).is_staff


# --- owner of a customer account ------------------------------------------------------------
def _someone(other_user: User) -> str:
    return str(other_user.pk)


# (method, owner sent): a non-admin's `owner` is ignored, even an id that does not exist (a 400
# "no such user" would tell which ids exist).
ACCOUNT_OWNER = [
    ("POST", "other"),
    ("POST", "unknown"),
    ("PATCH", "other"),
    ("PATCH", "unknown"),
    ("PUT", "other"),
]


@pytest.mark.parametrize(("method", "owner"), ACCOUNT_OWNER)
def test_a_non_admin_cannot_give_an_account_an_owner(user, other_user, client_for, method, owner):
    owner_id = str(other_user.pk) if owner == "other" else FORGED_UUID
    client = client_for(user)
    body = {"name": "Mine", "owner": owner_id}
    if method == "POST":
        response = client.post(f"{API}/accounts/", body, format="json")
        assert_status(response, 201)
    else:
        account = AccountFactory.create(owner=user)
        response = getattr(client, method.lower())(f"{API}/accounts/{account.pk}/", body, format="json")
        assert_status(response, 200)

    assert response.json()["owner"] == str(user.pk)
    assert Account.objects.get(pk=response.json()["id"]).owner_id == user.pk
    assert not Account.objects.filter(owner=other_user).exists()


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_an_admin_may_give_an_account_an_owner(admin_user, user, other_user, client_for, method):
    client = client_for(admin_user)
    body = {"name": "Handed over", "owner": str(other_user.pk)}
    if method == "POST":
        response = client.post(f"{API}/accounts/", body, format="json")
    else:
        response = client.patch(f"{API}/accounts/{AccountFactory.create(owner=user).pk}/", body, format="json")

    assert response.status_code in (200, 201), response.content
    assert Account.objects.get(pk=response.json()["id"]).owner_id == other_user.pk


# --- author of a post -----------------------------------------------------------------------
# (caller, method): `author` is read-only for everyone, an admin included.
POST_AUTHOR = [("user", "POST"), ("user", "PATCH"), ("user", "PUT"), ("admin", "POST")]


@pytest.mark.parametrize(("who", "method"), POST_AUTHOR)
def test_the_author_of_a_post_cannot_be_chosen(user, other_user, admin_user, client_for, who, method):
    caller = admin_user if who == "admin" else user
    body = {"text": "signed by someone else?", "author": str(other_user.pk)}
    if method == "POST":
        response = client_for(caller).post(f"{API}/posts/", body, format="json")
        assert_status(response, 201)
    else:
        post = PostFactory.create(author=caller)
        response = getattr(client_for(caller), method.lower())(f"{API}/posts/{post.pk}/", body, format="json")
        assert_status(response, 200)

    assert Post.objects.get(pk=response.json()["id"]).author_id == caller.pk
    assert not Post.objects.filter(author=other_user).exists()


# --- a factory's production counter ---------------------------------------------------------
@pytest.mark.parametrize("method", ["POST", "PATCH", "PUT"])
def test_sprocket_production_actual_is_read_only(admin_user, client_for, method):
    client = client_for(admin_user)
    body = {"name": "Counter works", "sprocket_production_goal": 5, "sprocket_production_actual": 999}
    if method == "POST":
        response = client.post(f"{API}/factories/", body, format="json")
        assert_status(response, 201)
        expected = 0
    else:
        factory = FactoryFactory.create()
        SprocketFactory.create(factory=factory)
        response = getattr(client, method.lower())(f"{API}/factories/{factory.pk}/", body, format="json")
        assert_status(response, 200)
        expected = 1

    assert response.json()["sprocket_production_actual"] == expected
    assert Factory.objects.get(pk=response.json()["id"]).sprocket_production_actual == expected


# --- id, created_at, updated_at: generated for every routed resource (tests/specs.py) ----------
def _readonly(forged_id: Any, *extra: str) -> dict[str, Any]:
    return {"id": forged_id, "created_at": LONG_AGO, "updated_at": LONG_AGO, **dict.fromkeys(extra, forged_id)}


def _forged_id(model: type[Model]) -> Any:
    return FORGED_UUID if isinstance(model._meta.pk, UUIDField) else FORGED_INT


def _caller(spec: ResourceSpec, action: Action) -> Role:
    """A regular user where one may (the owner of an owned row), else an admin."""
    regular: Role = "owner" if spec.owned else "user"
    return regular if spec.access.status(regular, action) < 300 else "admin"


def _timestamps(model: type[Model]) -> list[str]:
    return [name for name in ("created_at", "updated_at") if any(f.name == name for f in model._meta.fields)]


# (spec): `id`, `created_at`, `updated_at` (and the spec's `forged_read_only`, e.g. a message's
# `message_id`) in a valid create body are ignored.
READ_ONLY_ON_CREATE = [pytest.param(spec, id=spec.basename) for spec in specs(lambda spec: spec.offers("create"))]


@pytest.mark.parametrize("spec", READ_ONLY_ON_CREATE)
def test_read_only_fields_are_ignored_on_create(user, admin_user, client_for, spec: ResourceSpec):
    caller = admin_user if _caller(spec, "create") == "admin" else user
    model = spec.viewset.serializer_class.Meta.model
    forged_id = _forged_id(model)
    body = {**spec.body("create", None, caller), **_readonly(forged_id, *spec.forged_read_only)}

    response = client_for(caller).post(spec.list_url(None), body, format="json")

    assert_status(response, 201)
    assert str(response.json()["id"]) != str(forged_id)
    assert not model._base_manager.filter(pk=forged_id).exists()
    row = model._base_manager.get(pk=response.json()["id"])
    for name in _timestamps(model):
        assert getattr(row, name).year != 2000, name
    for name in spec.forged_read_only:
        assert str(response.json()[name]) != str(forged_id), name


# (spec): the same three fields in a valid PATCH are ignored, by whoever may change the row.
READ_ONLY_ON_UPDATE = [
    pytest.param(spec, id=spec.basename) for spec in specs(lambda spec: spec.offers("partial_update"))
]


@pytest.mark.parametrize("spec", READ_ONLY_ON_UPDATE)
def test_read_only_fields_are_ignored_on_update(user, admin_user, client_for, spec: ResourceSpec):
    row = spec.make(user)
    role = _caller(spec, "partial_update")
    caller: APIClient = client_for(admin_user if role == "admin" else spec.owner(row) or user)
    forged_id = _forged_id(type(row))
    body = {**spec.body("partial_update", row, user), **_readonly(forged_id)}

    response = caller.patch(spec.detail_url(row), body, format="json")

    assert_status(response, 200)
    assert str(response.json()["id"]) == str(row.pk)
    assert not type(row)._base_manager.filter(pk=forged_id).exists()
    stored = type(row)._base_manager.get(pk=row.pk)
    if "created_at" in _timestamps(type(row)):
        assert stored.created_at == row.created_at
    if "updated_at" in _timestamps(type(row)):
        assert stored.updated_at.year != 2000
