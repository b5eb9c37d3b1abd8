"""The response headers a client reads are declared where they occur (config/api/openapi.py, issue 24).

`Retry-After` on every 429 and 503 error answer, `ETag` on the cached reads' 200 and 304 (which
`If-None-Match` gets), `Idempotent-Replayed` on the idempotent creates' 201. The ETag is checked
against real answers: declared exactly on the operations whose answers carry it.
"""

import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.catalog.factories import ProductFactory
from tests.posts.factories import PostFactory
from tests.sprockets.factories import FactoryFactory


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield method.upper(), path, operation


def headers(operation: dict, status: str) -> set[str]:
    return set(operation["responses"].get(status, {}).get("headers", {}))


def header_parameters(operation: dict) -> set[str]:
    return {parameter["name"] for parameter in operation.get("parameters", []) if parameter["in"] == "header"}


def test_every_429_and_503_error_answer_declares_retry_after(schema):
    checked = 0
    for method, path, operation in operations(schema):
        for status in ("429", "503"):
            response = operation["responses"].get(status)
            if response is None or path == "/ready/":  # /ready/'s 503 names the failed check; no Retry-After
                continue
            assert headers(operation, status) == {"Retry-After"}, (method, path, status)
            assert response["headers"]["Retry-After"]["schema"] == {"type": "integer", "minimum": 0}
            checked += 1
    assert checked > 100
    assert "Retry-After" not in headers(schema["paths"]["/ready/"]["get"], "503")


def test_idempotent_replayed_is_declared_exactly_where_an_idempotency_key_is_accepted(schema):
    accepting = {(m, p) for m, p, op in operations(schema) if "Idempotency-Key" in header_parameters(op)}
    declaring = {(m, p) for m, p, op in operations(schema) if "Idempotent-Replayed" in headers(op, "201")}
    assert accepting == declaring
    assert ("POST", "/api/v1/messages/") in declaring
    assert ("POST", "/api/v1/sprockets/") in declaring
    header = schema["paths"]["/api/v1/messages/"]["post"]["responses"]["201"]["headers"]["Idempotent-Replayed"]
    assert header["schema"] == {"type": "string", "enum": ["true"]}


def test_a_declared_etag_comes_with_if_none_match_and_a_304(schema):
    declaring = [(m, p, op) for m, p, op in operations(schema) if "ETag" in headers(op, "200")]
    assert {(m, p) for m, p, _ in declaring} >= {("GET", "/api/v1/products/"), ("GET", "/api/v1/products/{id}/")}
    for method, path, operation in declaring:
        assert method == "GET", path
        assert "If-None-Match" in header_parameters(operation), path
        assert headers(operation, "304") == {"ETag"}, path
        assert "content" not in operation["responses"]["304"], path
    for method, path, operation in operations(schema):
        if "304" in operation["responses"] or "If-None-Match" in header_parameters(operation):
            assert "ETag" in headers(operation, "200"), (method, path)


@pytest.mark.django_db
def test_the_etag_is_declared_exactly_on_the_reads_whose_answers_carry_it(schema, client_for, admin_user):
    product = ProductFactory.create()
    post = PostFactory.create(author=admin_user)
    factory = FactoryFactory.create()
    ids = {"/api/v1/products/{id}/": product.pk, "/api/v1/posts/{id}/": post.pk, "/api/v1/factories/{id}/": factory.pk}
    client = client_for(admin_user)
    compared = 0
    for method, path, operation in operations(schema):
        if method != "GET" or not path.startswith("/api/v1/") or ("{" in path and path not in ids):
            continue
        answer = client.get(path.format(id=ids.get(path)), HTTP_ACCEPT="application/json")
        assert answer.status_code == 200, (path, answer.status_code)
        declared = "ETag" in headers(operation, "200")
        assert ("ETag" in answer.headers) == declared, path
        if declared:
            again = client.get(path.format(id=ids.get(path)), HTTP_IF_NONE_MATCH=answer.headers["ETag"])
            assert again.status_code == 304, path
            assert again.headers["ETag"] == answer.headers["ETag"]
        compared += 1
    assert compared >= 10
