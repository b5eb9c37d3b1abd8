"""Moderation of posts: find one by author or text, delete it. Writes go through posts.services.

(config.api.admin.ServiceAdmin: the model's validation and the service's refusals are form errors.)
Staff may move a post to another author (`post_update(author=...)`; the API never can): both
authors' cached lists follow, as they do after a delete (posts.signals).
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from config.api.admin import ServiceAdmin

from . import services
from .models import Post


@admin.register(Post)
class PostAdmin(ServiceAdmin):
    list_display = ["__str__", "author", "created_at", "updated_at"]
    list_select_related = ["author"]
    list_filter = ["created_at"]
    search_fields = ["author__username", "author__email", "text"]
    autocomplete_fields = ["author"]
    readonly_fields = ["id", "created_at", "updated_at"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    # Counting millions of rows on every page is the slow part of a big changelist.
    show_full_result_count = False

    def service_save(self, request: HttpRequest, form: forms.ModelForm, stored: Any) -> Post:
        post: Post = form.instance
        if stored is None:
            return services.post_create(author=post.author, text=post.text)
        return services.post_update(post=stored, text=post.text, author=post.author)

    def service_delete(self, request: HttpRequest, obj: Post) -> None:
        services.post_delete(post=obj)
