"""Writes for posts. The author's cached list is invalidated after commit by posts.signals."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
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


EDIT_REFUSAL = "Only the author may edit a post; an admin may read or delete it."


def may_edit(*, actor: User, post: Post) -> bool:
    """Only the author rewrites a post, in the API and in the admin: an admin moderates by deleting."""
    return actor.pk is not None and post.author_id == actor.pk


@transaction.atomic
def post_update(*, actor: User, post: Post, text: str) -> Post:
    """A new text, by the post's author only (`PermissionDenied` otherwise). A post never changes author."""
    _refuse_oversized(text)
    post = lock_for_update(Post.objects.all(), post.pk)
    if not may_edit(actor=actor, post=post):
        raise PermissionDenied(EDIT_REFUSAL)
    post.text = text
    # Only the text: posts.signals then knows the post kept its author (no query to check).
    return validate_and_save(post, update_fields=["text", "updated_at"])


@transaction.atomic
def post_delete(*, post: Post) -> None:
    lock_for_update(Post.objects.all(), post.pk).delete()
