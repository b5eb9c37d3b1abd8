"""Reads for users and customer accounts, already narrowed to what the caller may see."""

import uuid
from typing import Any

from django.db.models import Q, QuerySet

from config.api.exceptions import ObjectNotFound
from config.api.scoping import owned_by

from .models import Account, User


def user_list(*, user: Any) -> QuerySet[User]:
    """Users that are not soft-deleted: an admin sees them all, a user only themself, anonymous nobody."""
    return owned_by(User.objects.alive().order_by("date_joined", "id"), user=user, owner_lookup="pk")


def account_list(*, user: Any) -> QuerySet[Account]:
    """The caller's customer accounts (an admin's: everyone's), by name."""
    return owned_by(Account.objects.select_related("owner").order_by("name", "id"), user=user, owner_lookup="owner")


ACCOUNT_NOT_FOUND = "No such account, or it is not yours."


def account_for_user(*, user: Any, account_id: Any) -> Account:
    """The account if `user` may use it (its owner, or an admin): `account_list`'s rule, for one id.

    `ObjectNotFound` (a 404) otherwise: another user's account, a missing one and a malformed id
    look the same, so existence is not leaked.
    """
    try:
        pk = account_id if isinstance(account_id, uuid.UUID) else uuid.UUID(str(account_id))
    except ValueError:
        raise ObjectNotFound(ACCOUNT_NOT_FOUND) from None
    account = account_list(user=user).filter(pk=pk).first()
    if account is None:
        raise ObjectNotFound(ACCOUNT_NOT_FOUND)
    return account


def own_account_ids(*, user: Any) -> list[uuid.UUID]:
    """The ids of the accounts `user` owns (an admin's own too, not everyone's)."""
    return list(Account.objects.filter(owner=user).values_list("pk", flat=True))


def login_candidates(*, username: str | None = None, email: str | None = None) -> list[User]:
    """Who a login's identifier may name, most likely first (at most two living users).

    `username` may be a username or an email: the user with that username comes first, then
    the user with that email (a username may look like someone else's email, and that must
    not lock the email's owner out). `email` names an email only. The login backend checks
    each candidate's password in turn, so the right one signs in whoever else the identifier
    matches; the login rate limit counts a guess against each candidate's account.
    """
    alive = User.objects.alive()
    if username:
        matches = alive.filter(Q(username__iexact=username) | Q(email__iexact=username))
    elif email:
        matches = alive.filter(email__iexact=email)
    else:
        return []
    return sorted(
        matches.order_by("date_joined", "id")[:2],
        key=lambda user: user.username.lower() != (username or "").lower(),
    )
