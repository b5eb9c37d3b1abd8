"""A request's charset is UTF-8 (or ASCII): any other codec is a 415 before the body is decoded.

Python's codec registry holds compressors and binary transforms (bz2, zlib, base64, hex, uu,
rot13, punycode) beside text encodings, and Django took any of them as `request.encoding`.
"""

import bz2
import json
import tracemalloc
import zlib

import pytest
from django.test import Client

from posts.models import Post
from tests.helpers import assert_error_shape

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login/"


def send(path: str, body: bytes, content_type: str):
    # generic(): Client.post() would re-encode the body with the charset named.
    return Client().generic("POST", path, body, content_type=content_type)


def bomb(compress) -> bytes:
    return compress(json.dumps({"username": "a" * (16 * 1024 * 1024), "password": "x"}).encode())


@pytest.mark.parametrize(("charset", "compress"), [("bz2", bz2.compress), ("zlib", zlib.compress)])
def test_a_compressed_body_is_refused_before_it_is_inflated(charset, compress):
    body = bomb(compress)
    assert len(body) < 20_000  # 16 MiB of text behind it
    tracemalloc.start()
    try:
        response = send(LOGIN, body, f"application/json; charset={charset}")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert_error_shape(response, 415, code="unsupported_media_type")
    assert charset in response.json()["errors"][0]["detail"]
    assert peak < 4 * 1024 * 1024, f"{peak} bytes allocated answering a {len(body)}-byte body"


REFUSED = ["hex", "base64", "uu", "punycode", "rot13", "quopri", "latin-1", "utf-16", "no-such"]
LOGIN_BODIES = [
    ("application/json", b'{"username": "a", "password": "b"}'),
    ("application/x-www-form-urlencoded", b"username=a&password=b"),
]


@pytest.mark.parametrize("charset", REFUSED)
@pytest.mark.parametrize(("content_type", "body"), LOGIN_BODIES)
def test_a_charset_other_than_utf8_is_415_in_the_error_format(charset, content_type, body):
    response = send(LOGIN, body, f"{content_type}; charset={charset}")
    assert_error_shape(response, 415, code="unsupported_media_type")


def test_a_write_with_a_refused_charset_writes_nothing(user_client):
    response = user_client.generic(
        "POST", "/api/v1/posts/", b"68656c6c6f", content_type="application/json; charset=hex"
    )
    assert_error_shape(response, 415, code="unsupported_media_type")
    assert not Post.objects.exists()


def test_the_query_string_is_not_decoded_with_a_refused_charset():
    # Django decodes the query string with request.encoding too: `%41` under rot13 raised a 500.
    response = Client().get("/api/v1/products/?search=%41%42", CONTENT_TYPE="text/plain; charset=rot13")
    assert_error_shape(response, 415, code="unsupported_media_type")


def test_the_admin_login_form_refuses_a_binary_charset():
    response = send("/admin/login/", b"username=a&password=b", "application/x-www-form-urlencoded; charset=hex")
    assert_error_shape(response, 415, code="unsupported_media_type")


@pytest.mark.parametrize("charset", ["utf-8", "UTF-8", "utf8", '"utf-8"', "us-ascii", "ascii"])
def test_utf8_and_ascii_under_any_of_their_names_are_read(user, charset):
    body = json.dumps({"username": user.username, "password": "wrong"}).encode()
    response = send(LOGIN, body, f"application/json; charset={charset}")
    assert_error_shape(response, 401)


def test_an_rfc2231_charset_the_header_parser_cannot_decode_is_refused_not_a_500():
    response = send(LOGIN, b"{}", "application/json; charset*=bz2''%41")
    assert_error_shape(response, 415, code="unsupported_media_type")


def test_a_nul_in_the_charset_name_is_refused_not_a_500():
    response = send(LOGIN, b"{}", "application/json; charset=utf\x00-8")
    assert_error_shape(response, 415, code="unsupported_media_type")
