"""Pagination: page numbers everywhere, cursors for messages. Both refuse unordered querysets.

Like the filter backends, each paginator says its own canonical parameters (for a cached list's
key) and builds its links on the query the view gives it (`link_parameters`), else on the request's.
"""

import re
from collections.abc import Callable
from functools import cached_property, partial
from typing import Any, cast
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import QuerySet
from django.utils.encoding import escape_uri_path, iri_to_uri
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from .filters import Pairs, given_pairs, refuse_repeated


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
    # An integer, like `page` (a generated client types it so), and anything else is refused. No
    # `minimum` or `maximum`: the API clamps or defaults a whole number outside 1..100.
    "type": "integer",
    "description": "Items per page, 1 to 100 (default 20). Above 100 is clamped to 100; 0 or a negative "
    "number gives the default; anything that is not a whole number is a 400.",
}
WHOLE_NUMBER = re.compile(r"-?[0-9]+")


class OrderedPagesMixin:
    """What both paginators share: page size 20 (`?page_size=` 1..100), no unordered querysets,
    canonical links and the documented page parameters. Goes before the DRF paginator in the bases."""

    # Typed as in the DRF paginators' stubs, which allow None.
    page_size: int | None = 20
    page_size_query_param: str | None = "page_size"
    max_page_size: int | None = 100
    # The query the links carry instead of the request's: a cached list's canonical parameters, so
    # its stored answer never carries one client's spelling (or its `?n=1`) to the next.
    link_parameters: Pairs | None = None
    base_url: str | None

    def page_parameters(self) -> list[str]:
        """The query parameters this paginator reads: each may be given once."""
        attributes = ("page_query_param", "page_size_query_param", "cursor_query_param")
        return [name for attribute in attributes if (name := getattr(self, attribute, None))]

    def canonical_parameters(self, request: Any, view: Any) -> Pairs:
        """`page_size` as clamped (the default dropped: it is the answer without it), then the position."""
        params = request.query_params
        refuse_repeated(params, self.page_parameters())
        pairs: Pairs = []
        if self.page_size_query_param and params.get(self.page_size_query_param) is not None:
            if self._page_size_refused(request):
                pairs.append((self.page_size_query_param, params[self.page_size_query_param]))  # as sent, for the 400
            else:
                size = self.get_page_size(request)  # type: ignore[attr-defined]
                if size != self.page_size:
                    pairs.append((self.page_size_query_param, str(size)))
        return pairs + self.position_parameters(params)

    def _page_size_refused(self, request: Any) -> bool:
        """A `page_size` that is sent, not empty, and not a whole number (DRF's paginators read it as the default)."""
        given = request.query_params.get(self.page_size_query_param) if self.page_size_query_param else None
        return isinstance(given, str) and given != "" and not WHOLE_NUMBER.fullmatch(given)

    def get_page_size(self, request: Any) -> int | None:
        if self._page_size_refused(request):
            raise ValidationError({str(self.page_size_query_param): ["A whole number is required."]}, code="invalid")
        return super().get_page_size(request)  # type: ignore[misc,no-any-return]

    def position_parameters(self, params: Any) -> Pairs:
        """Which page: the page number or the cursor, canonical."""
        raise NotImplementedError

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        refuse_repeated(request.query_params, self.page_parameters())
        # An unordered page is non-deterministic: rows can repeat or vanish between pages.
        if isinstance(queryset, QuerySet) and not queryset.ordered:
            raise RuntimeError(f"Refusing to paginate an unordered queryset of {queryset.model.__name__}")
        page = super().paginate_queryset(queryset, request, view)  # type: ignore[misc]
        self.base_url = canonical_link(self._links_url(request))
        return page

    def _links_url(self, request: Any) -> str:
        """The URL the links are built on: the request's, with `link_parameters` as its query if set.

        Spelled as Django's `build_absolute_uri()` spells the request's own.
        """
        if self.link_parameters is None:
            return request.build_absolute_uri()
        query = urlencode(self.link_parameters)
        return request.build_absolute_uri(escape_uri_path(request.path) + (f"?{iri_to_uri(query)}" if query else ""))

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


def bounded_count(queryset: Any, limit: int | None = None) -> tuple[int, bool]:
    """(count, exact): the rows of `queryset`, read up to `limit` (LIST_COUNT_LIMIT) and no further.

    Beyond the limit it is `(limit, False)`: "more than `limit`". An exact count reads every
    matching row (a million for a broad filter on a big table); this reads at most limit + 1.
    """
    if not isinstance(queryset, QuerySet):
        return len(queryset), True
    limit = settings.LIST_COUNT_LIMIT if limit is None else limit
    unordered = queryset.order_by()
    if not limit:
        return unordered.count(), True
    counted = unordered[: limit + 1].count()
    return (counted, True) if counted <= limit else (limit, False)


class OpenEndedPage(Page):
    """A page of a list whose count stopped at its limit: whether a next page exists is read, not computed."""

    def __init__(self, object_list: Any, number: int, paginator: Any, *, more: bool) -> None:
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more


