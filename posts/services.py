"""Writes for posts. The author's cached list is invalidated after commit by posts.signals."""

from django.conf import settings
from django.db import transaction

from accounts.models import User
from config.api.exceptions import PayloadTooLarge
from config.api.services import lock_for_update, validate_and_save

from .models import Post, utf8_size


def _refuse_oversized(text: str) -> None:
    """Text over 1 MiB of UTF-8 is a 413, not a 400: the contract treats it as a too-large payload."""
    limit = settings.POST_TEXT_MAX_BYTES
    size = utf8_size(text)
    if size > limit:
        raise PayloadTooLarge(
            detail=f"The post text is {size} bytes of UTF-8; the limit is {limit} bytes (1 MiB).",
            code="payload_too_large",
        )


@transaction.atomic
def post_create(*, author: User, text: str) -> Post:
    _refuse_oversized(text)
    return validate_and_save(Post(author=author, text=text))


@transaction.atomic
def post_update(*, post: Post, text: str, author: User | None = None) -> Post:
    """A new text; `author` moves the post to another author (staff in the admin; the API never passes it)."""
    _refuse_oversized(text)
    post = lock_for_update(Post.objects.all(), post.pk)
    post.text = text
    # Only the text unless it moves: posts.signals then knows the post kept its author (no query to check).
    update_fields = ["text", "updated_at"]
    if author is not None and author.pk != post.author_id:
        post.author = author
        update_fields.append("author")
    return validate_and_save(post, update_fields=update_fields)


@transaction.atomic
def post_delete(*, post: Post) -> None:
    lock_for_update(Post.objects.all(), post.pk).delete()
