"""Role checks and permission classes shared by every app. `admin` is a role; `is_staff` follows it.

Permission classes used by one app only live in that app's `api/permissions.py`.
"""

from typing import TYPE_CHECKING, Any, cast

from rest_framework import permissions
from rest_framework.request import Request

if TYPE_CHECKING:
    from accounts.models import User


def is_admin(user: Any) -> bool:
    return bool(user and user.is_authenticated and getattr(user, "role", None) == "admin")


def signed_in_user(request: Request) -> "User":
    """The caller of a view that requires authentication (its permission already checked that)."""
    return cast("User", request.user)


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


class ReadCreateAuthenticatedChangeAdmin(permissions.BasePermission):
    """Signed-in users read and create; only an admin changes or deletes."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS or request.method == "POST":
            return True
        return is_admin(request.user)
