"""Cursor pagination: newest first, every message exactly once, even while new ones arrive."""

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging.models import Message
from tests.accounts.factories import AccountFactory
from tests.helpers import assert_error_shape

from .factories import MessageFactory

pytestmark = pytest.mark.django_db


def _walk(client, url: str) -> list[str]:
    seen: list[str] = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        assert "count" not in body
        seen.extend(m["id"] for m in body["results"])
        url = body["next"]
    return seen


def test_walks_every_message_once_while_new_ones_are_added(user, client_for):
    account = AccountFactory.create(owner=user)
    now = timezone.now()
    # Several messages share a timestamp, so the cursor's tie-breaking is exercised too.
    existing = [
        MessageFactory.create(account=account, created_at=now - timedelta(seconds=i // 3), body=f"old {i}")
        for i in range(25)
    ]
    client = client_for(user)
    seen: list[str] = []
    url: str | None = "/api/v1/messages/?page_size=4"
    added = 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        body = response.json()
        seen.extend(m["id"] for m in body["results"])
        url = body["next"]
        MessageFactory.create(account=account, body=f"new {added}")  # arrives between page fetches
        added += 1
    assert len(seen) == len(set(seen)), "a message was returned twice"
    expected = sorted(existing, key=lambda m: (m.created_at, m.pk), reverse=True)
    assert seen == [str(m.pk) for m in expected]
    assert Message.objects.count() == 25 + added


def test_page_size_and_previous_link(user, client_for):
    account = AccountFactory.create(owner=user)
    MessageFactory.create_batch(5, account=account)
    client = client_for(user)
    first = client.get("/api/v1/messages/?page_size=2").json()
    assert len(first["results"]) == 2
    assert first["previous"] is None
    second = client.get(first["next"]).json()
    back = client.get(second["previous"]).json()
    assert [m["id"] for m in back["results"]] == [m["id"] for m in first["results"]]
    assert len(_walk(client, "/api/v1/messages/?page_size=2")) == 5


def test_page_size_is_clamped_to_100(user, client_for):
    account = AccountFactory.create(owner=user)
    MessageFactory.create_batch(101, account=account)
    response = client_for(user).get("/api/v1/messages/?page_size=500")
    assert len(response.json()["results"]) == 100


def test_a_garbage_cursor_is_a_404(user_client):
    assert_error_shape(user_client.get("/api/v1/messages/?cursor=garbage"), 404)
