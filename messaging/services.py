"""Writes for messages. Messages are immutable: there is a create and a delete, no update."""

from typing import Any

from django.db import transaction

from accounts.models import User
from accounts.selectors import account_for_user
from config.api.idempotency import forget_answers
from config.api.services import lock_for_update, validate_and_save

from .models import Message


@transaction.atomic
def message_create(*, actor: User, account_id: Any, sender_number: str, receiver_number: str, body: str) -> Message:
    """A message from one of `actor`'s accounts (an admin: any account; otherwise `ObjectNotFound`, a 404).

    Numbers are normalised to E.164 by Message.clean_fields(); a bad one is a 400 naming the field.
    """
    account = account_for_user(user=actor, account_id=account_id)
    message = Message(account=account, sender_number=sender_number, receiver_number=receiver_number, body=body)
    # The account was just looked up for the actor; skip re-checking that it exists.
    return validate_and_save(message, exclude=["account"])


@transaction.atomic
def message_delete(*, message: Message) -> None:
    """Deleted by a concurrent request meanwhile: a 404, as a DELETE sent afterwards would get."""
    message = lock_for_update(Message.objects.all(), message.pk)
    forget_answers(Message, [message.pk])
    message.delete()
