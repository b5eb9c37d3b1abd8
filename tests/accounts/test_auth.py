"""Register, login, refresh, logout, me and password change (API.md, Auth)."""

from urllib.parse import urlencode

import pytest

from accounts.models import Role, User
from accounts.services import user_soft_delete
from tests.accounts.factories import DEFAULT_PASSWORD, AdminFactory, UserFactory
from tests.helpers import assert_error_shape

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register/"
LOGIN = "/api/v1/auth/login/"
REFRESH = "/api/v1/auth/refresh/"
LOGOUT = "/api/v1/auth/logout/"
ME = "/api/v1/auth/me/"
PASSWORD = "/api/v1/auth/password/"

USER_FIELDS = {"id", "email", "username", "first_name", "last_name", "role", "is_active", "date_joined"}


def register_body(**overrides):
    body = {"email": "new.person@example.com", "username": "new.person", "password": "a-Strong-passphrase-9"}
    body.update(overrides)
    return body


def login(client, identifier, password=DEFAULT_PASSWORD, field="username"):
    return client.post(LOGIN, {field: identifier, "password": password})


# --- register -------------------------------------------------------------------------------
def test_register_returns_user_and_tokens(api_client):
    response = api_client.post(REGISTER, register_body(first_name="Ada", last_name="Lovelace"))

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"user", "access", "refresh"}
    assert set(body["user"]) == USER_FIELDS
    assert body["user"]["username"] == "new.person"
    assert body["user"]["first_name"] == "Ada"
    assert body["user"]["role"] == "user"
    assert body["user"]["is_active"] is True
    assert "password" not in body["user"]
    # The access token works right away.
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    assert api_client.get(ME).json()["username"] == "new.person"


def test_register_ignores_role_and_is_staff(api_client):
    response = api_client.post(REGISTER, register_body(role="admin", is_staff=True, is_superuser=True))

    assert response.status_code == 201, response.content
    assert response.json()["user"]["role"] == "user"
    user = User.objects.get(username="new.person")
    assert user.role == Role.USER
    assert not user.is_staff
    assert not user.is_superuser


def test_register_stores_email_as_given(api_client):
    response = api_client.post(REGISTER, register_body(email="Mixed.Case@Example.COM"))

    assert response.status_code == 201, response.content
    assert response.json()["user"]["email"] == "Mixed.Case@Example.COM"
    assert User.objects.get(username="new.person").email == "Mixed.Case@Example.COM"


@pytest.mark.parametrize(
    "username",
    ["ab", "x" * 151, "with space", "semi;colon", "slash/name", "", "quote'name"],
)
def test_register_rejects_bad_usernames(api_client, username):
    response = api_client.post(REGISTER, register_body(username=username))

    assert_error_shape(response, 400, attr="username")
    assert not User.objects.exists()


@pytest.mark.parametrize("username", ["abc", "x" * 150, "a.b@c+d-e_f", "Ünïcode"])
def test_register_accepts_good_usernames(api_client, username):
    response = api_client.post(REGISTER, register_body(username=username))

    assert response.status_code == 201, response.content
    assert response.json()["user"]["username"] == username


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("Sh0rt!x", "too short"),
        ("password123", "too common"),
        ("9384720193847", "entirely numeric"),
        ("new.person", "similar to the username"),
    ],
)
def test_register_runs_password_validators(api_client, password, why):
    response = api_client.post(REGISTER, register_body(password=password))

    assert_error_shape(response, 400, attr="password")
    assert not User.objects.exists(), why


@pytest.mark.parametrize("missing", ["email", "username", "password"])
def test_register_requires_fields(api_client, missing):
    body = register_body()
    del body[missing]

    assert_error_shape(api_client.post(REGISTER, body), 400, attr=missing)


def test_register_rejects_invalid_email(api_client):
    assert_error_shape(api_client.post(REGISTER, register_body(email="not-an-email")), 400, attr="email")


@pytest.mark.parametrize("email", ["taken@example.com", "TAKEN@EXAMPLE.COM", "Taken@Example.com"])
def test_register_duplicate_email_any_case_is_400(api_client, email):
    UserFactory.create(email="taken@example.com")

    assert_error_shape(api_client.post(REGISTER, register_body(email=email)), 400, attr="email")


