"""The exact words and codes of the accounts app's refusals (API.md), pinned before they moved
from the views into the services: a client may match on them."""

import pytest

from tests.accounts.factories import DEFAULT_PASSWORD, AccountFactory
from tests.helpers import assert_error_shape

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login/"
LOGOUT = "/api/v1/auth/logout/"
ME = "/api/v1/auth/me/"
ACCOUNTS = "/api/v1/accounts/"


def only_error(response) -> dict:
    errors = response.json()["errors"]
    assert len(errors) == 1, errors
    return errors[0]


@pytest.mark.parametrize("field", ["role", "is_active"])
@pytest.mark.parametrize("where", ["me", "users"])
def test_a_non_admin_changing_a_permission_field_is_a_403_naming_it(user, user_client, field, where):
    url = ME if where == "me" else f"/api/v1/users/{user.pk}/"
    value = {"role": "admin", "is_active": False}[field]
    response = user_client.patch(url, {field: value}, format="json")
    assert_error_shape(response, 403)
    assert only_error(response) == {
        "code": "permission_denied",
        "detail": f"Only an admin may change `{field}`.",
        "attr": None,
    }


def test_a_put_by_a_non_admin_sending_another_role_is_the_same_403(user, user_client):
    body = {"email": user.email, "username": user.username, "role": "admin"}
    response = user_client.put(f"/api/v1/users/{user.pk}/", body, format="json")
    assert only_error(response)["detail"] == "Only an admin may change `role`."


def test_a_non_admin_sending_the_current_values_is_not_a_change(user, user_client):
    response = user_client.patch(ME, {"role": "user", "is_active": True, "first_name": "Same"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["first_name"] == "Same"


def test_an_admin_changes_another_users_role_and_is_active(admin_client_api, user):
    response = admin_client_api.patch(f"/api/v1/users/{user.pk}/", {"role": "admin", "is_active": False})
    assert response.status_code == 200, response.content
    assert (response.json()["role"], response.json()["is_active"]) == ("admin", False)


def test_bad_credentials_are_one_not_authenticated_401(api_client, user):
    response = api_client.post(LOGIN, {"username": user.username, "password": "wrong-password-1"})
    assert_error_shape(response, 401)
    assert only_error(response) == {
        "code": "not_authenticated",
        "detail": "No active account found with the given credentials.",
        "attr": None,
    }
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_login_answers_a_token_pair(api_client, user):
    response = api_client.post(LOGIN, {"email": user.email.upper(), "password": DEFAULT_PASSWORD})
    assert response.status_code == 200, response.content
    assert set(response.json()) == {"access", "refresh", "token_type", "expires_in"}


def test_logout_with_a_bad_token_is_one_token_not_valid_401(api_client):
    response = api_client.post(LOGOUT, {"refresh": "garbage"})
    assert_error_shape(response, 401)
    error = only_error(response)
    assert (error["code"], error["attr"]) == ("token_not_valid", None)
    assert error["detail"] == "Token is invalid"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_logout_twice_says_the_token_is_blacklisted(api_client, user):
    refresh = api_client.post(LOGIN, {"username": user.username, "password": DEFAULT_PASSWORD}).json()["refresh"]
    assert api_client.post(LOGOUT, {"refresh": refresh}).status_code == 204
    error = only_error(api_client.post(LOGOUT, {"refresh": refresh}))
    assert (error["code"], error["detail"]) == ("token_not_valid", "Token is blacklisted")


def test_a_non_admin_cannot_move_their_account_by_put_either(user, user_client, other_user):
    account = AccountFactory.create(owner=user, name="Mine")
    response = user_client.put(f"{ACCOUNTS}{account.pk}/", {"name": "Mine", "owner": str(other_user.pk)})
    assert response.status_code == 200, response.content
    assert response.json()["owner"] == str(user.pk)


def test_an_invalid_currency_is_one_error_quoting_it_as_written(user_client):
    response = user_client.post(ACCOUNTS, {"name": "X", "currency": "usx"}, format="json")
    assert_error_shape(response, 400)
    assert only_error(response) == {
        "code": "invalid",
        "detail": "'usx' is not an ISO 4217 currency code.",
        "attr": "currency",
    }


def test_currency_xcg_is_valid(user_client):
    response = user_client.post(ACCOUNTS, {"name": "Caribbean", "currency": "xcg"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["currency"] == "XCG"
