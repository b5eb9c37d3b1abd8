import django_filters

from .models import Post


class PostFilter(django_filters.FilterSet):
    """`?author=` narrows what the caller may already see: an admin's pick, a user's own posts only."""

    author = django_filters.UUIDFilter(field_name="author_id")

    class Meta:
        model = Post
        fields = ["author"]
