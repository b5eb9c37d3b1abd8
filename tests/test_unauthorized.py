"""Every 401 names the Bearer scheme; an expired token says that it expired (API.md, Conventions)."""

from datetime import timedelta

import pytest
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from tests.helpers import assert_error_shape

pytestmark = pytest.mark.django_db


def expired_access(user) -> str:
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=-timedelta(minutes=1))
    return str(token)


def expired_refresh(user) -> str:
    token = RefreshToken.for_user(user)
    token.set_exp(lifetime=-timedelta(minutes=1))
    return str(token)


def assert_unauthorized(response, code: str) -> None:
    assert_error_shape(response, 401, code=code)
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("authorization", [None, "Bearer garbage", "Bearer a.b.c", "Basic Zm9vOmJhcg=="])
def test_missing_or_rejected_credentials_are_401_with_a_bearer_challenge(api_client, authorization):
    if authorization:
        api_client.credentials(HTTP_AUTHORIZATION=authorization)

    response = api_client.get("/api/v1/locations/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_access_token_says_it_expired(api_client, user):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {expired_access(user)}")

    response = api_client.get("/api/v1/auth/me/")

    assert_unauthorized(response, "token_not_valid")
    assert "expired" in response.json()["errors"][0]["detail"]


def test_an_expired_refresh_token_says_it_expired(api_client, user):
    response = api_client.post("/api/v1/auth/refresh/", {"refresh": expired_refresh(user)}, format="json")

    assert_unauthorized(response, "token_not_valid")
    assert "expired" in response.json()["errors"][0]["detail"]


def test_a_bad_refresh_token_and_a_failed_login_carry_the_challenge(api_client):
    assert_unauthorized(api_client.post("/api/v1/auth/refresh/", {"refresh": "junk"}, format="json"), "token_not_valid")
    login = api_client.post("/api/v1/auth/login/", {"username": "nobody", "password": "wrong-pass-1"}, format="json")
    assert_unauthorized(login, "not_authenticated")


def test_a_garbage_token_does_not_claim_to_have_expired(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer garbage")

    detail = api_client.get("/api/v1/auth/me/").json()["errors"][0]["detail"]

    assert "expired" not in detail
