"""Reads for users and customer accounts, already narrowed to what the caller may see."""

from typing import Any

from django.db.models import Q, QuerySet

from config.api.scoping import owned_by

from .models import Account, User


def user_list(*, user: Any) -> QuerySet[User]:
    """Users that are not soft-deleted: an admin sees them all, a user only themself, anonymous nobody."""
    return owned_by(User.objects.alive().order_by("date_joined", "id"), user=user, owner_lookup="pk")


def account_list(*, user: Any) -> QuerySet[Account]:
    """The caller's customer accounts (an admin's: everyone's), by name."""
    return owned_by(Account.objects.select_related("owner").order_by("name", "id"), user=user, owner_lookup="owner")


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
