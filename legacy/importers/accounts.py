"""The customer-accounts service: no database, its accounts lived in the process. Its export is a
JSON file of its accounts by id (docs/MIGRATING.md says how to make it).

Its accounts had no owner and no currency: every one becomes an account of `--owner`, in USD
(our default). `balance` was a float: it is read through its decimal text, and one with more
than 2 places is skipped rather than rounded (money is not rounded silently). The legacy id is
kept in the `LegacyRecord`, and the messaging service's import links its `account_id`s to these
accounts (docs/MIGRATING.md, "Accounts and messages").
"""

from decimal import Decimal, InvalidOperation
from typing import Any

from accounts.models import Account

from ..importing import Imported, Row, Run, Skipped, Table, check

SOURCE = "accounts-service"
NEEDS_OWNER = True


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def tables(run: Run) -> list[Table]:
    names = set(Account.objects.filter(owner=run.owner).values_list("name", flat=True))

    def convert(rows: list[Row]) -> list[Any]:
        outcomes: list[Any] = []
        for row in rows:
            if "_raw" in row or not str(row.get("id", "")).lstrip("-").isdigit():
                outcomes.append(Skipped("id: the accounts service's ids are integers"))
                continue
            balance = _decimal(row.get("balance"))
            if balance is None:
                outcomes.append(Skipped(f"balance: {row.get('balance')!r} is not a number"))
                continue
            given = row.get("name")
            name = given if isinstance(given, str) else ""
            if name in names:
                outcomes.append(Skipped(f"name: {run.owner} already has an account named {name!r}"))
                continue
            account = Account(
                owner=run.owner,
                name=name,
                description=row.get("description") or "",
                balance=balance,
                active=row.get("active", True) is not False,
            )
            problem = check(account, exclude=["owner"])
            if problem is not None:
                outcomes.append(problem)
                continue
            names.add(name)
            outcomes.append(Imported(account))
        return outcomes

    return [Table(name="accounts", model=Account, sql="", count_sql="", convert=convert)]
