from django.contrib import admin

from .models import Post


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    """Moderation: find a post by author or text and delete it. Saves go through model validation."""

    list_display = ["__str__", "author", "created_at", "updated_at"]
    list_select_related = ["author"]
    search_fields = ["author__username", "author__email", "text"]
    autocomplete_fields = ["author"]
    readonly_fields = ["id", "created_at", "updated_at"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    # Counting millions of rows on every page is the slow part of a big changelist.
    show_full_result_count = False
