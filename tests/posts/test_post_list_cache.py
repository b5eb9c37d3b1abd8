"""`GET /posts/` is cached per author; every write shows in the author's very next read.

Runs against Redis when REDIS_URL is set (CI), against the local-memory cache otherwise.
These tests commit for real (transaction=True): invalidation happens on commit.
"""

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from posts.caching import POST_LIST_CACHE_SECONDS, post_list_cache_namespace
from posts.models import Post

from .factories import PostFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _texts(client, url="/api/v1/posts/"):
    response = client.get(url)
    assert response.status_code == 200, response.content
    return [post["text"] for post in response.json()["results"]]


def test_the_configured_cache_is_the_one_under_test(user, client_for):
    backend = type(caches["default"]).__module__
    if settings.REDIS_URL:
        assert "redis" in backend
    else:
        assert "locmem" in backend
    assert POST_LIST_CACHE_SECONDS == 5 * 60

    # On that backend the second read is answered from the cache: no query of the posts table, and
    # a row written behind the application's back (no signal) stays invisible.
    client = client_for(user)
    PostFactory.create(author=user, text="first")
    assert _texts(client) == ["first"]
    assert caches["default"].get(f"ns-version:{post_list_cache_namespace(user.pk)}") is not None
    Post.objects.bulk_create([Post(author=user, text="sneaked in")])
    with CaptureQueriesContext(connection) as queries:
        assert _texts(client) == ["first"]
    assert [query["sql"] for query in queries if "posts_post" in query["sql"]] == []

    # A write through the API drops the cached list: the next read comes from the database.
    assert client.post("/api/v1/posts/", {"text": "written"}, format="json").status_code == 201
    assert sorted(_texts(client)) == ["first", "sneaked in", "written"]


def test_the_list_is_served_from_the_cache(user, client_for):
    client = client_for(user)
    PostFactory.create(author=user, text="first")
    assert _texts(client) == ["first"]
    # A row written behind the application's back (no signal, no invalidation) stays invisible:
    # proof that the second read came from the cache, not the database.
    Post.objects.bulk_create([Post(author=user, text="sneaked in")])
    assert _texts(client) == ["first"]


def test_create_edit_and_delete_show_in_the_authors_next_read(user, client_for):
    client = client_for(user)
    assert _texts(client) == []

    created = client.post("/api/v1/posts/", {"text": "new"}, format="json")
    assert created.status_code == 201
    assert _texts(client) == ["new"]

    post_id = created.json()["id"]
    assert client.patch(f"/api/v1/posts/{post_id}/", {"text": "edited"}, format="json").status_code == 200
    assert _texts(client) == ["edited"]

    assert client.delete(f"/api/v1/posts/{post_id}/").status_code == 204
    assert _texts(client) == []


def test_every_cached_page_and_query_of_the_author_is_invalidated(user, client_for):
    client = client_for(user)
    PostFactory.create_batch(3, author=user)
    assert len(_texts(client, "/api/v1/posts/?page_size=2")) == 2
    assert len(_texts(client, "/api/v1/posts/?page=2&page_size=2")) == 1
    client.post("/api/v1/posts/", {"text": "newest"}, format="json")
    assert _texts(client, "/api/v1/posts/?page_size=2")[0] == "newest"
    assert len(_texts(client, "/api/v1/posts/?page=2&page_size=2")) == 2


def test_the_cache_is_per_user(user, other_user, client_for):
    PostFactory.create(author=user, text="mine")
    PostFactory.create(author=other_user, text="theirs")
    # Same URL, different callers: never each other's cached page.
    assert _texts(client_for(user)) == ["mine"]
    assert _texts(client_for(other_user)) == ["theirs"]


def test_a_moderators_delete_shows_in_the_authors_next_read(user, admin_user, client_for):
    author_client, admin_client = client_for(user), client_for(admin_user)
    post = PostFactory.create(author=user, text="offensive")
    assert _texts(author_client) == ["offensive"]
    assert _texts(admin_client, f"/api/v1/posts/?author={user.pk}") == ["offensive"]
    assert admin_client.delete(f"/api/v1/posts/{post.pk}/").status_code == 204
    assert _texts(author_client) == []
    assert _texts(admin_client, f"/api/v1/posts/?author={user.pk}") == []


def test_the_authors_write_shows_in_an_admins_author_list(user, admin_user, client_for):
    author_client, admin_client = client_for(user), client_for(admin_user)
    assert _texts(admin_client, f"/api/v1/posts/?author={user.pk}") == []
    author_client.post("/api/v1/posts/", {"text": "hello"}, format="json")
    assert _texts(admin_client, f"/api/v1/posts/?author={user.pk}") == ["hello"]


def test_a_failed_write_leaves_the_cached_list_intact_and_correct(user, client_for):
    client = client_for(user)
    PostFactory.create(author=user, text="kept")
    assert _texts(client) == ["kept"]
    assert client.post("/api/v1/posts/", {"text": "  "}, format="json").status_code == 400
    assert _texts(client) == ["kept"]


def test_a_post_moved_to_another_author_by_a_data_fix_leaves_the_old_authors_list(user, other_user, client_for):
    # Neither the API nor the admin moves a post; a shell or a data migration may (posts.signals).
    post = PostFactory.create(author=user, text="moved")
    assert _texts(client_for(user)) == ["moved"]
    post.author = other_user
    post.save()
    assert _texts(client_for(user)) == []
    assert _texts(client_for(other_user)) == ["moved"]


def test_the_list_carries_an_etag_and_if_none_match_gets_a_304_until_a_write(user, client_for):
    client = client_for(user)
    PostFactory.create(author=user, text="first")
    first = client.get("/api/v1/posts/")
    etag = first.headers["ETag"]
    assert etag.startswith('"')
    assert etag.endswith('"')

    not_modified = client.get("/api/v1/posts/", HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified.headers["ETag"] == etag
    assert client.get("/api/v1/posts/", HTTP_IF_NONE_MATCH=f'"other", W/{etag}').status_code == 304

    assert client.post("/api/v1/posts/", {"text": "second"}, format="json").status_code == 201
    changed = client.get("/api/v1/posts/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert [post["text"] for post in changed.json()["results"]] == ["second", "first"]


def test_query_string_order_does_not_split_the_cache(user, client_for):
    client = client_for(user)
    PostFactory.create_batch(2, author=user)
    assert client.get("/api/v1/posts/?page_size=1&ordering=created_at").json()["count"] == 2
    Post.objects.bulk_create([Post(author=user, text="sneaked in")])  # no signal: only a cache miss shows it
    assert client.get("/api/v1/posts/?ordering=created_at&page_size=1").json()["count"] == 2
