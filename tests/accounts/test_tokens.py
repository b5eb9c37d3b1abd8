"""Bearer tokens: what is refused, and that every refusal is one 401 error (API.md, Conventions)."""

import base64
import json
from datetime import timedelta

import jwt
import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts.services import tokens_for_user, user_soft_delete, user_update
from tests.accounts.factories import AdminFactory
from tests.helpers import assert_error_shape

pytestmark = pytest.mark.django_db

ME = "/api/v1/auth/me/"
REFRESH = "/api/v1/auth/refresh/"


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def assert_one_token_error(response, code="token_not_valid"):
    assert_error_shape(response, 401, code=code)
    assert len(response.json()["errors"]) == 1, response.json()


def test_valid_access_token_works(user):
    assert bearer(tokens_for_user(user=user)["access"]).get(ME).status_code == 200


def test_refresh_token_is_not_an_access_token(user):
    refresh = tokens_for_user(user=user)["refresh"]

    assert_one_token_error(bearer(refresh).get(ME))


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "", "Bearer", "eyJhbGciOiJIUzI1NiJ9.e30."])
def test_malformed_token_is_401(token):
    assert_error_shape(bearer(token).get(ME), 401)
    assert len(bearer(token).get(ME).json()["errors"]) == 1


def test_wrong_scheme_is_401(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {tokens_for_user(user=user)['access']}")

    assert_one_token_error(client.get(ME), code="not_authenticated")


def test_tampered_payload_is_401(user, other_user):
    header, payload, signature = tokens_for_user(user=user)["access"].split(".")
    claims = json.loads(unb64(payload))
    claims["user_id"] = str(other_user.id)
    forged = ".".join([header, b64(json.dumps(claims).encode()), signature])

    assert_one_token_error(bearer(forged).get(ME))


def test_changed_payload_character_is_401(user):
    header, payload, signature = tokens_for_user(user=user)["access"].split(".")
    flipped = payload[:-3] + ("A" if payload[-3] != "A" else "B") + payload[-2:]

    assert_one_token_error(bearer(f"{header}.{flipped}.{signature}").get(ME))


def test_token_signed_with_another_key_is_401(user):
    claims = AccessToken.for_user(user).payload
    forged = jwt.encode(claims, "some-other-signing-key-that-is-long-enough", algorithm="HS256")

    assert_one_token_error(bearer(forged).get(ME))


def test_alg_none_token_is_401(user):
    claims = AccessToken.for_user(user).payload
    header = b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    forged = f"{header}.{b64(json.dumps(claims).encode())}."

    assert_one_token_error(bearer(forged).get(ME))


def test_expired_access_token_is_401(user):
    token = AccessToken.for_user(user)
    token.set_exp(from_time=timezone.now() - timedelta(hours=1))

    assert_one_token_error(bearer(str(token)).get(ME))


def test_access_token_lifetime_is_15_minutes(user):
    token = AccessToken(tokens_for_user(user=user)["access"])

    assert token["exp"] - token["iat"] == 15 * 60


def test_refresh_token_lifetime_is_7_days(user):
    token = RefreshToken(tokens_for_user(user=user)["refresh"])

    assert token["exp"] - token["iat"] == 7 * 24 * 60 * 60


def test_expired_refresh_token_is_401(user):
    token = RefreshToken.for_user(user)
    token.set_exp(from_time=timezone.now() - timedelta(days=8))

    assert_one_token_error(APIClient().post(REFRESH, {"refresh": str(token)}))


def test_deleted_user_tokens_stop_working(user):
    tokens = tokens_for_user(user=user)
    AdminFactory.create()  # so the user is not the last admin (it is not one anyway)

    user_soft_delete(user=user)

    assert_one_token_error(bearer(tokens["access"]).get(ME))
    assert_one_token_error(APIClient().post(REFRESH, {"refresh": tokens["refresh"]}))


def test_deactivated_user_tokens_stop_working(user):
    tokens = tokens_for_user(user=user)

    user_update(actor=AdminFactory.create(), user=user, data={"is_active": False})

    assert_one_token_error(bearer(tokens["access"]).get(ME))
    assert_error_shape(APIClient().post(REFRESH, {"refresh": tokens["refresh"]}), 401)


def test_refresh_token_of_inactive_user_is_refused_even_if_not_blacklisted(user):
    """A user deactivated behind the service's back (admin site, shell) cannot refresh either."""
    refresh = tokens_for_user(user=user)["refresh"]
    user.is_active = False
    user.save()

    response = APIClient().post(REFRESH, {"refresh": refresh})

    assert_error_shape(response, 401)
    assert len(response.json()["errors"]) == 1


def test_token_of_unknown_user_is_401(user):
    token = AccessToken.for_user(user)
    token["user_id"] = "00000000-0000-0000-0000-000000000000"

    assert_one_token_error(bearer(str(token)).get(ME))


def test_token_with_non_uuid_user_id_is_401(user):
    token = AccessToken.for_user(user)
    token["user_id"] = "not-a-uuid"

    response = bearer(str(token)).get(ME)

    assert_one_token_error(response)


def test_token_without_user_id_is_401(user):
    token = AccessToken.for_user(user)
    del token["user_id"]

    assert_one_token_error(bearer(str(token)).get(ME))
