"""The test specs of the messaging routes (tests/specs.py): messages, and one account's messages."""

from typing import Any

from accounts.models import User
from messaging import services
from tests.accounts.factories import AccountFactory
from tests.messaging.factories import MessageFactory
from tests.specs import OWNED, ResourceSpec


def _own_message(owner: User) -> Any:
    return MessageFactory.create(account=AccountFactory.create(owner=owner))


def _create_body(caller: User) -> dict[str, Any]:
    return {
        "account": str(AccountFactory.create(owner=caller).pk),
        "sender_number": "+14155550123",
        "receiver_number": "+14155550188",
        "body": "hi",
    }


SPECS = [
    ResourceSpec(
        "message",
        make=_own_message,
        owner_of=lambda obj: obj.account.owner,
        # Messages are immutable (PUT/PATCH are 405); only an admin deletes one.
        access=OWNED.but(owner_destroy=403),
        create_body=_create_body,
        delete_service=services.message_delete,
        forged_read_only=("message_id",),
    ),
    ResourceSpec(
        "account-messages",
        make=_own_message,
        owner_of=lambda obj: obj.account.owner,
        # Another user's account is absent: its message list is a 404, not an empty page.
        access=OWNED.but(user_list=404),
        url_kwargs=lambda obj: {"account_id": obj.account_id},
    ),
]
