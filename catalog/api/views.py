"""`/products/`: public reads answered from the cache, admin writes through catalog/services.py."""

import hashlib
import json
import uuid
from typing import Any

from django.utils.http import parse_etags
from rest_framework import status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from catalog import selectors, services
from catalog.filters import ProductFilter
from catalog.models import Product
from config.api.caching import cached
from config.api.permissions import ReadAnyoneWriteAdmin

from .serializers import ProductSerializer

CACHE_TIMEOUT_SECONDS = 300


def _cache_entry(data: Any) -> dict[str, Any]:
    """What the cache holds: the JSON body as plain data, and its ETag (a hash of the JSON bytes).

    Caching the serialized body (not a queryset) is what makes a hit free of database queries.
    """
    body = JSONRenderer().render(data)
    return {"data": json.loads(body), "etag": f'"{hashlib.sha256(body).hexdigest()[:32]}"'}


def _conditional_response(request: Request, entry: dict[str, Any]) -> Response:
    """200 with the body and its ETag, or 304 (empty body, same ETag) if the client has it."""
    etag = entry["etag"]
    supplied = parse_etags(request.headers.get("If-None-Match", ""))
    # Weak comparison (RFC 9110 §13.1.2): W/"x" matches "x".
    if "*" in supplied or etag in [tag.removeprefix("W/") for tag in supplied]:
        return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
    return Response(entry["data"], headers={"ETag": etag})


def _list_cache_key(request: Request) -> str:
    """One entry per distinct query: scheme, host and path plus the parameters sorted by name.

    The host and scheme are part of the key because the page's `next`/`previous` links are
    absolute URLs built from them. DRF builds those links from the parameters sorted by name
    (values of a repeated parameter keep their order), so the same normalisation is safe here.
    """
    identity = [
        request._request.build_absolute_uri(request.path),
        sorted(request.query_params.lists(), key=lambda item: item[0]),
    ]
    return "list:" + hashlib.sha256(json.dumps(identity).encode()).hexdigest()


class CachedReadMixin:
    """`list` and `retrieve` answer from the `cache_namespace` (with ETag / If-None-Match).

    Writes invalidate the namespace from the services, after their transaction commits, so the
    next read on any process recomputes. Errors (400, 404) are never cached.
    """

    cache_namespace: str
    cache_timeout: int = CACHE_TIMEOUT_SECONDS
    kwargs: dict[str, Any]

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        def compute() -> dict[str, Any]:
            return _cache_entry(super(CachedReadMixin, self).list(request, *args, **kwargs).data)  # type: ignore[misc]

        entry = cached(self.cache_namespace, _list_cache_key(request), compute, self.cache_timeout)
        return _conditional_response(request, entry)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raw_id = str(self.kwargs.get("pk", ""))
        try:
            product_id = uuid.UUID(raw_id)
        except ValueError:
            raise NotFound() from None  # not an id at all: no need to ask the database

        def compute() -> dict[str, Any]:
            return _cache_entry(super(CachedReadMixin, self).retrieve(request, *args, **kwargs).data)  # type: ignore[misc]

        entry = cached(self.cache_namespace, f"detail:{product_id}", compute, self.cache_timeout)
        return _conditional_response(request, entry)


class ProductViewSet(CachedReadMixin, viewsets.ModelViewSet):
    """Anyone reads (answers cached, see CachedReadMixin); only an admin writes. DELETE is a soft delete."""

    serializer_class = ProductSerializer
    permission_classes = [ReadAnyoneWriteAdmin]
    filterset_class = ProductFilter
    search_fields = ["name", "description", "sku"]
    ordering_fields = ["name", "price", "created_at", "stock"]
    ordering = ["-created_at"]
    cache_namespace = services.CACHE_NAMESPACE

    def get_queryset(self) -> Any:
        return selectors.product_list()

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.product_create(**serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.product_update(product=serializer.instance, data=serializer.validated_data)

    def perform_destroy(self, instance: Product) -> None:
        services.product_soft_delete(product=instance)
