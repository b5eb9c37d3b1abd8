"""Security policy as tables (docs/SECURITY.md): each row is one case, read through the HTTP API only.

OWASP API Security Top 10 (2023): API1 object-level authorization (BOLA), API5 function-level
authorization (BFLA), API2 broken authentication (the gaps the token tests in tests/accounts/ leave),
API4 resource consumption (page sizes) and API8 misconfiguration (CSRF on session writes, CORS).
Mass assignment (API3) is in tests/test_security_mass_assignment.py.

Every refusal is checked twice: the status, and that the database is exactly as it was.
"""

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt
import pytest
from django.conf import settings
from django.db.models import Model
from rest_framework.test import APIClient

from accounts.models import Account, User
from catalog.models import Product
from messaging.models import Message
from posts.models import Post
from sprockets.models import Factory, FactoryChartEntry, Location, Sprocket, SprocketType
from tests.accounts.factories import DEFAULT_PASSWORD, AccountFactory, UserFactory
from tests.catalog.factories import ProductFactory
from tests.messaging.factories import MessageFactory
from tests.posts.factories import PostFactory
from tests.sprockets.factories import FactoryFactory, LocationFactory, SprocketFactory, SprocketTypeFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"
SNAPSHOT_MODELS: tuple[type[Model], ...] = (
    User,
    Account,
    Message,
    Post,
    Product,
    Location,
    SprocketType,
    Factory,
    FactoryChartEntry,
    Sprocket,
)


# --- local assertions -----------------------------------------------------------------------
def db_state() -> dict[str, list[dict[str, Any]]]:
    """Every row of every model an attacker could touch (base managers: soft-deleted rows too)."""
    return {model.__name__: list(model._base_manager.order_by("pk").values()) for model in SNAPSHOT_MODELS}


