"""Filters of `/products/`. A zero or false value is applied, junk is a 400 naming the parameter."""

from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet

from config.api.filters import StrictBooleanFilter

from .models import Product


class ProductFilterForm(forms.Form):
    # Its verdict depends on the values given alone (config.api.filters.validates_alone): a
    # cached list remembers its canonical parameters instead of validating them every request.
    validates_alone = True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        low: Decimal | None = cleaned.get("min_price")
        high: Decimal | None = cleaned.get("max_price")
        if low is not None and high is not None and low > high:
            self.add_error("min_price", forms.ValidationError("min_price must not exceed max_price.", code="invalid"))
            self.add_error("max_price", forms.ValidationError("max_price must not be below min_price.", code="invalid"))
        return cleaned


class ProductFilter(django_filters.FilterSet):
    """`name` substring, `category` exact (any case), inclusive price range, `in_stock`.

    Every lookup is a Django `contains`/`exact` variant, so `%` and `_` are matched literally.
    """

    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains", max_length=255)
    category = django_filters.CharFilter(field_name="category", lookup_expr="iexact", max_length=100)
    # django-filter's NumberFilter refuses NaN, Infinity and anything beyond ±1e50 (a 400).
    min_price = django_filters.NumberFilter(field_name="price", lookup_expr="gte")
    max_price = django_filters.NumberFilter(field_name="price", lookup_expr="lte")
    in_stock = StrictBooleanFilter(method="filter_in_stock")

    class Meta:
        model = Product
        fields = ["name", "category", "min_price", "max_price", "in_stock"]
        form = ProductFilterForm

    def filter_in_stock(self, queryset: QuerySet[Product], name: str, value: bool) -> QuerySet[Product]:
        # Only called with a value (django-filter skips an absent one); False means "out of stock".
        return queryset.filter(stock__gt=0) if value else queryset.filter(stock=0)
