"""Posts: owners only; an admin reads and deletes anyone's (moderation) but edits only their own."""

import json
import uuid

import pytest

from posts.models import Post
from tests.helpers import assert_error_shape, assert_full_pages_within, listed_ids

from .factories import PostFactory

pytestmark = pytest.mark.django_db


def test_create_returns_the_post_with_the_caller_as_author(user_client, user):
    response = user_client.post("/api/v1/posts/", {"text": "  hello\nworld  "}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"id", "author", "text", "created_at", "updated_at"}
    assert body["author"] == str(user.pk)
    assert body["text"] == "  hello\nworld  "  # stored exactly as written
    assert Post.objects.get(pk=body["id"]).author == user


def test_author_in_the_body_is_ignored(user_client, user, other_user):
    response = user_client.post("/api/v1/posts", {"text": "mine", "author": str(other_user.pk)}, format="json")
    assert response.status_code == 201
    assert response.json()["author"] == str(user.pk)


@pytest.mark.parametrize("text", ["", " ", "   \n\t  ", "\u00a0"])
def test_text_without_a_non_space_character_is_a_400(user_client, text):
    response = user_client.post("/api/v1/posts/", {"text": text}, format="json")
    assert_error_shape(response, 400, attr="text")
    assert not Post.objects.exists()


@pytest.mark.parametrize("body", [{}, {"text": None}])
def test_missing_or_null_text_is_a_400(user_client, body):
    assert_error_shape(user_client.post("/api/v1/posts/", body, format="json"), 400, attr="text")


def test_anonymous_is_a_401(api_client):
    assert_error_shape(api_client.get("/api/v1/posts/"), 401)
    assert_error_shape(api_client.post("/api/v1/posts/", {"text": "x"}, format="json"), 401)


def test_list_shows_only_my_posts_newest_first(user_client, user, other_user):
    oldest = PostFactory.create(author=user)
    newest = PostFactory.create(author=user)
    PostFactory.create(author=other_user)
    response = user_client.get("/api/v1/posts/")
    assert listed_ids(response) == [str(newest.pk), str(oldest.pk)]
    assert response.json()["count"] == 2


def test_a_users_author_filter_never_shows_others_posts(user_client, user, other_user):
    PostFactory.create(author=other_user)
    mine = PostFactory.create(author=user)
    response = user_client.get(f"/api/v1/posts/?author={other_user.pk}")
    assert response.status_code == 200
    assert response.json()["results"] == []
    response = user_client.get(f"/api/v1/posts/?author={user.pk}")
    assert [post["id"] for post in response.json()["results"]] == [str(mine.pk)]


def test_admin_lists_own_posts_by_default_and_anyones_with_author(admin_client_api, admin_user, user):
    own = PostFactory.create(author=admin_user)
    theirs = PostFactory.create(author=user)
    response = admin_client_api.get("/api/v1/posts/")
    assert [post["id"] for post in response.json()["results"]] == [str(own.pk)]
    response = admin_client_api.get(f"/api/v1/posts/?author={user.pk}")
    assert [post["id"] for post in response.json()["results"]] == [str(theirs.pk)]


def test_malformed_author_filter_is_a_400(admin_client_api):
    assert_error_shape(admin_client_api.get("/api/v1/posts/?author=not-a-uuid"), 400, attr="author")


def test_unknown_ordering_is_a_400(user_client):
    assert_error_shape(user_client.get("/api/v1/posts/?ordering=text"), 400, attr="ordering")


@pytest.mark.parametrize("slash", ["", "/"])
def test_owner_reads_edits_and_deletes_own_post(user_client, user, slash):
    post = PostFactory.create(author=user, text="before")
    url = f"/api/v1/posts/{post.pk}{slash}"
    assert user_client.get(url).json()["text"] == "before"
    response = user_client.patch(url, {"text": "after"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["text"] == "after"
    post.refresh_from_db()
    assert post.text == "after"
    assert user_client.delete(url).status_code == 204
    assert not Post.objects.filter(pk=post.pk).exists()


def test_patch_with_blank_text_is_a_400_and_changes_nothing(user_client, user):
    post = PostFactory.create(author=user, text="keep")
    assert_error_shape(user_client.patch(f"/api/v1/posts/{post.pk}/", {"text": "  "}, format="json"), 400, attr="text")
    post.refresh_from_db()
    assert post.text == "keep"


def test_others_posts_are_404_on_read_edit_and_delete(user_client, other_user):
    post = PostFactory.create(author=other_user, text="private")
    url = f"/api/v1/posts/{post.pk}/"
    assert_error_shape(user_client.get(url), 404)
    assert_error_shape(user_client.patch(url, {"text": "hacked"}, format="json"), 404)
    assert_error_shape(user_client.put(url, {"text": "hacked"}, format="json"), 404)
    assert_error_shape(user_client.delete(url), 404)
    post.refresh_from_db()
    assert post.text == "private"


def test_unknown_or_malformed_id_is_a_404(user_client):
    assert_error_shape(user_client.get(f"/api/v1/posts/{uuid.uuid4()}/"), 404)
    assert_error_shape(user_client.get("/api/v1/posts/nope/"), 404)


def test_admin_reads_and_deletes_others_posts_but_cannot_edit_them(admin_client_api, user):
    post = PostFactory.create(author=user, text="original")
    url = f"/api/v1/posts/{post.pk}/"
    response = admin_client_api.get(url)
    assert response.status_code == 200
    assert response.json()["text"] == "original"
    assert_error_shape(admin_client_api.patch(url, {"text": "edited"}, format="json"), 403)
    assert_error_shape(admin_client_api.put(url, {"text": "edited"}, format="json"), 403)
    # The 403 comes before validation: an invalid edit of someone else's post is still a 403.
    assert_error_shape(admin_client_api.patch(url, {"text": " "}, format="json"), 403)
    post.refresh_from_db()
    assert post.text == "original"
    assert admin_client_api.delete(url).status_code == 204
    assert not Post.objects.filter(pk=post.pk).exists()


def test_admin_edits_own_post(admin_client_api, admin_user):
    post = PostFactory.create(author=admin_user)
    response = admin_client_api.patch(f"/api/v1/posts/{post.pk}/", {"text": "admin's own"}, format="json")
    assert response.status_code == 200
    assert response.json()["text"] == "admin's own"


def test_list_query_count_does_not_grow_with_page_size(user, client_for):
    PostFactory.create_batch(30, author=user)
    assert_full_pages_within(client_for(user), "/api/v1/posts/", (5, 30), max_queries=4)


@pytest.mark.parametrize("text", ["nul\x00byte", "lone \ud800 surrogate"])
def test_text_the_database_cannot_store_is_a_400_not_a_500(user_client, text):
    response = user_client.generic(
        "POST", "/api/v1/posts/", json.dumps({"text": text}), content_type="application/json"
    )
    assert_error_shape(response, 400, attr="text")


def test_schema_lists_only_the_parameters_posts_honour(api_client):
    # `?search=` does nothing on posts; the schema must not offer it.
    schema = api_client.get("/api/v1/schema/", {"format": "json"}).json()
    names = {param["name"] for param in schema["paths"]["/api/v1/posts/"]["get"]["parameters"]}
    assert names == {"author", "ordering", "page", "page_size", "If-None-Match"}  # the header: a 304 (issue 24)
