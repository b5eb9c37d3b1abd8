from django.contrib import admin
from django.http import HttpRequest

from .models import LegacyRecord


@admin.register(LegacyRecord)
class LegacyRecordAdmin(admin.ModelAdmin):
    """Read-only: the records are the import's memory; editing one would import a row twice or never."""

    list_display = ("source", "table", "legacy_id", "model", "object_id", "outcome", "imported_at")
    list_filter = ("source", "table", "outcome", "model")
    search_fields = ("legacy_id", "object_id")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
