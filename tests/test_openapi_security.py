"""The OpenAPI document's security tells the truth: what anyone may call, and how to sign in.

Swagger UI draws a lock on, and generated clients demand credentials for, every operation whose
`security` lists no anonymous `{}`; its Authorize dialog lists the schemes in `securitySchemes` order.
"""

import pytest

from tests.helpers import assert_error_shape

PUBLIC = [
    ("get", "/api/v1/products/"),
    ("get", "/api/v1/products/{id}/"),
    ("post", "/api/v1/auth/login/"),
    ("post", "/api/v1/auth/register/"),
    ("post", "/api/v1/auth/refresh/"),
    ("get", "/health/"),
    ("get", "/ready/"),
    ("get", "/api/v1/schema/"),
]
SIGNED_IN = [
    ("post", "/api/v1/products/"),
    ("patch", "/api/v1/products/{id}/"),
    ("get", "/api/v1/auth/me/"),
    ("get", "/api/v1/factories/"),
    ("get", "/api/v1/users/"),
]
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.mark.parametrize(("method", "path"), PUBLIC)
def test_public_operations_list_anonymous_access_first(schema, method, path):
    security = schema["paths"][path][method]["security"]

    assert security[0] == {}, security


@pytest.mark.parametrize(("method", "path"), SIGNED_IN)
def test_signed_in_operations_name_the_bearer_scheme_first_and_no_anonymous_access(schema, method, path):
    security = schema["paths"][path][method]["security"]

    assert {} not in security
    assert security[0] == {"jwtAuth": []}


def test_anonymous_access_is_never_after_a_scheme(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            security = operation.get("security", []) if method in METHODS else []
            assert {} not in security[1:], (method, path, security)


def test_the_bearer_scheme_comes_first_and_says_where_its_token_comes_from(schema):
    schemes = schema["components"]["securitySchemes"]

    assert next(iter(schemes)) == "jwtAuth"
    assert schemes["jwtAuth"]["scheme"] == "bearer"
    assert "Paste the `access` token from `POST /auth/login/`" in schemes["jwtAuth"]["description"]
    assert schemes["cookieAuth"]["description"] == "Browser sessions only (the browsable API and the admin)."


def test_page_size_is_an_integer(schema):
    parameters = [
        parameter
        for operations in schema["paths"].values()
        for operation in operations.values()
        if isinstance(operation, dict)
        for parameter in operation.get("parameters", [])
        if parameter["name"] == "page_size"
    ]

    assert parameters
    assert all(parameter["schema"]["type"] == "integer" for parameter in parameters), parameters
    # Outside 1..100 is clamped or defaulted, not refused: said in words, not as bounds a client enforces.
    assert all("1 to 100" in parameter["description"] for parameter in parameters)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/products/", "/api/v1/messages/"])
@pytest.mark.parametrize("value", ["AAA", "1.5", "2e1", "%205"])
def test_a_page_size_that_is_not_a_whole_number_is_a_400(user_client, path, value):
    answer = user_client.get(f"{path}?page_size={value}")

    # The schema types it `integer`: what is not one is refused, as it is for `page` (a 404 there).
    assert_error_shape(answer, 400, attr="page_size", code="invalid")
    assert answer.json()["type"] == "validation_error"


@pytest.mark.django_db
@pytest.mark.parametrize(("value", "size"), [("0", 20), ("-3", 20), ("500", 100), ("", 20), ("7", 7)])
def test_a_whole_number_page_size_is_clamped_or_defaulted(api_client, value, size):
    from catalog.models import Product

    Product.objects.bulk_create(
        Product(name=f"P{i}", sku=f"PS-{i}", price="1.00", category="Tools", stock=1) for i in range(120)
    )
    answer = api_client.get(f"/api/v1/products/?page_size={value}")

    assert answer.status_code == 200
    assert len(answer.json()["results"]) == size
