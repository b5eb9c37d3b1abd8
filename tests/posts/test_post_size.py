"""The 1 MiB text limit counts UTF-8 bytes; the 8 MiB body limit is enforced before reading."""

import json
from typing import Any
from wsgiref.util import is_hop_by_hop

import pytest
from django.conf import settings
from django.test import Client

from posts.models import Post
from tests.helpers import assert_error_shape

from .factories import PostFactory

pytestmark = pytest.mark.django_db

MIB = 1024 * 1024


def test_the_limits_are_the_contracts():
    assert settings.POST_TEXT_MAX_BYTES == 1_048_576
    assert settings.REQUEST_BODY_MAX_BYTES == 8 * MIB


def _text_of_bytes(char: str, total: int) -> str:
    """`total` bytes of UTF-8 made of `char`, padded with ASCII when `total` is not a multiple."""
    width = len(char.encode())
    return char * (total // width) + "a" * (total % width)


@pytest.mark.parametrize("char", ["a", "é", "€", "😀"], ids=["ascii-1B", "e-acute-2B", "euro-3B", "emoji-4B"])
def test_exactly_1_mib_of_utf8_is_accepted(user_client, char):
    text = _text_of_bytes(char, MIB)
    assert len(text.encode()) == MIB
    response = user_client.post("/api/v1/posts/", {"text": text}, format="json")
    assert response.status_code == 201, response.content[:300]
    assert Post.objects.get(pk=response.json()["id"]).text == text


@pytest.mark.parametrize("char", ["a", "é", "€", "😀"], ids=["ascii-1B", "e-acute-2B", "euro-3B", "emoji-4B"])
def test_one_byte_over_1_mib_is_a_413(user_client, char):
    # Fill to exactly 1 MiB with `char` (multi-byte characters included), then add one byte.
    text = _text_of_bytes(char, MIB) + "b"
    assert len(text.encode()) == MIB + 1
    response = user_client.post("/api/v1/posts/", {"text": text}, format="json")
    assert_error_shape(response, 413, code="payload_too_large")
    assert "1048576" in response.json()["errors"][0]["detail"]
    assert not Post.objects.exists()


def test_multibyte_character_crossing_the_limit_is_a_413(user_client):
    # 1 MiB - 1 bytes of ASCII, then a 2-byte "é": 1,048,577 bytes although only 1,048,576 characters.
    text = "a" * (MIB - 1) + "é"
    assert len(text) == MIB
    assert_error_shape(user_client.post("/api/v1/posts/", {"text": text}, format="json"), 413)


def test_patch_has_the_same_limit(user_client, user):
    post = PostFactory.create(author=user, text="short")
    url = f"/api/v1/posts/{post.pk}/"
    assert_error_shape(user_client.patch(url, {"text": "😀" * (MIB // 4) + "x"}, format="json"), 413)
    post.refresh_from_db()
    assert post.text == "short"
    response = user_client.patch(url, {"text": "😀" * (MIB // 4)}, format="json")
    assert response.status_code == 200


def test_json_escaping_may_make_the_body_longer_than_1_mib(user_client):
    # 1 MiB of newlines is 2 MiB on the wire ("\\n"): the text counts, not the request.
    text = "x" + "\n" * (MIB - 1)
    response = user_client.generic(
        "POST", "/api/v1/posts/", json.dumps({"text": text}), content_type="application/json"
    )
    assert response.status_code == 201, response.content[:300]


class _MustNotBeRead:
    """A WSGI input stream that fails the test if anything reads the request body."""

    def __init__(self) -> None:
        self.reads = 0

    def read(self, *args, **kwargs):
        self.reads += 1
        raise AssertionError("the request body was read")

    readline = read

    def __iter__(self):
        return self

    def __next__(self):
        self.read()


def test_a_content_length_over_8_mib_is_a_413_without_reading_the_body(user, client_for):
    stream = _MustNotBeRead()
    token = client_for(user)._credentials["HTTP_AUTHORIZATION"]
    extra: dict[str, Any] = {"wsgi.input": stream, "HTTP_AUTHORIZATION": token}
    response = Client().generic(
        "POST", "/api/v1/posts/", b"", content_type="application/json", CONTENT_LENGTH=str(8 * MIB + 1), **extra
    )
    assert_error_shape(response, 413, code="payload_too_large")
    # PEP 3333 forbids hop-by-hop headers from the application; wsgiref (runserver) would 500.
    assert not [name for name in response.headers if is_hop_by_hop(name)]
    assert stream.reads == 0
    assert not Post.objects.exists()


def test_a_content_length_of_exactly_8_mib_is_let_through_to_the_view(user_client):
    # 8 MiB of body is allowed; the text in it is then measured on its own (here: far over 1 MiB).
    padding = " " * (8 * MIB - len('{"text":""}') - 10)
    body = '{"text":"' + "a" * 10 + '"}' + padding
    assert len(body) <= 8 * MIB
    response = user_client.generic("POST", "/api/v1/posts/", body, content_type="application/json")
    assert response.status_code == 201, response.content[:300]


class _EndlessStream:
    """A client that keeps sending: counts how much of it the server reads."""

    def __init__(self) -> None:
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            raise AssertionError("the server tried to read an unbounded body to the end")
        self.bytes_read += size
        return b" " * size

    def readline(self, size: int = -1) -> bytes:
        return self.read(size if size and size > 0 else 1024)


def test_a_body_without_content_length_is_read_no_further_than_the_limit(user, client_for):
    stream = _EndlessStream()
    token = client_for(user)._credentials["HTTP_AUTHORIZATION"]
    # Client.request() builds the WSGI environ from exactly these keys: no CONTENT_LENGTH at all.
    environ: dict[str, Any] = {"wsgi.input": stream, "HTTP_AUTHORIZATION": token}
    response = Client().request(
        PATH_INFO="/api/v1/posts/", REQUEST_METHOD="POST", CONTENT_TYPE="application/json", **environ
    )
    # Without a declared length WSGI reads no body at all: a 400, not a hang. The body read is
    # empty, and an empty body that says it is JSON is not a JSON document (tests/test_parser_limits.py).
    assert_error_shape(response, 400, code="parse_error")
    assert stream.bytes_read <= settings.REQUEST_BODY_MAX_BYTES + 1
    assert not Post.objects.exists()
