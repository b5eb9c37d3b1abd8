import factory
from factory.django import DjangoModelFactory

from messaging.models import Message
from tests.accounts.factories import AccountFactory


class MessageFactory(DjangoModelFactory[Message]):
    class Meta:
        model = Message

    account = factory.SubFactory(AccountFactory)
    sender_number = "+14155550123"
    receiver_number = "+14155550188"
    body = factory.Sequence(lambda n: f"Message {n}")
