"""Which row of which predecessor service became which of our rows (`manage.py import_legacy`)."""

from django.db import models


class Outcome(models.TextChoices):
    IMPORTED = "imported", "Imported"
    # The row is one we already had (the same email, postal code, dimensions, account id):
    # it points at that row, which the import left as it was.
    MERGED = "merged", "Merged into an existing row"


class LegacyRecord(models.Model):
    """One imported row: its source, table and id there, and the object it became here.

    What makes an import safe to run twice: a row that has a record is never imported again.
    `fingerprint` (an HMAC-SHA256 of the row as read, keyed by SECRET_KEY) tells a later run whether the source row has
    changed since; the import reports such a row and never rewrites ours from it silently.
    """

    source = models.CharField(max_length=32)
    table = models.CharField(max_length=64)
    legacy_id = models.CharField(max_length=64)
    # The model it became, by label ("accounts.User"): a plain column, no join to read a record.
    model = models.CharField(max_length=100)
    # Ours are UUIDs or integers: text holds both.
    object_id = models.CharField(max_length=64)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.IMPORTED)
    fingerprint = models.CharField(max_length=64)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["source", "table", "id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "table", "legacy_id"], name="legacy_record_unique_source_row"),
        ]
        indexes = [models.Index(fields=["model", "object_id"], name="legacy_record_target")]

    def __str__(self) -> str:
        return f"{self.source}.{self.table} #{self.legacy_id} → {self.model} {self.object_id}"
