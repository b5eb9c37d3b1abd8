"""Moderation of posts: find one by author or text, delete it. Writes go through posts.services.

(config.api.admin.ServiceAdmin: the model's validation and the service's refusals are form errors.)
The API's rules hold here too: staff read and delete anyone's post, but only the author rewrites
one (`posts.services.may_edit`: another user's post is a read-only page, a forced POST a 403),
a post staff add is their own, and a post never changes author.
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

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["author"] if obj is None else super().get_exclude(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        return fields if obj is None else [*fields, "author"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or services.may_edit(actor=request.user, post=obj))  # type: ignore[arg-type]

    def service_save(self, request: HttpRequest, form: forms.ModelForm, stored: Any) -> Post:
        post: Post = form.instance
        if stored is None:
            return services.post_create(author=request.user, text=post.text)  # type: ignore[arg-type]
        return services.post_update(actor=request.user, post=stored, text=post.text)  # type: ignore[arg-type]

    def service_delete(self, request: HttpRequest, obj: Post) -> None:
        services.post_delete(post=obj)
