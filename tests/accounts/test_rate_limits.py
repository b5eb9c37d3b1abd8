"""Login and register rate limits (API.md, Conventions: rate limits)."""

import pytest
from django.test import override_settings

from tests.accounts.factories import DEFAULT_PASSWORD
from tests.helpers import assert_error_shape

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login/"
REGISTER = "/api/v1/auth/register/"
ME = "/api/v1/auth/me/"


def login(client, username, ip="10.0.0.1", password="wrong-password-1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def assert_throttled(response):
    assert_error_shape(response, 429, code="throttled")
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 60


def test_sixth_login_attempt_for_one_username_is_429(api_client, user):
    for _ in range(5):
        assert_error_shape(login(api_client, user.username), 401)

    assert_throttled(login(api_client, user.username))
    # Even the right password is refused now.
    assert_throttled(login(api_client, user.username, password=DEFAULT_PASSWORD))


def test_username_limit_holds_across_ips_and_case(api_client, user):
    for index in range(5):
        login(api_client, user.username.upper() if index % 2 else user.username, ip=f"10.0.1.{index}")

    assert_throttled(login(api_client, user.username, ip="10.0.1.99"))


def test_username_limit_counts_email_field_too(api_client, user):
    for index in range(5):
        api_client.post(LOGIN, {"email": user.email, "password": "nope-nope-1"}, REMOTE_ADDR=f"10.0.2.{index}")

    assert_throttled(api_client.post(LOGIN, {"email": user.email, "password": "x"}, REMOTE_ADDR="10.0.2.99"))


def test_other_usernames_are_not_affected_by_one_being_limited(api_client, user, other_user):
    for index in range(6):
        login(api_client, user.username, ip=f"10.0.3.{index}")

    response = login(api_client, other_user.username, ip="10.0.3.99", password=DEFAULT_PASSWORD)
    assert response.status_code == 200, response.content


def test_eleventh_login_from_one_ip_is_429_across_usernames(api_client):
    for index in range(10):
        assert_error_shape(login(api_client, f"someone{index}", ip="10.0.4.1"), 401)

    assert_throttled(login(api_client, "someone-new", ip="10.0.4.1"))
    # Another IP is unaffected.
    assert_error_shape(login(api_client, "someone-new", ip="10.0.4.2"), 401)


def test_login_and_register_are_separate_buckets(api_client):
    for index in range(10):
        login(api_client, f"filler{index}", ip="10.0.5.1")
    assert_throttled(login(api_client, "filler-x", ip="10.0.5.1"))

    response = api_client.post(
        REGISTER,
        {"email": "fresh@example.com", "username": "fresh", "password": "a-Strong-passphrase-9"},
        REMOTE_ADDR="10.0.5.1",
    )

    assert response.status_code == 201, response.content


def test_register_is_limited_per_ip(api_client):
    for index in range(10):
        api_client.post(REGISTER, {"email": "bad", "username": f"reg{index}", "password": "x"}, REMOTE_ADDR="10.0.6.1")

    response = api_client.post(
        REGISTER,
        {"email": "ok@example.com", "username": "okay", "password": "a-Strong-passphrase-9"},
        REMOTE_ADDR="10.0.6.1",
    )
    assert_throttled(response)


def test_register_is_limited_per_username(api_client):
    for index in range(5):
        api_client.post(
            REGISTER, {"email": "bad", "username": "sameName", "password": "x"}, REMOTE_ADDR=f"10.0.7.{index}"
        )

    response = api_client.post(
        REGISTER,
        {"email": "ok@example.com", "username": "samename", "password": "a-Strong-passphrase-9"},
        REMOTE_ADDR="10.0.7.99",
    )
    assert_throttled(response)


@override_settings(RATE_LIMIT_AUTH_USERNAME="2/m", RATE_LIMIT_AUTH_IP="100/m")
def test_limits_follow_settings(api_client, user):
    login(api_client, user.username)
    login(api_client, user.username)

    assert_throttled(login(api_client, user.username))


@override_settings(RATELIMIT_ENABLE=False)
def test_rate_limits_can_be_switched_off(api_client, user):
    for _ in range(15):
        assert_error_shape(login(api_client, user.username), 401)


@override_settings(RATE_LIMIT_USER="3/m")
def test_authenticated_requests_are_limited_per_user(user_client, other_client):
    for _ in range(3):
        assert user_client.get(ME).status_code == 200

    assert_throttled(user_client.get(ME))
    assert other_client.get(ME).status_code == 200
