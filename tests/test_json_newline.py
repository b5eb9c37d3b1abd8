"""Every JSON answer ends with one newline (API.md, Conventions), whoever writes it.

The views' answers come from config.api.renderers.JSONRenderer, the ones made outside DRF (Django's
error handlers, the middleware's refusals, /metrics' refusals) from config.api.renderers.JsonResponse:
both write DRF's compact JSON and a newline. An empty body (204, 304) stays empty.
"""

import ast
import json
import subprocess
from pathlib import Path

import pytest

from config.api.exceptions import error_body
from config.api.renderers import JSONRenderer
from tests.catalog.factories import make_product

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
PRODUCTS = "/api/v1/products/"


def assert_one_newline(content: bytes) -> None:
    assert content.endswith(b"\n"), content[-40:]
    assert not content.endswith(b"\n\n"), content[-40:]
    json.loads(content)


def test_a_view_s_answer_ends_with_a_newline(api_client):
    make_product(name="Wrench")

    response = api_client.get(PRODUCTS)

    assert response.status_code == 200
    assert_one_newline(response.content)


def test_a_cached_answer_is_the_same_bytes_as_the_first(api_client):
    make_product(name="Wrench")

    miss, hit = api_client.get(PRODUCTS), api_client.get(PRODUCTS)

    assert_one_newline(miss.content)
    assert hit.content == miss.content
    assert hit["ETag"] == miss["ETag"]


def test_an_indented_answer_ends_with_a_newline(api_client):
    make_product(name="Wrench")

    response = api_client.get(PRODUCTS, HTTP_ACCEPT="application/json; indent=2")

    assert_one_newline(response.content)
    assert response.content.startswith(b"{\n  ")


def test_an_error_of_a_view_ends_with_a_newline(api_client):
    response = api_client.get(PRODUCTS, {"ordering": "no_such_field"})

    assert response.status_code == 400
    assert_one_newline(response.content)


@pytest.mark.parametrize(
    ("path", "extra", "status"),
    [
        ("/api/v1/nope/", {}, 404),  # the URLconf's JSON 404
        ("/no-such-page/", {}, 404),  # Django's handler404
        ("/api/v1/products/", {"HTTP_HOST": "evil.example"}, 400),  # Django's handler400
        ("/api/v1/products/", {"QUERY_STRING": "search=" + "a" * 5000}, 414),  # the middleware's refusal
    ],
)
def test_an_answer_made_outside_drf_is_written_as_a_view_s(api_client, path, extra, status):
    response = api_client.get(path, **extra)

    assert response.status_code == status
    assert_one_newline(response.content)
    assert response["Content-Type"] == "application/json"
    assert response.content == JSONRenderer().render(response.json()), "DRF's compact bytes"


def test_a_refused_charset_and_a_refused_metrics_method_end_with_a_newline(api_client):
    charset = api_client.generic("POST", "/api/v1/auth/login/", b"{}", content_type="application/json; charset=latin-1")
    metrics = api_client.post("/metrics")

    assert (charset.status_code, metrics.status_code) == (415, 405)
    assert_one_newline(charset.content)
    assert_one_newline(metrics.content)


def test_an_empty_body_stays_empty(api_client):
    make_product(name="Wrench")
    first = api_client.get(PRODUCTS)

    not_modified = api_client.get(PRODUCTS, HTTP_IF_NONE_MATCH=first["ETag"])

    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert JSONRenderer().render(None) == b""


def test_the_renderer_adds_exactly_one_newline():
    assert JSONRenderer().render(error_body(404, "not_found", "Not found.")).endswith(b"}\n")


def _names_imported(source: str) -> set[tuple[str, str]]:
    return {
        (node.module or "", alias.name)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }


def test_json_bytes_have_one_home():
    """Only config/api/renderers.py uses Django's JsonResponse or DRF's JSONRenderer (newline-less bytes)."""
    tracked = subprocess.run(["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True)
    direct = {("django.http", "JsonResponse"), ("rest_framework.renderers", "JSONRenderer")}
    elsewhere = [
        name
        for name in tracked.stdout.split()
        if name.startswith(("config/", "accounts/", "catalog/", "sprockets/", "posts/", "messaging/", "legacy/"))
        and name != "config/api/renderers.py"
        and _names_imported((ROOT / name).read_text()) & direct
    ]

    assert elsewhere == []
