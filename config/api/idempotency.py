"""`Idempotency-Key` for create endpoints: a retried POST returns the first answer, creates nothing.

Keys are scoped per user and per endpoint and kept for 24 hours (IDEMPOTENCY_KEY_TTL).

- The first request claims the key in its own committed transaction, so a concurrent request
  with the same key sees the claim at once and gets a 409 ("still in progress").
- The create and the stored answer commit together: if the process dies half-way, both roll
  back and the claim can be taken over after IN_FLIGHT_TIMEOUT, without a duplicate.
- Only successful (2xx) answers are stored. A 4xx releases the key, so the client can fix
  what was wrong (say, create the missing account) and retry with the same key.
- The same key with a different body is a 409.
- The stored answer names the object it created (`created_model`). The services that delete
  such objects (`message_delete`, `sprocket_delete`, and `account_delete` for its messages) call
  `forget_answers()` in their transaction: the stored answer is cleared, so a key never replays
  deleted data, and a retry with the key afterwards is a 409 (`idempotency_key_resource_deleted`),
  never a second create: a key creates at most once. A deleted user's keys are deleted. (Not a
  `post_delete` receiver: one would end Django's bulk cascade, loading every message of a deleted
  account and updating its key one by one.)
- `manage.py purge_expired` removes keys past their 24 hours (`_claim` forgets only the key it meets).
"""

import hashlib
import json
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from .exceptions import Conflict
from .models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
# Resource ids per UPDATE when a deleted account takes its messages' answers with it.
FORGET_BATCH = 1000
# A claim older than this whose request never finished belongs to a dead process.
IN_FLIGHT_TIMEOUT = timedelta(minutes=5)

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    name=HEADER,
    location=OpenApiParameter.HEADER,
    required=False,
    # What create() accepts: 1..255 characters once surrounding spaces are trimmed.
    type={"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": "\\S"},
    description=(
        "Any unique string (at most 255 characters). Retrying with the same key and body within 24 h "
        "returns the first answer with `Idempotent-Replayed: true` and creates nothing; the same key "
        "with another body, or while the first request is in flight, is a 409."
    ),
)


def request_fingerprint(data: Any) -> str:
    if hasattr(data, "lists"):  # a QueryDict from a form body
        data = dict(data.lists())
    # A multipart body may hold file parts: described by name and size, not a TypeError (500).
    canonical = json.dumps(
        data,
        sort_keys=True,
        separators=(",", ":"),
        cls=DjangoJSONEncoder,
        default=lambda value: f"<file {getattr(value, 'name', '')} {getattr(value, 'size', '')}>",
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _claim(*, user: Any, scope: str, key: str, fingerprint: str) -> tuple[IdempotencyKey, bool]:
    """Insert the key (committed at once); returns the row and whether this request owns it."""
    now = timezone.now()
    mine = IdempotencyKey.objects.filter(user=user, scope=scope, key=key)
    # An expired key is forgotten; an abandoned in-flight claim may be taken over.
    mine.filter(created_at__lt=now - settings.IDEMPOTENCY_KEY_TTL).delete()
    taken_over = mine.filter(status_code__isnull=True, created_at__lt=now - IN_FLIGHT_TIMEOUT).update(
        created_at=now, fingerprint=fingerprint
    )
    if taken_over:
        return mine.get(), True
    try:
        with transaction.atomic():
            record = IdempotencyKey.objects.create(
                user=user, scope=scope, key=key, fingerprint=fingerprint, created_at=now
            )
        return record, True
    except IntegrityError:
        holder = mine.first()
        if holder is None:  # its request just failed and released the key: let the client retry
            raise Conflict(
                detail=f"A request with this {HEADER} is still in progress; retry later.",
                code="idempotency_key_in_flight",
            ) from None
        return holder, False


def _replay(record: IdempotencyKey, fingerprint: str) -> Response:
    if record.fingerprint != fingerprint:
        raise Conflict(
            detail=f"This {HEADER} was already used with a different request body.",
            code="idempotency_key_reused",
        )
    if record.status_code is None:
        raise Conflict(
            detail=f"A request with this {HEADER} is still in progress; retry later.",
            code="idempotency_key_in_flight",
        )
    if record.resource_deleted_at is not None:
        raise Conflict(
            detail=f"What the first request with this {HEADER} created has since been deleted; "
            "send a new key to create another.",
            code="idempotency_key_resource_deleted",
        )
    return Response(record.response_body, status=record.status_code, headers={REPLAYED_HEADER: "true"})


def forget_answers(model: type[models.Model], pks: Iterable[Any]) -> None:
    """Clear the stored answers that carry the objects `pks` of `model`, about to be deleted."""
    resource_ids = [str(pk) for pk in pks]
    for start in range(0, len(resource_ids), FORGET_BATCH):
        IdempotencyKey.objects.filter(
            resource_model=model._meta.label, resource_id__in=resource_ids[start : start + FORGET_BATCH]
        ).update(response_body=None, resource_deleted_at=timezone.now())


class IdempotentCreateMixin:
    """Put first in a ModelViewSet's bases: `create()` honours the `Idempotency-Key` header.

    `idempotency_scope` names the endpoint (default: the viewset's basename). `created_model`,
    required, is the model a create makes: its deletes drop the stored answers that carry it.
    """

    idempotency_scope: str | None = None
    created_model: type[models.Model]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if getattr(cls, "created_model", None) is None:
            raise TypeError(f"{cls.__name__} must name its created_model (IdempotentCreateMixin).")

    @extend_schema(parameters=[IDEMPOTENCY_PARAMETER])
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER)
        if key is None:
            return super().create(request, *args, **kwargs)  # type: ignore[misc]
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            raise ValidationError({HEADER: [f"{HEADER} must be 1 to {MAX_KEY_LENGTH} characters."]}, code="invalid")
        scope = self.idempotency_scope or f"{getattr(self, 'basename', type(self).__name__)}.create"
        fingerprint = request_fingerprint(request.data)
        record, claimed = _claim(user=request.user, scope=scope, key=key, fingerprint=fingerprint)
        if not claimed:
            return _replay(record, fingerprint)
        try:
            with transaction.atomic():
                response: Response = super().create(request, *args, **kwargs)  # type: ignore[misc]
                if status.is_success(response.status_code):
                    created_id = response.data.get("id") if isinstance(response.data, dict) else None
                    IdempotencyKey.objects.filter(pk=record.pk).update(
                        status_code=response.status_code,
                        response_body=json.loads(json.dumps(response.data, cls=DjangoJSONEncoder)),
                        completed_at=timezone.now(),
                        resource_model=self.created_model._meta.label if created_id else "",
                        resource_id=str(self.created_model._meta.pk.to_python(created_id)) if created_id else "",
                    )
                    return response
        except BaseException:
            IdempotencyKey.objects.filter(pk=record.pk, status_code__isnull=True).delete()
            raise
        IdempotencyKey.objects.filter(pk=record.pk, status_code__isnull=True).delete()
        return response
