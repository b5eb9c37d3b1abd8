from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from . import services
from .models import Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    """Staff see deleted products too (filter "deleted at"); catalog.signals invalidates the API cache on a change."""

    list_display = ["name", "sku", "category", "price", "stock", "created_at", "deleted_at"]
    list_filter = ["category", ("deleted_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["name", "description", "sku"]
    readonly_fields = ["id", "created_at", "updated_at", "deleted_at"]
    ordering = ["-created_at", "-id"]
    date_hierarchy = "created_at"

    def delete_model(self, request: HttpRequest, obj: Product) -> None:
        # Deleting from the admin is the same soft delete as the API's: the SKU becomes free.
        # Staff also see deleted products; deleting one again stays a no-op here (the API's
        # product_soft_delete answers 404 for it instead).
        services.product_soft_delete_many(products=Product.objects.filter(pk=obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        services.product_soft_delete_many(products=queryset)
