"""`CachedReadMixin`: a viewset's list (and detail) answered from the cache, with an ETag and 304s.

A cached list, in the order it runs:

1. **key** — `list_parameters()`: each filter backend's and the paginator's canonical parameters
   (`canonical_parameters(request, view)`, config/api/filters.py and pagination.py) and the
   view's own (`extra_list_parameters`), sorted; with scheme, host and path they are the key.
2. **cache** — `cached()` (config/api/caching.py): a hit is one Redis round trip (MGET of the
   namespace's version and the entry) and runs no query.
3. **answer** — `_conditional_response()`: the stored JSON bytes with their ETag, or a 304.
4. **on a miss** — DRF's own `list()` from the request as sent (the backends read it as their
   canonical parameters say): filter, count (`paginated_count()`, cached per filter and read,
   locked and stored in the page's round trips), page; the page links carry only the canonical
   parameters (the paginator's `link_parameters`).
"""

import hashlib
import json
from typing import Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db.models import QuerySet
from django.utils.http import parse_etags
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response

from .caching import Companion, cached
from .filters import Pairs
from .pagination import bounded_count
from .renderers import JSONRenderer


class CachedReadMixin:
    """`list`, and `retrieve` unless `cache_retrieve` is false, answer from the cache with ETag / If-None-Match.

    The cache holds the rendered body and its ETag, so a hit runs no query and a client that
    already has the body gets a 304. Errors (400, 404) are raised while computing and never cached.
    Invalidating is the app's (`<app>/caching.py`): its signals bump the namespace after the write
    commits.

    Override `cache_namespace_for(request)`: the namespace a request's answer is stored in, i.e.
    the one whose bump must drop it; `extra_list_parameters(request)` if the list reads query
    parameters of its own. Set `cache_timeout` (seconds); `cache_per_viewer` when the
    answer depends on who asks (the viewer becomes part of the key); `cache_retrieve = False` to
    cache the list only; `cache_public` when the answer is the same for everyone, anonymous
    clients included, so a shared cache (a CDN) may keep it. Every filter backend and the
    paginator must give `canonical_parameters(request, view)`.

    The JSON answers say what a cache may do with them: `private, no-cache` (the client's own
    cache keeps it and revalidates with the ETag), or with `cache_public`
    `public, max-age=0, must-revalidate` (a shared cache too, never serving it unrevalidated).
    """

    cache_timeout: int
    cache_per_viewer: bool = False
    cache_public: bool = False
    cache_retrieve: bool = True
    kwargs: dict[str, Any]
    lookup_field: str
    lookup_url_kwarg: str | None

    def cache_namespace_for(self, request: Request) -> str:
        raise NotImplementedError(f"{type(self).__qualname__} must implement cache_namespace_for(request)")

    def extra_list_parameters(self, request: Request) -> Pairs:
        """The view's own query parameters that change its list, canonical and already validated.

        They become part of the key (e.g. the factories' `with_chart_data`, `chart_points`).
        """
        return []

    @property
    def cache_control(self) -> str:
        return "public, max-age=0, must-revalidate" if self.cache_public else "private, no-cache"

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        counted, parameters = self._list_parameter_groups(request)

        def compute() -> dict[str, Any]:
            # The stored answer serves every request with this key, so its links carry only the
            # key's parameters (never another client's `?n=1`, nor its spelling of a value).
            self.paginator.link_parameters = parameters  # type: ignore[attr-defined]
            return _cache_entry(super(CachedReadMixin, self).list(request, *args, **kwargs).data)  # type: ignore[misc]

        namespace = self.cache_namespace_for(request)
        key = self._list_cache_key(request, parameters)
        # The filter's count rides along with the page: read in its MGET, stored with it.
        self._page_count = Companion(self._count_cache_key(request, counted))
        entry = cached(namespace, key, compute, self.cache_timeout, size=_body_size, companions=[self._page_count])
        return _conditional_response(request, entry, self.cache_control)

    def list_parameters(self, request: Request) -> Pairs:
        """The query parameters this list understands, canonical and sorted by name.

        Each filter backend and the paginator give their own (the values as they read them, empty
        ones dropped, a value that does not validate as sent: its answer is a 400 or 404, never
        cached); the view adds `extra_list_parameters()`. Anything else (`?n=1`, `?utm_source=`)
        changes neither the answer nor the key. A parameter given twice is refused here, as the
        backend would refuse it.
        """
        return self._list_parameter_groups(request)[1]

    def _list_parameter_groups(self, request: Request) -> tuple[Pairs, Pairs]:
        """(the parameters that choose the rows, hence the count; all of `list_parameters()`).

        The count's leave out the paginator's (`page`, `page_size`, `cursor`) and the ordering's.
        """
        components: list[Any] = [backend() for backend in getattr(self, "filter_backends", [])]
        paginator = getattr(self, "paginator", None)
        if paginator is not None:
            components.append(paginator)
        pairs: Pairs = []
        counted: Pairs = []
        for component in components:
            canonical = getattr(component, "canonical_parameters", None)
            if canonical is None:
                raise ImproperlyConfigured(
                    f"{type(self).__qualname__} caches its list, but {type(component).__qualname__} does not "
                    "say its canonical_parameters(request, view): its parameters would be missing from the key."
                )
            given = canonical(request, self)
            pairs += given
            if component is not paginator and not isinstance(component, OrderingFilter):
                counted += given
        extra = self.extra_list_parameters(request)
        return sorted(counted + extra), sorted(pairs + extra)

    def _list_cache_key(self, request: Request, pairs: Pairs) -> str:
        """One entry per distinct answer: scheme, host and path plus the understood parameters.

        The host and scheme are part of the key because the page's `next`/`previous` links are
        absolute URLs built from them.
        """
        identity = [request._request.build_absolute_uri(request.path), pairs]
        return self._cache_key(request, "list:" + hashlib.sha256(json.dumps(identity).encode()).hexdigest())

    def _cache_key(self, request: Request, key: str) -> str:
        return f"viewer:{request.user.pk}:{key}" if self.cache_per_viewer else key

    def _count_cache_key(self, request: Request, counted: Pairs) -> str:
        """One count per filter: the path and the parameters that choose the rows (not the page, nor the order)."""
        identity = [request.path, counted]
        return self._cache_key(request, "count:" + hashlib.sha256(json.dumps(identity).encode()).hexdigest())

    def paginated_count(self, queryset: Any) -> tuple[int, bool]:
        """The page's total as `bounded_count()` gives it, cached per filter (every page, size and ordering).

        Under the list's namespace, so the write that bumps the list's entries drops its counts
        too; read and stored with the page (`list()`: a `Companion` of its entry), so a page's miss
        costs no more cache round trips for it. Counting is most of a miss on a big table: a new
        filter still counts once, up to LIST_COUNT_LIMIT rows.
        """
        page_count: Companion | None = getattr(self, "_page_count", None)
        if page_count is None or not isinstance(queryset, QuerySet):  # not through list(): counted, uncached
            return bounded_count(queryset)
        return page_count.get(lambda: bounded_count(queryset), self.cache_namespace_for(self.request))  # type: ignore[attr-defined]

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not self.cache_retrieve:
            return super().retrieve(request, *args, **kwargs)  # type: ignore[misc]

        def compute() -> dict[str, Any]:
            return _cache_entry(super(CachedReadMixin, self).retrieve(request, *args, **kwargs).data)  # type: ignore[misc]

        namespace = self.cache_namespace_for(request)
        entry = cached(namespace, self._detail_cache_key(request), compute, self.cache_timeout, size=_body_size)
        return _conditional_response(request, entry, self.cache_control)

    def _detail_cache_key(self, request: Request) -> str:
        raw_id = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, "")
        try:
            # The model's own parsing (a UUID in any spelling is one key); not an id at all is a 404
            # without asking the database.
            object_id = self.get_queryset().model._meta.pk.to_python(raw_id)  # type: ignore[attr-defined]
        except ValidationError:
            raise NotFound() from None
        return self._cache_key(request, f"detail:{object_id}")


