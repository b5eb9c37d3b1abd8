"""message_create validates with the model's rules (validate_and_save) and names every bad field."""

import pytest
from django.core.exceptions import ValidationError

from messaging.models import Message
from messaging.services import message_create
from tests.accounts.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_every_bad_field_is_named_and_nothing_is_saved(user):
    account = AccountFactory.create(owner=user)
    with pytest.raises(ValidationError) as caught:
        message_create(actor=user, account_id=account.pk, sender_number="+14155550123", receiver_number="12", body="")
    assert set(caught.value.message_dict) == {"receiver_number", "body"}
    assert not Message.objects.exists()


def test_numbers_are_stored_in_e164(user, settings):
    settings.PHONE_DEFAULT_REGION = "US"
    account = AccountFactory.create(owner=user)
    message = message_create(
        actor=user, account_id=account.pk, sender_number="(415) 555-0123", receiver_number="+14155550188", body="x"
    )
    assert (message.sender_number, message.receiver_number) == ("+14155550123", "+14155550188")


def test_a_message_from_someone_elses_account_is_not_found_and_nothing_is_saved(user, other_user):
    from config.api.exceptions import ObjectNotFound

    theirs = AccountFactory.create(owner=other_user)
    with pytest.raises(ObjectNotFound):
        message_create(
            actor=user, account_id=theirs.pk, sender_number="+14155550123", receiver_number="+14155550188", body="x"
        )
    assert not Message.objects.exists()
