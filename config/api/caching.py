"""Versioned cache namespaces: invalidation after commit, single-flight misses.

Every cached value is stored with the namespace's version token it was computed under.
A write bumps the token in `transaction.on_commit`, so after the commit every process and
instance (they share Redis) finds its entries outdated and recomputes; a reader that computed
old data before the commit can only store it with the old token, which no reader accepts again.

With read replicas (config/db_router.py) a reader recomputing right after a bump could read a
replica that has not replayed the write yet, and store that stale answer with the *new* token
for the whole `timeout`. So the token records when it was made, and for REPLICA_PIN_SECONDS after
that every recomputation of the namespace reads from the primary, whoever asks; this costs no
cache round trip (the token is read anyway). Without replicas the token is a plain random one.

If the cache is unreachable (django-redis ignores and logs the errors) every read computes
from the database: slower, never wrong, never a 500. Entries also expire (`timeout`), which
bounds staleness if a bump is lost to a cache outage.

`CachedReadMixin` is the viewsets' use of it: rendered list and detail answers with an ETag.
"""

import datetime
import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.http import parse_etags
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import filters, status
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.filters import refuse_repeated, widget_parameter_names
from config.db_router import primary_reads

logger = logging.getLogger(__name__)

T = TypeVar("T")

# How long one process may hold a key's "I am computing it" lock.
COMPUTE_LOCK_SECONDS = 10
# How long another reader waits for that process before computing the value itself.
PEER_WAIT_SECONDS = 2.0
PEER_POLL_SECONDS = 0.01


def _version_key(namespace: str) -> str:
    return f"ns-version:{namespace}"


def _new_version() -> str:
    """A random token; with read replicas it ends with the time it was made (`<hex>@<unix time>`)."""
    if settings.REPLICA_DATABASES:
        return f"{uuid.uuid4().hex}@{time.time():.3f}"
    return uuid.uuid4().hex


def _recently_bumped(version: str) -> bool:
    """The token was made less than REPLICA_PIN_SECONDS ago (a replica may still lag behind it)."""
    _, _, made = version.partition("@")
    try:
        return time.time() - float(made) < settings.REPLICA_PIN_SECONDS
    except ValueError:  # no time in it (replicas were off when it was made): old enough
        return False


def namespace_version(namespace: str) -> str:
    """The namespace's current version token (created on first use)."""
    key = _version_key(namespace)
    version = cache.get(key)
    if version is None:
        # A random token, not a counter starting at 1: if the cache loses the version but
        # still holds entries, those old entries must never match again.
        cache.add(key, _new_version(), timeout=None)
        version = cache.get(key)
        if version is None:  # the cache is down: a unique token means "no cache" for this read
            return f"nocache-{uuid.uuid4().hex}"
    return str(version)


def bump_namespace(namespace: str) -> None:
    """Invalidate every key of the namespace now."""
    cache.set(_version_key(namespace), _new_version(), timeout=None)


def bump_namespace_on_commit(namespace: str) -> None:
    """Invalidate every key of the namespace once the current transaction commits.

    Bumping before the commit would let a reader re-cache the old rows in between;
    outside a transaction the bump happens at once.
    """
    transaction.on_commit(lambda: bump_namespace(namespace))


def _reading_the_primary(compute: Callable[[], T]) -> Callable[[], T]:
    def on_primary() -> T:
        with primary_reads():
            return compute()

    return on_primary


def _entry_key(namespace: str, key: str) -> str:
    return f"cached:{namespace}:{key}"


def _for_version(stored: Any, version: str) -> Any:
    """The value of a stored `(version, value)` pair if it was computed under `version`, else None."""
    if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == version:
        return stored[1]
    return None


