"""Writes for users, tokens and customer accounts. Each is atomic and validates before saving.

Who may do what beyond "may call this endpoint" is decided here, from the `actor`: only an admin
changes `role` or `is_active`, only an admin gives an account to another user. A refusal is
Django's `PermissionDenied` with the reason (a 403 naming it).
"""

import logging
from datetime import timedelta
from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import datetime_from_epoch

from config.api.exceptions import field_errors
from config.api.idempotency import forget_answers
from config.api.models import IdempotencyKey
from config.api.permissions import is_admin
from config.api.services import assign_fields, ensure_unique, lock_for_update, validate_and_save
from config.db_router import pin_user

from .models import Account, Role, RotatedRefreshToken, User

logger = logging.getLogger(__name__)

USER_EDITABLE_FIELDS = ("email", "username", "first_name", "last_name")
PERMISSION_FIELDS = ("role", "is_active")
ADMIN_EDITABLE_FIELDS = (*USER_EDITABLE_FIELDS, *PERMISSION_FIELDS)
ACCOUNT_EDITABLE_FIELDS = ("name", "description", "balance", "currency", "active")
INVALID_CREDENTIALS = "No active account found with the given credentials."
TOKEN_SPENT = "Token is blacklisted"
TOKEN_USER_GONE = "Token is no longer valid."
USER_UNIQUE_MESSAGES = {
    "email": "A user with this email already exists.",
    "username": "A user with this username already exists.",
}
ACCOUNT_UNIQUE_MESSAGES = {"name": "You already have an account with this name."}


class InvalidCredentials(Exception):
    """Login refused: unknown user, wrong password, inactive or deleted, deliberately one error."""


# --- Tokens ---------------------------------------------------------------------------------
def tokens_for_user(*, user: User) -> dict[str, Any]:
    # A user who has just registered or logged in reads their own rows at once (read replicas).
    pin_user(user.pk)
    refresh = RefreshToken.for_user(user)
    lifetime: timedelta = settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"]
    return {
        "access": str(refresh.access_token),
        "refresh": str(refresh),
        "token_type": "Bearer",
        "expires_in": int(lifetime.total_seconds()),
    }


def auth_login(*, request: HttpRequest | None, password: str, username: str = "", email: str = "") -> dict[str, Any]:
    """A new token pair for whoever `username` (a username or an email) or `email` names.

    Raises `InvalidCredentials` whatever went wrong, so the answer does not tell an unknown user
    from a wrong password (`accounts.backends` also makes both take as long).
    """
    identity = {"username": username} if username else {"email": email}
    user = authenticate(request, password=password, **identity)
    if user is None:
        raise InvalidCredentials(INVALID_CREDENTIALS)
    return tokens_for_user(user=cast(User, user))


class _UnspentRefreshToken(RefreshToken):
    """A refresh token verified in all but its blacklist entry, which `_spend` reads under a row lock.

    simplejwt reads the blacklist when it decodes the token and writes it later: two concurrent
    uses of one token both passed the read and both got a new pair (issue 20).
    """

    def check_blacklist(self) -> None:
        pass


def _token_user(token: RefreshToken) -> User | None:
    try:
        return User.objects.filter(pk=token.payload.get(jwt_settings.USER_ID_CLAIM)).first()
    except (ValueError, TypeError, ValidationError):
        return None  # a signed token with a malformed id: as bad as an unknown user


