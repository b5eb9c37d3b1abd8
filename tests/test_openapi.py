"""The OpenAPI document describes what the API really answers and accepts (config/api/openapi.py).

Each test guards a schemathesis finding (loadtest/scenarios/fuzz.py) without the fuzzer; the last
ones, that the response headers a client reads are declared where they occur.
"""

import re

import pytest
from django.test import override_settings
from rest_framework import serializers

from catalog.models import Product
from config.api.filters import StrictOrderingFilter, ordering_pattern
from config.api.serializers import DecimalField
from tests.accounts.factories import AdminFactory
from tests.catalog.factories import ProductFactory
from tests.helpers import assert_error_shape, operations
from tests.posts.factories import PostFactory
from tests.sprockets.factories import FactoryFactory


def resolve(schema: dict, ref_or_schema: dict) -> dict:
    ref = ref_or_schema.get("$ref")
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else ref_or_schema


def test_every_400_admits_validation_and_client_errors(schema):
    # Was: a per-operation enum of fields and codes that rejected real answers (`last_admin` on
    # DELETE /users/{id}/, `since` on the chart, errors on `ordering`), and unknown discriminators.
    for method, path, operation in operations(schema):
        response = operation["responses"]["400"]["content"]["application/json"]["schema"]
        assert response == {"$ref": "#/components/schemas/ErrorResponse400"}, (method, path)
    error_400 = schema["components"]["schemas"]["ErrorResponse400"]
    assert set(error_400["discriminator"]["mapping"]) == {"validation_error", "client_error"}
    error = schema["components"]["schemas"]["Error"]
    assert error["properties"]["code"] == {"type": "string", "description": error["properties"]["code"]["description"]}
    assert error["properties"]["attr"]["nullable"] is True


@pytest.mark.parametrize(
    ("method", "path", "statuses"),
    [
        ("POST", "/api/v1/auth/login/", {"400", "401", "429", "503"}),
        ("POST", "/api/v1/auth/refresh/", {"400", "401"}),
        ("POST", "/api/v1/auth/password/", {"400", "401", "429"}),
        ("POST", "/api/v1/auth/logout/", {"400", "401"}),
        ("PATCH", "/api/v1/auth/me/", {"400", "401", "403", "409", "413", "503"}),
        ("PATCH", "/api/v1/users/{id}/", {"400", "401", "403", "404", "409"}),
        ("DELETE", "/api/v1/users/{id}/", {"400", "401", "403", "404", "409"}),
        ("DELETE", "/api/v1/factories/{id}/", {"409"}),
        ("POST", "/api/v1/posts/", {"413"}),
        ("GET", "/ready/", {"200", "503"}),
    ],
)
def test_statuses_the_service_gives_are_documented(schema, method, path, statuses):
    documented = set(schema["paths"][path][method.lower()]["responses"])
    assert statuses <= documented, documented


def test_every_operation_documents_414_from_the_app_and_from_the_http_server(schema):
    for method, path, operation in operations(schema):
        content = operation["responses"]["414"]["content"]
        assert {"application/json", "text/html"} <= set(content), (method, path)


def test_health_touches_no_database_so_documents_no_503(schema):
    assert "503" not in schema["paths"]["/health/"]["get"]["responses"]


def test_optional_query_parameters_may_be_empty(schema):
    for method, path, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query":
                assert parameter.get("allowEmptyValue") is True, (method, path, parameter["name"])


def test_factory_answers_document_optional_chart_data_and_nullable_location(schema):
    factory = schema["components"]["schemas"]["FactoryWithChart"]
    assert "chart_data" not in factory["required"]
    assert factory["properties"]["location_detail"].get("nullable") is True


def test_password_schema_states_the_validators_checkable_rules(schema):
    for component, field in (("RegisterRequest", "password"), ("PasswordChangeRequest", "new_password")):
        password = schema["components"]["schemas"][component]["properties"][field]
        assert password["minLength"] == 8
        assert password["pattern"] == r"\D"


def test_idempotency_key_header_schema(schema):
    (header,) = [p for p in schema["paths"]["/api/v1/sprockets/"]["post"]["parameters"] if p["in"] == "header"]
    assert header["schema"] == {"type": "string", "minLength": 1, "maxLength": 255, "pattern": r"\S"}


# --- the documented patterns are exactly what the fields accept ------------------------------
DECIMAL_SAMPLES = [
    "0", "0.00", "49.99", ".5", "5.", "007", "-0", "-0.00", "-.0", "12345678.99", "123456789", "1.234",
    "-5", "-0.01", "", ".", "-", " 5", "5 ", "+5", "1e2", "NaN", "Infinity", "0x10", "١٢",
]  # fmt: skip


