"""Reads for users and customer accounts."""

from django.db.models import QuerySet

from .models import Account, User


def user_list() -> QuerySet[User]:
    """Every user that is not soft-deleted."""
    return User.objects.alive().order_by("date_joined", "id")


def account_list() -> QuerySet[Account]:
    return Account.objects.select_related("owner").order_by("name", "id")
