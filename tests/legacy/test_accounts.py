"""The accounts service's import, from its JSON export (fixtures/accounts_service.json)."""

from decimal import Decimal
from pathlib import Path
from typing import cast

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Account, User
from tests.accounts.factories import UserFactory
from tests.legacy.helpers import FIXTURES, counts, run_import, skips

pytestmark = pytest.mark.django_db
EXPORT = str(FIXTURES / "accounts_service.json")


@pytest.fixture
def owner() -> User:
    return cast(User, UserFactory(username="migrator"))


def test_every_account_is_accounted_for(owner: User, tmp_path: Path) -> None:
    report = run_import("accounts-service", EXPORT, tmp_path, "--owner", "migrator")

    assert counts(report) == {"accounts": (7, 2, 0, 5)}
    reasons = skips(report, "accounts")
    assert reasons["9"] == "name: migrator already has an account named 'Savings'"
    assert reasons["10"].startswith("balance:")
    assert reasons["11"].startswith("balance:")  # 3 decimal places: not rounded
    assert reasons["12"].startswith("name:")
    assert reasons["abc"] == "id: the accounts service's ids are integers"
    savings = Account.objects.get(name="Savings")
    assert (savings.owner, savings.balance, savings.currency, savings.active) == (owner, Decimal("100.50"), "USD", True)
    assert Account.objects.get(name="Checking").active is False


def test_a_second_run_imports_nothing(owner: User, tmp_path: Path) -> None:
    run_import("accounts-service", EXPORT, tmp_path, "--owner", "migrator")

    again = run_import("accounts-service", EXPORT, tmp_path, "--owner", "migrator")

    assert counts(again) == {"accounts": (7, 0, 0, 5)}
    assert again["tables"][0]["unchanged"] == 2
    assert Account.objects.count() == 2


def test_accounts_need_an_owner(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="--owner"):
        call_command("import_legacy", "accounts-service", "--from", EXPORT)
    with pytest.raises(CommandError, match="no such"):
        call_command("import_legacy", "accounts-service", "--from", EXPORT, "--owner", "nobody")


def test_a_file_that_is_not_json_is_a_clear_error(owner: User, tmp_path: Path) -> None:
    broken = tmp_path / "export.json"
    broken.write_text("{not json")

    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("import_legacy", "accounts-service", "--from", str(broken), "--owner", "migrator")


def test_verify_writes_nothing_and_finds_what_was_deleted_since(owner: User, tmp_path: Path) -> None:
    run_import("accounts-service", EXPORT, tmp_path, "--owner", "migrator")
    Account.objects.filter(name="Checking").delete()

    report = run_import("accounts-service", EXPORT, tmp_path, "--owner", "migrator", "--verify")

    table = report["tables"][0]
    assert (table["unchanged"], table["imported"], table["skipped"], table["gone"]) == (2, 0, 5, 1)
    assert table["gone_ids"] == ["8"]
    assert "accounts: 1 imported but no longer here (deleted since; ids 8)" in report["printed"]
    assert Account.objects.count() == 1  # nothing re-imported
