"""The admin of users and accounts writes through accounts.services: the API's rules hold in /admin/ too."""

import pytest
from rest_framework.test import APIClient

from accounts.models import Account, Role, User
from accounts.services import tokens_for_user

from .factories import DEFAULT_PASSWORD, AccountFactory, AdminFactory, UserFactory

pytestmark = pytest.mark.django_db

REFRESH_URL = "/api/v1/auth/refresh/"
USERS = "/admin/accounts/user/"
ACCOUNTS = "/admin/accounts/account/"


def user_form(user: User, **changes: object) -> dict:
    """What the change page posts for `user`, with `changes`; a False box is simply not sent."""
    data: dict = {
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "role": user.role,
        "is_active": user.is_active,
        **changes,
    }
    if data.pop("is_active"):
        data["is_active"] = "on"
    return data


def refreshes(refresh: str) -> int:
    return APIClient().post(REFRESH_URL, {"refresh": refresh}, format="json").status_code


def form_errors(response) -> dict:
    assert response.status_code == 200, response.status_code  # the form is shown again
    return response.context["adminform"].form.errors


def test_the_last_active_admin_cannot_be_demoted_there(staff, admin_user):
    response = staff.post(f"{USERS}{admin_user.pk}/change/", user_form(admin_user, role=Role.USER))
    assert form_errors(response)["role"] == ["The last active admin cannot be demoted."]
    admin_user.refresh_from_db()
    assert (admin_user.role, admin_user.is_staff) == (Role.ADMIN, True)


def test_the_last_active_admin_cannot_be_deactivated_there(staff, admin_user):
    response = staff.post(f"{USERS}{admin_user.pk}/change/", user_form(admin_user, is_active=False))
    assert form_errors(response)["is_active"] == ["The last active admin cannot be deactivated."]
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_the_last_active_admin_cannot_be_deleted_there(staff, admin_user):
    response = staff.post(f"{USERS}{admin_user.pk}/delete/", {"post": "yes"}, follow=True)
    assert response.redirect_chain[-1][0] == f"{USERS}{admin_user.pk}/change/"
    assert "Not deleted: The last active admin cannot be deleted." in response.content.decode()
    admin_user.refresh_from_db()
    assert (admin_user.deleted_at, admin_user.is_active) == (None, True)


def test_delete_selected_with_the_last_active_admin_deletes_nothing(staff, admin_user):
    other = UserFactory.create()
    response = staff.post(
        USERS,
        {"action": "delete_selected", "_selected_action": [str(other.pk), str(admin_user.pk)], "post": "yes"},
        follow=True,
    )
    assert "Nothing was deleted: The last active admin cannot be deleted." in response.content.decode()
    assert not User.objects.filter(deleted_at__isnull=False).exists()


def test_another_admin_can_be_demoted_there(staff, admin_user):
    second = AdminFactory.create(is_superuser=True)
    response = staff.post(f"{USERS}{second.pk}/change/", user_form(second, role=Role.USER))
    assert response.status_code == 302
    second.refresh_from_db()
    assert (second.role, second.is_staff, second.is_superuser) == (Role.USER, False, False)


def test_deactivating_a_user_there_revokes_their_refresh_tokens(staff, user):
    refresh = tokens_for_user(user=user)["refresh"]
    response = staff.post(f"{USERS}{user.pk}/change/", user_form(user, is_active=False))
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_active
    assert refreshes(refresh) == 401


