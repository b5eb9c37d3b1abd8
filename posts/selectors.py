"""Reads for posts."""

from typing import Any

from django.db.models import QuerySet

from config.api.scoping import owned_by

from .models import Post

# "GET /posts/" is cached per author for this long; writes invalidate it sooner (posts.signals).
POST_LIST_CACHE_SECONDS = 5 * 60


def post_list(*, user: Any, include_others: bool = True) -> QuerySet[Post]:
    """The posts `user` may see, newest first (ties by id): their own; anonymous callers none.

    An admin also sees everyone else's when `include_others` (details and deletes: moderation);
    without it an admin sees only their own too (their list, unless `?author=` picks someone).
    """
    return owned_by(
        Post.objects.order_by("-created_at", "-id"), user=user, owner_lookup="author", admin_sees_all=include_others
    )


def post_list_cache_namespace(author_id: object) -> str:
    """One namespace per author: any write to their posts drops every cached page of their list."""
    return f"posts:user:{author_id}"
