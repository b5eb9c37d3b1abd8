"""Role checks shared by every app. `admin` is a role; `is_staff` follows it."""

from typing import Any

from rest_framework import permissions
from rest_framework.request import Request


def is_admin(user: Any) -> bool:
    return bool(user and user.is_authenticated and getattr(user, "role", None) == "admin")


class IsAdmin(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return is_admin(request.user)


class ReadAnyoneWriteAdmin(permissions.BasePermission):
    """Anyone reads, even anonymous; only an admin writes."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        if not (request.user and request.user.is_authenticated):
            return False
        return is_admin(request.user)


class ReadAuthenticatedWriteAdmin(permissions.BasePermission):
    """Signed-in users read; only an admin writes."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in permissions.SAFE_METHODS or is_admin(request.user)
