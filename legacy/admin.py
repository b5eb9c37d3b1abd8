from django.contrib import admin

from config.api.admin import ReadOnlyAdmin

from .models import LegacyRecord


@admin.register(LegacyRecord)
class LegacyRecordAdmin(ReadOnlyAdmin):
    """Read-only: the records are the import's memory; editing one would import a row twice or never."""

    list_display = ("source", "table", "legacy_id", "model", "object_id", "outcome", "imported_at")
    list_filter = ("source", "table", "outcome", "model")
    search_fields = ("legacy_id", "object_id")
