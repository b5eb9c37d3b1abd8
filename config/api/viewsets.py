"""Base viewsets: the one way a viewset gets its rows, so a subclass cannot forget the scope.

Every viewset of the API derives from `ScopedModelViewSet` or `ScopedGenericViewSet` (a test walks
the router to make sure). The base owns `get_queryset()`; a subclass implements
`scoped_queryset(user)` by calling its app's selector with the caller, and the selector decides
what that caller may see (`config.api.scoping.owned_by` for "own rows only, an admin sees all").
A subclass that overrides `get_queryset()` is refused when its module is imported, as PostHog's
`posthog/api/routing.py` refuses it.
"""

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from rest_framework import viewsets


class ScopedViewSetMixin:
    """Rows come from `scoped_queryset(user)`; `get_queryset()` is the base's and cannot be overridden."""

    request: Any

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "get_queryset" in vars(cls):
            raise ImproperlyConfigured(
                f"{cls.__qualname__} overrides get_queryset(); implement scoped_queryset(user) with a "
                "selector instead, so the caller's scope is always applied."
            )

    def scoped_queryset(self, user: Any) -> QuerySet:
        """The rows `user` may see, from a selector: the list, and what a detail URL can reach."""
        raise NotImplementedError(f"{type(self).__qualname__} must implement scoped_queryset(user)")

    def get_queryset(self) -> QuerySet:
        # During schema generation (drf-spectacular) the request's user is anonymous, which every
        # selector answers with its public rows or none: the schema only needs the model.
        return self.scoped_queryset(self.request.user)


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """A model viewset whose rows come from `scoped_queryset(user)`."""


class ScopedGenericViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """A generic viewset (pick the mixins) whose rows come from `scoped_queryset(user)`."""