def cached(
    namespace: str, key: str, compute: Callable[[], T], timeout: int, *, size: Callable[[T], int] | None = None
) -> T:
    """Get `key` of `namespace` from the cache, or compute and store it once.

    With `size`, a value whose size is over `CACHE_ENTRY_MAX_BYTES` is returned but not stored:
    one answer must not take a share of the cache that would evict hundreds of others (and
    every hit would move it over the network again); such a rare answer is computed each time.

    The entry is stored as `(version, value)` under a key without the version, so a hit is one
    round trip (MGET of the version and the entry) and a bump needs no sweep: an entry of an
    older version is a miss, and is overwritten by the next computation.

    Concurrent misses on one key are single-flight: one process computes while the others
    wait up to PEER_WAIT_SECONDS for its result. `compute` must never return None.
    """
    version_key, entry_key = _version_key(namespace), _entry_key(namespace, key)
    found = cache.get_many([version_key, entry_key])
    version = found.get(version_key)
    if version is None:
        version = namespace_version(namespace)
    else:
        version = str(version)
        value = _for_version(found.get(entry_key), version)
        if value is not None:
            return value
    if settings.REPLICA_DATABASES and _recently_bumped(version):
        compute = _reading_the_primary(compute)

    def stored() -> Any:
        return _for_version(cache.get(entry_key), version)

    lock_key = f"lock:{namespace}:{version}:{key}"
    if cache.add(lock_key, "1", timeout=COMPUTE_LOCK_SECONDS):
        try:
            # Double-check: the previous holder may have stored the value and released the
            # lock between our first read and our add().
            value = stored()
            if value is not None:
                return value
            value = compute()
            if size is None or size(value) <= settings.CACHE_ENTRY_MAX_BYTES:
                cache.set(entry_key, (version, value), timeout=timeout)
            return value
        finally:
            cache.delete(lock_key)
    deadline = time.monotonic() + PEER_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(PEER_POLL_SECONDS)
        value = stored()
        if value is not None:
            return value
        if cache.get(lock_key) is None:
            # The holder is done: it stored the value just before releasing, or it failed.
            value = stored()
            if value is not None:
                return value
            break
    return compute()


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
    # Weak comparison (RFC 9110 §13.1.2): W/"x" matches "x".
    if "*" in supplied or etag in [tag.removeprefix("W/") for tag in supplied]:
        return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
    if "body" not in entry:  # written by an older release during a deploy
        return Response(entry["data"], headers=headers)
    if not variant:
        return StoredJSONResponse(entry["body"], headers=headers)
    return Response(json.loads(entry["body"]), headers=headers)


_UNSUPPORTED = object()


def _query_value(value: Any) -> Any:
    """A cleaned filter value written back as a query value the filter reads the same way.

    None for "not given" (None or empty); `_UNSUPPORTED` for a type not handled here (the raw
    value is kept then: still correct, only not normalised).
    """
    if value is None or value == "" or value == [] or value == ():
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (int, str, uuid.UUID)):
        return str(value)
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    return _UNSUPPORTED


# Per FilterSet class: the query parameters its form reads, or None if its empty form is invalid.
_FILTER_PARAMETERS: dict[type, frozenset[str] | None] = {}


def _filter_parameters(filterset_class: type) -> frozenset[str] | None:
    """The query parameter names `filterset_class` reads (computed once per class)."""
    if filterset_class not in _FILTER_PARAMETERS:
        model = filterset_class._meta.model  # type: ignore[attr-defined]
        form = filterset_class(data=QueryDict(), queryset=model._default_manager.none()).form
        names = {
            widget_name
            for name, field in form.fields.items()
            for widget_name in widget_parameter_names(name, field.widget)
        }
        _FILTER_PARAMETERS[filterset_class] = frozenset(names) if form.is_valid() else None
    return _FILTER_PARAMETERS[filterset_class]


def _no_filter_given(filterset_class: type | None, params: QueryDict) -> bool:
    """The request gives none of the filterset's parameters, and its empty form is valid.

    Building a filterset and validating its form is most of what a cache hit costs (django-filter
    builds a form class per instance); without a filter parameter its answer is known: no pairs.
    """
    if filterset_class is None:
        return False
    names = _filter_parameters(filterset_class)
    return names is not None and not any(name in params for name in names)


def _ordering_terms(value: str) -> list[str]:
    """`?ordering=` terms trimmed, each field once: its first term decides, a later one changes no order.

    So `price,price,-price` is one key with `price`, not one per spelling (the key space stays that
    of the distinct orders). Only an exact field repeats: `--price` stays, for the filter to refuse.
    """
    terms: list[str] = []
    seen: set[str] = set()
    for term in (term.strip() for term in value.split(",")):
        field = term.removeprefix("-")
        if term and field not in seen:
            seen.add(field)
            terms.append(term)
    return terms