def _cache_entry(data: Any) -> dict[str, Any]:
    """What the cache holds: the JSON bytes of the body, and its ETag (a hash of those bytes).

    Caching the rendered body (not a queryset) is what makes a hit free of database queries, and
    caching the bytes (not the data) is what lets a hit skip rendering too.
    """
    body = JSONRenderer().render(data)
    return {"body": body, "etag": f'"{hashlib.sha256(body).hexdigest()[:32]}"'}


def _body_size(entry: dict[str, Any]) -> int:
    return len(entry["body"])


class StoredJSONResponse(Response):
    """A Response whose body is JSON bytes rendered before (by JSONRenderer): sent as they are."""

    def __init__(self, body: bytes, headers: dict[str, str]) -> None:
        super().__init__(data=None, headers=headers)
        self.stored_body = body

    @property
    def rendered_content(self) -> bytes:  # type: ignore[override]  # DRF renders bytes too; the stub says str
        self["Content-Type"] = JSONRenderer.media_type  # what DRF sets for JSONRenderer (no charset)
        return self.stored_body


def _json_variant(request: Request) -> str | None:
    """Which JSON the client gets: "" for the stored compact bytes, "-indent<n>" for indented, None if not JSON."""
    renderer = getattr(request, "accepted_renderer", None)
    if type(renderer) is not JSONRenderer:
        return None
    # DRF's own reading of `; indent=` (bounded to 0..8; 0 is None, the compact bytes).
    indent = renderer.get_indent(getattr(request, "accepted_media_type", "") or "", {})
    return "" if indent is None else f"-indent{indent}"


def _conditional_response(request: Request, entry: dict[str, Any], cache_control: str) -> Response:
    """200 with the body and its ETag, or 304 (empty body, same headers) if the client has it.

    Each representation has its own validator (RFC 9110 §8.8.3): the stored compact JSON's ETag
    is the hash of its bytes, and an indented rendering's adds the indent, so a cache in front
    never answers one with the other. The browsable API's HTML shows who is signed in and a CSRF
    token, so it is no fixed representation: no ETag, never a 304, and the default (not stored)
    Cache-Control of config.api.middleware.CacheHeadersMiddleware.
    """
    variant = _json_variant(request)
    if variant is None:
        return Response(json.loads(entry["body"]) if "body" in entry else entry["data"])
    etag = entry["etag"] if not variant else f'{entry["etag"][:-1]}{variant}"'
    headers = {"ETag": etag, "Cache-Control": cache_control}
    supplied = parse_etags(request.headers.get("If-None-Match", ""))
    # RFC 9110 §13.1.2: `*` matches any current representation (this one: a missing object raised its
    # 404 before); otherwise any tag of the list matches, by weak comparison: W/"x" matches "x".
    # parse_etags() drops a member that is no entity tag (unquoted, `w/"x"`), so it matches nothing.
    if "*" in supplied or etag in [tag.removeprefix("W/") for tag in supplied]:
        return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
    if "body" not in entry:  # written by an older release during a deploy
        return Response(entry["data"], headers=headers)
    if not variant:
        return StoredJSONResponse(entry["body"], headers=headers)
    return Response(json.loads(entry["body"]), headers=headers)