@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("sample", DECIMAL_SAMPLES)
def test_decimal_pattern_is_exactly_what_the_field_accepts(positive, sample):
    field = DecimalField(max_digits=10, decimal_places=2, positive=positive)
    try:
        field.run_validation(sample)
        accepted = True
    except serializers.ValidationError:
        accepted = False
    assert bool(re.fullmatch(field.pattern, sample)) is accepted, sample


def test_decimal_request_schema_admits_json_numbers(schema):
    price = schema["components"]["schemas"]["ProductRequest"]["properties"]["price"]
    string, number = price["oneOf"]
    assert string["pattern"] == DecimalField(max_digits=10, decimal_places=2).pattern
    assert number == {"type": "number", "minimum": 0, "maximum": 99999999.99}
    teeth = schema["components"]["schemas"]["SprocketTypeRequest"]["properties"]["pitch"]["oneOf"][1]
    assert teeth["exclusiveMinimum"] is True


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        ("name", True), ("-price", True), ("name,-price", True), (" name , price ", True), ("name,", True),
        (",name", True), ("name,,price", True), ("--name", False), ("- name", False), ("nope", False),
        (",", False), ("   ", False), ("name,nope", False), ("name\x1c", True),
    ],
)  # fmt: skip
def test_ordering_pattern_is_exactly_what_the_filter_accepts(rf, value, accepted):
    class View:
        ordering_fields = ["name", "price"]
        ordering = ["name"]

    from rest_framework.request import Request

    request = Request(rf.get("/", {"ordering": value}))
    try:
        StrictOrderingFilter().get_ordering(request, Product.objects.none(), View())
        really = True
    except serializers.ValidationError:
        really = False
    assert really is accepted
    assert bool(re.fullmatch(ordering_pattern(["name", "price"]), value)) is accepted


@pytest.mark.parametrize(
    ("value", "accepted"), [("usd", True), ("USD", True), ("uSd", True), (" usd", False), ("usx", False)]
)
def test_currency_pattern_is_exactly_what_the_field_accepts(schema, user_client, value, accepted):
    pattern = schema["components"]["schemas"]["AccountRequest"]["properties"]["currency"]["pattern"]
    assert bool(re.fullmatch(pattern, value)) is accepted
    response = user_client.post("/api/v1/accounts/", {"name": f"A {value}", "currency": value}, format="json")
    assert response.status_code == (201 if accepted else 400), response.content


# --- error answers that the schema now describes ---------------------------------------------
def test_deleting_the_last_admin_is_a_validation_error_on_role(admin_client_api, admin_user):
    response = admin_client_api.delete(f"/api/v1/users/{admin_user.pk}/")
    assert_error_shape(response, 400, attr="role", code="last_admin")
    assert response.json()["type"] == "validation_error"


@override_settings(RATELIMIT_ENABLE=False)
def test_a_token_of_a_deleted_admin_is_a_401_not_a_500(client_for, db):
    admin, other = AdminFactory.create(), AdminFactory.create()
    client = client_for(admin)
    assert client.delete(f"/api/v1/users/{admin.pk}/").status_code == 204
    assert_error_shape(client.get("/api/v1/users/"), 401, code="token_not_valid")
    assert client_for(other).get("/api/v1/users/").status_code == 200


def test_id_filters_are_documented_as_integers(schema):
    # Was `number`: `?factory=1.5` is a 400 ("Enter a whole number"), so the schema must say integer.
    for path, name in [
        ("/api/v1/sprockets/", "factory"),
        ("/api/v1/sprockets/", "sprocket_type"),
        ("/api/v1/factories/", "location"),
    ]:
        (parameter,) = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name]
        assert parameter["schema"]["type"] == "integer", (path, name)


# Response headers (issue 24): `Retry-After` on every 429 and 503 error answer, `ETag` on the cached
# reads' 200 and 304 (which `If-None-Match` gets), `Idempotent-Replayed` on the idempotent creates'
# 201. The ETag is checked against real answers: declared exactly on the operations whose answers carry it.


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
    assert ("post", "/api/v1/messages/") in declaring
    assert ("post", "/api/v1/sprockets/") in declaring
    header = schema["paths"]["/api/v1/messages/"]["post"]["responses"]["201"]["headers"]["Idempotent-Replayed"]
    assert header["schema"] == {"type": "string", "enum": ["true"]}


def test_a_declared_etag_comes_with_if_none_match_and_a_304(schema):
    declaring = [(m, p, op) for m, p, op in operations(schema) if "ETag" in headers(op, "200")]
    assert {(m, p) for m, p, _ in declaring} >= {("get", "/api/v1/products/"), ("get", "/api/v1/products/{id}/")}
    for method, path, operation in declaring:
        assert method == "get", path
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
        if method != "get" or not path.startswith("/api/v1/") or ("{" in path and path not in ids):
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
