"""Posts endpoints: thin; rules are in posts/services.py, reads in posts/selectors.py."""

import uuid
from typing import Any

from django.db.models import QuerySet
from rest_framework import permissions
from rest_framework.request import Request

from config.api.cached_views import CachedReadMixin
from config.api.filters import StrictFilterBackend, StrictOrderingFilter
from config.api.openapi import documented
from config.api.permissions import is_admin, signed_in_user
from config.api.viewsets import ScopedModelViewSet
from posts import selectors, services
from posts.caching import POST_LIST_CACHE_SECONDS, post_list_cache_namespace
from posts.filters import PostFilter
from posts.models import Post

from . import schema
from .permissions import OnlyAuthorEdits
from .serializers import PostListItemSerializer, PostSerializer


@documented("Posts", **schema.POSTS)
class PostViewSet(CachedReadMixin, ScopedModelViewSet):
    """Your own posts. An admin may also read and delete anyone's (`?author=` on the list), but edits only their own."""

    serializer_class = PostSerializer
    filterset_class = PostFilter
    # No `?search=` on posts (the contract names none): without this the schema would advertise a no-op.
    filter_backends = [StrictFilterBackend, StrictOrderingFilter]
    permission_classes = [permissions.IsAuthenticated, OnlyAuthorEdits]
    ordering_fields = ["created_at", "updated_at"]
    ordering = ["-created_at"]
    # The list depends on who asks (an admin's `?author=` reaches others' posts), so the viewer is
    # part of the key; each listed author's writes drop it (posts.signals). Details are not cached.
    cache_per_viewer = True
    cache_retrieve = False
    cache_timeout = POST_LIST_CACHE_SECONDS

    def scoped_queryset(self, user: Any) -> QuerySet[Post]:
        # An admin's list is their own posts unless `?author=` picks someone; details and deletes
        # reach every post (moderation).
        listing_own = self.action == "list" and not self.request.query_params.get("author")
        posts = selectors.post_list(user=user, include_others=not listing_own)
        return selectors.post_list_with_excerpts(posts) if self._lists_excerpts() else posts

    def _lists_excerpts(self) -> bool:
        # The browsable API builds its create form under the list action too, with a POST request.
        return self.action == "list" and self.request.method in ("GET", "HEAD")

    def get_serializer_class(self) -> type[PostSerializer | PostListItemSerializer]:
        """A list's posts carry an excerpt: 100 posts of 1 MiB would make a 200 MB answer."""
        return PostListItemSerializer if self._lists_excerpts() else PostSerializer

    def cache_namespace_for(self, request: Request) -> str:
        """Whose posts this list shows, hence which author's writes must invalidate it."""
        requested = request.query_params.get("author")
        if requested and is_admin(request.user):
            try:
                return post_list_cache_namespace(uuid.UUID(requested))
            except ValueError:
                pass  # the filter answers 400; the namespace just has to be a safe one
        return post_list_cache_namespace(request.user.pk)

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.post_create(
            author=signed_in_user(self.request), text=serializer.validated_data["text"]
        )

    def perform_update(self, serializer: Any) -> None:
        post = serializer.instance
        text = serializer.validated_data.get("text", post.text)
        serializer.instance = services.post_update(actor=signed_in_user(self.request), post=post, text=text)

    def perform_destroy(self, instance: Post) -> None:
        services.post_delete(post=instance)
