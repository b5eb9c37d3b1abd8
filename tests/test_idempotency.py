"""config.api.idempotency: replay, conflicts, and one row under concurrent retries."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Account
from accounts.services import tokens_for_user
from config.api.idempotency import request_fingerprint
from config.api.models import IdempotencyKey
from tests.concurrency import run_concurrently

pytestmark = pytest.mark.urls("tests.idempotency_urls")


def post(client, body, key="key-1"):
    return client.post("/accounts/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.django_db
def test_replay_returns_first_answer_and_creates_nothing(user_client, user):
    first = post(user_client, {"name": "Main"})
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    again = post(user_client, {"name": "Main"})
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Account.objects.filter(owner=user).count() == 1


@pytest.mark.django_db
def test_same_key_different_body_is_409(user_client):
    assert post(user_client, {"name": "Main"}).status_code == 201
    response = post(user_client, {"name": "Other"})
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "idempotency_key_reused"


@pytest.mark.django_db
def test_key_in_flight_is_409(user_client, user):
    IdempotencyKey.objects.create(
        user=user,
        scope="test-accounts.create",
        key="key-1",
        fingerprint=request_fingerprint({"name": "Main"}),
        created_at=timezone.now(),
    )
    response = post(user_client, {"name": "Main"})
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "idempotency_key_in_flight"
    assert not Account.objects.exists()


@pytest.mark.django_db
def test_keys_are_scoped_per_user(user_client, other_client, user, other_user):
    assert post(user_client, {"name": "Main"}).status_code == 201
    assert post(other_client, {"name": "Main"}).status_code == 201
    assert Account.objects.filter(owner=user).count() == 1
    assert Account.objects.filter(owner=other_user).count() == 1


@pytest.mark.django_db
def test_failed_request_releases_the_key(user_client, user):
    assert post(user_client, {"name": ""}).status_code == 400
    assert post(user_client, {"name": ""}).status_code == 400
    assert not IdempotencyKey.objects.exists()


@pytest.mark.django_db
def test_without_key_every_post_creates(user_client, user):
    assert user_client.post("/accounts/", {"name": "A"}, format="json").status_code == 201
    assert user_client.post("/accounts/", {"name": "B"}, format="json").status_code == 201
    assert Account.objects.filter(owner=user).count() == 2


@pytest.mark.django_db
def test_overlong_key_is_400(user_client):
    response = post(user_client, {"name": "Main"}, key="k" * 256)
    assert response.status_code == 400


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_concurrent_requests_with_one_key_create_one_row(user):
    token = tokens_for_user(user=user)["access"]

    def send() -> int:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return post(client, {"name": "Concurrent"}, key="same").status_code

    statuses: list[int] = run_concurrently(*(send for _ in range(10)))
    assert Account.objects.filter(owner=user, name="Concurrent").count() == 1
    assert statuses.count(201) >= 1
    assert set(statuses) <= {201, 409}
