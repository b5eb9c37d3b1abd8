"""The messaging service's import, from its MySQL database (the tests' MariaDB), fixtures/messaging_service.sql."""

from collections.abc import Callable
from pathlib import Path
from typing import cast

import pytest

from accounts.models import Account, User
from legacy.importers.messaging import IMPORTED_BODY
from messaging.models import Message
from tests.accounts.factories import UserFactory
from tests.legacy.helpers import FIXTURES, counts, run_import, skips

pytestmark = pytest.mark.django_db


@pytest.fixture
def messaging_url(mysql_source: Callable[[str], str]) -> str:
    return mysql_source("messaging")


@pytest.fixture
def owner() -> User:
    return cast(User, UserFactory(username="migrator"))


def test_every_row_is_accounted_for(messaging_url: str, owner: User, tmp_path: Path) -> None:
    report = run_import("messaging-service", messaging_url, tmp_path, "--owner", "migrator")

    assert counts(report) == {"accounts": (3, 3, 0, 0), "messages": (7, 3, 0, 4)}
    reasons = skips(report, "messages")
    assert reasons["4"] == "message_id: 'not-a-uuid' is not a UUID"
    assert reasons["5"].startswith("sender_number:")
    assert reasons["6"] == "account_id: empty"
    assert reasons["7"].startswith("sender_number:")
    names = set(Account.objects.filter(owner=owner).values_list("name", flat=True))
    assert names == {"Imported account 7", "Imported account 42", "Imported account 43"}


def test_messages_keep_their_ids_order_and_get_e164_numbers(messaging_url: str, owner: User, tmp_path: Path) -> None:
    run_import("messaging-service", messaging_url, tmp_path, "--owner", "migrator")

    second = Message.objects.get(pk="d3000000-0000-4000-8000-000000000002")
    assert (second.sender_number, second.receiver_number) == ("+14155550125", "+14155550126")
    assert second.body == IMPORTED_BODY
    assert second.account.name == "Imported account 42"
    newest_first = [str(pk) for pk in Message.objects.values_list("pk", flat=True)]
    assert newest_first == [
        "d3000000-0000-4000-8000-000000000003",
        "d3000000-0000-4000-8000-000000000002",
        "d3000000-0000-4000-8000-000000000001",
    ]


def test_account_ids_link_to_the_accounts_service_import(messaging_url: str, owner: User, tmp_path: Path) -> None:
    run_import("accounts-service", str(FIXTURES / "accounts_service.json"), tmp_path, "--owner", "migrator")

    report = run_import("messaging-service", messaging_url, tmp_path, "--owner", "migrator")

    assert counts(report)["accounts"] == (3, 2, 1, 0)
    assert Message.objects.get(pk="d3000000-0000-4000-8000-000000000003").account.name == "Savings"


def test_a_second_run_imports_nothing(messaging_url: str, owner: User, tmp_path: Path) -> None:
    run_import("messaging-service", messaging_url, tmp_path, "--owner", "migrator")

    again = run_import("messaging-service", messaging_url, tmp_path, "--owner", "migrator")

    assert counts(again) == {"accounts": (3, 0, 0, 0), "messages": (7, 0, 0, 4)}
    assert (Account.objects.count(), Message.objects.count()) == (3, 3)
