"""The exact words of the messaging app's refusals (API.md), pinned before they moved from the
views into the selectors and permission classes."""

import uuid

import pytest

from tests.accounts.factories import AccountFactory
from tests.helpers import assert_error_shape

from .factories import MessageFactory

pytestmark = pytest.mark.django_db

NOT_YOURS = {"code": "not_found", "detail": "No such account, or it is not yours.", "attr": None}


def only_error(response) -> dict:
    errors = response.json()["errors"]
    assert len(errors) == 1, errors
    return errors[0]


@pytest.mark.parametrize("which", ["others", "missing", "malformed"])
def test_account_messages_of_an_account_not_yours_is_one_404_saying_so(user_client, other_user, which):
    account_id = {
        "others": lambda: AccountFactory.create(owner=other_user).pk,
        "missing": uuid.uuid4,
        "malformed": lambda: "not-a-uuid",
    }[which]()
    response = user_client.get(f"/api/v1/accounts/{account_id}/messages/")
    assert_error_shape(response, 404)
    assert only_error(response) == NOT_YOURS


@pytest.mark.parametrize("which", ["others", "missing"])
def test_posting_to_an_account_not_yours_is_the_same_404(user_client, other_user, which):
    account_id = AccountFactory.create(owner=other_user).pk if which == "others" else uuid.uuid4()
    body = {"account": str(account_id), "sender_number": "+14155550123", "receiver_number": "+14155550188", "body": "x"}
    response = user_client.post("/api/v1/messages/", body, format="json")
    assert_error_shape(response, 404)
    assert only_error(response) == NOT_YOURS


def test_a_user_deleting_their_own_message_is_a_403_saying_only_an_admin_may(user, user_client):
    message = MessageFactory.create(account=AccountFactory.create(owner=user))
    response = user_client.delete(f"/api/v1/messages/{message.pk}/")
    assert_error_shape(response, 403)
    assert only_error(response) == {
        "code": "permission_denied",
        "detail": "Only an admin may delete a message.",
        "attr": None,
    }


def test_anonymous_account_messages_is_a_401_not_a_404(api_client, user):
    account = AccountFactory.create(owner=user)
    assert_error_shape(api_client.get(f"/api/v1/accounts/{account.pk}/messages/"), 401, code="not_authenticated")


def test_an_admins_message_list_reads_every_account(admin_client_api, user, other_user):
    mine, theirs = (MessageFactory.create(account=AccountFactory.create(owner=owner)) for owner in (user, other_user))
    ids = {message["id"] for message in admin_client_api.get("/api/v1/messages/").json()["results"]}
    assert ids == {str(mine.pk), str(theirs.pk)}
