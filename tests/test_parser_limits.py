"""Parsers never answer 500 (API.md, "Decided: request bodies"): each body a parser cannot or will
not read is a 400 in the error format that says what was wrong.

Found from the outside (issue 20): a JSON array nested 1,000 deep (RecursionError), a form of
3,000 fields (TooManyFieldsSent) and multipart with 150 files (TooManyFilesSent) were 500s with a
traceback each; duplicate keys, invalid UTF-8 in a form and an empty JSON body were read as
something they were not.
"""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret  # type: ignore[attr-defined]
from django.test import Client

from posts.models import Post
from tests.helpers import assert_error_shape
from tests.posts.factories import PostFactory

pytestmark = pytest.mark.django_db

POSTS = "/api/v1/posts/"
LOGIN = "/api/v1/auth/login/"
FORM = "application/x-www-form-urlencoded"


def detail(response) -> str:
    return " ".join(error["detail"] for error in response.json()["errors"])


def nested(depth: int, inner: str = "") -> str:
    return "[" * depth + inner + "]" * depth


# --- nesting depth ----------------------------------------------------------------------------


@pytest.mark.parametrize("body", [nested(1000), '{"a":' * 1000 + "1" + "}" * 1000, "[" * 100_000])
def test_json_nested_deeper_than_python_can_decode_is_a_400_anonymously(body):
    response = Client().post(LOGIN, body, content_type="application/json")
    assert_error_shape(response, 400, code="parse_error")
    assert f"{settings.REQUEST_JSON_MAX_DEPTH} levels" in detail(response)


def test_json_one_level_past_the_limit_is_a_400(user_client):
    limit = settings.REQUEST_JSON_MAX_DEPTH
    body = '{"text": "deep", "x": ' + nested(limit) + "}"  # the object is level 1
    response = user_client.generic("POST", POSTS, body, content_type="application/json")
    assert_error_shape(response, 400, code="parse_error")
    assert "nested" in detail(response)
    assert not Post.objects.exists()


def test_json_at_the_limit_is_parsed(user_client):
    limit = settings.REQUEST_JSON_MAX_DEPTH
    body = '{"text": "deep enough", "x": ' + nested(limit - 1) + "}"
    response = user_client.generic("POST", POSTS, body, content_type="application/json")
    assert response.status_code == 201, response.content  # the unknown field is ignored


@pytest.mark.parametrize("text", ["[" * 500, "]" * 500 + "[" * 500, '\\"' + "{" * 500, "\\\\" + "[" * 40 + "]" * 40])
def test_brackets_inside_strings_do_not_count(user_client, text):
    import json

    response = user_client.generic("POST", POSTS, json.dumps({"text": text}), content_type="application/json")
    assert response.status_code == 201, response.content
    assert Post.objects.get().text == text


def test_many_shallow_containers_are_not_deep(user_client):
    body = '{"text": "wide", "x": [' + ",".join(["[[1], {}]"] * 5000) + "]}"
    response = user_client.generic("POST", POSTS, body, content_type="application/json")
    assert response.status_code == 201, response.content


def test_a_deep_json_document_sent_as_a_form_is_a_400(user_client):
    response = user_client.generic("POST", POSTS, nested(1000), content_type=FORM)
    assert_error_shape(response, 400)


# --- field and file counts --------------------------------------------------------------------


def test_a_form_with_too_many_fields_is_a_400_naming_the_limit():
    body = "&".join(f"f{i}=1" for i in range(3000))
    response = Client().post(LOGIN, body, content_type=FORM)
    assert_error_shape(response, 400, code="parse_error")
    assert f"{settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,} fields" in detail(response)