def assert_refused(response: Any, status: int) -> None:
    """The status, in the one error shape (`{"type", "errors": [{"code", "detail", "attr"}]}`)."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    body = response.json()
    assert body["type"] in ("client_error", "validation_error"), body
    assert body["errors"], body
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer"), response.headers


def result_ids(response: Any) -> set[str]:
    assert response.status_code == 200, (response.status_code, response.content[:500])
    return {str(row["id"]) for row in response.json()["results"]}


def call(client: APIClient, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    return (
        getattr(client, method.lower())(path, body, format="json")
        if body is not None
        else getattr(client, method.lower())(path)
    )


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


# =============================================================================================
# API1 BOLA: another regular user's objects are a 404 for every method, and stay as they were
# =============================================================================================
@dataclass
class Rows:
    """The victim's rows (`other_user`) and the attacker's own (`user`), so lists are not vacuous."""

    victim: User
    account: Account
    message: Message
    post: Post
    own_account: Account
    own_message: Message
    own_post: Post


@pytest.fixture
def rows(user: User, other_user: User) -> Rows:
    account = AccountFactory.create(owner=other_user, name="Victim savings")
    own_account = AccountFactory.create(owner=user, name="Attacker account")
    return Rows(
        victim=other_user,
        account=account,
        message=MessageFactory.create(account=account, body="victim secret"),
        post=PostFactory.create(author=other_user, text="victim post"),
        own_account=own_account,
        own_message=MessageFactory.create(account=own_account, body="attacker note"),
        own_post=PostFactory.create(author=user, text="attacker post"),
    )


DETAIL_PATHS: dict[str, Callable[[Rows], str]] = {
    "account": lambda r: f"{API}/accounts/{r.account.pk}/",
    "post": lambda r: f"{API}/posts/{r.post.pk}/",
    "message": lambda r: f"{API}/messages/{r.message.pk}/",
    "account_messages": lambda r: f"{API}/accounts/{r.account.pk}/messages/",
    "user": lambda r: f"{API}/users/{r.victim.pk}/",
}
ACCOUNT_BODY = {"name": "Taken over", "description": "mine now", "currency": "EUR"}
USER_BODY = {"email": "taken-over@example.com", "username": "taken-over", "first_name": "Mallory"}

# (resource, method, body): another regular user gets a 404 and nothing changes.
BOLA_CROSS_USER = [
    ("account", "GET", None),
    ("account", "PUT", ACCOUNT_BODY),
    ("account", "PATCH", {"name": "Taken over"}),
    ("account", "DELETE", None),
    ("post", "GET", None),
    ("post", "PUT", {"text": "defaced"}),
    ("post", "PATCH", {"text": "defaced"}),
    ("post", "DELETE", None),
    ("message", "GET", None),
    ("message", "DELETE", None),
    ("account_messages", "GET", None),
    ("user", "GET", None),
    ("user", "PUT", USER_BODY),
    ("user", "PATCH", {"first_name": "Mallory"}),
]


@pytest.mark.parametrize(("resource", "method", "body"), BOLA_CROSS_USER)
def test_another_users_object_is_a_404_and_unchanged(rows, user, client_for, resource, method, body):
    before = db_state()

    response = call(client_for(user), method, DETAIL_PATHS[resource](rows), body)

    assert_refused(response, 404)
    assert db_state() == before


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
@pytest.mark.parametrize("whose", ["own_message", "message"])
def test_messages_are_immutable_for_owner_and_stranger_alike(rows, user, client_for, method, whose):
    # 405 either way: the answer does not depend on whether the message is the caller's.
    before = db_state()

    response = call(client_for(user), method, f"{API}/messages/{getattr(rows, whose).pk}/", {"body": "edited"})

    assert_refused(response, 405)
    assert db_state() == before


def test_a_message_cannot_be_sent_from_another_users_account(rows, user, client_for):
    before = db_state()
    body = {"account": str(rows.account.pk), "sender_number": "+14155550123", "receiver_number": "+14155550188"}

    response = client_for(user).post(f"{API}/messages/", {**body, "body": "spoofed"}, format="json")

    assert_refused(response, 404)
    assert db_state() == before


def test_an_idempotency_key_replays_nothing_of_another_users_request(rows, user, other_user, client_for):
    body = {
        "account": str(rows.account.pk),
        "sender_number": "+14155550123",
        "receiver_number": "+14155550188",
        "body": "hello",
    }
    first = client_for(other_user).post(f"{API}/messages/", body, format="json", HTTP_IDEMPOTENCY_KEY="shared-key")
    assert first.status_code == 201, first.content
    before = db_state()

    replay = client_for(user).post(f"{API}/messages/", body, format="json", HTTP_IDEMPOTENCY_KEY="shared-key")

    assert_refused(replay, 404)
    assert "Idempotent-Replayed" not in replay.headers
    assert db_state() == before


# (list path, whose rows the list holds, is the attacker's own row expected): never the victim's.
BOLA_LISTS = [
    ("/accounts/", "account", True),
    ("/accounts/?search=Victim", "account", False),
    ("/accounts/?active=true&ordering=-balance", "account", True),
    ("/posts/", "post", True),
    ("/posts/?author={victim}", "post", False),
    ("/messages/", "message", True),
    ("/messages/?account={account}", "message", False),
    ("/messages/?account={account},{own_account}", "message", True),
    ("/messages/?message_id={message}", "message", False),
    ("/messages/?sender_number=%2B14155550123", "message", True),
    ("/messages/?search=victim", "message", False),
    ("/accounts/{own_account}/messages/?account={account}", "message", False),
]


def _fill(path: str, rows: Rows) -> str:
    return path.format(
        victim=rows.victim.pk, account=rows.account.pk, message=rows.message.pk, own_account=rows.own_account.pk
    )


@pytest.mark.parametrize(("path", "kind", "own_listed"), BOLA_LISTS)
def test_a_list_never_shows_another_users_rows(rows, user, client_for, path, kind, own_listed):
    ids = result_ids(client_for(user).get(API + _fill(path, rows)))

    assert str(getattr(rows, kind).pk) not in ids
    assert (str(getattr(rows, f"own_{kind}").pk) in ids) is own_listed


# (list path, row the admin must see): the admin column of API.md's roles table.
ADMIN_LISTS = [
    ("/accounts/", "account"),
    ("/posts/?author={victim}", "post"),
    ("/messages/", "message"),
    ("/messages/?account={account}", "message"),
    ("/accounts/{account}/messages/", "message"),
]


@pytest.mark.parametrize(("path", "kind"), ADMIN_LISTS)
def test_an_admin_lists_everyones_rows(rows, admin_user, client_for, path, kind):
    assert str(getattr(rows, kind).pk) in result_ids(client_for(admin_user).get(API + _fill(path, rows)))


def test_an_admins_own_post_list_is_their_own_unless_they_pick_an_author(rows, admin_user, client_for):
    assert str(rows.post.pk) not in result_ids(client_for(admin_user).get(f"{API}/posts/"))


# (resource, who, method, body, status, effect): what the owner and an admin may do to the victim's
# rows. effect: "same" (nothing changes), "changed" (that row changes), "gone" (deleted).
OWNER_AND_ADMIN = [
    ("account", "owner", "GET", None, 200, "same"),
    ("account", "owner", "PUT", ACCOUNT_BODY, 200, "changed"),
    ("account", "owner", "PATCH", {"name": "Renamed"}, 200, "changed"),
    ("account", "owner", "DELETE", None, 204, "gone"),
    ("account", "admin", "GET", None, 200, "same"),
    ("account", "admin", "PUT", ACCOUNT_BODY, 200, "changed"),
    ("account", "admin", "PATCH", {"name": "Renamed"}, 200, "changed"),
    ("account", "admin", "DELETE", None, 204, "gone"),
    ("post", "owner", "GET", None, 200, "same"),
    ("post", "owner", "PATCH", {"text": "edited"}, 200, "changed"),
    ("post", "owner", "DELETE", None, 204, "gone"),
    ("post", "admin", "GET", None, 200, "same"),
    ("post", "admin", "PUT", {"text": "moderated"}, 403, "same"),
    ("post", "admin", "PATCH", {"text": "moderated"}, 403, "same"),
    ("post", "admin", "DELETE", None, 204, "gone"),
    ("message", "owner", "GET", None, 200, "same"),
    ("message", "owner", "DELETE", None, 403, "same"),
    ("message", "admin", "GET", None, 200, "same"),
    ("message", "admin", "DELETE", None, 204, "gone"),
    ("account_messages", "owner", "GET", None, 200, "same"),
    ("account_messages", "admin", "GET", None, 200, "same"),
    ("user", "owner", "GET", None, 200, "same"),
    ("user", "owner", "PUT", USER_BODY, 200, "changed"),
    ("user", "owner", "PATCH", {"first_name": "Renamed"}, 200, "changed"),
    ("user", "admin", "GET", None, 200, "same"),
    ("user", "admin", "PUT", USER_BODY, 200, "changed"),
    ("user", "admin", "PATCH", {"first_name": "Renamed"}, 200, "changed"),
    ("user", "admin", "DELETE", None, 204, "gone"),
]
ROW_OF: dict[str, Callable[[Rows], Model]] = {
    "account": lambda r: r.account,
    "post": lambda r: r.post,
    "message": lambda r: r.message,
    "account_messages": lambda r: r.account,
    "user": lambda r: r.victim,
}


@pytest.mark.parametrize(("resource", "who", "method", "body", "status", "effect"), OWNER_AND_ADMIN)
def test_the_owner_and_an_admin_get_what_the_contract_says(
    rows, admin_user, client_for, resource, who, method, body, status, effect
):
    row = ROW_OF[resource](rows)
    model = type(row)
    before = db_state()
    row_before = model._base_manager.filter(pk=row.pk).values().first()

    response = call(
        client_for(rows.victim if who == "owner" else admin_user), method, DETAIL_PATHS[resource](rows), body
    )

    assert response.status_code == status, (response.status_code, response.content[:500])
    row_after = model._base_manager.filter(pk=row.pk).values().first()
    if effect == "same":
        assert db_state() == before
    elif effect == "changed":
        assert row_after is not None
        assert row_after != row_before
    elif isinstance(row, User):  # a user's delete is a soft delete
        assert row_after is not None
        assert row_after["deleted_at"] is not None
    else:
        assert row_after is None


# =============================================================================================
# API5 BFLA: every admin-only operation of docs/API.md, as a regular user (403), anonymous (401)
# and an admin (the route is real and the body valid)
# =============================================================================================
@pytest.fixture
def targets(user: User, other_user: User) -> dict[str, Any]:
    used_factory = FactoryFactory.create()
    used_type = SprocketTypeFactory.create()
    return {
        "product": ProductFactory.create().pk,
        "location": LocationFactory.create().pk,  # unused, so an admin's delete is a 204, not a 409
        "sprocket_type": SprocketTypeFactory.create().pk,
        "factory": FactoryFactory.create(location=None).pk,
        "sprocket": SprocketFactory.create(factory=used_factory, sprocket_type=used_type).pk,
        "used_factory": used_factory.pk,
        "used_type": used_type.pk,
        "self": user.pk,
        "other": other_user.pk,
        "own_message": MessageFactory.create(account=AccountFactory.create(owner=user)).pk,
    }


PRODUCT = {"name": "Anvil", "price": "99.00", "stock": 3, "sku": "SEC-ANVIL"}
LOCATION = {"address_1": "1 Guarded Way", "city": "Springfield", "postal_code": "SEC-001", "country_code": "US"}
SPROCKET_TYPE = {"teeth": 20, "pitch_diameter": "30.000", "outside_diameter": "33.000", "pitch": "5.000"}
FACTORY = {"name": "Shadow works", "sprocket_production_goal": 7}

# (method, path, body, what an admin gets). Bodies are callables of the targets where they need ids.
ADMIN_ONLY: list[Any] = [
    pytest.param("POST", "/products/", PRODUCT, 201, id="product-create"),
    pytest.param("PUT", "/products/{product}/", PRODUCT, 200, id="product-put"),
    pytest.param("PATCH", "/products/{product}/", {"price": "0.01"}, 200, id="product-patch"),
    pytest.param("DELETE", "/products/{product}/", None, 204, id="product-delete"),
    pytest.param("POST", "/locations/", LOCATION, 201, id="location-create"),
    pytest.param("PUT", "/locations/{location}/", LOCATION, 200, id="location-put"),
    pytest.param("PATCH", "/locations/{location}/", {"city": "Shelbyville"}, 200, id="location-patch"),
    pytest.param("DELETE", "/locations/{location}/", None, 204, id="location-delete"),
    pytest.param("POST", "/sprocket-types/", SPROCKET_TYPE, 201, id="sprocket-type-create"),
    pytest.param("PUT", "/sprocket-types/{sprocket_type}/", SPROCKET_TYPE, 200, id="sprocket-type-put"),
    pytest.param("PATCH", "/sprocket-types/{sprocket_type}/", {"teeth": 40}, 200, id="sprocket-type-patch"),
    pytest.param("DELETE", "/sprocket-types/{sprocket_type}/", None, 204, id="sprocket-type-delete"),
    pytest.param("POST", "/factories/", FACTORY, 201, id="factory-create"),
    pytest.param("PUT", "/factories/{factory}/", FACTORY, 200, id="factory-put"),
    pytest.param("PATCH", "/factories/{factory}/", {"sprocket_production_goal": 1}, 200, id="factory-patch"),
    pytest.param("DELETE", "/factories/{factory}/", None, 204, id="factory-delete"),
    pytest.param(
        "PUT",
        "/sprockets/{sprocket}/",
        lambda t: {"name": "moved", "factory": t["used_factory"], "sprocket_type": t["used_type"]},
        200,
        id="sprocket-put",
    ),
    pytest.param("PATCH", "/sprockets/{sprocket}/", {"name": "renamed"}, 200, id="sprocket-patch"),
    pytest.param("DELETE", "/sprockets/{sprocket}/", None, 204, id="sprocket-delete"),
    pytest.param("GET", "/users/", None, 200, id="users-list"),
    pytest.param("GET", "/users/?role=admin", None, 200, id="users-list-filtered"),
    pytest.param("DELETE", "/users/{other}/", None, 204, id="user-delete-other"),
    pytest.param("DELETE", "/users/{self}/", None, 204, id="user-delete-self"),
    pytest.param("POST", "/users/{self}/role/", {"role": "admin"}, 200, id="user-role-promote-self"),
    pytest.param("POST", "/users/{other}/role/", {"role": "admin"}, 200, id="user-role-other"),
    pytest.param("DELETE", "/messages/{own_message}/", None, 204, id="message-delete-own"),
]


def _request(client: APIClient, targets: dict[str, Any], method: str, path: str, body: Any) -> Any:
    payload = body(targets) if callable(body) else body
    return call(client, method, API + path.format(**targets), payload)


@pytest.mark.parametrize(("method", "path", "body", "admin_status"), ADMIN_ONLY)
def test_a_regular_user_is_refused_admin_only_operations(targets, user, client_for, method, path, body, admin_status):
    before = db_state()

    assert_refused(_request(client_for(user), targets, method, path, body), 403)
    assert db_state() == before


@pytest.mark.parametrize(("method", "path", "body", "admin_status"), ADMIN_ONLY)
def test_anonymous_is_refused_admin_only_operations(targets, api_client, method, path, body, admin_status):
    before = db_state()

    assert_refused(_request(api_client, targets, method, path, body), 401)
    assert db_state() == before


@pytest.mark.parametrize(("method", "path", "body", "admin_status"), ADMIN_ONLY)
def test_an_admin_may_call_admin_only_operations(targets, admin_user, client_for, method, path, body, admin_status):
    response = _request(client_for(admin_user), targets, method, path, body)

    assert response.status_code == admin_status, (response.status_code, response.content[:500])


# The anonymous column of API.md's roles table: products are public, everything else needs a token.
ANONYMOUS_READS = [
    ("/products/", 200),
    ("/products/{product}/", 200),
    ("/locations/", 401),
    ("/locations/{location}/", 401),
    ("/sprocket-types/", 401),
    ("/factories/", 401),
    ("/factories/{factory}/chart/", 401),
    ("/sprockets/", 401),
    ("/sprockets/{sprocket}/", 401),
    ("/users/{self}/", 401),
    ("/accounts/", 401),
    ("/posts/", 401),
    ("/messages/", 401),
    ("/messages/{own_message}/", 401),
    ("/auth/me/", 401),
]


@pytest.mark.parametrize(("path", "status"), ANONYMOUS_READS)
def test_anonymous_reads(targets, api_client, path, status):
    response = api_client.get(API + path.format(**targets))

    if status == 200:
        assert response.status_code == 200, response.content[:500]
    else:
        assert_refused(response, status)


def test_a_regular_user_may_create_a_sprocket_but_not_change_it(targets, user, client_for):
    body = {"factory": targets["used_factory"], "sprocket_type": targets["used_type"]}

    assert client_for(user).post(f"{API}/sprockets/", body, format="json").status_code == 201


# =============================================================================================
# API2 broken authentication: the gaps left by tests/accounts/test_tokens.py and test_auth.py
# =============================================================================================
def login(username: str) -> dict[str, str]:
    response = APIClient().post(
        f"{API}/auth/login/", {"username": username, "password": DEFAULT_PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def _other_key(token: str) -> str:
    return jwt.encode(_claims(token), "an-attackers-own-signing-key-long-enough-for-hs256", algorithm="HS256")


def _alg_none(token: str) -> str:
    return f"{_b64(json.dumps({'alg': 'none', 'typ': 'JWT'}).encode())}.{_b64(json.dumps(_claims(token)).encode())}."


def _right_key_other_alg(token: str) -> str:
    # The right secret, but an algorithm the service does not accept (only HS256 is).
    return jwt.encode(_claims(token), settings.SIMPLE_JWT["SIGNING_KEY"], algorithm="HS512")


def _longer_life(token: str) -> str:
    header, _payload, signature = token.split(".")
    claims = _claims(token)
    claims["exp"] += 365 * 24 * 3600
    return f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"


# (forgery of a genuine refresh token): refused where refresh tokens are the credential.
FORGED_REFRESH: list[Any] = [
    pytest.param(_other_key, id="signed-with-another-key"),
    pytest.param(_alg_none, id="alg-none"),
    pytest.param(
        _right_key_other_alg,
        id="right-key-hs512",
        marks=pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning"),
    ),
    pytest.param(_longer_life, id="exp-extended-signature-kept"),
]


@pytest.mark.parametrize("endpoint", ["/auth/refresh/", "/auth/logout/"])
@pytest.mark.parametrize("forge", FORGED_REFRESH)
def test_a_forged_refresh_token_is_refused_and_revokes_nothing(user, endpoint, forge):
    genuine = login(user.username)["refresh"]

    assert_refused(APIClient().post(API + endpoint, {"refresh": forge(genuine)}, format="json"), 401)
    # A forged logout (same jti) must not have blacklisted the genuine token.
    assert APIClient().post(f"{API}/auth/refresh/", {"refresh": genuine}, format="json").status_code == 200


def test_an_access_token_cannot_log_out(user):
    access = login(user.username)["access"]

    assert_refused(APIClient().post(f"{API}/auth/logout/", {"refresh": access}, format="json"), 401)
    assert bearer(access).get(f"{API}/auth/me/").status_code == 200


def test_a_token_refreshed_by_rotation_is_revoked_by_a_password_change(user, client_for):
    rotated = APIClient().post(f"{API}/auth/refresh/", {"refresh": login(user.username)["refresh"]}, format="json")
    assert rotated.status_code == 200
    new_password = {"old_password": DEFAULT_PASSWORD, "new_password": "a-Fresh-passphrase-91"}
    assert client_for(user).post(f"{API}/auth/password/", new_password, format="json").status_code == 204

    response = APIClient().post(f"{API}/auth/refresh/", {"refresh": rotated.json()["refresh"]}, format="json")

    assert_refused(response, 401)


# (method, path, body): a refresh token is never an access token, on reads and writes alike
# (tests/accounts/test_tokens.py checks /auth/me/ only).
REFRESH_AS_ACCESS = [
    ("GET", "/accounts/", None),
    ("POST", "/accounts/", {"name": "via refresh"}),
    ("GET", "/posts/", None),
    ("POST", "/posts/", {"text": "via refresh"}),
    ("GET", "/messages/", None),
    ("GET", "/factories/", None),
    ("GET", "/users/{self}/", None),
    ("PATCH", "/auth/me/", {"first_name": "via refresh"}),
    ("POST", "/auth/password/", {"old_password": DEFAULT_PASSWORD, "new_password": "a-Fresh-passphrase-91"}),
]


@pytest.mark.parametrize(("method", "path", "body"), REFRESH_AS_ACCESS)
def test_a_refresh_token_is_refused_as_an_access_token_everywhere(user, method, path, body):
    refresh = login(user.username)["refresh"]
    before = db_state()

    assert_refused(call(bearer(refresh), method, API + path.format(self=user.pk), body), 401)
    assert db_state() == before


# =============================================================================================
# API4 resource consumption: no list answers more than 100 rows, whatever `page_size` says
# (products: tests/catalog/test_products_api.py::test_page_size_bounds; accounts:
# tests/accounts/test_accounts_api.py::test_page_size_is_clamped_to_100; messages:
# tests/messaging/test_message_pagination.py::test_page_size_is_clamped_to_100)
# =============================================================================================
def _many_posts(user: User) -> None:
    PostFactory.create_batch(101, author=user)


def _many_users(user: User) -> None:
    UserFactory.create_batch(100)


def _many_locations(user: User) -> None:
    LocationFactory.create_batch(101)


def _many_sprocket_types(user: User) -> None:
    SprocketTypeFactory.create_batch(101)


def _many_factories(user: User) -> None:
    FactoryFactory.create_batch(101, location=None)


def _many_sprockets(user: User) -> None:
    SprocketFactory.create_batch(101, factory=FactoryFactory.create(), sprocket_type=SprocketTypeFactory.create())


# (list, caller, rows): 101+ rows, `page_size` far above the maximum: clamped to 100 (API.md).
PAGE_SIZE_CLAMP = [
    ("/posts/", "user", _many_posts),
    ("/users/", "admin", _many_users),
    ("/locations/", "user", _many_locations),
    ("/sprocket-types/", "user", _many_sprocket_types),
    ("/factories/", "user", _many_factories),
    ("/sprockets/", "user", _many_sprockets),
]


@pytest.mark.parametrize("page_size", ["101", "1000000", "9" * 40])
@pytest.mark.parametrize(("path", "who", "make_rows"), PAGE_SIZE_CLAMP)
def test_page_size_above_the_maximum_is_clamped_to_100(user, admin_user, client_for, path, who, make_rows, page_size):
    make_rows(user)

    response = client_for(admin_user if who == "admin" else user).get(f"{API}{path}?page_size={page_size}")

    assert response.status_code == 200, response.content[:500]
    assert len(response.json()["results"]) == 100
    assert response.json()["count"] > 100


def test_a_forged_x_forwarded_for_does_not_escape_the_per_ip_login_limit(api_client):
    # TRUSTED_PROXY_COUNT is 0 by default: the client IP is REMOTE_ADDR, whatever the header says.
    # Ten different usernames, so only the per-IP bucket (10/min) can refuse the eleventh.
    for attempt in range(10):
        response = api_client.post(
            f"{API}/auth/login/",
            {"username": f"nobody{attempt}", "password": "wrong-password-1"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}",
        )
        assert_refused(response, 401)

    response = api_client.post(
        f"{API}/auth/login/",
        {"username": "nobody-else", "password": "wrong-password-1"},
        format="json",
        HTTP_X_FORWARDED_FOR="203.0.113.99",
    )

    assert response.status_code == 429, response.content
    assert "Retry-After" in response.headers


# =============================================================================================
# API8 misconfiguration: session-authenticated writes need CSRF; no CORS grant by default
# =============================================================================================
def test_a_session_write_without_a_csrf_token_is_refused(user):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    before = db_state()

    response = client.post(f"{API}/accounts/", {"name": "forged from another site"}, format="json")

    assert_refused(response, 403)
    assert db_state() == before


def test_no_cross_origin_grant_by_default(api_client):
    response = api_client.get(f"{API}/products/", HTTP_ORIGIN="https://evil.example")

    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers
