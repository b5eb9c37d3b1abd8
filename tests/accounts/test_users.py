"""/users/: who sees and changes whom, filters, role changes and soft delete (API.md, Users)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role, User
from accounts.services import tokens_for_user
from tests.accounts.factories import DEFAULT_PASSWORD, AdminFactory, UserFactory
from tests.helpers import assert_error_shape

pytestmark = pytest.mark.django_db

USERS = "/api/v1/users/"
LOGIN = "/api/v1/auth/login/"
REGISTER = "/api/v1/auth/register/"
ME = "/api/v1/auth/me/"
REFRESH = "/api/v1/auth/refresh/"


def detail(user) -> str:
    return f"{USERS}{user.id}/"


def full_body(user, **overrides):
    body = {
        "email": user.email,
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "role": user.role,
        "is_active": user.is_active,
    }
    body.update(overrides)
    return body


# --- access matrix --------------------------------------------------------------------------
def test_anonymous_gets_401_everywhere(api_client, user):
    for response in (
        api_client.get(USERS),
        api_client.get(detail(user)),
        api_client.patch(detail(user), {"first_name": "x"}),
        api_client.put(detail(user), full_body(user)),
        api_client.delete(detail(user)),
        api_client.post(f"{detail(user)}role/", {"role": "admin"}),
    ):
        assert_error_shape(response, 401, code="not_authenticated")


def test_user_cannot_list(user_client):
    assert_error_shape(user_client.get(USERS), 403)


def test_user_reads_and_updates_self(user, user_client):
    assert user_client.get(detail(user)).json()["id"] == str(user.id)

    patched = user_client.patch(detail(user), {"last_name": "Patched"})
    assert patched.status_code == 200, patched.content
    assert patched.json()["last_name"] == "Patched"

    put = user_client.put(detail(user), full_body(user, first_name="Put", last_name="Whole"))
    assert put.status_code == 200, put.content
    assert (put.json()["first_name"], put.json()["last_name"]) == ("Put", "Whole")


def test_user_cannot_see_or_change_another_user(user_client, other_user, admin_user):
    for target in (other_user, admin_user):
        assert_error_shape(user_client.get(detail(target)), 404)
        assert_error_shape(user_client.patch(detail(target), {"first_name": "x"}), 404)
        assert_error_shape(user_client.put(detail(target), full_body(target)), 404)
    other_user.refresh_from_db()
    assert other_user.first_name != "x"


def test_user_cannot_delete_anyone(user, user_client, other_user):
    assert_error_shape(user_client.delete(detail(user)), 403)
    assert_error_shape(user_client.delete(detail(other_user)), 403)
    assert User.objects.alive().filter(pk__in=[user.pk, other_user.pk]).count() == 2


def test_user_cannot_change_own_role_or_is_active(user, user_client):
    assert_error_shape(user_client.patch(detail(user), {"role": "admin"}), 403)
    assert_error_shape(user_client.patch(detail(user), {"is_active": False}), 403)
    assert_error_shape(user_client.put(detail(user), full_body(user, role="admin")), 403)
    assert_error_shape(user_client.post(f"{detail(user)}role/", {"role": "admin"}), 403)
    user.refresh_from_db()
    assert user.role == Role.USER
    assert user.is_active


def test_admin_can_do_everything(admin_client_api, user):
    assert admin_client_api.get(USERS).status_code == 200
    assert admin_client_api.get(detail(user)).status_code == 200
    assert admin_client_api.patch(detail(user), {"first_name": "ByAdmin"}).json()["first_name"] == "ByAdmin"
    put = admin_client_api.put(detail(user), full_body(user, is_active=False))
    assert put.status_code == 200, put.content
    assert put.json()["is_active"] is False
    assert admin_client_api.delete(detail(user)).status_code == 204


def test_admin_promotes_via_patch(admin_client_api, user):
    response = admin_client_api.patch(detail(user), {"role": "admin"})

    assert response.status_code == 200, response.content
    user.refresh_from_db()
    assert user.role == Role.ADMIN
    assert user.is_staff


def test_unknown_and_malformed_ids_are_404(admin_client_api):
    assert_error_shape(admin_client_api.get(f"{USERS}00000000-0000-0000-0000-000000000000/"), 404)
    assert_error_shape(admin_client_api.get(f"{USERS}not-a-uuid/"), 404)


def test_user_body_never_contains_password(admin_client_api, user):
    for body in (admin_client_api.get(detail(user)).json(), admin_client_api.get(USERS).json()["results"][0]):
        assert "password" not in body
        assert set(body) == {"id", "email", "username", "first_name", "last_name", "role", "is_active", "date_joined"}


# --- list: filters, search, ordering, pagination ----------------------------------------------
def usernames(response):
    assert response.status_code == 200, response.content
    return [row["username"] for row in response.json()["results"]]


def test_filter_by_role(admin_client_api, admin_user, user):
    assert usernames(admin_client_api.get(USERS, {"role": "admin"})) == [admin_user.username]
    assert usernames(admin_client_api.get(USERS, {"role": "user"})) == [user.username]


def test_filter_by_invalid_role_is_400(admin_client_api):
    assert_error_shape(admin_client_api.get(USERS, {"role": "wizard"}), 400, attr="role")


def test_filter_by_is_active_false_is_applied(admin_client_api, admin_user):
    UserFactory.create(username="sleeping", is_active=False)

    assert usernames(admin_client_api.get(USERS, {"is_active": "false"})) == ["sleeping"]
    assert usernames(admin_client_api.get(USERS, {"is_active": "0"})) == ["sleeping"]
    assert "sleeping" not in usernames(admin_client_api.get(USERS, {"is_active": "true"}))


@pytest.mark.parametrize("value", ["abc", "maybe", "2"])
def test_filter_by_junk_is_active_is_400(admin_client_api, value):
    assert_error_shape(admin_client_api.get(USERS, {"is_active": value}), 400, attr="is_active")


def test_search_by_email_and_username(admin_client_api):
    UserFactory.create(username="alice", email="alice@wonder.land")
    UserFactory.create(username="bob", email="bob@builder.example")

    assert usernames(admin_client_api.get(USERS, {"search": "WONDER"})) == ["alice"]
    assert usernames(admin_client_api.get(USERS, {"search": "Bo"})) == ["bob"]
    assert usernames(admin_client_api.get(USERS, {"search": "%"})) == []


@pytest.mark.parametrize("field", ["username", "email", "date_joined"])
def test_ordering(admin_client_api, admin_user, field):
    for name in ("mike", "zulu", "alpha"):
        UserFactory.create(username=name)

    ascending = admin_client_api.get(USERS, {"ordering": field}).json()["results"]
    descending = admin_client_api.get(USERS, {"ordering": f"-{field}"}).json()["results"]

    values = [row[field] for row in ascending]
    assert values == sorted(values)
    assert [row["id"] for row in descending] == [row["id"] for row in reversed(ascending)]


def test_unknown_ordering_is_400_naming_the_allowed_fields(admin_client_api):
    response = admin_client_api.get(USERS, {"ordering": "password"})

    assert_error_shape(response, 400, attr="ordering")
    detail = response.json()["errors"][0]["detail"]
    for allowed in ("date_joined", "email", "username"):
        assert allowed in detail


def test_list_is_paginated(admin_client_api):
    UserFactory.create_batch(4)

    body = admin_client_api.get(USERS, {"page_size": 2}).json()

    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 5
    assert len(body["results"]) == 2
    assert body["next"]
    assert body["previous"] is None


def test_list_query_count_does_not_grow_with_page_size(admin_client_api, django_assert_max_num_queries):
    UserFactory.create_batch(30)

    with CaptureQueriesContext(connection) as small:
        assert len(admin_client_api.get(USERS, {"page_size": 2}).json()["results"]) == 2
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(admin_client_api.get(USERS, {"page_size": 31}).json()["results"]) == 31


# --- role -----------------------------------------------------------------------------------
def test_admin_sets_role(admin_client_api, user):
    response = admin_client_api.post(f"{detail(user)}role/", {"role": "admin"})

    assert response.status_code == 200, response.content
    assert response.json()["role"] == "admin"
    user.refresh_from_db()
    assert user.is_staff

    back = admin_client_api.post(f"{detail(user)}role", {"role": "user"})
    assert back.status_code == 200, back.content
    user.refresh_from_db()
    assert user.role == Role.USER
    assert not user.is_staff


def test_role_must_be_valid(admin_client_api, user):
    assert_error_shape(admin_client_api.post(f"{detail(user)}role/", {"role": "root"}), 400, attr="role")
    assert_error_shape(admin_client_api.post(f"{detail(user)}role/", {}), 400, attr="role")
    assert_error_shape(admin_client_api.post(f"{detail(user)}role/", {"role": None}), 400, attr="role")


def test_last_active_admin_cannot_be_demoted_or_deleted(admin_user, admin_client_api):
    assert_error_shape(admin_client_api.post(f"{detail(admin_user)}role/", {"role": "user"}), 400)
    assert_error_shape(admin_client_api.patch(detail(admin_user), {"role": "user"}), 400)
    assert_error_shape(admin_client_api.patch(detail(admin_user), {"is_active": False}), 400)
    assert_error_shape(admin_client_api.delete(detail(admin_user)), 400)
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN
    assert admin_user.is_active
    assert admin_user.deleted_at is None


def test_an_admin_may_be_demoted_while_another_remains(admin_user, admin_client_api):
    second = AdminFactory.create()

    assert admin_client_api.post(f"{detail(second)}role/", {"role": "user"}).status_code == 200
    # Now admin_user is the last one again.
    assert_error_shape(admin_client_api.post(f"{detail(admin_user)}role/", {"role": "user"}), 400)


def test_an_inactive_admin_does_not_count_as_the_remaining_admin(admin_user, admin_client_api):
    AdminFactory.create(is_active=False)

    assert_error_shape(admin_client_api.delete(detail(admin_user)), 400)


# --- soft delete ----------------------------------------------------------------------------
def test_soft_delete(admin_client_api, api_client, client_for):
    victim = UserFactory.create(username="victim", email="victim@example.com")
    tokens = tokens_for_user(user=victim)
    victim_client = client_for(victim)

    response = admin_client_api.delete(detail(victim))

    assert response.status_code == 204
    # Gone from the API.
    assert_error_shape(admin_client_api.get(detail(victim)), 404)
    assert_error_shape(admin_client_api.delete(detail(victim)), 404)
    assert "victim" not in usernames(admin_client_api.get(USERS))
    # Can no longer sign in; every token stops working.
    assert_error_shape(api_client.post(LOGIN, {"username": "victim", "password": DEFAULT_PASSWORD}), 401)
    assert_error_shape(victim_client.get(ME), 401)
    assert_error_shape(api_client.post(REFRESH, {"refresh": tokens["refresh"]}), 401)
    # The row is kept.
    assert User.objects.filter(pk=victim.pk, deleted_at__isnull=False).exists()


def test_soft_deleted_email_and_username_are_free_again(admin_client_api, api_client):
    victim = UserFactory.create(username="reuse.me", email="Reuse@Example.com")
    assert admin_client_api.delete(detail(victim)).status_code == 204

    response = api_client.post(
        REGISTER, {"email": "reuse@example.com", "username": "Reuse.Me", "password": "a-Strong-passphrase-9"}
    )

    assert response.status_code == 201, response.content
    login = api_client.post(LOGIN, {"username": "reuse.me", "password": "a-Strong-passphrase-9"})
    assert login.status_code == 200, login.content
    # The new user is the one signed in.
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {login.json()['access']}")
    assert api_client.get(ME).json()["id"] == response.json()["user"]["id"]


def test_soft_deleted_email_is_free_for_a_patch_too(admin_client_api, user_client):
    victim = UserFactory.create(email="was.taken@example.com")
    admin_client_api.delete(detail(victim))

    assert user_client.patch(ME, {"email": "was.taken@example.com"}).status_code == 200


# --- uniqueness on update ---------------------------------------------------------------------
def test_admin_patch_duplicate_email_is_400(admin_client_api, user, other_user):
    response = admin_client_api.patch(detail(user), {"email": other_user.email.upper()})

    assert_error_shape(response, 400, attr="email")


def test_patch_null_is_400(admin_client_api, user):
    for field in ("email", "username", "role", "is_active", "first_name"):
        assert_error_shape(admin_client_api.patch(detail(user), {field: None}), 400, attr=field)


def test_put_requires_email_and_username(admin_client_api, user):
    response = admin_client_api.put(detail(user), {"first_name": "Only"})

    assert_error_shape(response, 400)
    attrs = {error["attr"] for error in response.json()["errors"]}
    assert {"email", "username"} <= attrs


def test_put_resets_omitted_profile_fields(user, user_client):
    user.first_name, user.last_name = "Ada", "Lovelace"
    user.save()

    response = user_client.put(detail(user), {"email": user.email, "username": user.username})

    assert response.status_code == 200, response.content
    assert (response.json()["first_name"], response.json()["last_name"]) == ("", "")
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("", "")


def test_put_leaving_out_role_and_is_active_changes_neither(admin_client_api, admin_user):
    other_admin = AdminFactory.create()

    response = admin_client_api.put(detail(other_admin), {"email": other_admin.email, "username": other_admin.username})

    assert response.status_code == 200, response.content
    other_admin.refresh_from_db()
    assert (other_admin.role, other_admin.is_active) == (Role.ADMIN, True)


def test_a_superuser_admin_can_be_demoted(admin_client_api, client_for):
    # `createsuperuser` and the demo seed make superusers; demoting one must really demote it.
    superuser = AdminFactory.create(is_superuser=True)

    response = admin_client_api.post(f"{detail(superuser)}role/", {"role": "user"})

    assert response.status_code == 200, response.content
    assert response.json()["role"] == "user"
    superuser.refresh_from_db()
    assert (superuser.role, superuser.is_staff, superuser.is_superuser) == (Role.USER, False, False)
    assert client_for(superuser).get(USERS).status_code == 403
