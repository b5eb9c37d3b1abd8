"""Permission classes of the posts endpoints."""

from typing import Any

from rest_framework import permissions
from rest_framework.request import Request

from posts import services
from posts.models import Post


class OnlyAuthorEdits(permissions.BasePermission):
    """An admin may read and delete anyone's post (moderation) but may not rewrite it.

    The rule is the service's (`posts.services.may_edit`, which the admin obeys too); asked here
    as well so that a non-author's PUT/PATCH is a 403 before its body is validated.
    """

    message = services.EDIT_REFUSAL

    def has_object_permission(self, request: Request, view: Any, obj: Post) -> bool:
        if request.method in ("PUT", "PATCH"):
            return services.may_edit(actor=request.user, post=obj)  # type: ignore[arg-type]
        return True
