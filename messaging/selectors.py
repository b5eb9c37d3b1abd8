"""Reads for messages and the accounts a caller may message from, narrowed to what the caller may see."""

import uuid
from typing import Any

from django.db.models import QuerySet

from accounts.models import Account
from config.api.exceptions import ObjectNotFound
from config.api.permissions import is_admin
from config.api.scoping import owned_by

from .models import Message

ACCOUNT_NOT_FOUND = "No such account, or it is not yours."


def _newest_first() -> QuerySet[Message]:
    return Message.objects.order_by("-created_at", "-id")


def message_list(*, user: Any) -> QuerySet[Message]:
    """The messages `user` may read, newest first (ties by id): of their own accounts; an admin's, all."""
    messages = owned_by(_newest_first(), user=user, owner_lookup="account__owner")
    if user and user.is_authenticated and not is_admin(user):
        messages = narrow_to_account_ids(messages, user=user)
    return messages


def narrow_to_account_ids(queryset: QuerySet[Message], *, user: Any) -> QuerySet[Message]:
    """Add the caller's account ids as a literal list to a query already scoped to their accounts.

    Scoped only by a join on the owner, PostgreSQL walks the global newest-first index and filters
    row by row: 1.5 s for a user whose messages are old, on 2 million rows. With the ids spelled
    out it reads each account's newest rows off the (account, created_at, id) index: under 10 ms.
    Costs one small query (the caller's account ids).
    """
    account_ids = list(Account.objects.filter(owner=user).values_list("pk", flat=True))
    return queryset.filter(account_id__in=account_ids)


def account_for_messaging(*, user: Any, account_id: Any) -> Account:
    """The account if the caller may read and write its messages (owner, or admin).

    `ObjectNotFound` (a 404) otherwise: another user's account, a missing one and a malformed id
    look the same, so existence is not leaked.
    """
    try:
        pk = account_id if isinstance(account_id, uuid.UUID) else uuid.UUID(str(account_id))
    except ValueError:
        raise ObjectNotFound(ACCOUNT_NOT_FOUND) from None
    account = owned_by(Account.objects.filter(pk=pk), user=user, owner_lookup="owner").first()
    if account is None:
        raise ObjectNotFound(ACCOUNT_NOT_FOUND)
    return account


def account_message_list(*, user: Any, account_id: Any) -> QuerySet[Message]:
    """One account's messages, newest first; `ObjectNotFound` if it is not the caller's (admin: any).

    Anonymous callers get none (as from every selector), without a lookup: schema generation asks
    with no account id.
    """
    if not (user and user.is_authenticated):
        return Message.objects.none()
    return _newest_first().filter(account=account_for_messaging(user=user, account_id=account_id))
