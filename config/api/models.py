"""Tables owned by the shared API plumbing, and the model bases shared by the apps."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class TimestampedModel(models.Model):
    """`created_at` set once on insert, `updated_at` on every save (both UTC, read-only in the API).

    `QuerySet.update()` does not touch `updated_at`: a bulk write sets it itself.
    """

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class IdempotencyKey(models.Model):
    """One `Idempotency-Key` a user sent to one endpoint, and the answer it got.

    `status_code` is null while the first request is still in flight.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=100, help_text="The endpoint, e.g. `messages.create`.")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the canonical request body.")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    # What the stored answer created. Deleting it clears the stored answer and sets
    # `resource_deleted_at`: the key then replays a 409, never deleted data, and never creates again.
    resource_deleted_at = models.DateTimeField(null=True, blank=True)
    resource_model = models.CharField(max_length=100, blank=True, default="", help_text="e.g. `messaging.Message`.")
    resource_id = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "scope", "key"], name="api_idempotency_key_unique"),
        ]
        indexes = [
            models.Index(fields=["created_at"]),
            models.Index(fields=["resource_model", "resource_id"], name="api_idempotency_resource"),
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"
