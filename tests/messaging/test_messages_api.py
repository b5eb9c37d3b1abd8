"""Messages of your own accounts: read and create; immutable; only an admin deletes."""

import json
import uuid

import pytest

from accounts.models import Account
from messaging.models import Message
from tests.accounts.factories import AccountFactory
from tests.helpers import assert_error_shape, assert_full_pages_within, listed_ids

from .factories import MessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(user):
    return AccountFactory.create(owner=user)


@pytest.fixture
def others_account(other_user):
    return AccountFactory.create(owner=other_user)


def _payload(to_account, **overrides):
    return {
        "account": str(to_account.pk),
        "sender_number": "(415) 555-0123",
        "receiver_number": "+44 20 7946 0958",
        "body": "Hello",
        **overrides,
    }


@pytest.mark.parametrize("slash", ["", "/"])
def test_create_normalises_numbers_and_returns_the_message(user_client, account, settings, slash):
    settings.PHONE_DEFAULT_REGION = "US"
    response = user_client.post(f"/api/v1/messages{slash}", _payload(account), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"id", "message_id", "account", "sender_number", "receiver_number", "body", "created_at"}
    assert body["message_id"] == body["id"]
    assert body["account"] == str(account.pk)
    assert body["sender_number"] == "+14155550123"
    assert body["receiver_number"] == "+442079460958"
    stored = Message.objects.get(pk=body["id"])
    assert (stored.sender_number, stored.receiver_number) == ("+14155550123", "+442079460958")


def test_the_default_region_is_configurable(user_client, account, settings):
    settings.PHONE_DEFAULT_REGION = "GB"
    response = user_client.post("/api/v1/messages/", _payload(account, sender_number="020 7946 0958"), format="json")
    assert response.status_code == 201
    assert response.json()["sender_number"] == "+442079460958"


@pytest.mark.parametrize("field", ["sender_number", "receiver_number"])
@pytest.mark.parametrize("bad", ["12", "not a number", "", None])
def test_bad_numbers_are_a_400_naming_the_field(user_client, account, field, bad):
    response = user_client.post("/api/v1/messages/", _payload(account, **{field: bad}), format="json")
    assert_error_shape(response, 400, attr=field)
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("+1 (415) 555-0123", "+14155550123"),
        ("+44 (0)20 7946 0958", "+442079460958"),
        ("1-415-555-0123", "+14155550123"),
    ],
)
def test_a_number_longer_than_its_e164_form_is_accepted(user_client, account, settings, written, stored):
    # The 16-character column limit is for the stored E.164 form, not for how the client wrote it.
    settings.PHONE_DEFAULT_REGION = "US"
    response = user_client.post(
        "/api/v1/messages/", _payload(account, sender_number=written, receiver_number=written), format="json"
    )
    assert response.status_code == 201, response.content
    assert (response.json()["sender_number"], response.json()["receiver_number"]) == (stored, stored)


def test_an_unreadable_number_gets_one_error(user_client, account):
    payload = _payload(account, sender_number="+14155550123 ext 5")
    response = user_client.post("/api/v1/messages/", payload, format="json")
    assert_error_shape(response, 400, attr="sender_number", code="invalid_phone_number")
    assert len(response.json()["errors"]) == 1


def test_body_is_1_to_1600_characters(user_client, account):
    for body in ["", None]:
        assert_error_shape(
            user_client.post("/api/v1/messages/", _payload(account, body=body), format="json"), 400, attr="body"
        )
    assert_error_shape(
        user_client.post("/api/v1/messages/", _payload(account, body="x" * 1601), format="json"), 400, attr="body"
    )
    for body in ["x", "😀" * 1600]:
        response = user_client.post("/api/v1/messages/", _payload(account, body=body), format="json")
        assert response.status_code == 201, response.content
        assert response.json()["body"] == body


def test_missing_or_malformed_account_is_a_400(user_client, account):
    payload = _payload(account)
    del payload["account"]
    assert_error_shape(user_client.post("/api/v1/messages/", payload, format="json"), 400, attr="account")
    assert_error_shape(
        user_client.post("/api/v1/messages/", _payload(account, account="nope"), format="json"), 400, attr="account"
    )
    # A JSON number is not a UUID (DRF would read 5 as 00000000-...-000000000005 and answer 404).
    for wrong_type in [5, account.pk.int, [str(account.pk)], {"id": str(account.pk)}]:
        response = user_client.post("/api/v1/messages/", _payload(account, account=wrong_type), format="json")
        assert_error_shape(response, 400, attr="account")
    assert not Message.objects.exists()


def test_posting_to_another_users_or_a_missing_account_is_a_404(user_client, others_account):
    assert_error_shape(user_client.post("/api/v1/messages/", _payload(others_account), format="json"), 404)
    missing = Account(pk=uuid.uuid4())
    assert_error_shape(user_client.post("/api/v1/messages/", _payload(missing), format="json"), 404)
    assert not Message.objects.exists()


def test_admin_may_post_to_any_account(admin_client_api, others_account):
    response = admin_client_api.post("/api/v1/messages/", _payload(others_account), format="json")
    assert response.status_code == 201
    assert Message.objects.get().account == others_account


def test_anonymous_is_a_401(api_client, account):
    assert_error_shape(api_client.get("/api/v1/messages/"), 401)
    assert_error_shape(api_client.post("/api/v1/messages/", _payload(account), format="json"), 401)


