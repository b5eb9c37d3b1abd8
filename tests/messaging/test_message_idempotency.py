"""`Idempotency-Key` on POST /messages/: a retry returns the first answer and creates nothing."""

from functools import partial

import pytest
from django.db import connection

from config.api.models import IdempotencyKey
from messaging.models import Message
from tests.accounts.factories import AccountFactory
from tests.concurrency import run_concurrently
from tests.helpers import assert_error_shape


def _payload(account, body="Hello"):
    return {
        "account": str(account.pk),
        "sender_number": "+14155550123",
        "receiver_number": "+14155550188",
        "body": body,
    }


@pytest.mark.django_db
def test_a_replay_returns_the_same_message_and_creates_nothing(user, user_client):
    account = AccountFactory.create(owner=user)
    first = user_client.post("/api/v1/messages/", _payload(account), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first
    again = user_client.post("/api/v1/messages/", _payload(account), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert again.json()["message_id"] == first.json()["message_id"]
    assert Message.objects.count() == 1


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_a_409(user, user_client):
    account = AccountFactory.create(owner=user)
    user_client.post("/api/v1/messages/", _payload(account), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    response = user_client.post(
        "/api/v1/messages/", _payload(account, body="Different"), format="json", HTTP_IDEMPOTENCY_KEY="k-2"
    )
    assert_error_shape(response, 409)
    assert Message.objects.count() == 1


@pytest.mark.django_db
def test_keys_are_per_user_and_without_a_key_every_post_creates(user, other_user, client_for):
    mine, theirs = AccountFactory.create(owner=user), AccountFactory.create(owner=other_user)
    me, them = client_for(user), client_for(other_user)
    assert me.post("/api/v1/messages/", _payload(mine), format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    response = them.post("/api/v1/messages/", _payload(theirs), format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    me.post("/api/v1/messages/", _payload(mine), format="json")
    me.post("/api/v1/messages/", _payload(mine), format="json")
    assert Message.objects.count() == 4


@pytest.mark.django_db
def test_a_failed_request_does_not_burn_the_key(user, other_user, user_client):
    theirs = AccountFactory.create(owner=other_user)
    response = user_client.post("/api/v1/messages/", _payload(theirs), format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    assert_error_shape(response, 404)
    mine = AccountFactory.create(owner=user)
    retry = user_client.post("/api/v1/messages/", _payload(mine), format="json", HTTP_IDEMPOTENCY_KEY="k-4")
    assert retry.status_code == 201
    bad = user_client.post("/api/v1/messages/", _payload(mine, body=""), format="json", HTTP_IDEMPOTENCY_KEY="k-5")
    assert_error_shape(bad, 400, attr="body")
    fixed = user_client.post("/api/v1/messages/", _payload(mine, body=""), format="json", HTTP_IDEMPOTENCY_KEY="k-5")
    assert_error_shape(fixed, 400, attr="body")  # still a 400, not a replay of nothing
    assert Message.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_create_one_message(user, client_for):
    account = AccountFactory.create(owner=user)
    payload = _payload(account)
    threads_count = 6

    def send(client):
        return client.post("/api/v1/messages/", payload, format="json", HTTP_IDEMPOTENCY_KEY="race")

    # Each client (and its token) is made before the start, so the requests leave together.
    responses = run_concurrently(*(partial(send, client_for(user)) for _ in range(threads_count)))

    assert Message.objects.count() == 1
    statuses = sorted(r.status_code for r in responses)
    assert len(statuses) == threads_count
    # One creates; the others either see it in flight (409) or replay its answer (201 + header).
    assert set(statuses) <= {201, 409}, statuses
    created_ids = {r.json()["id"] for r in responses if r.status_code == 201}
    assert created_ids == {str(Message.objects.get().pk)}
    fresh = [r for r in responses if r.status_code == 201 and "Idempotent-Replayed" not in r]
    assert len(fresh) == 1


@pytest.mark.django_db
def test_a_multipart_body_with_a_file_part_and_a_key_is_not_a_500(user, user_client):
    """The key's fingerprint hashes the body: a file part (ignored by the serializer) must not break it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    account = AccountFactory.create(owner=user)
    body = {**_payload(account), "attachment": SimpleUploadedFile("a.txt", b"hello")}

    response = user_client.post("/api/v1/messages/", body, format="multipart", HTTP_IDEMPOTENCY_KEY="k-file")

    assert response.status_code == 201, response.content
    assert Message.objects.count() == 1


@pytest.mark.django_db
def test_a_key_released_between_the_clash_and_the_read_is_a_409_not_a_500(user, user_client):
    """Another request held the key, then failed (4xx) and released it just after our insert clashed."""
    from django.db import IntegrityError
    from django.utils import timezone

    from config.api.models import IdempotencyKey

    account = AccountFactory.create(owner=user)
    IdempotencyKey.objects.create(
        user=user, scope="messages.create", key="k-gone", fingerprint="other", created_at=timezone.now()
    )
    clashed: list[bool] = []

    def release_right_after_the_clash(execute, sql, params, many, context):
        if clashed and sql.lstrip().upper().startswith("SELECT") and clashed.pop():  # after the savepoint rollback
            IdempotencyKey.objects.filter(key="k-gone").delete()  # the other request gives its key back
        try:
            return execute(sql, params, many, context)
        except IntegrityError:
            clashed.append(True)
            raise

    body = {"account": str(account.pk), "sender_number": "+14155550123", "receiver_number": "+14155550188", "body": "x"}
    with connection.execute_wrapper(release_right_after_the_clash):
        response = user_client.post("/api/v1/messages/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-gone")

    assert_error_shape(response, 409)
    assert Message.objects.count() == 0


@pytest.mark.django_db
def test_a_deleted_message_is_never_replayed(user, user_client, admin_client_api):
    account = AccountFactory.create(owner=user)
    first = user_client.post("/api/v1/messages/", _payload(account), format="json", HTTP_IDEMPOTENCY_KEY="k-gone")
    assert admin_client_api.delete(f"/api/v1/messages/{first.json()['id']}/").status_code == 204
    again = user_client.post("/api/v1/messages/", _payload(account), format="json", HTTP_IDEMPOTENCY_KEY="k-gone")
    assert_error_shape(again, 409, code="idempotency_key_resource_deleted")
    assert "Hello" not in again.content.decode()
    assert not Message.objects.exists()  # a key creates at most once
    stored = IdempotencyKey.objects.get(key="k-gone")
    assert stored.response_body is None


@pytest.mark.django_db
def test_deleting_the_account_clears_the_answers_that_carry_its_messages(user, user_client):
    account = AccountFactory.create(owner=user)
    user_client.post("/api/v1/messages/", _payload(account), format="json", HTTP_IDEMPOTENCY_KEY="k-acct")
    stored_answer = IdempotencyKey.objects.get(user=user, key="k-acct").response_body
    assert stored_answer is not None
    assert stored_answer["body"] == "Hello"
    assert user_client.delete(f"/api/v1/accounts/{account.pk}/").status_code == 204
    stored = IdempotencyKey.objects.get(user=user, key="k-acct")
    assert (stored.response_body, stored.resource_deleted_at is not None) == (None, True)


@pytest.mark.django_db
def test_a_deleted_user_keeps_no_stored_answers(user, user_client, admin_client_api):
    account = AccountFactory.create(owner=user)
    user_client.post("/api/v1/messages/", _payload(account), format="json", HTTP_IDEMPOTENCY_KEY="k-user")
    assert admin_client_api.delete(f"/api/v1/users/{user.pk}/").status_code == 204
    assert not IdempotencyKey.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_deleting_an_account_stays_a_bulk_delete_whatever_its_messages(user, user_client):
    # The answers are cleared by the service in batches, not by a per-message delete receiver,
    # which would load every message and update its key one by one.
    from django.test.utils import CaptureQueriesContext

    from tests.messaging.factories import MessageFactory

    def queries_to_delete(messages: int) -> int:
        account = AccountFactory.create(owner=user)
        MessageFactory.create_batch(messages, account=account)
        with CaptureQueriesContext(connection) as queries:
            assert user_client.delete(f"/api/v1/accounts/{account.pk}/").status_code == 204
        return len(queries)

    assert queries_to_delete(30) == queries_to_delete(2)
    assert not Message.objects.exists()
