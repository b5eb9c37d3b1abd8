"""Cache invalidation for an author's post list (the namespace and its invalidation: posts.caching).

On signals rather than in the services so that every write path invalidates: the services,
the admin, and the cascade when a user row is removed.
"""

from typing import Any

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from .caching import post_list_cache_invalidate
from .models import Post


@receiver(post_save, sender=Post, dispatch_uid="posts_list_cache_on_save")
@receiver(post_delete, sender=Post, dispatch_uid="posts_list_cache_on_delete")
def invalidate_author_post_list(sender: type[Post], instance: Post, **kwargs: Any) -> None:
    post_list_cache_invalidate(instance.author_id)


@receiver(pre_save, sender=Post, dispatch_uid="posts_list_cache_on_author_change")
def invalidate_previous_author_post_list(sender: type[Post], instance: Post, **kwargs: Any) -> None:
    """A post moved to another author (a shell or a data fix; the API and the admin never move one) must
    also leave the previous author's list."""
    update_fields = kwargs.get("update_fields")
    if instance._state.adding or (update_fields is not None and "author" not in update_fields):
        return  # the services' text edits never move a post: no extra query for them
    previous = Post.objects.filter(pk=instance.pk).values_list("author_id", flat=True).first()
    if previous is not None and previous != instance.author_id:
        post_list_cache_invalidate(previous)
