"""Request bodies without Content-Length (chunked) are read, and bounded, by the body-limit middleware."""

import io
import json
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from posts.models import Post
from tests.helpers import assert_error_shape

pytestmark = pytest.mark.django_db


def post_chunked(token: str, payload: bytes):
    # What gunicorn hands over for `Transfer-Encoding: chunked`: a de-chunked stream, no length.
    environ: dict[str, Any] = {
        "CONTENT_TYPE": "application/json",
        "wsgi.input": io.BytesIO(payload),
        "wsgi.input_terminated": True,
        "HTTP_TRANSFER_ENCODING": "chunked",
        "HTTP_AUTHORIZATION": token,
    }
    return Client().generic("POST", "/api/v1/posts/", b"", **environ)


def bearer(client) -> str:
    return client._credentials["HTTP_AUTHORIZATION"]


def test_chunked_body_within_the_limit_reaches_the_view(user, user_client):
    response = post_chunked(bearer(user_client), json.dumps({"text": "sent in chunks"}).encode())
    assert response.status_code == 201, response.content
    assert Post.objects.get(author=user).text == "sent in chunks"


def test_chunked_body_over_the_limit_is_413(user, user_client):
    payload = b'{"text": "' + b"a" * settings.REQUEST_BODY_MAX_BYTES + b'"}'
    response = post_chunked(bearer(user_client), payload)
    assert_error_shape(response, 413, code="payload_too_large")
    assert not Post.objects.exists()


def test_a_body_that_is_not_an_object_names_no_field(user_client):
    response = user_client.post("/api/v1/accounts/", [1, 2], format="json")
    assert_error_shape(response, 400)
    assert [error["attr"] for error in response.json()["errors"]] == [None]
