"""Security policy as tables (docs/SECURITY.md): each row is one case, read through the HTTP API only.

OWASP API Security Top 10 (2023): API1 object-level authorization (BOLA), API5 function-level
authorization (BFLA), API2 broken authentication (the gaps the token tests in tests/accounts/ leave),
API4 resource consumption (page sizes) and API8 misconfiguration (CSRF on session writes, CORS).
Mass assignment (API3) is in tests/test_security_mass_assignment.py.

The access tables are generated from the router and each resource's test spec (tests/specs.py,
tests/<app>/specs.py: who may do what): a new route is covered without being listed here. What is
specific to one resource (filters, custom actions, idempotency keys) stays below as explicit rows.

Every refusal is checked twice: the status, and that the database is exactly as it was.
"""

import base64
import json
from dataclasses import dataclass
from typing import Any

import jwt
import pytest
from django.apps import apps
from django.conf import settings
from rest_framework.test import APIClient

from accounts.models import Account, User
from messaging.models import Message
from posts.models import Post
from tests.accounts.factories import DEFAULT_PASSWORD, AccountFactory
from tests.messaging.factories import MessageFactory
from tests.posts.factories import PostFactory
from tests.specs import ACTIONS, DETAIL_ACTIONS, METHOD, OUR_APPS, WRITES, Action, ResourceSpec, Role, specs
from tests.sprockets.factories import FactoryFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"
# Every model of our apps: what an attacker could touch.
SNAPSHOT_MODELS = sorted(
    (model for model in apps.get_models() if model._meta.app_label in OUR_APPS), key=lambda m: m._meta.label
)


# --- local assertions -----------------------------------------------------------------------
def db_state() -> dict[str, list[dict[str, Any]]]:
    """Every row of every model an attacker could touch (base managers: soft-deleted rows too)."""
    return {model._meta.label: list(model._base_manager.order_by("pk").values()) for model in SNAPSHOT_MODELS}


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
# API1 BOLA and API5 BFLA, generated: every role, every action of every routed resource
# =============================================================================================
def _offered(spec: ResourceSpec) -> list[Action]:
    return [action for action in ACTIONS if spec.offers(action)]


ACCESS_CASES = [
    pytest.param(spec, role, action, id=f"{spec.basename}-{role}-{action}")
    for spec in specs()
    for role in spec.roles()
    for action in _offered(spec)
]


def _row(obj: Any) -> dict[str, Any] | None:
    return type(obj)._base_manager.filter(pk=obj.pk).values().first()


@pytest.mark.parametrize(("spec", "role", "action"), ACCESS_CASES)
def test_each_role_gets_what_the_resources_access_table_says(
    api_client, user, other_user, admin_user, client_for, spec: ResourceSpec, role: Role, action: Action
):
    # The object belongs to another regular user (`other_user`); `user` is the attacker.
    obj = spec.make(other_user)
    caller = {"anonymous": None, "user": user, "owner": spec.owner(obj), "admin": admin_user}[role]
    client = client_for(caller) if caller is not None else api_client
    url = spec.list_url(obj) if action in ("list", "create") else spec.detail_url(obj)
    body = spec.body(action, obj, caller or user) if action in WRITES else None
    status = spec.access.status(role, action)
    before, row_before = db_state(), _row(obj)

    response = call(client, METHOD[action], url, body)

    if status >= 400:
        assert_refused(response, status)
        assert db_state() == before
        return
    assert response.status_code == status, (response.status_code, response.content[:500])
    if action in ("list", "retrieve"):
        assert db_state() == before
    elif action == "create":
        assert type(obj)._base_manager.filter(pk=response.json()["id"]).exists()
    elif action == "destroy":
        assert spec.is_deleted(obj)
    else:
        row_after = _row(obj)
        assert row_after is not None
        assert row_after != row_before


# Actions a route does not offer (messages are immutable): a 405 for every signed-in caller, the
# owner and a stranger alike (the answer does not depend on whose object it is).
NOT_OFFERED = [
    pytest.param(spec, role, action, id=f"{spec.basename}-{role}-{action}")
    for spec in specs()
    for role in spec.roles()
    if role != "anonymous"
    for action in ACTIONS
    if not spec.offers(action) and (spec.has_detail_route() if action in DETAIL_ACTIONS else spec.offers("list"))
]


@pytest.mark.parametrize(("spec", "role", "action"), NOT_OFFERED)
def test_an_action_a_route_does_not_offer_is_a_405_for_everyone(
    user, other_user, admin_user, client_for, spec: ResourceSpec, role: Role, action: Action
):
    obj = spec.make(other_user)
    caller = {"user": user, "owner": spec.owner(obj), "admin": admin_user}[role]
    url = spec.list_url(obj) if action in ("list", "create") else spec.detail_url(obj)
    before = db_state()

    response = call(client_for(caller), METHOD[action], url, {"body": "edited"})

    assert_refused(response, 405)
    assert db_state() == before