def _spend(token: RefreshToken, *, user: User | None, rotating: bool) -> bool:
    """Blacklist `token` under a lock on its outstanding row; False if it was spent already.

    The row lock makes concurrent uses of one token queue up: the first spends it, the others
    then find it blacklisted. A token spent by rotation and presented again is reuse (OAuth 2.0
    Security BCP, RFC 9700 §4.14.2): someone else holds a copy, and the server cannot tell the
    thief from the owner, so every refresh token of the user is revoked, the chain the first use
    started included. Once: a later replay of the same token finds that chain already revoked,
    and must not log its owner out of the sessions they opened since. A token logged out or
    revoked (password change, deactivation) is simply refused. Call inside `transaction.atomic`.
    """
    jti = token.payload[jwt_settings.JTI_CLAIM]
    # Every token we issue is outstanding (`for_user`, `outstand`); like simplejwt, record one
    # that is not, so that its row can be locked.
    OutstandingToken.objects.get_or_create(
        jti=jti,
        defaults={
            "user": user,
            "created_at": token.current_time,
            "token": str(token),
            "expires_at": datetime_from_epoch(token.payload["exp"]),
        },
    )
    outstanding = OutstandingToken.objects.select_for_update().get(jti=jti)
    if BlacklistedToken.objects.filter(token=outstanding).exists():
        rotation = RotatedRefreshToken.objects.filter(token=outstanding, reuse_detected_at__isnull=True).first()
        if rotation is not None:
            rotation.reuse_detected_at = timezone.now()
            rotation.save(update_fields=["reuse_detected_at"])
            revoked = refresh_tokens_revoke_all(user=user) if user is not None else 0
            logger.warning(
                "Refresh token reuse: token %s of user %s was used again after its rotation; "
                "%d refresh tokens of the user revoked.",
                outstanding.pk,
                user.pk if user is not None else None,
                revoked,
            )
        return False
    blacklisted = BlacklistedToken.objects.create(token=outstanding)
    if rotating:
        RotatedRefreshToken.objects.create(token=outstanding, rotated_at=blacklisted.blacklisted_at)
    return True


def auth_refresh(*, refresh: str) -> dict[str, str]:
    """A new pair for a valid refresh token, which is spent: of concurrent uses exactly one wins.

    `TokenError` if the token is invalid, expired, spent (its reuse after a rotation revokes
    every refresh token of the user: `_spend`), or its user is gone, inactive or deleted.
    """
    token = _UnspentRefreshToken(refresh)  # type: ignore[arg-type]
    user = _token_user(token)
    if user is None or not user.is_active or user.deleted_at is not None:
        raise TokenError(TOKEN_USER_GONE)
    # The transaction commits a reuse's revocations before the refusal is raised.
    with transaction.atomic():
        if _spend(token, user=user, rotating=True):
            access = str(token.access_token)
            # The same claims under a new id and lifetime, as simplejwt's own rotation does.
            token.set_jti()
            token.set_exp()
            token.set_iat()
            token.outstand()
            return {"access": access, "refresh": str(token)}
    raise TokenError(TOKEN_SPENT)


def auth_logout(*, refresh: str) -> None:
    """Blacklist that refresh token; `TokenError` if it is invalid, expired or spent (a rotated one: reuse)."""
    token = _UnspentRefreshToken(refresh)  # type: ignore[arg-type]
    with transaction.atomic():
        spent = _spend(token, user=_token_user(token), rotating=False)
    if not spent:
        raise TokenError(TOKEN_SPENT)


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
    ensure_unique(user, among=User.objects.alive(), messages=USER_UNIQUE_MESSAGES, ignore_case=True)


