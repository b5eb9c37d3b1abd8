"""The message admin adds and deletes through messaging.services; messages are never edited."""

import pytest

from messaging.models import Message
from tests.accounts.factories import AccountFactory

from .factories import MessageFactory

pytestmark = pytest.mark.django_db

MESSAGES = "/admin/messaging/message/"


def test_a_bad_number_is_a_form_error_beside_it(staff, settings):
    settings.PHONE_DEFAULT_REGION = "US"
    account = AccountFactory.create()
    response = staff.post(
        f"{MESSAGES}add/",
        {"account": str(account.pk), "sender_number": "(415) 555-0123", "receiver_number": "12", "body": "x"},
    )
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["receiver_number"]
    assert not Message.objects.exists()


def test_a_message_cannot_be_changed_there(staff):
    message = MessageFactory.create(body="as sent")
    response = staff.post(
        f"{MESSAGES}{message.pk}/change/",
        {"account": str(message.account_id), "sender_number": "+14155550123", "receiver_number": "+14155550188"},
    )
    assert response.status_code == 403
    message.refresh_from_db()
    assert message.body == "as sent"


def test_deleting_messages_there_singly_and_in_bulk(staff):
    messages = MessageFactory.create_batch(3)
    assert staff.post(f"{MESSAGES}{messages[0].pk}/delete/", {"post": "yes"}).status_code == 302
    response = staff.post(
        MESSAGES, {"action": "delete_selected", "_selected_action": [str(m.pk) for m in messages[1:]], "post": "yes"}
    )
    assert response.status_code == 302
    assert not Message.objects.exists()
