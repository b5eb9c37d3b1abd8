"""Pagination: page numbers everywhere, cursors for messages. Both refuse unordered querysets."""

from collections.abc import Callable
from functools import cached_property, partial
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.core.paginator import Paginator
from django.db.models import QuerySet
from rest_framework import pagination

from .filters import refuse_repeated


def canonical_link(url: str | None) -> str | None:
    """`/products?page=2` and `/products/?page=2` are one resource: links always carry the slash,
    so both spellings answer the same body (and the same ETag)."""
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.path.endswith("/"):
        return url
    return urlunsplit(parts._replace(path=parts.path + "/"))


PAGE_SIZE_SCHEMA = {
    # Not `integer`: the contract accepts anything here (junk gives the default), and the schema
    # must not promise a 400 the API never gives.
    "type": "string",
    "description": "Items per page, 1 to 100 (default 20). Above 100 is clamped to 100; "
    "0, a negative number or anything that is not a number gives the default.",
}


class OrderedPagesMixin:
    """What both paginators share: page size 20 (`?page_size=` 1..100), no unordered querysets,
    canonical links and the documented page parameters. Goes before the DRF paginator in the bases."""

    # Typed as in the DRF paginators' stubs, which allow None.
    page_size: int | None = 20
    page_size_query_param: str | None = "page_size"
    max_page_size: int | None = 100

    def page_parameters(self) -> list[str]:
        """The query parameters this paginator reads: each may be given once."""
        attributes = ("page_query_param", "page_size_query_param", "cursor_query_param")
        return [name for attribute in attributes if (name := getattr(self, attribute, None))]

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        refuse_repeated(request.query_params, self.page_parameters())
        # An unordered page is non-deterministic: rows can repeat or vanish between pages.
        if isinstance(queryset, QuerySet) and not queryset.ordered:
            raise RuntimeError(f"Refusing to paginate an unordered queryset of {queryset.model.__name__}")
        return super().paginate_queryset(queryset, request, view)  # type: ignore[misc]

    def get_next_link(self) -> str | None:
        return canonical_link(super().get_next_link())  # type: ignore[misc]

    def get_previous_link(self) -> str | None:
        return canonical_link(super().get_previous_link())  # type: ignore[misc]

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)  # type: ignore[misc]
        for parameter in parameters:
            if parameter.get("name") == "page_size":
                parameter["schema"] = {"type": PAGE_SIZE_SCHEMA["type"]}
                parameter["description"] = PAGE_SIZE_SCHEMA["description"]
            elif parameter.get("name") == "page":
                parameter["schema"] = {"type": "integer", "minimum": 1}
                parameter["description"] = "Page number, from 1; a page past the end (or not a number) is a 404."
        return parameters


class CountedPaginator(Paginator):
    """Django's paginator, with the total from `counter(object_list)` (e.g. a cached count)."""

    def __init__(self, object_list: Any, per_page: int, *, counter: Callable[[Any], int], **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self._counter = counter

    @cached_property
    def count(self) -> int:
        return self._counter(self.object_list)


class PageNumberPagination(OrderedPagesMixin, pagination.PageNumberPagination):
    """`?page=` from 1 and `?page_size=` 1..100 (bigger is clamped; 0, negative or junk: default).

    A view with a `paginated_count(queryset)` method (config.api.caching.CachedReadMixin) gives
    the total count itself; otherwise the queryset is counted.
    """

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        counter = getattr(view, "paginated_count", None)
        if counter is not None:
            self.django_paginator_class = partial(CountedPaginator, counter=counter)  # type: ignore[assignment]
        return super().paginate_queryset(queryset, request, view)


class CursorPagination(OrderedPagesMixin, pagination.CursorPagination):
    """Stable under concurrent inserts: a page never repeats or skips a row."""

    ordering = ("-created_at", "-id")
