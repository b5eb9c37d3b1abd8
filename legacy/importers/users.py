"""Users from the catalog and posts services: one person is one user, whichever service they used.

Decided (docs/MIGRATING.md, "Users from two services"):
- the same email (in any letter case) is the same person. A row whose email a living user
  already has is **merged** into that user: it links to them and changes nothing of theirs —
  the username, password, role and names of the user who was there first win (import the
  catalog service before the posts service: its users have real usernames);
- a username taken by a living user with another email is a skip naming it (the person can
  be imported after the name is freed, or signs up again): renaming someone silently would
  leave them unable to sign in with the name they know;
- a soft-deleted row is imported as a soft-deleted user (it frees its email and username, as
  our own deleted users do) and never merged.
"""

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db.models.functions import Lower

from accounts.models import Role, User

from ..importing import Imported, Merged, Row, Skipped, Table, check

BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$")
PLAINTEXT_NOTE = "plaintext passwords hashed (never stored as given)"
MERGED_NOTE = "merged by email into an existing user"


@dataclass
class LegacyUser:
    legacy_id: Any
    email: str
    username: str
    password: str  # as stored by the predecessor: a bcrypt hash, or (posts' first version) plaintext
    role: str = Role.USER
    is_active: bool = True
    deleted_at: datetime | None = None
    date_joined: datetime | None = None


def is_bcrypt(value: str) -> bool:
    return value.startswith(BCRYPT_PREFIXES) and len(value) == 60


def encoded_password(value: str) -> tuple[str, str]:
    """Our encoded password for a stored one, and the report's note (plaintext is hashed here)."""
    if is_bcrypt(value):
        # Django's "bcrypt" hasher reads "bcrypt$" + the hash as bcrypt wrote it.
        return f"bcrypt${value}", ""
    return make_password(value), PLAINTEXT_NOTE


def users_table(person: Callable[[Row], LegacyUser | Skipped]) -> Table:
    """A service's `users` table: each row made a `LegacyUser` by `person`, then one importer's rules."""
    importer = UserImporter()
    return Table(name="users", model=User, convert=lambda rows: importer.convert([person(row) for row in rows]))


class UserImporter:
    """Converts batches of `LegacyUser`s; remembers the emails and usernames of this run."""

    def __init__(self) -> None:
        self.emails: dict[str, Any] = {}  # lower-cased email -> our pk, of living users imported in this run
        self.usernames: set[str] = set()

    def convert(self, people: list[LegacyUser | Skipped]) -> list[Imported | Merged | Skipped]:
        living = [p for p in people if isinstance(p, LegacyUser) and p.deleted_at is None]
        taken_emails = _living_by(Lower("email"), [p.email.lower() for p in living])
        taken_usernames = _living_by(Lower("username"), [p.username.lower() for p in living])
        outcomes: list[Imported | Merged | Skipped] = []
        for person in people:
            outcomes.append(person if isinstance(person, Skipped) else self._one(person, taken_emails, taken_usernames))
        return outcomes

    def _one(
        self, person: LegacyUser, taken_emails: dict[str, Any], taken_usernames: dict[str, Any]
    ) -> Imported | Merged | Skipped:
        email_key, username_key = person.email.lower(), person.username.lower()
        alive = person.deleted_at is None
        if alive:
            existing = taken_emails.get(email_key) or self.emails.get(email_key)
            if existing is not None:
                return Merged(existing, note=MERGED_NOTE)
            if username_key in taken_usernames or username_key in self.usernames:
                return Skipped(f"username {person.username!r} is taken by another user (another email)")
        try:
            password, note = encoded_password(person.password or "")
        except ValueError as exc:  # a password make_password cannot take
            return Skipped(f"password: {exc}")
        user = User(
            id=_uuid_or_new(person.legacy_id),
            email=person.email.strip(),
            username=person.username,
            password=password,
            role=person.role,
            is_active=person.is_active and alive,
            deleted_at=person.deleted_at,
        )
        if person.date_joined is not None:
            user.date_joined = person.date_joined
        # is_staff follows the role, as User.save() does (bulk_create calls no save()).
        user.is_staff = user.role == Role.ADMIN
        problem = check(user, exclude=["password"])
        if problem is not None:
            return problem
        if alive:
            self.emails[email_key] = user.pk
            self.usernames.add(username_key)
        return Imported(user, note=note)


def _living_by(expression: Any, values: Iterable[str]) -> dict[str, Any]:
    values = list(set(values))
    if not values:
        return {}
    rows = User.objects.alive().annotate(key=expression).filter(key__in=values).values_list("key", "pk")
    return dict(rows)


def _uuid_or_new(value: Any) -> uuid.UUID:
    """The predecessor's id when it is a UUID (clients may hold it), else a new one."""
    try:
        candidate = uuid.UUID(str(value))
    except (TypeError, ValueError):
        return uuid.uuid4()
    # Someone already has it here (a merged or earlier import): a new id, never a collision.
    return uuid.uuid4() if User.objects.filter(pk=candidate).exists() else candidate
