"""Demo messages on the demo user's "Checking" and "Savings" accounts. Idempotent."""

from typing import Any

from accounts.models import Account, User

from .models import Message

DEMO_MESSAGES = {
    "Checking": [
        ("+14155550123", "+14155550188", "Your card ending 4242 was charged $12.50."),
        ("+14155550188", "+14155550123", "Thanks! Was that the coffee shop?"),
        ("+14155550123", "+442079460958", "Transfer to London confirmed."),
    ],
    "Savings": [
        ("+14155550123", "+14155550188", "Interest of $3.21 was added to your savings."),
    ],
}


def seed(*, stdout: Any, users: dict[str, User]) -> None:
    created = 0
    for account_name, messages in DEMO_MESSAGES.items():
        account = Account.objects.filter(owner=users["user"], name=account_name).first()
        if account is None:
            continue
        for sender, receiver, body in messages:
            _, was_created = Message.objects.get_or_create(
                account=account, sender_number=sender, receiver_number=receiver, body=body
            )
            created += was_created
    stdout.write(f"  messages: {created} created\n")