def test_multipart_with_too_many_fields_is_a_400(user_client):
    data = {f"f{i}": "1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = user_client.post(POSTS, {**data, "text": "x"}, format="multipart")
    assert_error_shape(response, 400, code="parse_error")
    assert f"{settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,} fields" in detail(response)


def test_multipart_with_too_many_files_is_a_400_naming_the_limit(user_client):
    files = {f"f{i}": SimpleUploadedFile(f"f{i}.txt", b"x") for i in range(150)}
    response = user_client.post(POSTS, {**files, "text": "x"}, format="multipart")
    assert_error_shape(response, 400, code="parse_error")
    assert f"{settings.DATA_UPLOAD_MAX_NUMBER_FILES:,} files" in detail(response)
    assert not Post.objects.exists()


def test_too_many_fields_read_by_the_csrf_check_is_a_400(admin_user):
    # A session-authenticated POST: DRF's CSRF check reads Django's request.POST first.
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    secret = _get_new_csrf_string()
    client.cookies["csrftoken"] = secret
    body = "&".join(f"f{i}=1" for i in range(3000))
    response = client.post(POSTS, body, content_type=FORM, HTTP_X_CSRFTOKEN=_mask_cipher_secret(secret))
    assert_error_shape(response, 400, code="parse_error")
    assert "fields" in detail(response)


@pytest.mark.parametrize(
    "data",
    [
        "&".join(f"f{i}=1" for i in range(3000)),
        {f"f{i}": SimpleUploadedFile(f"f{i}.txt", b"x") for i in range(150)},
    ],
    ids=["fields", "files"],
)
def test_the_admin_answers_too_many_fields_or_files_with_a_400(staff, data):
    if isinstance(data, str):
        response = staff.post("/admin/posts/post/add/", data, content_type=FORM)
    else:
        response = staff.post("/admin/posts/post/add/", data)
    assert_error_shape(response, 400)
    assert "fields" in detail(response) or "files" in detail(response)


# --- numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_literals_are_a_400_naming_them(user_client, literal):
    response = user_client.generic("POST", POSTS, f'{{"text": {literal}}}', content_type="application/json")
    assert_error_shape(response, 400, code="parse_error")
    assert literal in detail(response)


def test_an_integer_literal_too_long_to_read_is_a_400(user_client):
    response = user_client.generic("POST", POSTS, '{"text": 1' + "0" * 5000 + "}", content_type="application/json")
    assert_error_shape(response, 400, code="parse_error")


# --- keys, encoding, BOM, empty body ----------------------------------------------------------


def test_a_duplicate_key_is_a_400_naming_it(user_client):
    response = user_client.generic("POST", POSTS, '{"text": "a", "text": "b"}', content_type="application/json")
    assert_error_shape(response, 400, code="parse_error")
    assert '"text"' in detail(response)
    assert not Post.objects.exists()


def test_a_duplicate_key_in_a_nested_object_is_a_400(user_client):
    body = '{"text": "a", "x": {"k": 1, "k": 2}}'
    assert_error_shape(user_client.generic("POST", POSTS, body, content_type="application/json"), 400)


def test_the_same_key_in_two_objects_is_fine(user_client):
    body = '{"text": "a", "x": [{"k": 1}, {"k": 2}]}'
    assert user_client.generic("POST", POSTS, body, content_type="application/json").status_code == 201


def test_invalid_utf8_in_json_is_a_400(user_client):
    response = user_client.generic("POST", POSTS, b'{"text": "\xff\xfe"}', content_type="application/json")
    assert_error_shape(response, 400, code="parse_error")
    assert "UTF-8" in detail(response)


@pytest.mark.parametrize(
    "body", [b"text=\xff\xfe", b"text=%ff%fe", b"text=%C3%28"], ids=["raw", "escaped", "truncated"]
)
def test_invalid_utf8_in_a_form_is_a_400(user_client, body):
    response = user_client.generic("POST", POSTS, body, content_type=FORM)
    assert_error_shape(response, 400, code="parse_error")
    assert "UTF-8" in detail(response)
    assert not Post.objects.exists()


def test_valid_utf8_in_a_form_is_read(user_client):
    response = user_client.generic("POST", POSTS, "text=caf%C3%A9+%E2%9C%93&x=", content_type=FORM)
    assert response.status_code == 201, response.content
    assert Post.objects.get().text == "café ✓"


def test_a_byte_order_mark_before_json_is_a_400(user_client):
    response = user_client.generic("POST", POSTS, b'\xef\xbb\xbf{"text": "bom"}', content_type="application/json")
    assert_error_shape(response, 400, code="parse_error")
    assert "byte order mark" in detail(response)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
@pytest.mark.parametrize("body", [b"", b"  \r\n"], ids=["empty", "whitespace"])
def test_an_empty_json_body_on_a_write_is_a_400(user, user_client, method, body):
    post = PostFactory.create(author=user, text="kept")
    path = POSTS if method == "POST" else f"{POSTS}{post.pk}/"
    response = user_client.generic(method, path, body, content_type="application/json")
    assert_error_shape(response, 400, code="parse_error")
    assert "empty" in detail(response)
    post.refresh_from_db()
    assert post.text == "kept"


def test_an_empty_multipart_body_is_a_400(user, user_client):
    post = PostFactory.create(author=user)
    response = user_client.generic("PATCH", f"{POSTS}{post.pk}/", b"", content_type="multipart/form-data; boundary=x")
    assert_error_shape(response, 400, code="parse_error")


def test_an_empty_form_is_an_empty_form(user_client):
    response = user_client.generic("POST", POSTS, b"", content_type=FORM)
    assert_error_shape(response, 400, attr="text", code="required")


def test_a_write_without_a_body_or_content_type_still_reads_as_empty(admin_client_api, user):
    response = admin_client_api.post(f"/api/v1/users/{user.pk}/role/")
    assert_error_shape(response, 400, attr="role", code="required")


def test_a_delete_with_a_json_content_type_and_no_body_is_fine(user, user_client):
    post = PostFactory.create(author=user)
    response = user_client.generic("DELETE", f"{POSTS}{post.pk}/", b"", content_type="application/json")
    assert response.status_code == 204, response.content
