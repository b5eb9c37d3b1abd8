"""The rules the accounts services own, called directly as the admin and commands would call them."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

from accounts import selectors, services
from accounts.models import Role
from tests.accounts.factories import DEFAULT_PASSWORD, AccountFactory, AdminFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- only an admin changes role / is_active --------------------------------------------------
@pytest.mark.parametrize(("field", "value"), [("role", Role.ADMIN), ("is_active", False)])
def test_a_non_admin_actor_may_not_change_a_permission_field(user, field, value):
    with pytest.raises(PermissionDenied, match=re.escape(f"Only an admin may change `{field}`.")):
        services.user_update(actor=user, user=user, data={field: value, "first_name": "Not saved"})
    user.refresh_from_db()
    assert (user.role, user.is_active, user.first_name) == (Role.USER, True, "")


def test_sending_the_current_value_is_not_a_change(user):
    updated = services.user_update(actor=user, user=user, data={"role": Role.USER, "is_active": True, "last_name": "X"})
    assert updated.last_name == "X"


def test_an_admin_actor_changes_role_and_is_active(user, admin_user):
    updated = services.user_update(actor=admin_user, user=user, data={"role": Role.ADMIN, "is_active": False})
    assert (updated.role, updated.is_active) == (Role.ADMIN, False)


def test_user_set_role_needs_an_admin_actor(user, other_user):
    with pytest.raises(PermissionDenied):
        services.user_set_role(actor=other_user, user=user, role=Role.ADMIN)


# --- who owns an account ---------------------------------------------------------------------
def test_a_non_admins_owner_is_ignored_on_create(user, other_user):
    account = services.account_create(actor=user, owner=other_user, name="Mine")
    assert account.owner == user


def test_an_admin_creates_for_another_owner_or_for_themself(admin_user, user):
    assert services.account_create(actor=admin_user, owner=user, name="Theirs").owner == user
    assert services.account_create(actor=admin_user, name="Own").owner == admin_user


def test_account_create_applies_the_model_defaults(user):
    account = services.account_create(actor=user, name="Plain")
    assert (account.description, account.balance, account.currency, account.active) == (
        "",
        Decimal("0.00"),
        "USD",
        True,
    )


def test_account_create_takes_only_its_own_keywords(user):
    with pytest.raises(TypeError):
        services.account_create(actor=user, name="X", colour="red")  # type: ignore[call-arg]


def test_a_non_admins_owner_is_ignored_on_update(user, other_user):
    account = AccountFactory.create(owner=user)
    updated = services.account_update(actor=user, account=account, data={"owner": other_user, "name": "Renamed"})
    assert (updated.owner, updated.name) == (user, "Renamed")


def test_an_admin_moves_an_account(admin_user, user, other_user):
    account = AccountFactory.create(owner=user)
    assert services.account_update(actor=admin_user, account=account, data={"owner": other_user}).owner == other_user


# --- login and logout ------------------------------------------------------------------------
def test_auth_login_by_username_or_email(user):
    for identity in ({"username": user.username.upper()}, {"username": user.email}, {"email": user.email}):
        tokens = services.auth_login(request=None, password=DEFAULT_PASSWORD, **identity)
        assert set(tokens) == {"access", "refresh", "token_type", "expires_in"}


@pytest.mark.parametrize("identity", [{"username": "nobody"}, {"email": "nobody@example.com"}])
def test_auth_login_refuses_unknown_users_and_wrong_passwords(user, identity):
    with pytest.raises(services.InvalidCredentials, match=re.escape(services.INVALID_CREDENTIALS)):
        services.auth_login(request=None, password=DEFAULT_PASSWORD, **identity)
    with pytest.raises(services.InvalidCredentials):
        services.auth_login(request=None, username=user.username, password="wrong-password-1")


def test_auth_logout_blacklists_that_token_once(user):
    refresh = services.tokens_for_user(user=user)["refresh"]
    services.auth_logout(refresh=refresh)
    assert BlacklistedToken.objects.filter(token__user=user).count() == 1
    with pytest.raises(TokenError):
        services.auth_logout(refresh=refresh)
    with pytest.raises(TokenError):
        services.auth_logout(refresh="garbage")


# --- selectors scope by the caller -----------------------------------------------------------
def test_user_list_is_everyone_for_an_admin_yourself_otherwise_nobody_anonymous(user, other_user, admin_user):
    deleted = UserFactory.create()
    services.user_soft_delete(user=deleted)
    assert set(selectors.user_list(user=admin_user)) == {user, other_user, admin_user}
    assert list(selectors.user_list(user=user)) == [user]
    assert not selectors.user_list(user=AnonymousUser()).exists()


def test_account_list_is_your_own_or_all_for_an_admin(user, other_user):
    mine, theirs = AccountFactory.create(owner=user), AccountFactory.create(owner=other_user)
    assert list(selectors.account_list(user=user)) == [mine]
    assert set(selectors.account_list(user=AdminFactory.create())) == {mine, theirs}
    assert not selectors.account_list(user=AnonymousUser()).exists()


def test_a_password_change_checks_the_old_password_against_the_row_as_it_is_now(user):
    read_by_this_request = type(user).objects.get(pk=user.pk)
    services.user_change_password(user=user, old_password=DEFAULT_PASSWORD, new_password="first-New-passphrase-1")
    with pytest.raises(ValidationError) as caught:
        services.user_change_password(
            user=read_by_this_request, old_password=DEFAULT_PASSWORD, new_password="second-New-passphrase-2"
        )
    assert list(caught.value.message_dict) == ["old_password"]
    user.refresh_from_db()
    assert user.check_password("first-New-passphrase-1")
