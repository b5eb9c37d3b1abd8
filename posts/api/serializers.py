"""Shape of a post. The size and blank rules live in posts.services / posts.models."""

from rest_framework import serializers

from posts.models import Post


class PostSerializer(serializers.ModelSerializer):
    # Stored exactly as written: leading spaces and newlines are part of a text.
    text = serializers.CharField(trim_whitespace=False, allow_blank=False)

    class Meta:
        model = Post
        fields = ["id", "author", "text", "created_at", "updated_at"]
        read_only_fields = ["id", "author", "created_at", "updated_at"]
