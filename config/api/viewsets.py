"""Base viewsets. Ownership scoping lives here so a subclass cannot forget it."""

from django.db.models import QuerySet
from rest_framework import viewsets

from .permissions import is_admin


class OwnedModelViewSet(viewsets.ModelViewSet):
    """A viewset whose objects belong to a user: others' objects are simply not there (404).

    Subclasses set `owner_lookup` (the ORM path from the model to its owning user, e.g.
    `"owner"` or `"account__owner"`) and implement `base_queryset()` with a selector. The base
    class owns `get_queryset()` and narrows it to the caller's objects unless the caller is an
    admin and `admin_sees_all` is true; override `scope_for_admin()` to narrow an admin's view.
    """

    owner_lookup: str = "owner"
    admin_sees_all: bool = True

    def base_queryset(self) -> QuerySet:
        raise NotImplementedError

    def scope_for_admin(self, queryset: QuerySet) -> QuerySet:
        return queryset

    def get_queryset(self) -> QuerySet:
        queryset = self.base_queryset()
        user = self.request.user
        if not (user and user.is_authenticated):
            return queryset.none()
        if is_admin(user) and self.admin_sees_all:
            return self.scope_for_admin(queryset)
        return queryset.filter(**{self.owner_lookup: user})