@pytest.mark.parametrize("username", ["taken", "TAKEN", "Taken"])
def test_register_duplicate_username_any_case_is_400(api_client, username):
    UserFactory.create(username="taken")

    assert_error_shape(api_client.post(REGISTER, register_body(username=username)), 400, attr="username")


def test_register_explicit_null_is_400(api_client):
    for field in ("email", "username", "password", "first_name"):
        assert_error_shape(api_client.post(REGISTER, register_body(**{field: None})), 400, attr=field)


# --- login ----------------------------------------------------------------------------------
def assert_token_pair(response):
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"access", "refresh", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    assert body["access"]
    assert body["refresh"]
    return body


def test_login_by_username(api_client, user):
    body = assert_token_pair(login(api_client, user.username))

    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    assert api_client.get(ME).json()["id"] == str(user.id)


def test_login_username_is_case_insensitive(api_client):
    UserFactory.create(username="CamelUser")

    assert_token_pair(login(api_client, "cameluser"))


def test_login_by_email_in_username_field_any_case(api_client):
    user = UserFactory.create(email="Someone@Example.com")

    assert_token_pair(login(api_client, "someone@EXAMPLE.com"))
    assert_token_pair(login(api_client, user.email))


def test_login_with_email_field(api_client):
    UserFactory.create(email="field@example.com")

    assert_token_pair(login(api_client, "FIELD@example.com", field="email"))


def test_login_form_encoded(api_client, user):
    response = api_client.post(
        LOGIN,
        urlencode({"username": user.username, "password": DEFAULT_PASSWORD}),
        content_type="application/x-www-form-urlencoded",
    )

    assert_token_pair(response)


def test_login_multipart(api_client, user):
    response = api_client.post(LOGIN, {"username": user.username, "password": DEFAULT_PASSWORD}, format="multipart")

    assert_token_pair(response)


def test_login_form_with_blank_username_and_an_email(api_client):
    UserFactory.create(email="form@example.com")

    response = api_client.post(
        LOGIN,
        urlencode({"username": "", "email": "form@example.com", "password": DEFAULT_PASSWORD}),
        content_type="application/x-www-form-urlencoded",
    )

    assert_token_pair(response)


def test_login_blank_username_and_email_is_400(api_client):
    assert_error_shape(api_client.post(LOGIN, {"username": "", "email": "", "password": "x"}), 400)


def test_login_missing_password_is_400(api_client, user):
    assert_error_shape(api_client.post(LOGIN, {"username": user.username}), 400, attr="password")


def test_login_missing_identifier_is_400(api_client):
    response = api_client.post(LOGIN, {"password": DEFAULT_PASSWORD})

    assert_error_shape(response, 400)
    assert response.json()["type"] == "validation_error"


def test_login_empty_body_is_400(api_client):
    assert_error_shape(api_client.post(LOGIN, {}), 400)


@pytest.mark.parametrize("path", [LOGIN, REGISTER])
def test_malformed_json_is_a_parse_error_not_a_missing_field(api_client, path):
    # The per-username rate limit reads the body first; the parse error must survive that.
    response = api_client.post(path, "{not json", content_type="application/json")

    assert_error_shape(response, 400, code="parse_error")


def test_login_with_email_field_matches_emails_only(api_client):
    owner = UserFactory.create(email="Shared.Name@example.com")
    UserFactory.create(username="shared.name@example.com", email="squatter@example.com")

    # The `email` field names an email: the user whose *username* looks like it is not a match.
    response = login(api_client, "SHARED.NAME@example.com", field="email")

    assert_token_pair(response)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    assert api_client.get(ME).json()["id"] == str(owner.id)


def test_a_username_that_looks_like_an_email_does_not_lock_its_owner_out(api_client):
    owner = UserFactory.create(email="victim@example.com")
    squatter = UserFactory.create(username="victim@example.com", email="squatter@example.com")
    squatter.set_password("the-squatters-own-pass-7")
    squatter.save()

    as_owner = login(api_client, "victim@example.com")
    as_squatter = login(api_client, "victim@example.com", password="the-squatters-own-pass-7")

    assert_token_pair(as_owner)
    assert_token_pair(as_squatter)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {as_owner.json()['access']}")
    assert api_client.get(ME).json()["id"] == str(owner.id)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {as_squatter.json()['access']}")
    assert api_client.get(ME).json()["id"] == str(squatter.id)


