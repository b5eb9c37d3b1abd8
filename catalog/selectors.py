"""Reads of the catalog. Everything public sees only products that are not deleted."""

from django.db.models import QuerySet

from .models import Product


def product_list() -> QuerySet[Product]:
    """Living products, newest first (the view's `?ordering=` replaces this order)."""
    return Product.objects.alive().order_by("-created_at", "-id")
