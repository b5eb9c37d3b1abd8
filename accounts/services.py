"""Writes for users, tokens and customer accounts. Each is atomic and validates before saving."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from config.api.exceptions import field_errors
from config.api.services import assign_fields, lock_for_update

from .models import Account, Role, User

USER_EDITABLE_FIELDS = ("email", "username", "first_name", "last_name")
ADMIN_EDITABLE_FIELDS = (*USER_EDITABLE_FIELDS, "role", "is_active")
ACCOUNT_EDITABLE_FIELDS = ("name", "description", "balance", "currency", "active")


# --- Tokens ---------------------------------------------------------------------------------
def tokens_for_user(*, user: User) -> dict[str, Any]:
    refresh = RefreshToken.for_user(user)
    lifetime: timedelta = settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"]
    return {
        "access": str(refresh.access_token),
        "refresh": str(refresh),
        "token_type": "Bearer",
        "expires_in": int(lifetime.total_seconds()),
    }


def refresh_tokens_revoke_all(*, user: User) -> int:
    """Blacklist every outstanding refresh token of the user; returns how many were revoked."""
    outstanding = OutstandingToken.objects.filter(user=user, expires_at__gt=timezone.now()).exclude(
        blacklistedtoken__isnull=False
    )
    created = BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
    )
    return len(created)


# --- Users ----------------------------------------------------------------------------------
def _check_unique_identity(*, user: User) -> None:
    """Duplicate email (any case) or username among living users: a 400 naming the field."""
    alive = User.objects.alive().exclude(pk=user.pk)
    errors: dict[str, str] = {}
    if user.email and alive.filter(email__iexact=user.email).exists():
        errors["email"] = "A user with this email already exists."
    if user.username and alive.filter(username__iexact=user.username).exists():
        errors["username"] = "A user with this username already exists."
    if errors:
        raise field_errors("unique", **errors)


@transaction.atomic
def user_register(*, email: str, username: str, password: str, first_name: str = "", last_name: str = "") -> User:
    """Create a `user`-role account. Password validators run against the new user's attributes."""
    user = User(
        email=email.strip(),
        username=username,
        first_name=first_name,
        last_name=last_name,
        role=Role.USER,
    )
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    _check_unique_identity(user=user)
    user.set_password(password)
    user.full_clean(exclude=["password"], validate_constraints=False)
    user.save()
    return user


def _active_admins_other_than(user: User) -> int:
    # Locks every active admin's row, the target's included, in one order: two admins demoting
    # each other at the same moment then queue up (the second sees the first's change) instead
    # of each locking the other's row and deadlocking.
    admins = (
        User.objects.alive()
        .select_for_update()
        .filter(role=Role.ADMIN, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sum(1 for pk in admins if pk != user.pk)


def _ensure_not_last_admin(*, user: User, action: str) -> None:
    if user.role == Role.ADMIN and user.is_active and _active_admins_other_than(user) == 0:
        raise field_errors("last_admin", role=f"The last active admin cannot be {action}.")


@transaction.atomic
def user_update(*, user: User, data: dict[str, Any]) -> User:
    """Apply the given fields; callers have already decided which fields the actor may change."""
    demoting = "role" in data and data["role"] != Role.ADMIN
    deactivating = "is_active" in data and not data["is_active"]
    if demoting or deactivating:
        _ensure_not_last_admin(user=user, action="demoted" if demoting else "deactivated")
    # Re-read under a row lock (after the admin rows above, same lock order): the caller's copy
    # may predate a concurrent PATCH of other fields, which a full save would silently undo, or a
    # concurrent soft delete, which this write must not undo (is_active) but answer with a 404.
    user = lock_for_update(User.objects.alive(), user.pk)
    changed = assign_fields(user, data, ADMIN_EDITABLE_FIELDS)
    if demoting:
        # A superuser is always saved as an admin (User.save), so a demotion must drop that
        # flag too, or the answer would be a 200 that still says `admin`.
        user.is_superuser = False
    _check_unique_identity(user=user)
    user.full_clean(exclude=["password"], validate_constraints=False)
    user.save()
    if "is_active" in changed and not user.is_active:
        refresh_tokens_revoke_all(user=user)
    return user


@transaction.atomic
def user_set_role(*, user: User, role: str) -> User:
    return user_update(user=user, data={"role": role})


@transaction.atomic
def user_soft_delete(*, user: User) -> None:
    """The user can no longer sign in, every token stops working, the email and username are free."""
    _ensure_not_last_admin(user=user, action="deleted")
    # After the admin rows, as in user_update; deleted by a concurrent request meanwhile: a 404.
    user = lock_for_update(User.objects.alive(), user.pk)
    user.deleted_at = timezone.now()
    user.is_active = False
    user.save(update_fields=["deleted_at", "is_active"])
    refresh_tokens_revoke_all(user=user)


@transaction.atomic
def user_change_password(*, user: User, old_password: str, new_password: str) -> None:
    if not user.check_password(old_password):
        raise field_errors("wrong_password", old_password="The current password is wrong.")
    try:
        validate_password(new_password, user=user)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.messages}) from exc
    user.set_password(new_password)
    user.save(update_fields=["password"])
    refresh_tokens_revoke_all(user=user)


# --- Customer accounts ----------------------------------------------------------------------
def _check_account_name_free(*, account: Account) -> None:
    clash = Account.objects.filter(owner_id=account.owner_id, name=account.name).exclude(pk=account.pk)
    if clash.exists():
        raise field_errors("unique", name="You already have an account with this name.")


@transaction.atomic
def account_create(*, owner: User, **fields: Any) -> Account:
    account = Account(owner=owner, **{k: v for k, v in fields.items() if k in ACCOUNT_EDITABLE_FIELDS})
    _check_account_name_free(account=account)
    account.full_clean(validate_constraints=False)
    account.save()
    return account


@transaction.atomic
def account_update(*, account: Account, data: dict[str, Any], owner: User | None = None) -> Account:
    # Lock the row: two concurrent PATCHes of different fields must not overwrite each other.
    account = lock_for_update(Account.objects.all(), account.pk)
    if owner is not None:
        account.owner = owner
    assign_fields(account, data, ACCOUNT_EDITABLE_FIELDS)
    _check_account_name_free(account=account)
    account.full_clean(validate_constraints=False)
    account.save()
    return account


@transaction.atomic
def account_delete(*, account: Account) -> None:
    """Its messages go with it (database cascade)."""
    lock_for_update(Account.objects.all(), account.pk).delete()
