"""Reads of the catalog. Everything public sees only products that are not deleted."""

from typing import Any

from django.db.models import QuerySet

from .models import Product


def product_list(*, user: Any) -> QuerySet[Product]:
    """Living products, newest first (the view's `?ordering=` replaces this order).

    The catalog is public: every caller, `user` included, sees the same rows (which is also why
    its cached answers are shared by everyone).
    """
    return Product.objects.alive().order_by("-created_at", "-id")
