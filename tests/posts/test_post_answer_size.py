"""No answer about posts exceeds 8 MiB, whatever the posts hold (issue 20, finding 5).

A post may hold 1 MiB of UTF-8. JSON writes a control character as six bytes (`\\u0001`) and `"`
or `\\` as two, so a page of full posts was up to 600 MiB. Now control characters (but tab,
newline and carriage return) are refused, which leaves JSON at most twice the text, and a list
carries the first 32 KiB of each text, with `text_truncated`.
"""

import json

import pytest
from django.conf import settings
from django.db.models import Subquery

from posts.models import Post
from tests.helpers import assert_error_shape

from .factories import PostFactory

pytestmark = pytest.mark.django_db

MIB = 1024 * 1024
ANSWER_LIMIT = 8 * MIB  # the request-body limit: no answer is bigger than what a client may send
# The worst text JSON can make of 1 MiB once control characters are refused: every byte doubled.
WORST = '"' * MIB


def maximal_posts(author, text: str, count: int) -> None:
    """`count` posts of `text`, the text sent to the database once (PostgreSQL then copies it)."""
    first = Post.objects.create(author=author, text=text)
    Post.objects.bulk_create([Post(author=author, text="-") for _ in range(count - 1)])
    Post.objects.exclude(pk=first.pk).update(text=Subquery(Post.objects.filter(pk=first.pk).values("text")[:1]))


@pytest.mark.parametrize("character", ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\x9f"])
def test_a_control_character_in_a_post_is_a_400_naming_the_text(user_client, character):
    response = user_client.post("/api/v1/posts/", {"text": f"before{character}after"}, format="json")
    assert response.status_code == 400, response.content
    assert_error_shape(response, 400, attr="text")
    assert not Post.objects.exists()


def test_the_control_character_is_named_with_its_position(user_client):
    response = user_client.post("/api/v1/posts/", {"text": "ab\x01"}, format="json")
    assert_error_shape(response, 400, attr="text", code="control_characters_not_allowed")
    assert "U+0001" in response.json()["errors"][0]["detail"]


def test_patch_refuses_control_characters_too(user_client, user):
    post = PostFactory.create(author=user, text="kept")
    response = user_client.patch(f"/api/v1/posts/{post.pk}/", {"text": "\x01" * 10}, format="json")
    assert_error_shape(response, 400, attr="text", code="control_characters_not_allowed")
    post.refresh_from_db()
    assert post.text == "kept"


def test_tab_newline_and_carriage_return_are_text(user_client):
    text = "a\tb\nc\r\nd"
    response = user_client.post("/api/v1/posts/", {"text": text}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["text"] == text


def test_a_full_page_of_maximal_posts_at_the_largest_page_size_stays_under_8_mib(user, client_for):
    maximal_posts(user, WORST, 100)
    client = client_for(user)

    for accept in ("application/json", "application/json; indent=8"):
        response = client.get("/api/v1/posts/?page_size=100", HTTP_ACCEPT=accept)
        assert response.status_code == 200
        assert len(response.content) <= ANSWER_LIMIT, (accept, len(response.content))
        results = json.loads(response.content)["results"]
        assert len(results) == 100
        assert all(post["text_truncated"] for post in results)
        assert {len(post["text"].encode()) for post in results} == {settings.POST_LIST_TEXT_MAX_BYTES}


def test_a_maximal_post_s_own_answer_is_all_of_it_and_under_8_mib(user, client_for):
    post = Post.objects.create(author=user, text=WORST)
    response = client_for(user).get(f"/api/v1/posts/{post.pk}/")
    assert response.status_code == 200
    assert len(response.content) <= ANSWER_LIMIT
    assert response.json()["text"] == WORST


def test_a_list_s_text_is_whole_up_to_32_kib_and_cut_on_a_character_after(user_client, user):
    limit = settings.POST_LIST_TEXT_MAX_BYTES
    whole = "😀" * (limit // 4)  # exactly the limit
    long = "a" + "😀" * (limit // 4)  # one byte more: the last emoji no longer fits whole
    PostFactory.create(author=user, text=whole)
    PostFactory.create(author=user, text=long)

    listed = {post["id"]: post for post in user_client.get("/api/v1/posts/").json()["results"]}
    by_text = {Post.objects.get(pk=pk).text: post for pk, post in listed.items()}
    assert by_text[whole]["text"] == whole
    assert by_text[whole]["text_truncated"] is False
    assert by_text[long]["text"] == long[:-1]
    assert by_text[long]["text_truncated"] is True


@pytest.mark.parametrize("character", ["'", '"', "&"])
def test_the_browsable_pages_of_maximal_posts_stay_under_8_mib(user, client_for, character):
    """HTML escaping makes `'` six bytes and JSON's `\\"` seven: the page must not show such an answer whole."""
    maximal_posts(user, character * MIB, 100)
    post = Post.objects.first()
    assert post is not None
    client = client_for(user)

    for path in ("/api/v1/posts/?page_size=100", f"/api/v1/posts/{post.pk}/"):
        response = client.get(path, HTTP_ACCEPT="text/html")
        assert response.status_code == 200
        assert len(response.content) <= ANSWER_LIMIT, (path, len(response.content))
        assert b"too long to show here" in response.content


def test_the_browsable_page_of_a_small_post_still_shows_it_and_its_forms(user, client_for):
    post = PostFactory.create(author=user, text="a short 'quoted' text")
    page = client_for(user).get(f"/api/v1/posts/{post.pk}/", HTTP_ACCEPT="text/html").content.decode()
    assert "a short &#x27;quoted&#x27; text" in page
    assert "too long to show here" not in page
    assert 'name="_content"' in page  # the raw-data form, filled in
