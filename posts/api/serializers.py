"""Shape of a post. The size and blank rules live in posts.models (its field validators)."""

from typing import Any

from django.conf import settings
from rest_framework import serializers

from config.api.serializers import ModelSerializer
from posts.models import Post, utf8_prefix


class PostSerializer(ModelSerializer):
    # Stored exactly as written: leading spaces and newlines are part of a text.
    text = serializers.CharField(trim_whitespace=False, allow_blank=False)

    class Meta:
        model = Post
        fields = ["id", "author", "text", "created_at", "updated_at"]
        read_only_fields = ["id", "author", "created_at", "updated_at"]


class PostListItemSerializer(ModelSerializer):
    """A post in a list: `text` is the whole text up to 32 KiB of UTF-8, else its start (`text_truncated`)."""

    # Reads the `text_excerpt` and `text_length` annotations of posts.selectors.post_list_with_excerpts,
    # never the (deferred) text itself.

    text = serializers.SerializerMethodField(
        help_text="The whole text, or its first 32 KiB of UTF-8 when `text_truncated` (read the post for all of it)."
    )
    text_truncated = serializers.SerializerMethodField(help_text="The text is longer than what `text` holds here.")

    class Meta:
        model = Post
        fields = ["id", "author", "text", "text_truncated", "created_at", "updated_at"]
        read_only_fields = fields

    def get_text(self, post: Any) -> str:
        return utf8_prefix(post.text_excerpt, settings.POST_LIST_TEXT_MAX_BYTES)

    def get_text_truncated(self, post: Any) -> bool:
        return post.text_length > len(self.get_text(post))
