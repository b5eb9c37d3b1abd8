"""Admin of products; every write goes through catalog.services (config.api.admin.ServiceAdmin).

A SKU taken by a living product is a form error on `sku`; deleting is the API's soft delete (the
SKU is free again, the cached API answers are invalidated) and a deleted product is shown
read-only. Staff see deleted products too (filter "deleted at").
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from config.api.admin import ServiceAdmin, SoftDeleteAdminMixin

from . import services
from .models import Product


@admin.register(Product)
class ProductAdmin(SoftDeleteAdminMixin, ServiceAdmin):
    list_display = ["name", "sku", "category", "price", "stock", "created_at", "deleted_at"]
    list_filter = ["category", ("deleted_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["name", "description", "sku"]
    readonly_fields = ["id", "created_at", "updated_at", "deleted_at"]
    ordering = ["-created_at", "-id"]
    date_hierarchy = "created_at"

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A deleted product is history: shown, not edited (product_update would answer 404).
        return super().has_change_permission(request, obj) and not (obj is not None and obj.is_deleted)

    def service_save(self, request: HttpRequest, form: forms.ModelForm, stored: Any) -> Product:
        data = self.posted(form, services.PRODUCT_EDITABLE_FIELDS)
        if stored is None:
            return services.product_create(**data)
        return services.product_update(product=stored, data=data)

    def service_delete(self, request: HttpRequest, obj: Product) -> None:
        # Deleting an already deleted product again is a no-op here, keeping its deletion time
        # (the API's product_soft_delete answers 404 for it instead).
        services.product_soft_delete_many(products=Product.objects.filter(pk=obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        # One statement for the whole selection; the service invalidates the cache once.
        services.product_soft_delete_many(products=queryset)
