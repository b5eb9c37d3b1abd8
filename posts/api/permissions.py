"""Permission classes of the posts endpoints."""

from typing import Any

from rest_framework import permissions
from rest_framework.request import Request

from posts.models import Post


class OnlyAuthorEdits(permissions.BasePermission):
    """An admin may read and delete anyone's post (moderation) but may not rewrite it."""

    message = "Only the author may edit a post; an admin may read or delete it."

    def has_object_permission(self, request: Request, view: Any, obj: Post) -> bool:
        if request.method in ("PUT", "PATCH"):
            return obj.author_id == request.user.pk
        return True
