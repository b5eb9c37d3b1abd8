"""Conventions that hold on every endpoint: error shape, trailing slashes, body size (API.md, Conventions)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from tests.accounts.factories import DEFAULT_PASSWORD, AccountFactory
from tests.helpers import assert_error_shape

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login/"
ME = "/api/v1/auth/me/"
ACCOUNTS = "/api/v1/accounts/"


# --- one error shape --------------------------------------------------------------------------
def test_400_shape_names_the_field(user_client):
    response = user_client.post(ACCOUNTS, {"name": ""})

    assert_error_shape(response, 400, attr="name")
    assert response.json()["type"] == "validation_error"


def test_401_shape(api_client):
    response = api_client.get(ME)

    assert_error_shape(response, 401, code="not_authenticated")
    assert response.json()["type"] == "client_error"
    assert len(response.json()["errors"]) == 1


def test_403_shape(user_client):
    assert_error_shape(user_client.get("/api/v1/users/"), 403, code="permission_denied")


@pytest.mark.parametrize(
    "path", ["/api/v1/nope/", "/api/v1/nope", "/api/v1/accounts/x/y/z/", "/api/nothing", "/api/v2/accounts/"]
)
def test_404_for_unknown_routes_under_api(api_client, path):
    response = api_client.get(path)

    assert_error_shape(response, 404, code="not_found")
    assert response["Content-Type"].startswith("application/json")


def test_404_for_unknown_route_with_other_methods(user_client):
    assert_error_shape(user_client.post("/api/v1/nope/", {}), 404)
    assert_error_shape(user_client.delete("/api/v1/nope"), 404)


def test_404_for_unknown_route_outside_api(api_client):
    assert_error_shape(api_client.get("/no-such-page/"), 404)


def test_disallowed_host_is_a_400_in_the_error_shape(api_client):
    assert_error_shape(api_client.get("/api/v1/auth/me/", HTTP_HOST="evil.example"), 400)


def test_404_shape_for_a_missing_object(user_client):
    response = user_client.get(f"{ACCOUNTS}00000000-0000-0000-0000-000000000000/")

    assert_error_shape(response, 404, code="not_found")


def test_405_shape(user_client):
    response = user_client.delete(ME)

    assert_error_shape(response, 405, code="method_not_allowed")


def test_405_on_a_public_route(api_client):
    assert_error_shape(api_client.get(LOGIN), 405)
    assert_error_shape(api_client.delete("/health/"), 405)


def test_413_when_content_length_is_over_8_mib(user_client):
    response = user_client.generic(
        "POST", ACCOUNTS, b'{"name": "x"}', content_type="application/json", CONTENT_LENGTH=str(8 * 1024 * 1024 + 1)
    )

    assert_error_shape(response, 413)


def test_413_is_refused_before_authentication(api_client):
    response = api_client.generic(
        "POST", LOGIN, b"{}", content_type="application/json", CONTENT_LENGTH=str(64 * 1024 * 1024)
    )

    assert_error_shape(response, 413)


def test_body_of_exactly_8_mib_is_accepted(user_client):
    # The size is JSON's insignificant white space: no field holds 8 MiB (a description is at most
    # 10,000 characters), and the body limit is what is under test.
    prefix, suffix = b'{"name": "big"', b"}"
    body = prefix + b" " * (8 * 1024 * 1024 - len(prefix) - len(suffix)) + suffix
    assert len(body) == 8 * 1024 * 1024

    response = user_client.generic("POST", ACCOUNTS, body, content_type="application/json")

    assert response.status_code == 201, response.content[:300]


# --- URL size ---------------------------------------------------------------------------------
def query_of_length(path: str, total: int) -> str:
    """A query string that makes `path?query` exactly `total` bytes."""
    return "search=" + "a" * (total - len(path) - len("?search="))


def test_url_of_exactly_the_limit_is_answered(user_client, settings):
    query = query_of_length(ACCOUNTS, settings.REQUEST_URL_MAX_BYTES)

    response = user_client.get(ACCOUNTS, QUERY_STRING=query)

    assert response.status_code == 200, response.content[:300]


def test_414_when_path_and_query_are_over_the_limit(user_client, settings):
    query = query_of_length(ACCOUNTS, settings.REQUEST_URL_MAX_BYTES + 1)

    response = user_client.get(ACCOUNTS, QUERY_STRING=query)

    assert_error_shape(response, 414, code="uri_too_long")
    assert str(settings.REQUEST_URL_MAX_BYTES) in response.json()["errors"][0]["detail"]


def test_414_counts_a_percent_encoded_path_as_sent(api_client, settings):
    # The server hands over PATH_INFO decoded: "%C3%A3" (ã) is 2 characters there, 6 bytes on the wire.
    path = ACCOUNTS + "%C3%A3" * (settings.REQUEST_URL_MAX_BYTES // 6)

    response = api_client.get(path)

    assert_error_shape(response, 414, code="uri_too_long")


def test_414_uses_gunicorn_s_raw_request_target(api_client, settings):
    raw = ACCOUNTS + "?q=" + "a" * settings.REQUEST_URL_MAX_BYTES

    assert_error_shape(api_client.get(ACCOUNTS, RAW_URI=raw), 414, code="uri_too_long")
    assert api_client.get(ACCOUNTS, RAW_URI=ACCOUNTS).status_code == 401  # short: on to authentication


def test_414_is_refused_before_authentication(api_client, settings):
    response = api_client.get(ACCOUNTS, QUERY_STRING="q=" + "%C3%A3" * settings.REQUEST_URL_MAX_BYTES)

    assert_error_shape(response, 414, code="uri_too_long")


def test_gunicorn_lets_every_url_under_the_limit_through_to_the_app(settings, tmp_path):
    # gunicorn counts the whole request line ("GET " + URL + " HTTP/1.1"); its own 414 is HTML.
    # --print-config loads the app too, so it gets the test settings and a metrics directory.
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    environment["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path)
    printed = subprocess.run(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "--print-config", "config.wsgi"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    limit = int(re.search(r"^limit_request_line\s*=\s*(\d+)$", printed, re.MULTILINE).group(1))  # type: ignore[union-attr]

    assert limit >= settings.REQUEST_URL_MAX_BYTES + len("OPTIONS  HTTP/1.1")


def test_junk_content_length_is_400(api_client):
    response = api_client.generic("POST", LOGIN, b"{}", content_type="application/json", CONTENT_LENGTH="lots")

    assert_error_shape(response, 400)


def test_415_shape(user_client):
    response = user_client.generic("POST", ACCOUNTS, b"name=x", content_type="text/plain")

    assert_error_shape(response, 415)


def test_malformed_json_shape(user_client):
    response = user_client.generic("POST", ACCOUNTS, b'{"name": ', content_type="application/json")

    assert_error_shape(response, 400, code="parse_error")


@override_settings(RATE_LIMIT_USER="1/m")
def test_429_shape(user_client):
    user_client.get(ME)

    response = user_client.get(ME)

    assert_error_shape(response, 429, code="throttled")
    assert int(response["Retry-After"]) >= 1


# --- trailing slash optional, no redirect ---------------------------------------------------------
def assert_not_redirected(response, expected):
    assert response.status_code not in (301, 302, 307, 308)
    assert response.status_code == expected, response.content


@pytest.mark.parametrize("path", [ME, ME.rstrip("/"), ACCOUNTS, ACCOUNTS.rstrip("/"), "/api/v1/", "/api/v1"])
def test_get_with_and_without_slash(user_client, path):
    assert_not_redirected(user_client.get(path), 200)


@pytest.mark.parametrize("path", [LOGIN, LOGIN.rstrip("/")])
def test_post_with_and_without_slash(api_client, user, path):
    assert_not_redirected(api_client.post(path, {"username": user.username, "password": DEFAULT_PASSWORD}), 200)


@pytest.mark.parametrize("slash", ["/", ""])
def test_detail_routes_with_and_without_slash(user, user_client, slash):
    account = AccountFactory.create(owner=user)
    url = f"{ACCOUNTS}{account.id}{slash}"

    assert_not_redirected(user_client.get(url), 200)
    assert_not_redirected(user_client.patch(url, {"description": "slash"}), 200)
    assert_not_redirected(user_client.put(url, {"name": "Put"}), 200)
    assert_not_redirected(user_client.delete(url), 204)


@pytest.mark.parametrize("path", ["/api/v1/accounts", "/api/v1/accounts/"])
def test_create_with_and_without_slash(user_client, path):
    assert_not_redirected(user_client.post(path, {"name": f"via {path}"}), 201)


@pytest.mark.parametrize("slash", ["/", ""])
def test_detail_action_with_and_without_slash(admin_client_api, user, slash):
    assert_not_redirected(admin_client_api.post(f"/api/v1/users/{user.id}/role{slash}", {"role": "admin"}), 200)


@pytest.mark.parametrize(
    "path",
    ["/health", "/health/", "/ready", "/ready/", "/metrics", "/metrics/", "/api/v1/schema", "/api/v1/schema/"],
)
def test_operations_routes_with_and_without_slash(api_client, path):
    assert_not_redirected(api_client.get(path), 200)


# --- JSON and snake_case -----------------------------------------------------------------------
def test_answers_are_json(user_client):
    response = user_client.get(ACCOUNTS)

    assert response["Content-Type"].startswith("application/json")


def test_session_auth_is_accepted(client, user):
    """The browsable API and the admin use session auth."""
    client.force_login(user)

    response = client.get(ME, HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert response.json()["id"] == str(user.id)
