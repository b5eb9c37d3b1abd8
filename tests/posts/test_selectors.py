"""posts.selectors.post_list: the scope every posts endpoint reads through."""

import pytest
from django.contrib.auth.models import AnonymousUser

from posts.selectors import post_list

from .factories import PostFactory

pytestmark = pytest.mark.django_db


def _ids(queryset) -> set:
    return set(queryset.values_list("id", flat=True))


def test_a_user_sees_only_their_own_posts_whatever_include_others_says(user, other_user):
    mine = PostFactory.create(author=user)
    PostFactory.create(author=other_user)
    assert _ids(post_list(user=user)) == {mine.pk}
    assert _ids(post_list(user=user, include_others=False)) == {mine.pk}


def test_an_admin_sees_every_post_unless_told_to_keep_to_their_own(admin_user, user):
    own = PostFactory.create(author=admin_user)
    theirs = PostFactory.create(author=user)
    assert _ids(post_list(user=admin_user)) == {own.pk, theirs.pk}
    assert _ids(post_list(user=admin_user, include_others=False)) == {own.pk}


def test_anonymous_sees_nothing():
    PostFactory.create()
    assert not post_list(user=AnonymousUser()).exists()


def test_newest_first_ties_by_id(user):
    posts = PostFactory.create_batch(3, author=user)
    assert list(post_list(user=user)) == sorted(posts, key=lambda post: (post.created_at, post.id), reverse=True)
