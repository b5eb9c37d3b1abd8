"""Permission classes of the messaging endpoints."""

from typing import Any

from rest_framework import permissions
from rest_framework.request import Request

from config.api.permissions import is_admin
from messaging.models import Message


class OnlyAdminDeletes(permissions.BasePermission):
    """Checked on the object, so a message the caller cannot see is a 404 before this 403."""

    message = "Only an admin may delete a message."

    def has_object_permission(self, request: Request, view: Any, obj: Message) -> bool:
        return request.method != "DELETE" or is_admin(request.user)
