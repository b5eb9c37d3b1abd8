"""Refresh rotation is atomic, and a rotated refresh token used again revokes all (issue 20, finding 6).

OAuth 2.0 Security BCP (RFC 9700) §4.14.2: a refresh token used twice means two parties hold
it; the server cannot tell which is the thief, so it revokes every refresh token of the user.
"""

import pytest
from rest_framework.test import APIClient

from accounts import services
from accounts.services import tokens_for_user
from tests.concurrency import run_concurrently
from tests.helpers import assert_error_shape

REFRESH = "/api/v1/auth/refresh/"
LOGOUT = "/api/v1/auth/logout/"


def refresh(token: str):
    return APIClient(raise_request_exception=False).post(REFRESH, {"refresh": token})


def assert_refused(response):
    assert_error_shape(response, 401, code="token_not_valid")
    assert len(response.json()["errors"]) == 1


@pytest.mark.django_db
def test_a_rotated_refresh_token_used_again_revokes_every_refresh_token_of_the_user(user, other_user):
    stolen = tokens_for_user(user=user)["refresh"]
    other_device = tokens_for_user(user=user)["refresh"]
    someone_else = tokens_for_user(user=other_user)["refresh"]
    rotated = refresh(stolen)
    assert rotated.status_code == 200, rotated.content
    new_chain = rotated.json()["refresh"]

    assert_refused(refresh(stolen))  # the reuse

    # The chain it started and every other session of the user end with it...
    assert_refused(refresh(new_chain))
    assert_refused(refresh(other_device))
    # ...and nobody else's.
    assert refresh(someone_else).status_code == 200


@pytest.mark.django_db
def test_a_thief_who_rotates_first_loses_the_chain_when_the_owner_refreshes(user):
    owners = tokens_for_user(user=user)["refresh"]
    thiefs_chain = refresh(owners).json()["refresh"]  # the thief was quicker

    assert_refused(refresh(owners))

    assert_refused(refresh(thiefs_chain))


@pytest.mark.django_db
def test_logging_out_with_a_rotated_refresh_token_is_reuse_too(user):
    owners = tokens_for_user(user=user)["refresh"]
    thiefs_chain = refresh(owners).json()["refresh"]

    assert_refused(APIClient().post(LOGOUT, {"refresh": owners}))

    assert_refused(refresh(thiefs_chain))


@pytest.mark.django_db
def test_a_logged_out_or_revoked_token_used_again_is_refused_without_revoking_the_rest(user):
    """Only rotation marks a token as spent-by-use: a logged-out token (or one revoked by a
    password change) replayed is a plain 401, so an old stolen token cannot log its owner out
    of the sessions they opened since."""
    logged_out = tokens_for_user(user=user)["refresh"]
    assert APIClient().post(LOGOUT, {"refresh": logged_out}).status_code == 204
    services.refresh_tokens_revoke_all(user=user)
    revoked = logged_out
    current = tokens_for_user(user=user)["refresh"]

    assert_refused(refresh(logged_out))
    assert_refused(refresh(revoked))

    assert refresh(current).status_code == 200


@pytest.mark.django_db
def test_a_reused_token_revokes_only_once(user):
    """The reuse ends the sessions that existed then; replaying the same stolen token later does
    not log its owner out again and again (it is refused, nothing more)."""
    stolen = tokens_for_user(user=user)["refresh"]
    refresh(stolen)
    assert_refused(refresh(stolen))
    fresh_login = tokens_for_user(user=user)["refresh"]

    assert_refused(refresh(stolen))

    assert refresh(fresh_login).status_code == 200


@pytest.mark.django_db
def test_refresh_of_a_user_that_no_longer_exists_is_401(user):
    token = tokens_for_user(user=user)["refresh"]
    user.delete()

    assert_refused(refresh(token))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_of_two_concurrent_uses_of_one_refresh_token_exactly_one_succeeds(user):
    token = tokens_for_user(user=user)["refresh"]

    for attempt in range(3):
        responses = run_concurrently(lambda: refresh(token), lambda: refresh(token))

        statuses = sorted(response.status_code for response in responses)
        assert statuses == [200, 401] if attempt == 0 else [401, 401], statuses
        winner = next(response for response in responses if response.status_code == 200) if attempt == 0 else None
        if winner is not None:
            # Two uses of one token are a reuse: the winner's new chain is revoked too.
            assert_refused(refresh(winner.json()["refresh"]))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_thief_racing_the_owner_gets_no_session_that_survives(user):
    """The issue's replay: both refresh at the same moment, then the owner logs out (or not)."""
    other_session = tokens_for_user(user=user)["refresh"]
    for _ in range(4):
        token = tokens_for_user(user=user)["refresh"]
        responses = run_concurrently(*(lambda token=token: refresh(token) for _ in range(4)))

        statuses = sorted(response.status_code for response in responses)
        assert statuses == [200, 401, 401, 401], statuses
        for response in responses:
            if response.status_code == 200:
                assert_refused(refresh(response.json()["refresh"]))
    assert_refused(refresh(other_session))
