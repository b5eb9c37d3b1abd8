"""`/products/`: public reads answered from the cache, admin writes through catalog/services.py."""

from typing import Any

from django.db.models import QuerySet
from rest_framework.request import Request

from catalog import selectors, services
from catalog.caching import PRODUCT_CACHE_NAMESPACE, PRODUCT_CACHE_SECONDS
from catalog.filters import ProductFilter
from catalog.models import Product
from config.api.cached_views import CachedReadMixin
from config.api.openapi import documented
from config.api.permissions import ReadAnyoneWriteAdmin
from config.api.viewsets import ScopedModelViewSet

from . import schema
from .serializers import ProductSerializer


# Reads are answered from the cache (config.api.cached_views.CachedReadMixin); DELETE is a soft delete.
@documented("Products", **schema.PRODUCTS)
class ProductViewSet(CachedReadMixin, ScopedModelViewSet):
    """The product catalog. Anyone may read it, without signing in; only an admin adds, changes or deletes products."""

    serializer_class = ProductSerializer
    permission_classes = [ReadAnyoneWriteAdmin]
    filterset_class = ProductFilter
    search_fields = ["name", "description", "sku"]
    ordering_fields = ["name", "price", "created_at", "stock"]
    ordering = ["-created_at"]
    # The same answer for everyone: one namespace for the whole catalog, the viewer not in the key,
    # and a shared cache may keep it (revalidating each time: a write must show at once).
    cache_public = True
    cache_timeout = PRODUCT_CACHE_SECONDS

    def cache_namespace_for(self, request: Request) -> str:
        return PRODUCT_CACHE_NAMESPACE

    def scoped_queryset(self, user: Any) -> QuerySet[Product]:
        return selectors.product_list(user=user)

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.product_create(**serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.product_update(product=serializer.instance, data=serializer.validated_data)

    def perform_destroy(self, instance: Product) -> None:
        services.product_soft_delete(product=instance)
