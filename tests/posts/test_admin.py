"""The post admin writes through posts.services; the author's cached list follows (posts.signals)."""

import pytest

from posts.models import Post

from .factories import PostFactory

pytestmark = pytest.mark.django_db(transaction=True)  # cache invalidation runs on commit

POSTS = "/admin/posts/post/"
API_POSTS = "/api/v1/posts/"


def test_adding_and_editing_a_post_there_goes_through_the_service(staff, admin_user, client_for):
    admin_api = client_for(admin_user)
    assert admin_api.get(API_POSTS).json()["count"] == 0  # cached now
    response = staff.post(f"{POSTS}add/", {"text": "moderated hello"})
    assert response.status_code == 302
    post = Post.objects.get()
    assert post.author == admin_user  # a post staff add is their own, as in the API
    assert admin_api.get(API_POSTS).json()["count"] == 1

    response = staff.post(f"{POSTS}{post.pk}/change/", {"text": "edited"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.text, post.author) == ("edited", admin_user)


def test_a_blank_text_is_a_form_error(staff, user):
    response = staff.post(f"{POSTS}add/", {"author": str(user.pk), "text": "   "})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["text"]
    assert not Post.objects.exists()


def test_staff_read_another_users_post_but_neither_rewrite_nor_move_it(staff, user, other_user, client_for):
    # The API's rule (only the author edits; tests/posts/test_posts_api.py), held by the service.
    post = PostFactory.create(author=user, text="mine")
    page = staff.get(f"{POSTS}{post.pk}/change/")
    assert page.status_code == 200
    assert 'name="text"' not in page.content.decode()  # a read-only page
    response = staff.post(f"{POSTS}{post.pk}/change/", {"author": str(other_user.pk), "text": "rewritten"})
    assert response.status_code == 403
    post.refresh_from_db()
    assert (post.author, post.text) == (user, "mine")
    assert client_for(user).get(API_POSTS).json()["results"][0]["text"] == "mine"


def test_the_service_refuses_a_rewrite_by_anyone_but_the_author(user, admin_user):
    from django.core.exceptions import PermissionDenied

    from posts import services

    post = PostFactory.create(author=user, text="mine")
    with pytest.raises(PermissionDenied):
        services.post_update(actor=admin_user, post=post, text="rewritten")
    post.refresh_from_db()
    assert post.text == "mine"


def test_staff_own_posts_change_form_has_the_text_but_not_the_author(staff, admin_user):
    post = PostFactory.create(author=admin_user, text="own")
    page = staff.get(f"{POSTS}{post.pk}/change/").content.decode()
    assert 'name="text"' in page
    assert 'name="author"' not in page


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
