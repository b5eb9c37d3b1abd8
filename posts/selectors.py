"""Reads for posts."""

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.db.models.functions import Length, Substr

from config.api.scoping import owned_by

from .models import Post


def post_list(*, user: Any, include_others: bool = True) -> QuerySet[Post]:
    """The posts `user` may see, newest first (ties by id): their own; anonymous callers none.

    An admin also sees everyone else's when `include_others` (details and deletes: moderation);
    without it an admin sees only their own too (their list, unless `?author=` picks someone).
    """
    return owned_by(
        Post.objects.order_by("-created_at", "-id"), user=user, owner_lookup="author", admin_sees_all=include_others
    )


def post_list_with_excerpts(queryset: QuerySet[Post]) -> QuerySet[Post]:
    """`queryset` reading only the start of each text: `text_excerpt` and `text_length` (in characters).

    A list carries at most POST_LIST_TEXT_MAX_BYTES of each text (posts.api.serializers), so the
    database sends no more than that many characters either: a page of 100 posts of 1 MiB is
    then a few MiB in the worker, not 100. The text itself is deferred: reading it is a query per row.
    """
    return queryset.defer("text").annotate(
        text_excerpt=Substr("text", 1, settings.POST_LIST_TEXT_MAX_BYTES), text_length=Length("text")
    )
