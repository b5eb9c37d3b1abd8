"""Reads for posts."""

from django.db.models import QuerySet

from .models import Post

# "GET /posts/" is cached per author for this long; writes invalidate it sooner (posts.signals).
POST_LIST_CACHE_SECONDS = 5 * 60


def post_list() -> QuerySet[Post]:
    """Every post, newest first (ties by id). Callers narrow it to what the caller may see."""
    return Post.objects.order_by("-created_at", "-id")


def post_list_cache_namespace(author_id: object) -> str:
    """One namespace per author: any write to their posts drops every cached page of their list."""
    return f"posts:user:{author_id}"
