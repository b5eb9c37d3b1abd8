"""`manage.py purge_expired` removes expired idempotency keys, refresh tokens and sessions, and nothing else."""

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from config.api.models import IdempotencyKey

pytestmark = pytest.mark.django_db


def key(user, name: str, age: timedelta) -> IdempotencyKey:
    return IdempotencyKey.objects.create(
        user=user, scope="messages.create", key=name, fingerprint="0" * 64, created_at=timezone.now() - age
    )


def token(user, jti: str, expires_in: timedelta, *, blacklisted: bool = False) -> OutstandingToken:
    now = timezone.now()
    outstanding = OutstandingToken.objects.create(
        user=user, jti=jti, token=jti, created_at=now - timedelta(days=8), expires_at=now + expires_in
    )
    if blacklisted:
        BlacklistedToken.objects.create(token=outstanding)
    return outstanding


def session(expires_in: timedelta) -> str:
    store = SessionStore()
    store.create()
    Session.objects.filter(session_key=store.session_key).update(expire_date=timezone.now() + expires_in)
    return store.session_key or ""


def test_purge_expired_removes_only_what_has_expired(user):
    ttl = settings.IDEMPOTENCY_KEY_TTL
    key(user, "old", ttl + timedelta(minutes=1))
    key(user, "fresh", ttl - timedelta(minutes=1))
    token(user, "expired", -timedelta(seconds=1))
    token(user, "expired-blacklisted", -timedelta(seconds=1), blacklisted=True)
    token(user, "live", timedelta(days=1))
    token(user, "live-blacklisted", timedelta(days=1), blacklisted=True)
    old_session, live_session = session(-timedelta(seconds=1)), session(timedelta(days=1))

    out = StringIO()
    call_command("purge_expired", stdout=out)

    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh"]
    assert set(OutstandingToken.objects.values_list("jti", flat=True)) == {"live", "live-blacklisted"}
    assert list(BlacklistedToken.objects.values_list("token__jti", flat=True)) == ["live-blacklisted"]
    assert list(Session.objects.values_list("session_key", flat=True)) == [live_session]
    assert old_session != live_session
    assert "1 deleted" in out.getvalue()
