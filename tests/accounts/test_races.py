"""Races that slip past validation: a 409 or a 400, never a 500 (API.md, Conventions)."""

from typing import Any

import psycopg
import pytest
from django.db import OperationalError
from rest_framework.test import APIClient

from accounts import services
from accounts.models import Account, Role, User
from accounts.services import tokens_for_user
from config.api.exceptions import ApiExceptionHandler, Conflict
from tests.accounts.factories import AdminFactory
from tests.concurrency import run_concurrently
from tests.helpers import assert_error_shape

ACCOUNTS = "/api/v1/accounts/"
REGISTER = "/api/v1/auth/register/"


@pytest.mark.django_db
def test_duplicate_account_name_that_slips_past_validation_is_409(monkeypatch, user, user_client):
    """The unique constraint is the last line: its IntegrityError becomes a 409."""
    user_client.post(ACCOUNTS, {"name": "Twin"})
    monkeypatch.setattr(services, "_check_account_name_free", lambda *, account: None)

    response = user_client.post(ACCOUNTS, {"name": "Twin"})

    assert_error_shape(response, 409, code="conflict")
    assert Account.objects.filter(owner=user, name="Twin").count() == 1


@pytest.mark.django_db
def test_duplicate_email_that_slips_past_validation_is_409(monkeypatch, api_client, user):
    monkeypatch.setattr(services, "_check_unique_identity", lambda *, user: None)

    response = api_client.post(
        REGISTER, {"email": user.email.upper(), "username": "someone-else", "password": "a-Strong-passphrase-9"}
    )

    assert_error_shape(response, 409)
    assert User.objects.filter(email__iexact=user.email).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_of_one_username_create_one_user():
    def register(index):
        return lambda: APIClient(raise_request_exception=False).post(
            REGISTER,
            {"email": f"racer{index}@example.com", "username": "racer", "password": "a-Strong-passphrase-9"},
            REMOTE_ADDR=f"10.9.0.{index}",
        )

    responses = run_concurrently(*(register(index) for index in range(4)))

    statuses = sorted(response.status_code for response in responses)
    assert statuses.count(201) == 1, statuses
    assert set(statuses) <= {201, 400, 409}, statuses
    assert User.objects.filter(username__iexact="racer").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_admins_demoting_each_other_at_once_leaves_one_admin():
    first, second = AdminFactory.create(), AdminFactory.create()

    def demote(actor, target):
        client = APIClient(raise_request_exception=False)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for_user(user=actor)['access']}")
        return lambda: client.post(f"/api/v1/users/{target.id}/role/", {"role": "user"})

    responses = run_concurrently(demote(first, second), demote(second, first))

    # Exactly one wins. The loser is refused either as the last admin's demotion (400: both were
    # signed in as admins when the winner committed) or as no longer an admin (403: the winner had
    # committed before the loser's request was authenticated) — which depends on timing alone.
    winner, loser = sorted(response.status_code for response in responses)
    assert winner == 200
    assert loser in (400, 403), loser
    assert User.objects.filter(role=Role.ADMIN, is_active=True).count() == 1


NO_CONTEXT: Any = {}  # convert_known_exceptions does not read the view context


def test_a_deadlock_or_serialization_failure_is_a_409_not_a_500():
    """PostgreSQL aborts one of two conflicting transactions; the loser may retry."""
    for cause in (psycopg.errors.DeadlockDetected(), psycopg.errors.SerializationFailure()):
        exc = OperationalError(str(cause))
        exc.__cause__ = cause

        converted = ApiExceptionHandler(exc, NO_CONTEXT).convert_known_exceptions(exc)

        assert isinstance(converted, Conflict)
        assert converted.status_code == 409


def test_other_operational_errors_are_not_hidden_as_409():
    exc = OperationalError("connection refused")

    assert not isinstance(ApiExceptionHandler(exc, NO_CONTEXT).convert_known_exceptions(exc), Conflict)
