"""Posts endpoints: thin; rules are in posts/services.py, reads in posts/selectors.py."""

import hashlib
import uuid
from typing import Any

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.caching import cached
from config.api.filters import StrictOrderingFilter
from config.api.permissions import is_admin, signed_in_user
from config.api.viewsets import OwnedModelViewSet
from posts import selectors, services
from posts.filters import PostFilter
from posts.models import Post

from .serializers import PostSerializer


class OnlyAuthorEdits(permissions.BasePermission):
    """An admin may read and delete anyone's post (moderation) but may not rewrite it."""

    message = "Only the author may edit a post; an admin may read or delete it."

    def has_object_permission(self, request: Request, view: Any, obj: Post) -> bool:
        if request.method in ("PUT", "PATCH"):
            return obj.author_id == request.user.pk
        return True


class PostViewSet(OwnedModelViewSet):
    """Your own posts. An admin lists their own too unless `?author=` picks someone."""

    serializer_class = PostSerializer
    filterset_class = PostFilter
    # No `?search=` on posts (the contract names none): without this the schema would advertise a no-op.
    filter_backends = [DjangoFilterBackend, StrictOrderingFilter]
    permission_classes = [permissions.IsAuthenticated, OnlyAuthorEdits]
    ordering_fields = ["created_at", "updated_at"]
    ordering = ["-created_at"]
    owner_lookup = "author"

    def base_queryset(self) -> QuerySet[Post]:
        return selectors.post_list()

    def scope_for_admin(self, queryset: QuerySet) -> QuerySet:
        # An admin's list is their own posts by default; details and deletes reach every post.
        if self.action == "list" and not self.request.query_params.get("author"):
            return queryset.filter(author=self.request.user)
        return queryset

    def _listed_author_id(self) -> str:
        """Whose posts this list shows, hence which author's writes must invalidate it."""
        requested = self.request.query_params.get("author")
        if requested and is_admin(self.request.user):
            try:
                return str(uuid.UUID(requested))
            except ValueError:
                pass  # the filter answers 400; the namespace just has to be a safe one
        return str(self.request.user.pk)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The key holds the whole URL (host, path, query: links in the page depend on them) and the viewer.
        url = request.build_absolute_uri()
        key = hashlib.sha256(f"{request.user.pk}|{url}".encode()).hexdigest()
        data = cached(
            selectors.post_list_cache_namespace(self._listed_author_id()),
            key,
            lambda: super(PostViewSet, self).list(request, *args, **kwargs).data,
            timeout=selectors.POST_LIST_CACHE_SECONDS,
        )
        return Response(data)

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.post_create(
            author=signed_in_user(self.request), text=serializer.validated_data["text"]
        )

    def perform_update(self, serializer: Any) -> None:
        post = serializer.instance
        text = serializer.validated_data.get("text", post.text)
        serializer.instance = services.post_update(post=post, text=text)

    def perform_destroy(self, instance: Post) -> None:
        services.post_delete(post=instance)
