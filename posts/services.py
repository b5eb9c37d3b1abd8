"""Writes for posts. The author's cached list is invalidated after commit by posts.signals.

The text's rules (not blank, at most 1 MiB of UTF-8, no control characters) are the model's
validators, which `validate_and_save()` runs: a text over 1 MiB is their `too_large` error, which
the API answers with a 413 (config.api.exceptions).
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.models import User
from config.api.services import lock_for_update, validate_and_save

from .models import Post


@transaction.atomic
def post_create(*, author: User, text: str) -> Post:
    return validate_and_save(Post(author=author, text=text))


EDIT_REFUSAL = "Only the author may edit a post; an admin may read or delete it."


def may_edit(*, actor: User, post: Post) -> bool:
    """Only the author rewrites a post, in the API and in the admin: an admin moderates by deleting."""
    return actor.pk is not None and post.author_id == actor.pk


@transaction.atomic
def post_update(*, actor: User, post: Post, text: str) -> Post:
    """A new text, by the post's author only (`PermissionDenied` otherwise). A post never changes author."""
    post = lock_for_update(Post.objects.all(), post.pk)
    if not may_edit(actor=actor, post=post):
        raise PermissionDenied(EDIT_REFUSAL)
    post.text = text
    # Only the text: posts.signals then knows the post kept its author (no query to check).
    return validate_and_save(post, update_fields=["text", "updated_at"])


@transaction.atomic
def post_delete(*, post: Post) -> None:
    lock_for_update(Post.objects.all(), post.pk).delete()
