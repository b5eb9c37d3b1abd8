"""The messaging service (MySQL 8): `messages` (`id`, `message_id` uuid, `account_id` int,
`sender_number`, `receiver_number`; no body, no time, no owner; numbers never validated).

- **accounts**: each distinct `account_id` is one of our accounts. One the accounts service's
  import brought in (the same integer id) is linked to (merged); any other becomes
  "Imported account <id>" owned by `--owner` (required), in USD, balance 0.
- **messages** keep `message_id` as their id (so `/messages/?message_id=` finds what the old
  `/v1/search?message_id=` found); numbers are normalised to E.164 by the model, and one that
  is not a phone number is skipped, naming it.
- **the missing body** is `IMPORTED_BODY` (our body may not be empty);
- **the missing time** is the import's start, minus one microsecond per later legacy id: the
  old service's order (its auto-increment id) is kept in our newest-first lists, and every
  imported message reads as written at the import, not at a made-up moment in the past.
"""

import uuid
from datetime import timedelta
from typing import Any

from accounts.models import Account
from legacy.models import LegacyRecord
from messaging.models import Message

from ..importing import Imported, Merged, Row, Run, Skipped, Table, as_uuid, check

SOURCE = "messaging-service"
NEEDS_OWNER = True
IMPORTED_BODY = "(imported from the messaging service, which kept no message text)"
ACCOUNT_NAME = "Imported account {}"


def tables(run: Run) -> list[Table]:
    latest_id = run.source.count("SELECT COALESCE(MAX(id), 0) FROM messages")
    start = run.report.started_at

    def convert_accounts(rows: list[Row]) -> list[Any]:
        ids = [str(row["id"]) for row in rows]
        from_accounts_service = dict(
            LegacyRecord.objects.filter(source="accounts-service", table="accounts", legacy_id__in=ids).values_list(
                "legacy_id", "object_id"
            )
        )
        named = dict(
            Account.objects.filter(owner=run.owner, name__in=[ACCOUNT_NAME.format(i) for i in ids]).values_list(
                "name", "pk"
            )
        )
        outcomes: list[Any] = []
        for legacy_id in ids:
            if legacy_id in from_accounts_service:
                pk = uuid.UUID(from_accounts_service[legacy_id])
                outcomes.append(Merged(pk, note="linked to the account imported from the accounts service"))
                continue
            name = ACCOUNT_NAME.format(legacy_id)
            if name in named:
                outcomes.append(Merged(named[name], note=f"linked to {run.owner}'s account of that name"))
                continue
            outcomes.append(Imported(Account(owner=run.owner, name=name)))
        return outcomes

    def convert_messages(rows: list[Row]) -> list[Any]:
        wanted = [key for key in (as_uuid(row["message_id"]) for row in rows) if key is not None]
        used = set(Message.objects.filter(pk__in=wanted).values_list("pk", flat=True))
        outcomes: list[Any] = []
        for row in rows:
            if row["account_id"] is None:
                outcomes.append(Skipped("account_id: empty"))
                continue
            account = run.pk_of("accounts", row["account_id"])
            if account is None:
                outcomes.append(Skipped(f"account {row['account_id']} was not imported"))
                continue
            message_id = as_uuid(row["message_id"])
            if message_id is None:
                outcomes.append(Skipped(f"message_id: {row['message_id']!r} is not a UUID"))
                continue
            if message_id in used:
                outcomes.append(Skipped("message_id: a message with this id already exists here"))
                continue
            message = Message(
                id=message_id,
                account_id=account,
                sender_number=row["sender_number"] or "",
                receiver_number=row["receiver_number"] or "",
                body=IMPORTED_BODY,
                created_at=start - timedelta(microseconds=latest_id - int(row["id"])),
            )
            problem = check(message, exclude=["account"])
            outcomes.append(problem or Imported(message))
        return outcomes

    return [
        Table(
            name="accounts",
            model=Account,
            sql="SELECT DISTINCT account_id AS id FROM messages WHERE account_id IS NOT NULL ORDER BY account_id",
            count_sql="SELECT count(DISTINCT account_id) FROM messages",
            convert=convert_accounts,
        ),
        Table(
            name="messages",
            model=Message,
            convert=convert_messages,
            keep_ids=False,
        ),
    ]