def _new_user(*, email: str, username: str, password: str | None, role: str, first_name: str, last_name: str) -> User:
    user = User(email=email.strip(), username=username, first_name=first_name, last_name=last_name, role=role)
    if password is None:
        user.set_unusable_password()
    else:
        try:
            validate_password(password, user=user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        user.set_password(password)
    _check_unique_identity(user=user)
    return validate_and_save(user, exclude=["password"])


@transaction.atomic
def user_register(*, email: str, username: str, password: str, first_name: str = "", last_name: str = "") -> User:
    """Create a `user`-role account. Password validators run against the new user's attributes."""
    return _new_user(
        email=email, username=username, password=password, role=Role.USER, first_name=first_name, last_name=last_name
    )


@transaction.atomic
def user_create(
    *,
    actor: User,
    email: str,
    username: str,
    password: str | None,
    role: str = Role.USER,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """An admin creates a user of any role (the admin site); `password=None`: no password sign-in."""
    if not is_admin(actor):
        raise PermissionDenied("Only an admin may create users.")
    return _new_user(
        email=email, username=username, password=password, role=role, first_name=first_name, last_name=last_name
    )


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


def _ensure_may_change_permissions(*, actor: User, user: User, data: dict[str, Any]) -> None:
    """Only an admin may change `role` or `is_active`; sending the current value is not a change."""
    if is_admin(actor):
        return
    for field in PERMISSION_FIELDS:
        if field in data and data[field] != getattr(user, field):
            raise PermissionDenied(f"Only an admin may change `{field}`.")


@transaction.atomic
def user_update(*, actor: User, user: User, data: dict[str, Any]) -> User:
    """Apply the given fields of `data` as `actor`; `PermissionDenied` if a non-admin changes a permission field."""
    _ensure_may_change_permissions(actor=actor, user=user, data=data)
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
    validate_and_save(user, exclude=["password"])
    if "is_active" in changed and not user.is_active:
        refresh_tokens_revoke_all(user=user)
    return user


@transaction.atomic
def user_set_role(*, actor: User, user: User, role: str) -> User:
    return user_update(actor=actor, user=user, data={"role": role})


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
    # The stored answers of the user's retried creates carry their data; nobody can replay them now.
    IdempotencyKey.objects.filter(user=user).delete()


@transaction.atomic
def user_change_password(*, user: User, old_password: str, new_password: str) -> None:
    # Checked against the row as it is now: of two concurrent changes from the same old password,
    # the second then finds it wrong instead of silently overwriting the first.
    user = lock_for_update(User.objects.alive(), user.pk)
    if not user.check_password(old_password):
        raise field_errors("wrong_password", old_password="The current password is wrong.")
    try:
        validate_password(new_password, user=user)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.messages}) from exc
    user.set_password(new_password)
    user.save(update_fields=["password"])
    refresh_tokens_revoke_all(user=user)


@transaction.atomic
def user_set_password(*, user: User, password: str | None) -> User:
    """An admin sets someone's password (`None`: no password sign-in); their refresh tokens stop working.

    The caller validated the new password (the admin's form runs the password validators).
    """
    user = lock_for_update(User.objects.alive(), user.pk)
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save(update_fields=["password"])
    refresh_tokens_revoke_all(user=user)
    return user


# --- Customer accounts ----------------------------------------------------------------------
def _check_account_name_free(*, account: Account) -> None:
    """Names are unique per owner: a 400 on `name`."""
    ensure_unique(account, among=Account.objects.filter(owner_id=account.owner_id), messages=ACCOUNT_UNIQUE_MESSAGES)


@transaction.atomic
def account_create(
    *,
    actor: User,
    owner: User | None = None,
    name: str,
    description: str = "",
    balance: Decimal = Account.DEFAULT_BALANCE,
    currency: str = Account.DEFAULT_CURRENCY,
    active: bool = True,
) -> Account:
    """An account owned by `actor`, or by `owner` if the actor is an admin (a non-admin's `owner` is ignored)."""
    account = Account(
        owner=owner if owner is not None and is_admin(actor) else actor,
        name=name,
        description=description,
        balance=balance,
        currency=currency,
        active=active,
    )
    _check_account_name_free(account=account)
    return validate_and_save(account)


@transaction.atomic
def account_update(*, actor: User, account: Account, data: dict[str, Any]) -> Account:
    """Apply the given fields of `data`; `owner` only if the actor is an admin (ignored otherwise)."""
    # Lock the row: two concurrent PATCHes of different fields must not overwrite each other.
    account = lock_for_update(Account.objects.all(), account.pk)
    assign_fields(account, data, (*ACCOUNT_EDITABLE_FIELDS, "owner") if is_admin(actor) else ACCOUNT_EDITABLE_FIELDS)
    _check_account_name_free(account=account)
    return validate_and_save(account)


@transaction.atomic
def account_delete(*, account: Account) -> None:
    """Its messages go with it (database cascade), and the stored idempotent answers that carry them."""
    from messaging.models import Message  # messaging depends on accounts, not the reverse

    account = lock_for_update(Account.objects.all(), account.pk)
    forget_answers(Message, Message.objects.filter(account=account).values_list("pk", flat=True))
    account.delete()
