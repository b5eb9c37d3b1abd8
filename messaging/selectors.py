"""Reads for messages and the accounts a caller may message from."""

import uuid
from typing import Any

from django.db.models import QuerySet

from accounts.models import Account
from config.api.permissions import is_admin

from .models import Message


def message_list() -> QuerySet[Message]:
    """Every message, newest first (ties by id). Callers narrow it to what the caller may see."""
    return Message.objects.order_by("-created_at", "-id")


def narrow_to_account_ids(queryset: QuerySet[Message], *, user: Any) -> QuerySet[Message]:
    """Add the caller's account ids as a literal list to a query already scoped to their accounts.

    Scoped only by a join on the owner, PostgreSQL walks the global newest-first index and filters
    row by row: 1.5 s for a user whose messages are old, on 2 million rows. With the ids spelled
    out it reads each account's newest rows off the (account, created_at, id) index: under 10 ms.
    Costs one small query (the caller's account ids).
    """
    account_ids = list(Account.objects.filter(owner=user).values_list("pk", flat=True))
    return queryset.filter(account_id__in=account_ids)


def account_for_messaging(*, user: Any, account_id: Any) -> Account | None:
    """The account if the caller may read and write its messages (owner, or admin); else None.

    Another user's account and a missing one look the same (None -> 404): existence is not leaked.
    """
    try:
        pk = account_id if isinstance(account_id, uuid.UUID) else uuid.UUID(str(account_id))
    except ValueError:
        return None
    accounts = Account.objects.filter(pk=pk)
    if not is_admin(user):
        accounts = accounts.filter(owner=user)
    return accounts.first()
