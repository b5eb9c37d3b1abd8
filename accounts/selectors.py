"""Reads for users and customer accounts, already narrowed to what the caller may see."""

from typing import Any

from django.db.models import QuerySet

from config.api.scoping import owned_by

from .models import Account, User


def user_list(*, user: Any) -> QuerySet[User]:
    """Users that are not soft-deleted: an admin sees them all, a user only themself, anonymous nobody."""
    return owned_by(User.objects.alive().order_by("date_joined", "id"), user=user, owner_lookup="pk")


def account_list(*, user: Any) -> QuerySet[Account]:
    """The caller's customer accounts (an admin's: everyone's), by name."""
    return owned_by(Account.objects.select_related("owner").order_by("name", "id"), user=user, owner_lookup="owner")