OWN_LISTS = [
    pytest.param(spec, id=spec.basename)
    for spec in specs(lambda spec: spec.owned and spec.offers("list") and spec.access.status("owner", "list") == 200)
]


@pytest.mark.parametrize("spec", OWN_LISTS)
def test_a_list_shows_ones_own_rows_and_never_another_users(other_user, user, client_for, spec: ResourceSpec):
    victims = spec.make(other_user)
    own = spec.make(user)

    ids = result_ids(client_for(spec.owner(own)).get(spec.list_url(own)))

    assert str(own.pk) in ids
    assert str(victims.pk) not in ids


ADMIN_SEES_ALL = [pytest.param(spec, id=spec.basename) for spec in specs(lambda spec: spec.offers("list"))]


@pytest.mark.parametrize("spec", ADMIN_SEES_ALL)
def test_an_admin_lists_everyones_rows(other_user, admin_user, client_for, spec: ResourceSpec):
    obj = spec.make(other_user)
    query = spec.admin_list_query(obj)

    ids = result_ids(client_for(admin_user).get(spec.list_url(obj) + (f"?{query}" if query else "")))

    assert str(obj.pk) in ids


# --- what is specific to one resource ---------------------------------------------------------
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


# (list path with filters, whose rows the list holds, is the attacker's own row expected): never
# the victim's. The unfiltered lists are generated above.
BOLA_LISTS = [
    ("/accounts/?search=Victim", "account", False),
    ("/accounts/?active=true&ordering=-balance", "account", True),
    ("/posts/?author={victim}", "post", False),
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
def test_a_filtered_list_never_shows_another_users_rows(rows, user, client_for, path, kind, own_listed):
    ids = result_ids(client_for(user).get(API + _fill(path, rows)))

    assert str(getattr(rows, kind).pk) not in ids
    assert (str(getattr(rows, f"own_{kind}").pk) in ids) is own_listed


def test_an_admin_sees_another_users_messages_filtered_by_account(rows, admin_user, client_for):
    assert str(rows.message.pk) in result_ids(client_for(admin_user).get(f"{API}/messages/?account={rows.account.pk}"))


def test_an_admins_own_post_list_is_their_own_unless_they_pick_an_author(rows, admin_user, client_for):
    assert str(rows.post.pk) not in result_ids(client_for(admin_user).get(f"{API}/posts/"))


# Admin-only operations besides the standard actions (those are in the access tables): a regular
# user gets a 403, anonymous a 401, an admin what the contract says (the route is real, the body valid).
@pytest.fixture
def targets(user: User, other_user: User) -> dict[str, Any]:
    return {"self": user.pk, "other": other_user.pk}


# (method, path, body, what an admin gets).
ADMIN_ONLY: list[Any] = [
    pytest.param("GET", "/users/?role=admin", None, 200, id="users-list-filtered"),
    pytest.param("POST", "/users/{self}/role/", {"role": "admin"}, 200, id="user-role-promote-self"),
    pytest.param("POST", "/users/{other}/role/", {"role": "admin"}, 200, id="user-role-other"),
]


def _request(client: APIClient, targets: dict[str, Any], method: str, path: str, body: Any) -> Any:
    return call(client, method, API + path.format(**targets), body)


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


# The anonymous column of API.md's roles table beyond the standard actions (generated above).
ANONYMOUS_READS = [
    ("/factories/{factory}/chart/", 401),
    ("/auth/me/", 401),
]


@pytest.mark.parametrize(("path", "status"), ANONYMOUS_READS)
def test_anonymous_reads(api_client, path, status):
    response = api_client.get(API + path.format(factory=FactoryFactory.create().pk))

    assert_refused(response, status)


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
# (generated for every routed list but a nested one, whose paginator is its parent list's; products
# also in tests/catalog/test_products_api.py::test_page_size_bounds, accounts in
# tests/accounts/test_accounts_api.py::test_page_size_is_clamped_to_100, messages in
# tests/messaging/test_message_pagination.py::test_page_size_is_clamped_to_100)
# =============================================================================================
PAGE_SIZE_CLAMP = [
    pytest.param(spec, id=spec.basename) for spec in specs(lambda spec: spec.offers("list") and not spec.nested)
]


@pytest.mark.parametrize("page_size", ["101", "1000000", "9" * 40])
@pytest.mark.parametrize("spec", PAGE_SIZE_CLAMP)
def test_page_size_above_the_maximum_is_clamped_to_100(user, admin_user, client_for, spec: ResourceSpec, page_size):
    # 101 rows the caller sees: their own, or (a list only an admin reads) anyone's, read by an admin.
    regular = spec.access.status("owner" if spec.owned else "user", "list") == 200
    rows = [spec.make(user) for _ in range(101)]

    response = client_for(user if regular else admin_user).get(f"{spec.list_url(rows[0])}?page_size={page_size}")

    assert response.status_code == 200, response.content[:500]
    assert len(response.json()["results"]) == 100
    if "count" in response.json():  # a cursor-paginated list has no count
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