def test_read_own_message_but_not_anothers(user_client, account, others_account):
    mine = MessageFactory.create(account=account)
    theirs = MessageFactory.create(account=others_account)
    response = user_client.get(f"/api/v1/messages/{mine.pk}/")
    assert response.status_code == 200
    assert response.json()["message_id"] == str(mine.pk)
    assert_error_shape(user_client.get(f"/api/v1/messages/{theirs.pk}/"), 404)
    assert_error_shape(user_client.get(f"/api/v1/messages/{uuid.uuid4()}"), 404)


def test_messages_are_immutable(user_client, admin_client_api, account):
    message = MessageFactory.create(account=account, body="original")
    for client in (user_client, admin_client_api):
        for method in ("put", "patch"):
            response = getattr(client, method)(f"/api/v1/messages/{message.pk}/", {"body": "changed"}, format="json")
            assert_error_shape(response, 405)
    message.refresh_from_db()
    assert message.body == "original"


def test_only_an_admin_deletes(user_client, admin_client_api, account, others_account):
    mine = MessageFactory.create(account=account)
    theirs = MessageFactory.create(account=others_account)
    # A message the user can see: 403. One they cannot: 404 (its existence is not leaked).
    assert_error_shape(user_client.delete(f"/api/v1/messages/{mine.pk}/"), 403)
    assert_error_shape(user_client.delete(f"/api/v1/messages/{theirs.pk}/"), 404)
    assert Message.objects.count() == 2
    assert admin_client_api.delete(f"/api/v1/messages/{theirs.pk}").status_code == 204
    assert not Message.objects.filter(pk=theirs.pk).exists()


def test_list_shows_only_messages_of_my_accounts_newest_first(user_client, user, account, others_account):
    second_account = AccountFactory.create(owner=user)
    first = MessageFactory.create(account=account)
    second = MessageFactory.create(account=second_account)
    MessageFactory.create(account=others_account)
    response = user_client.get("/api/v1/messages/")
    assert listed_ids(response) == [str(second.pk), str(first.pk)]
    assert set(response.json()) == {"next", "previous", "results"}  # cursor pagination: no count


def test_admin_lists_every_message(admin_client_api, account, others_account):
    MessageFactory.create(account=account)
    MessageFactory.create(account=others_account)
    assert len(admin_client_api.get("/api/v1/messages/").json()["results"]) == 2


def test_deleting_an_account_deletes_its_messages(user_client, account):
    MessageFactory.create_batch(3, account=account)
    kept = MessageFactory.create()
    assert user_client.delete(f"/api/v1/accounts/{account.pk}/").status_code == 204
    assert list(Message.objects.all()) == [kept]


def test_account_messages_lists_that_accounts_messages(user_client, user, account):
    other_account_of_mine = AccountFactory.create(owner=user)
    older = MessageFactory.create(account=account)
    newer = MessageFactory.create(account=account)
    MessageFactory.create(account=other_account_of_mine)
    for url in (f"/api/v1/accounts/{account.pk}/messages/", f"/api/v1/accounts/{account.pk}/messages"):
        response = user_client.get(url)
        assert response.status_code == 200, response.content
        assert [m["id"] for m in response.json()["results"]] == [str(newer.pk), str(older.pk)]
    same = user_client.get(f"/api/v1/messages/?account={account.pk}").json()["results"]
    assert [m["id"] for m in same] == [str(newer.pk), str(older.pk)]


def test_account_messages_takes_the_same_filters(user_client, account):
    MessageFactory.create(account=account, body="keep me")
    MessageFactory.create(account=account, body="drop me", sender_number="+14155550100")
    response = user_client.get(f"/api/v1/accounts/{account.pk}/messages/?sender_number=%2B14155550123&search=KEEP")
    assert [m["body"] for m in response.json()["results"]] == ["keep me"]


def test_account_messages_of_another_users_or_a_missing_account_is_a_404(user_client, others_account):
    MessageFactory.create(account=others_account)
    assert_error_shape(user_client.get(f"/api/v1/accounts/{others_account.pk}/messages/"), 404)
    assert_error_shape(user_client.get(f"/api/v1/accounts/{uuid.uuid4()}/messages/"), 404)
    assert_error_shape(user_client.get("/api/v1/accounts/not-a-uuid/messages/"), 404)


def test_admin_reads_any_accounts_messages(admin_client_api, others_account):
    message = MessageFactory.create(account=others_account)
    response = admin_client_api.get(f"/api/v1/accounts/{others_account.pk}/messages/")
    assert [m["id"] for m in response.json()["results"]] == [str(message.pk)]


@pytest.mark.parametrize("url", ["/api/v1/messages/", "ACCOUNT"])
def test_list_query_count_does_not_grow_with_page_size(user, client_for, url):
    account = AccountFactory.create(owner=user)
    MessageFactory.create_batch(40, account=account)
    url = f"/api/v1/accounts/{account.pk}/messages/" if url == "ACCOUNT" else url
    assert_full_pages_within(client_for(user), url, (5, 40), max_queries=4)


@pytest.mark.parametrize("body", ["nul\x00byte", "lone \ud800 surrogate"])
def test_a_body_the_database_cannot_store_is_a_400_not_a_500(user_client, account, body):
    payload = json.dumps(_payload(account, body=body))
    response = user_client.generic("POST", "/api/v1/messages/", payload, content_type="application/json")
    assert_error_shape(response, 400, attr="body")
