from django.contrib import admin

from .models import IdempotencyKey


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(admin.ModelAdmin):
    list_display = ["key", "scope", "user", "status_code", "created_at", "completed_at"]
    list_filter = ["scope", "status_code"]
    search_fields = ["key", "user__username"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in IdempotencyKey._meta.fields]
