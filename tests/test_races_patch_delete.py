"""A write racing a DELETE of the same object: 200, 204, 404 or 409, never a 500, nothing half-written.

The contract (API.md, Conventions): no endpoint answers 500 for "an object deleted by a concurrent
request". Every view reads the object before its service's transaction starts, so a DELETE can
commit in between. Each race is forced with a `Pause` on the service the view calls, which holds
one request right after the view's read while the other runs to the end:

- delete wins: PATCH/PUT read, DELETE commits, PATCH/PUT writes -> 404, and the object stays deleted
  (the write must not resurrect it or bring a soft-deleted row back to life);
- update wins: DELETE read, PATCH/PUT commits, DELETE deletes -> 200 then 204, the object is gone;
- delete twice: DELETE read, DELETE commits, DELETE deletes -> 204 then 404, as a second DELETE
  sent afterwards would get (a sprocket's factory loses exactly one from its counter).

A last test per resource lets the two requests run truly at once, many times over.

The resources are the router's, each with its test spec (tests/specs.py): the services raced are
the spec's `update_service` and `delete_service`, the change its `update_body` (and its
`race_extra_changes`), the writer its owner where the owner may change and delete it, else an admin.
"""

from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import Count, F
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import tokens_for_user
from sprockets.models import Factory
from tests.accounts.factories import AdminFactory, UserFactory
from tests.concurrency import Pause, interleave, run_concurrently
from tests.helpers import assert_error_shape
from tests.specs import ResourceSpec, module_of, specs

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REPEATS = 20


class Case:
    """One raced change of one routed resource (tests/specs.py): its spec and what the PATCH/PUT sends."""

    def __init__(self, spec: ResourceSpec, case_id: str, change: Callable[[Any], dict[str, Any]] | None) -> None:
        self.spec, self.id, self.change = spec, case_id, change

    @property
    def update(self) -> Callable[..., Any] | None:
        return self.spec.update_service if self.change is not None else None

    @property
    def delete(self) -> Callable[..., Any]:
        assert self.spec.delete_service is not None, f"{self.spec.basename}: delete_service"
        return self.spec.delete_service


def _cases() -> list[Case]:
    """Every routed resource with a DELETE: its update body raced (if it has a PATCH), and its extras."""
    cases = []
    for spec in specs(lambda spec: spec.offers("destroy")):
        cases.append(Case(spec, spec.basename, spec.update_body if spec.offers("partial_update") else None))
        cases.extend(Case(spec, case_id, change) for case_id, change in spec.race_extra_changes.items())
    return cases


CASES = _cases()
WRITABLE = [case for case in CASES if case.update is not None]


def _ids(cases: list[Case]) -> list[Any]:
    return [pytest.param(case, id=case.id) for case in cases]


class Race:
    """One resource's object, the user allowed to change it, and requests as that user."""

    def __init__(self, case: Case, owner: User | None = None, admin: User | None = None) -> None:
        self.case = case
        self.owner = owner or UserFactory.create()
        self.admin = admin or AdminFactory.create()
        self.obj = case.spec.make(self.owner)  # a user is a new one, whatever the owner
        # The owner where they may change and delete it (accounts, posts), else an admin.
        self.actor = case.spec.writer(self.obj, self.admin)
        self.url = case.spec.detail_url(self.obj)

    def client(self) -> APIClient:
        # One client per request: each runs in its own thread, and a 500 must come back as an answer.
        client = APIClient(raise_request_exception=False)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for_user(user=self.actor)['access']}")
        return client

    def write_request(self, method: str) -> Callable[[], Any]:
        assert self.case.change is not None
        body = self.case.change(self.obj)
        if method == "put":
            # A full replacement: what the object looks like now, with the change applied.
            current = self.client().get(self.url)
            assert current.status_code == 200, current.content
            body = {**current.json(), **body}
        return lambda: getattr(self.client(), method)(self.url, body, format="json")

    def delete_request(self) -> Any:
        return self.client().delete(self.url)

    def assert_deleted(self) -> None:
        assert self.case.spec.is_deleted(self.obj)
        assert_error_shape(self.client().get(self.url), 404, code="not_found")


def _assert_counters_match_sprockets() -> None:
    """Every factory's counter equals its sprockets: no decrement was lost or applied twice."""
    drifted = (
        Factory.objects.annotate(sprockets_count=Count("sprockets"))
        .exclude(sprocket_production_actual=F("sprockets_count"))
        .values_list("pk", "sprocket_production_actual", "sprockets_count")
    )
    assert list(drifted) == []


@pytest.mark.parametrize("method", ["patch", "put"])
@pytest.mark.parametrize("case", _ids(WRITABLE))
def test_write_landing_after_a_committed_delete_is_a_404_and_does_not_resurrect(monkeypatch, case, method):
    race = Race(case)
    assert case.update is not None
    write = race.write_request(method)
    pause = Pause(monkeypatch, module_of(case.update), case.update.__name__)

    written, deleted = interleave(pause, write, race.delete_request)

    assert deleted.status_code == 204, deleted.content
    assert_error_shape(written, 404, code="not_found")
    race.assert_deleted()
    _assert_counters_match_sprockets()


@pytest.mark.parametrize("method", ["patch", "put"])
@pytest.mark.parametrize("case", _ids(WRITABLE))
def test_delete_landing_after_a_committed_write_still_deletes(monkeypatch, case, method):
    race = Race(case)
    write = race.write_request(method)
    pause = Pause(monkeypatch, module_of(case.delete), case.delete.__name__)

    deleted, written = interleave(pause, race.delete_request, write)

    assert written.status_code == 200, written.content
    assert deleted.status_code == 204, deleted.content
    race.assert_deleted()
    _assert_counters_match_sprockets()


@pytest.mark.parametrize("case", _ids(CASES))
def test_delete_landing_after_a_committed_delete_is_a_404_and_deletes_once(monkeypatch, case):
    race = Race(case)
    pause = Pause(monkeypatch, module_of(case.delete), case.delete.__name__)

    late, early = interleave(pause, race.delete_request, race.delete_request)

    assert early.status_code == 204, early.content
    assert_error_shape(late, 404, code="not_found")
    race.assert_deleted()
    _assert_counters_match_sprockets()


@pytest.mark.parametrize("case", _ids(CASES))
def test_requests_sent_at_the_same_moment_never_fail_or_half_write(case):
    owner = admin = None
    for _ in range(REPEATS):
        race = Race(case, owner, admin)
        owner, admin = race.owner, race.admin  # the same people each round: hashing passwords is slow
        other = race.write_request("patch") if case.update else race.delete_request

        first, deleted = run_concurrently(other, race.delete_request)

        statuses = (first.status_code, deleted.status_code)
        assert set(statuses) <= {200, 204, 404, 409}, (statuses, first.content, deleted.content)
        assert 204 in statuses, statuses  # one of them deletes
        for response in (first, deleted):
            if response.status_code in (404, 409):
                assert_error_shape(response, response.status_code)
        race.assert_deleted()
    _assert_counters_match_sprockets()
