"""Messages: immutable SMS-style texts that belong to a customer account."""

import uuid
from collections.abc import Collection

from django.core.exceptions import ValidationError
from django.core.validators import MinLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Account

from .phone import normalize_phone_number

BODY_MAX_LENGTH = 1600
E164_MAX_LENGTH = 16  # "+" and at most 15 digits
PHONE_NUMBER_FIELDS = ("sender_number", "receiver_number")
# How long a number may be as written, spaces and punctuation included (API and admin input).
WRITTEN_NUMBER_MAX_LENGTH = 64


class Message(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Covered by the (account, created_at, id) index below, so no separate FK index.
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="messages", db_index=False)
    sender_number = models.CharField(max_length=E164_MAX_LENGTH, help_text="E.164, e.g. +14155550123.")
    receiver_number = models.CharField(max_length=E164_MAX_LENGTH, help_text="E.164, e.g. +14155550123.")
    body = models.CharField(max_length=BODY_MAX_LENGTH, validators=[MinLengthValidator(1)])
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="messaging_message_body_not_empty"),
            models.CheckConstraint(
                condition=Q(sender_number__startswith="+") & Q(receiver_number__startswith="+"),
                name="messaging_message_numbers_e164",
            ),
        ]
        # Every list is "newest first, ties by id" (cursor pagination), narrowed by one of these:
        # an index per filter that ends in (created_at, id) lets the database read one page of a
        # filtered list straight off the index, without sorting millions of rows.
        indexes = [
            models.Index(fields=["account", "-created_at", "-id"], name="msg_account_newest_idx"),
            models.Index(fields=["sender_number", "-created_at", "-id"], name="msg_sender_newest_idx"),
            models.Index(fields=["receiver_number", "-created_at", "-id"], name="msg_receiver_newest_idx"),
            models.Index(fields=["-created_at", "-id"], name="msg_newest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.sender_number} → {self.receiver_number}: {self.body[:40]}"

    def clean_fields(self, exclude: Collection[str] | None = None) -> None:
        """Store numbers in E.164 whatever form they were written in.

        Normalised BEFORE the field checks: the column's 16-character limit is for the E.164
        form, not for how a client wrote it (`+1 (415) 555-0123` is 17 characters). A number
        that cannot be read gets only that error, not a length error on top.
        """
        skipped = set(exclude or ())
        errors: dict[str, list[ValidationError]] = {}
        for field in PHONE_NUMBER_FIELDS:
            if field in skipped:
                continue
            try:
                setattr(self, field, normalize_phone_number(getattr(self, field) or ""))
            except ValidationError as exc:
                errors[field] = exc.error_list
                skipped.add(field)
        try:
            super().clean_fields(exclude=skipped)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)
