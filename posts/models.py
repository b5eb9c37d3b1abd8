"""Posts: short or long texts a user writes for themself (others never see them)."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from config.api.exceptions import TOO_LARGE
from config.api.models import TimestampedModel
from config.api.validators import validate_no_control_characters


def utf8_size(text: str) -> int:
    """Bytes of `text` in UTF-8: the unit of the 1 MiB limit (characters would undercount emoji)."""
    # surrogatepass: a lone surrogate must be counted (and refused elsewhere), not crash the count.
    return len(text.encode("utf-8", "surrogatepass"))


def validate_post_text_size(text: str) -> None:
    """The 1 MiB limit, the one place it is checked: its `too_large` code makes the API's answer a 413
    (config.api.exceptions), as the contract treats such a text as a too-large payload."""
    limit = settings.POST_TEXT_MAX_BYTES
    size = utf8_size(text)
    if size > limit:
        raise ValidationError(
            "The post text is %(size)s bytes of UTF-8; the limit is %(limit)s bytes (1 MiB).",
            code=TOO_LARGE,
            params={"size": size, "limit": limit},
        )


def validate_post_text_characters(text: str) -> None:
    """Only tab, newline and carriage return among the control characters (migration 0002 names it)."""
    validate_no_control_characters(text)


def utf8_prefix(text: str, limit: int) -> str:
    """The longest start of `text` that is at most `limit` bytes of UTF-8 (never half a character)."""
    if len(text) * 4 <= limit:  # no character is longer than 4 bytes: all of it fits, nothing to encode
        return text
    return text.encode("utf-8", "surrogatepass")[:limit].decode("utf-8", "ignore")


def validate_post_text_not_blank(text: str) -> None:
    if not text.strip():
        raise ValidationError("The text must contain at least one non-space character.", code="blank")


class Post(TimestampedModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The composite index below serves "my posts, newest first"; a second index on author alone is waste.
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts", db_index=False)
    text = models.TextField(
        validators=[validate_post_text_not_blank, validate_post_text_size, validate_post_text_characters]
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["author", "-created_at", "-id"], name="posts_author_newest_idx")]

    def __str__(self) -> str:
        preview = self.text[:60].replace("\n", " ")
        return preview + ("…" if len(self.text) > 60 else "")