def test_login_failures_are_identical_401s(api_client):
    """Unknown user, wrong password, inactive and deleted users: one answer, nothing to enumerate."""
    UserFactory.create(username="known")
    UserFactory.create(username="inactive", is_active=False)
    deleted = UserFactory.create(username="gone")
    user_soft_delete(user=deleted)

    responses = [
        login(api_client, "nobody-here"),
        login(api_client, "known", "wrong-password-1"),
        login(api_client, "inactive"),
        login(api_client, "gone"),
        login(api_client, "gone@example.com", field="email"),
    ]

    for response in responses:
        assert_error_shape(response, 401)
        assert len(response.json()["errors"]) == 1
    bodies = [response.json() for response in responses]
    assert all(body == bodies[0] for body in bodies), bodies


def test_login_ignores_stale_authorization_header(api_client, user):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")

    assert_token_pair(login(api_client, user.username))


def test_login_admin(api_client):
    admin = AdminFactory.create()

    assert_token_pair(login(api_client, admin.username))


# --- refresh --------------------------------------------------------------------------------
def test_refresh_rotates_and_blacklists_the_old_token(api_client, user):
    old = assert_token_pair(login(api_client, user.username))["refresh"]

    response = api_client.post(REFRESH, {"refresh": old})

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"access", "refresh"}
    assert body["refresh"] != old
    # The new access token works.
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    assert api_client.get(ME).status_code == 200
    api_client.credentials()
    # The new refresh token works once; the old one is spent.
    newest = api_client.post(REFRESH, {"refresh": body["refresh"]})
    assert newest.status_code == 200, newest.content
    assert_error_shape(api_client.post(REFRESH, {"refresh": old}), 401)
    # Using a spent one again is reuse: the chain it started is revoked too (issue 20).
    assert_error_shape(api_client.post(REFRESH, {"refresh": newest.json()["refresh"]}), 401)


def test_refresh_with_garbage_is_401(api_client):
    response = api_client.post(REFRESH, {"refresh": "garbage"})

    assert_error_shape(response, 401, code="token_not_valid")
    assert len(response.json()["errors"]) == 1


def test_refresh_missing_field_is_400(api_client):
    assert_error_shape(api_client.post(REFRESH, {}), 400, attr="refresh")


def test_refresh_rejects_an_access_token(api_client, user):
    access = assert_token_pair(login(api_client, user.username))["access"]

    assert_error_shape(api_client.post(REFRESH, {"refresh": access}), 401)


def test_refresh_ignores_stale_authorization_header(api_client, user):
    refresh = assert_token_pair(login(api_client, user.username))["refresh"]
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")

    assert api_client.post(REFRESH, {"refresh": refresh}).status_code == 200


# --- logout ---------------------------------------------------------------------------------
def test_logout_blacklists_the_refresh_token_without_access_token(api_client, user):
    refresh = assert_token_pair(login(api_client, user.username))["refresh"]

    response = api_client.post(LOGOUT, {"refresh": refresh})

    assert response.status_code == 204, response.content
    assert_error_shape(api_client.post(REFRESH, {"refresh": refresh}), 401)


def test_logout_only_revokes_that_token(api_client, user):
    first = assert_token_pair(login(api_client, user.username))["refresh"]
    second = assert_token_pair(login(api_client, user.username))["refresh"]

    assert api_client.post(LOGOUT, {"refresh": first}).status_code == 204

    assert api_client.post(REFRESH, {"refresh": second}).status_code == 200


def test_logout_with_bad_token_is_401(api_client):
    assert_error_shape(api_client.post(LOGOUT, {"refresh": "garbage"}), 401)


def test_logout_twice_is_401(api_client, user):
    refresh = assert_token_pair(login(api_client, user.username))["refresh"]
    assert api_client.post(LOGOUT, {"refresh": refresh}).status_code == 204

    assert_error_shape(api_client.post(LOGOUT, {"refresh": refresh}), 401)


def test_logout_missing_field_is_400(api_client):
    assert_error_shape(api_client.post(LOGOUT, {}), 400, attr="refresh")


# --- me -------------------------------------------------------------------------------------
def test_me_requires_authentication(api_client):
    assert_error_shape(api_client.get(ME), 401, code="not_authenticated")


def test_me_get(user, user_client):
    response = user_client.get(ME)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == USER_FIELDS
    assert body["id"] == str(user.id)
    assert body["email"] == user.email
    assert body["role"] == "user"


