"""Writes for messages. Messages are immutable: there is a create and a delete, no update."""

from django.db import transaction

from accounts.models import Account
from config.api.services import lock_for_update, validate_and_save

from .models import Message


@transaction.atomic
def message_create(*, account: Account, sender_number: str, receiver_number: str, body: str) -> Message:
    """Numbers are normalised to E.164 by Message.clean_fields(); a bad one is a 400 naming the field."""
    message = Message(account=account, sender_number=sender_number, receiver_number=receiver_number, body=body)
    # The account was just looked up by the caller (and locked out of others' reach); skip re-checking it.
    return validate_and_save(message, exclude=["account"])


@transaction.atomic
def message_delete(*, message: Message) -> None:
    """Deleted by a concurrent request meanwhile: a 404, as a DELETE sent afterwards would get."""
    lock_for_update(Message.objects.all(), message.pk).delete()
