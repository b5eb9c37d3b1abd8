"""The post admin writes through posts.services; the author's cached list follows (posts.signals)."""

import pytest

from posts.models import Post

from .factories import PostFactory

pytestmark = pytest.mark.django_db(transaction=True)  # cache invalidation runs on commit

POSTS = "/admin/posts/post/"
API_POSTS = "/api/v1/posts/"


def test_adding_and_editing_a_post_there_goes_through_the_service(staff, user, user_client):
    assert user_client.get(API_POSTS).json()["count"] == 0  # cached now
    response = staff.post(f"{POSTS}add/", {"author": str(user.pk), "text": "moderated hello"})
    assert response.status_code == 302
    post = Post.objects.get()
    assert post.author == user
    assert user_client.get(API_POSTS).json()["count"] == 1

    response = staff.post(f"{POSTS}{post.pk}/change/", {"author": str(user.pk), "text": "edited"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.text, post.author) == ("edited", user)


def test_a_blank_text_is_a_form_error(staff, user):
    response = staff.post(f"{POSTS}add/", {"author": str(user.pk), "text": "   "})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["text"]
    assert not Post.objects.exists()


def test_a_post_moved_to_another_author_there_leaves_the_first_authors_list(staff, user, other_user, client_for):
    post = PostFactory.create(author=user, text="moved")
    assert client_for(user).get(API_POSTS).json()["count"] == 1  # cached now
    response = staff.post(f"{POSTS}{post.pk}/change/", {"author": str(other_user.pk), "text": "moved, edited"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.author, post.text) == (other_user, "moved, edited")
    assert client_for(user).get(API_POSTS).json()["count"] == 0
    assert client_for(other_user).get(API_POSTS).json()["count"] == 1


def test_deleting_posts_there_singly_and_in_bulk_invalidates_the_authors_list(staff, user, user_client):
    posts = PostFactory.create_batch(3, author=user)
    assert user_client.get(API_POSTS).json()["count"] == 3
    assert staff.post(f"{POSTS}{posts[0].pk}/delete/", {"post": "yes"}).status_code == 302
    assert user_client.get(API_POSTS).json()["count"] == 2
    response = staff.post(
        POSTS, {"action": "delete_selected", "_selected_action": [str(p.pk) for p in posts[1:]], "post": "yes"}
    )
    assert response.status_code == 302
    assert user_client.get(API_POSTS).json()["count"] == 0
    assert not Post.objects.exists()