class CountedPaginator(Paginator):
    """Django's paginator, its total from `counter(object_list)`: `(count, exact)`, as `bounded_count()` gives it.

    When the count stopped at its limit (not exact), any page from 1 may exist: it is read with one
    row more than its size (none at all: past the end, a 404; one more: there is a next page).
    """

    def __init__(
        self, object_list: Any, per_page: int, *, counter: Callable[[Any], tuple[int, bool]], **kwargs: Any
    ) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self._counter = counter

    @cached_property
    def counted(self) -> tuple[int, bool]:
        return self._counter(self.object_list)

    @cached_property
    def count(self) -> int:
        return self.counted[0]

    @property
    def count_is_exact(self) -> bool:
        return self.counted[1]

    def count_exactly(self) -> None:
        """Count every row (`?page=last` of a list beyond the limit needs the real last page)."""
        self.__dict__["counted"] = bounded_count(self.object_list, 0)
        self.__dict__.pop("count", None)
        self.__dict__.pop("num_pages", None)

    def validate_number(self, number: Any) -> int:
        if self.count_is_exact:
            return super().validate_number(number)  # type: ignore[no-any-return]
        try:  # Django's own reading of a page number, without the upper bound
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            whole = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if whole < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return whole

    def page(self, number: Any) -> Page:
        if self.count_is_exact:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        return OpenEndedPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)


class PageNumberPagination(OrderedPagesMixin, pagination.PageNumberPagination):
    """`?page=` from 1 and `?page_size=` 1..100 (bigger is clamped; 0 or negative: default; junk: 400).

    The total is `bounded_count()`, or a view's `paginated_count(queryset)` (config.api.cached_views.
    CachedReadMixin: the same, cached per filter). Beyond LIST_COUNT_LIMIT matching rows, `count` is
    that limit and the body says `"count_is_exact": false` (left out when it is exact).
    """

    django_paginator_class = CountedPaginator  # type: ignore[assignment]

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        counter = getattr(view, "paginated_count", None) or bounded_count
        self.django_paginator_class = partial(CountedPaginator, counter=counter)  # type: ignore[assignment]
        return super().paginate_queryset(queryset, request, view)

    def get_page_number(self, request: Any, paginator: Any) -> Any:
        page_number = request.query_params.get(self.page_query_param) or 1
        if page_number in self.last_page_strings and not paginator.count_is_exact:
            paginator.count_exactly()
        return super().get_page_number(request, paginator)

    def get_html_context(self) -> Any:
        """The browsable API's page links; past a count's limit the last page known is this one or the next."""
        page = cast(Page, self.page)
        paginator = cast(CountedPaginator, page.paginator)
        if not paginator.count_is_exact:
            paginator.__dict__["num_pages"] = max(paginator.num_pages, page.number + int(page.has_next()))
        return super().get_html_context()

    def get_paginated_response(self, data: Any) -> Response:
        paginator = cast(CountedPaginator, cast(Page, self.page).paginator)
        body: dict[str, Any] = {"count": paginator.count}
        if not paginator.count_is_exact:
            body["count_is_exact"] = False
        body.update(next=self.get_next_link(), previous=self.get_previous_link(), results=data)
        return Response(body)

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        described: dict[str, Any] = super().get_paginated_response_schema(schema)
        properties = described["properties"]
        properties["count"]["description"] = (
            "How many items match, across all pages; when `count_is_exact` is false, more than this many."
        )
        if not isinstance(schema, dict):
            # drf-spectacular wrapping an example in a page (a placeholder for the results): the
            # example shows the usual page, whose count is exact (and every field needs an example).
            return described
        described["properties"] = {
            "count": properties.pop("count"),
            "count_is_exact": {
                "type": "boolean",
                "description": "Present (false) only when the list stopped counting at its limit "
                "(LIST_COUNT_LIMIT, 10,000 by default): `count` is then that limit, and more items match.",
            },
            **properties,
        }
        return described

    def position_parameters(self, params: Any) -> Pairs:
        page = params.get(self.page_query_param) or ""
        try:
            number = int(page)  # as Django's paginator reads it
        except ValueError:
            return given_pairs(params, [self.page_query_param])  # "last", or junk (a 404, not cached)
        return [] if number == 1 else [(self.page_query_param, str(number))]

    # DRF's two links, built on `base_url` (the canonical query) instead of the request's own URL.
    def get_next_link(self) -> str | None:
        if self.page is None or not self.page.has_next():
            return None
        return self._page_link(self.page.next_page_number())

    def get_previous_link(self) -> str | None:
        if self.page is None or not self.page.has_previous():
            return None
        return self._page_link(self.page.previous_page_number())

    def _page_link(self, number: int) -> str:
        base_url = cast(str, self.base_url)  # set by paginate_queryset(), which made self.page
        if number == 1:
            return remove_query_param(base_url, self.page_query_param)
        return replace_query_param(base_url, self.page_query_param, number)


class CursorPagination(OrderedPagesMixin, pagination.CursorPagination):
    """Stable under concurrent inserts: a page never repeats or skips a row.

    Its links are DRF's, built on `base_url` (set by OrderedPagesMixin.paginate_queryset).
    """

    ordering = ("-created_at", "-id")

    def position_parameters(self, params: Any) -> Pairs:
        # An empty cursor is kept: it is an invalid cursor (a 404), not "the first page".
        cursor = params.get(self.cursor_query_param)
        return [] if cursor is None else [(self.cursor_query_param, cursor)]