@contextmanager
def _only_parameters(request: Request, pairs: list[tuple[str, str]]) -> Iterator[None]:
    """Within the block, the request's query string is exactly `pairs` (then restored)."""
    django_request = request._request
    saved_get, saved_query = django_request.GET, django_request.META.get("QUERY_STRING", "")
    query = urlencode(pairs)
    django_request.GET = QueryDict(query)
    django_request.META["QUERY_STRING"] = query
    try:
        yield
    finally:
        django_request.GET = saved_get
        django_request.META["QUERY_STRING"] = saved_query


class CachedReadMixin:
    """`list`, and `retrieve` unless `cache_retrieve` is false, answer from the cache with ETag / If-None-Match.

    The cache holds the rendered body and its ETag, so a hit runs no query and a client that
    already has the body gets a 304. Errors (400, 404) are raised while computing and never cached.
    Invalidating is the app's: its signals bump the namespace after the write commits.

    Override `cache_namespace_for(request)`: the namespace a request's answer is stored in, i.e.
    the one whose bump must drop it; `extra_list_parameters(request)` if the list reads query
    parameters of its own. Set `cache_timeout` (seconds); `cache_per_viewer` when the
    answer depends on who asks (the viewer becomes part of the key); `cache_retrieve = False` to
    cache the list only; `cache_public` when the answer is the same for everyone, anonymous
    clients included, so a shared cache (a CDN) may keep it.

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

    def extra_list_parameters(self, request: Request) -> list[tuple[str, str]]:
        """The view's own query parameters that change its list, canonical and already validated.

        They become part of the key and are all the list's computation sees besides the filters,
        search, ordering and pagination (e.g. the factories' `with_chart_data`, `chart_points`).
        """
        return []

    @property
    def cache_control(self) -> str:
        return "public, max-age=0, must-revalidate" if self.cache_public else "private, no-cache"

    def _cache_key(self, request: Request, key: str) -> str:
        return f"viewer:{request.user.pk}:{key}" if self.cache_per_viewer else key

    def list_parameters(self, request: Request) -> tuple[list[tuple[str, str]], bool]:
        """The query parameters this list understands, normalised: `(pairs, canonical)`.

        Only what the view's filter backends and paginator read is kept: the filterset's fields
        (their values as the filter sees them, e.g. `in_stock=1` is `true`, `min_price=10.0` is
        `10`, text trimmed), `search` (trimmed), `ordering` (terms trimmed), `page` and
        `page_size` (the default size and page 1 dropped: they are the answer without them) and
        `cursor`. A parameter with an empty value is dropped, as every filter treats it as not
        given (except `cursor`, where an empty value is an invalid cursor, a 404). Anything
        else (`?n=1`, `?utm_source=`) changes neither the answer nor the key.

        `canonical` is false when a value does not validate: the answer is then a 400 or 404
        from the raw parameters, which is never cached, and the pairs are the raw known ones.
        """
        params = request.query_params
        pairs: list[tuple[str, str]] = []
        canonical = True
        # The answer is computed from the canonical pairs, where a repeated parameter is already
        # one value: refuse it here, from the raw ones (the filterset and search refuse theirs).
        paginator = getattr(self, "paginator", None)
        page_parameters = getattr(paginator, "page_parameters", None)
        read_once = list(page_parameters()) if page_parameters is not None else []
        read_once += [
            backend.ordering_param
            for backend in getattr(self, "filter_backends", [])
            if issubclass(backend, filters.OrderingFilter)
        ]
        refuse_repeated(params, read_once)

        def raw(name: str) -> None:
            value = params.get(name)
            if value not in (None, ""):
                pairs.append((name, str(value)))

        for backend_class in getattr(self, "filter_backends", []):
            backend = backend_class()
            if isinstance(backend, DjangoFilterBackend):
                if _no_filter_given(getattr(self, "filterset_class", None), params):
                    continue  # the filterset would read nothing: skip building it and its form
                filterset = backend.get_filterset(request, self.get_queryset(), self)  # type: ignore[attr-defined]
                if filterset is None:
                    continue
                form = filterset.form
                valid = form.is_valid()
                canonical = canonical and valid
                for name, field in form.fields.items():
                    widget_names = widget_parameter_names(name, field.widget)
                    if widget_names != [name] or not valid:
                        for widget_name in widget_names:
                            raw(widget_name)
                        continue
                    value = _query_value(form.cleaned_data.get(name))
                    if value is _UNSUPPORTED:
                        raw(name)
                    elif value is not None:
                        pairs.append((name, value))
            elif isinstance(backend, filters.SearchFilter):
                if getattr(self, "search_fields", None):
                    terms = backend.get_search_terms(request)  # a NUL byte is a 400 here, as in the filter
                    if terms:
                        pairs.append((backend.search_param, " ".join(terms)))
            elif isinstance(backend, filters.OrderingFilter):
                value = params.get(backend.ordering_param)
                if value:
                    terms = _ordering_terms(value)
                    pairs.append((backend.ordering_param, ",".join(terms) if terms else value))
        pairs.extend(self.extra_list_parameters(request))
        if paginator is not None:
            page_size_param = getattr(paginator, "page_size_query_param", None)
            if page_size_param and params.get(page_size_param) is not None:
                size = paginator.get_page_size(request)
                if size != paginator.page_size:
                    pairs.append((page_size_param, str(size)))
            page_param = getattr(paginator, "page_query_param", None)
            if page_param:
                page = params.get(page_param) or ""
                if page:
                    try:
                        number = int(page)  # as Django's paginator reads it
                    except ValueError:
                        pairs.append((page_param, page))  # "last", or junk (a 404, not cached)
                    else:
                        if number != 1:
                            pairs.append((page_param, str(number)))
            cursor_param = getattr(paginator, "cursor_query_param", None)
            if cursor_param and params.get(cursor_param) is not None:
                pairs.append((cursor_param, params[cursor_param]))
        return sorted(pairs), canonical

    def _list_cache_key(self, request: Request, pairs: list[tuple[str, str]]) -> str:
        """One entry per distinct answer: scheme, host and path plus the understood parameters.

        The host and scheme are part of the key because the page's `next`/`previous` links are
        absolute URLs built from them.
        """
        identity = [request._request.build_absolute_uri(request.path), pairs]
        return self._cache_key(request, "list:" + hashlib.sha256(json.dumps(identity).encode()).hexdigest())

    def _detail_cache_key(self, request: Request) -> str:
        raw_id = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, "")
        try:
            # The model's own parsing (a UUID in any spelling is one key); not an id at all is a 404
            # without asking the database.
            object_id = self.get_queryset().model._meta.pk.to_python(raw_id)  # type: ignore[attr-defined]
        except ValidationError:
            raise NotFound() from None
        return self._cache_key(request, f"detail:{object_id}")

    def paginated_count(self, queryset: Any) -> int:
        """The page's total, cached per filter: one count for every page, size and ordering of it.

        Keyed by the count's SQL and parameters (ordering left out), under the list's namespace,
        so the write that bumps the list's entries drops its counts too. Counting is most of a
        miss on a big table (PostgreSQL has no cheap exact count); a new filter still counts once.
        """
        if not isinstance(queryset, QuerySet):
            return len(queryset)
        unordered = queryset.order_by()
        try:
            sql, sql_params = unordered.query.sql_with_params()
        except EmptyResultSet:  # a filter Django knows matches nothing (`id__in=[]`): no query at all
            return 0
        key = self._cache_key(self.request, "count:" + hashlib.sha256(repr((sql, sql_params)).encode()).hexdigest())  # type: ignore[attr-defined]
        return cached(self.cache_namespace_for(self.request), key, unordered.count, self.cache_timeout)  # type: ignore[attr-defined]

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        pairs, canonical = self.list_parameters(request)

        def compute() -> dict[str, Any]:
            # The answer is computed from the canonical parameters alone, so it is the same for
            # every request with this key: the `next`/`previous` links carry only those (never
            # another client's `?n=1`, nor its spelling of a value).
            with _only_parameters(request, pairs) if canonical else nullcontext():
                return _cache_entry(super(CachedReadMixin, self).list(request, *args, **kwargs).data)  # type: ignore[misc]

        namespace = self.cache_namespace_for(request)
        entry = cached(namespace, self._list_cache_key(request, pairs), compute, self.cache_timeout, size=_body_size)
        return _conditional_response(request, entry, self.cache_control)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not self.cache_retrieve:
            return super().retrieve(request, *args, **kwargs)  # type: ignore[misc]

        def compute() -> dict[str, Any]:
            return _cache_entry(super(CachedReadMixin, self).retrieve(request, *args, **kwargs).data)  # type: ignore[misc]

        namespace = self.cache_namespace_for(request)
        entry = cached(namespace, self._detail_cache_key(request), compute, self.cache_timeout, size=_body_size)
        return _conditional_response(request, entry, self.cache_control)