def test_deleting_a_user_there_is_the_soft_delete(staff, user):
    refresh = tokens_for_user(user=user)["refresh"]
    AccountFactory.create(owner=user)
    confirmation = staff.get(f"{USERS}{user.pk}/delete/")
    assert confirmation.status_code == 200
    # The confirmation lists the user only: a soft delete cascades to nothing.
    assert dict(confirmation.context["model_count"]) == {"user": 1}
    response = staff.post(f"{USERS}{user.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.deleted_at is not None
    assert not user.is_active
    assert refreshes(refresh) == 401
    # Its username is free again, as after the API's delete.
    assert UserFactory.create(username=user.username).pk != user.pk
    assert Account.objects.filter(owner=user).exists()


def test_delete_selected_soft_deletes_each_user(staff):
    users = UserFactory.create_batch(2)
    AccountFactory.create(owner=users[0])
    refreshes_before = [tokens_for_user(user=u)["refresh"] for u in users]
    response = staff.post(
        USERS, {"action": "delete_selected", "_selected_action": [str(u.pk) for u in users], "post": "yes"}
    )
    assert response.status_code == 302
    assert User.objects.filter(pk__in=[u.pk for u in users], deleted_at__isnull=False).count() == 2
    assert Account.objects.filter(owner=users[0]).exists()  # a soft delete: nothing cascaded
    assert [refreshes(token) for token in refreshes_before] == [401, 401]


def test_a_deleted_user_is_shown_read_only(staff, user):
    staff.post(f"{USERS}{user.pk}/delete/", {"post": "yes"})
    assert staff.get(f"{USERS}{user.pk}/change/").status_code == 200
    assert staff.post(f"{USERS}{user.pk}/change/", user_form(user, first_name="X")).status_code == 403


def test_a_taken_email_in_another_case_is_a_form_error(staff, user, other_user):
    response = staff.post(f"{USERS}{user.pk}/change/", user_form(user, email=other_user.email.upper()))
    assert form_errors(response)["email"]
    user.refresh_from_db()
    assert user.email != other_user.email.upper()


def test_adding_a_user_there_goes_through_the_service(staff):
    response = staff.post(
        f"{USERS}add/",
        {
            "username": "made-by-staff",
            "email": "made@example.com",
            "role": Role.ADMIN,
            "password1": DEFAULT_PASSWORD,
            "password2": DEFAULT_PASSWORD,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    made = User.objects.get(username="made-by-staff")
    assert (made.role, made.is_staff, made.check_password(DEFAULT_PASSWORD)) == (Role.ADMIN, True, True)


def test_adding_a_user_with_a_taken_username_is_a_form_error(staff, user):
    response = staff.post(
        f"{USERS}add/",
        {
            "username": user.username.upper(),
            "email": "new@example.com",
            "role": Role.USER,
            "password1": DEFAULT_PASSWORD,
            "password2": DEFAULT_PASSWORD,
        },
    )
    assert form_errors(response)["username"]
    assert User.objects.count() == 2


def test_setting_a_password_there_revokes_refresh_tokens(staff, user):
    refresh = tokens_for_user(user=user)["refresh"]
    new_password = "another-horse-battery-77"
    response = staff.post(
        f"{USERS}{user.pk}/password/",
        {"usable_password": "true", "password1": new_password, "password2": new_password},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user.refresh_from_db()
    assert user.check_password(new_password)
    assert refreshes(refresh) == 401


def account_form(account: Account, **changes: object) -> dict:
    data = {
        "owner": str(account.owner_id),
        "name": account.name,
        "description": account.description,
        "balance": str(account.balance),
        "currency": account.currency,
        "active": "on",
        **changes,
    }
    return {key: value for key, value in data.items() if value is not None}


def test_an_account_name_the_owner_already_uses_is_a_form_error(staff, user):
    taken = AccountFactory.create(owner=user, name="Savings")
    other = AccountFactory.create(owner=user, name="Current")

    added = staff.post(f"{ACCOUNTS}add/", account_form(taken))
    assert form_errors(added)["name"]
    changed = staff.post(f"{ACCOUNTS}{other.pk}/change/", account_form(other, name="Savings"))
    assert form_errors(changed)["name"]
    other.refresh_from_db()
    assert other.name == "Current"
    assert Account.objects.count() == 2


def test_the_same_account_name_for_another_owner_is_fine(staff, user, other_user):
    taken = AccountFactory.create(owner=user, name="Savings")
    response = staff.post(f"{ACCOUNTS}add/", account_form(taken, owner=str(other_user.pk)))
    assert response.status_code == 302
    assert Account.objects.get(owner=other_user).name == "Savings"


def test_an_account_balance_out_of_range_is_a_form_error(staff, user):
    account = AccountFactory.create(owner=user)
    response = staff.post(f"{ACCOUNTS}{account.pk}/change/", account_form(account, balance="-1"))
    assert form_errors(response)["balance"]


def test_deleting_accounts_there_goes_through_the_service(staff, user):
    accounts = AccountFactory.create_batch(3, owner=user)
    assert staff.post(f"{ACCOUNTS}{accounts[0].pk}/delete/", {"post": "yes"}).status_code == 302
    response = staff.post(
        ACCOUNTS,
        {"action": "delete_selected", "_selected_action": [str(a.pk) for a in accounts[1:]], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Account.objects.exists()