def test_me_patch_keeps_unspecified_fields(user, user_client):
    user.first_name = "Keep"
    user.last_name = "Me"
    user.save()

    response = user_client.patch(ME, {"first_name": "Changed"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["first_name"] == "Changed"
    assert body["last_name"] == "Me"
    assert body["email"] == user.email
    assert body["username"] == user.username
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Changed", "Me")


def test_me_patch_email_and_username(user, user_client):
    response = user_client.patch(ME, {"email": "Fresh@Example.org", "username": "fresh_name"})

    assert response.status_code == 200, response.content
    assert response.json()["email"] == "Fresh@Example.org"
    user.refresh_from_db()
    assert user.username == "fresh_name"


def test_me_patch_role_is_403(user, user_client):
    response = user_client.patch(ME, {"role": "admin"})

    assert_error_shape(response, 403)
    user.refresh_from_db()
    assert user.role == Role.USER
    assert not user.is_staff


def test_me_patch_is_active_is_403(user, user_client):
    assert_error_shape(user_client.patch(ME, {"is_active": False}), 403)
    user.refresh_from_db()
    assert user.is_active


def test_me_patch_same_role_is_not_a_change(user_client):
    assert user_client.patch(ME, {"role": "user", "first_name": "Same"}).status_code == 200


def test_me_patch_duplicate_email_any_case_is_400(user, user_client):
    UserFactory.create(email="other@example.com")

    assert_error_shape(user_client.patch(ME, {"email": "OTHER@example.com"}), 400, attr="email")


def test_me_patch_duplicate_username_is_400(user_client):
    UserFactory.create(username="somebody")

    assert_error_shape(user_client.patch(ME, {"username": "Somebody"}), 400, attr="username")


def test_me_patch_own_email_in_another_case_is_allowed(user, user_client):
    response = user_client.patch(ME, {"email": user.email.upper()})

    assert response.status_code == 200, response.content
    assert response.json()["email"] == user.email.upper()


def test_me_patch_null_is_400(user_client):
    for field in ("email", "username", "first_name", "last_name"):
        assert_error_shape(user_client.patch(ME, {field: None}), 400, attr=field)


def test_me_patch_bad_username_is_400(user_client):
    assert_error_shape(user_client.patch(ME, {"username": "a b"}), 400, attr="username")
    assert_error_shape(user_client.patch(ME, {"username": "ab"}), 400, attr="username")


def test_me_put_and_delete_are_405(user_client):
    assert_error_shape(user_client.delete(ME), 405)
    assert_error_shape(user_client.put(ME, {"email": "x@example.com"}), 405)


# --- password -------------------------------------------------------------------------------
NEW_PASSWORD = "another-Strong-passphrase-7"


def test_password_change(api_client, user, user_client):
    refresh_one = assert_token_pair(login(api_client, user.username))["refresh"]
    refresh_two = assert_token_pair(login(api_client, user.username))["refresh"]

    response = user_client.post(PASSWORD, {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD})

    assert response.status_code == 204, response.content
    # Every refresh token of the user is blacklisted.
    for refresh in (refresh_one, refresh_two):
        assert_error_shape(api_client.post(REFRESH, {"refresh": refresh}), 401)
    # The new password signs in; the old one no longer does.
    assert_token_pair(login(api_client, user.username, NEW_PASSWORD))
    assert_error_shape(login(api_client, user.username, DEFAULT_PASSWORD), 401)


def test_password_change_wrong_old_password_is_400(api_client, user, user_client):
    response = user_client.post(PASSWORD, {"old_password": "not-my-password", "new_password": NEW_PASSWORD})

    assert_error_shape(response, 400, attr="old_password")
    assert_token_pair(login(api_client, user.username))


def test_password_change_weak_new_password_is_400(user_client):
    response = user_client.post(PASSWORD, {"old_password": DEFAULT_PASSWORD, "new_password": "123"})

    assert_error_shape(response, 400, attr="new_password")


def test_password_change_missing_fields_is_400(user_client):
    assert_error_shape(user_client.post(PASSWORD, {"new_password": NEW_PASSWORD}), 400, attr="old_password")
    assert_error_shape(user_client.post(PASSWORD, {"old_password": DEFAULT_PASSWORD}), 400, attr="new_password")


def test_password_change_requires_authentication(api_client):
    response = api_client.post(PASSWORD, {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD})

    assert_error_shape(response, 401)
