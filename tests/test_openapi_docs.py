"""What a newcomer reads in Swagger UI, ReDoc and the browsable API, and what a generated client is built from.

Every operation is under one domain tag, has a one-line summary and a description written for API
users (never a base class's docstring or an internal note), and documents its request body as JSON
only, while forms are still accepted. `loadtest/scenarios/generated_client.py` checks a generated client live.
"""

import re
from urllib.parse import urlencode

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.routers import SimpleRouter

from accounts.models import Account
from catalog.api.serializers import ProductSerializer
from catalog.models import Product
from config.api.openapi import collected_tags, own_doc
from config.api.viewsets import ScopedModelViewSet
from tests.helpers import operations

TAGS: list[str] = [tag["name"] for tag in collected_tags()]
# Words of the code, not of the API: a description naming them leaked a docstring or a comment.
INTERNAL = re.compile(
    r"Mixin|ViewSet|queryset|selector|services\.py|API\.md|DRF|drf-|documentation only|see \w+\.py",
    re.IGNORECASE,
)
EXAMPLES = [
    ("post", "/api/v1/auth/login/"),
    ("post", "/api/v1/auth/register/"),
    ("post", "/api/v1/auth/refresh/"),
    ("get", "/api/v1/products/"),
    ("post", "/api/v1/products/"),
    ("post", "/api/v1/accounts/"),
    ("post", "/api/v1/messages/"),
    ("post", "/api/v1/posts/"),
    ("get", "/api/v1/factories/{id}/"),
    ("post", "/api/v1/sprockets/"),
]


def test_every_operation_has_one_domain_tag_and_every_tag_is_used(schema):
    used = set()
    for method, path, operation in operations(schema):
        (tag,) = operation["tags"]
        assert tag in TAGS, (method, path, tag)
        used.add(tag)
    assert used == set(TAGS)
    assert [tag["name"] for tag in schema["tags"]] == TAGS
    assert all(tag["description"] for tag in schema["tags"])


def test_every_operation_has_a_one_line_summary_and_a_description(schema):
    for method, path, operation in operations(schema):
        summary = operation.get("summary", "")
        assert summary, (method, path)
        assert "\n" not in summary, (method, path)
        assert len(summary) <= 60, (method, path, summary)
        assert not summary.startswith("api_"), (method, path)
        assert operation.get("description", "").strip(), (method, path)
        assert not operation["operationId"].startswith("api_v1_"), (method, path)


def test_no_description_is_an_internal_note(schema):
    texts = [(f"{method} {path}", operation.get("description", "")) for method, path, operation in operations(schema)]
    texts += [(name, component.get("description", "")) for name, component in schema["components"]["schemas"].items()]
    texts.append(("info", schema["info"]["description"]))
    for where, text in texts:
        assert not INTERNAL.search(text), (where, text)


class Undocumented(ScopedModelViewSet):
    serializer_class = ProductSerializer

    def scoped_queryset(self, user):
        return Product.objects.none()


def test_a_base_class_docstring_never_becomes_a_description():
    # drf-spectacular's get_doc walks the bases: a viewset without a docstring showed ScopedModelViewSet's.
    router = SimpleRouter()
    router.register("things", Undocumented, basename="thing")
    generated = SchemaGenerator(patterns=router.urls).get_schema(request=None, public=True)
    bases = [own_doc(base) for base in Undocumented.__mro__ if own_doc(base)]
    assert bases  # the bases do have docstrings
    for method, path, operation in operations(generated):
        if not path.startswith("/things"):
            continue  # the paths added by the postprocessing hooks
        assert not any(doc.splitlines()[0] in operation.get("description", "") for doc in bases), (method, path)
        assert operation["summary"].endswith(("product", "products")), operation["summary"]
    assert own_doc(Undocumented) == ""
    assert own_doc(Undocumented.list, owner=Undocumented) == ""
    assert generated["components"]["schemas"]["Product"].get("description") == own_doc(ProductSerializer)


def test_request_bodies_are_documented_as_json_only(schema):
    bodies = 0
    for method, path, operation in operations(schema):
        if "requestBody" in operation:
            bodies += 1
            assert list(operation["requestBody"]["content"]) == ["application/json"], (method, path)
    assert bodies > 25


@pytest.mark.parametrize(("method", "path"), EXAMPLES)
def test_main_operations_have_examples(schema, method, path):
    operation = schema["paths"][path][method]
    examples = dict(operation["responses"][next(s for s in operation["responses"] if s.startswith("2"))]["content"])
    response_examples = examples["application/json"].get("examples", {})
    assert response_examples, (method, path)
    if method == "post":
        assert operation["requestBody"]["content"]["application/json"].get("examples"), (method, path)


def test_list_examples_are_shown_as_a_page(schema):
    (example,) = schema["paths"]["/api/v1/products/"]["get"]["responses"]["200"]["content"]["application/json"][
        "examples"
    ].values()
    assert set(example["value"]) == {"count", "next", "previous", "results"}
    chart = schema["paths"]["/api/v1/factories/{id}/"]["get"]["responses"]["200"]["content"]["application/json"]
    assert "chart_data" in next(iter(chart["examples"].values()))["value"]


def test_errors_stay_documented_per_operation(schema):
    login = schema["paths"]["/api/v1/auth/login/"]["post"]["responses"]
    assert {"400", "401", "429", "503"} <= set(login)
    assert login["401"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ClientErrorResponse"}


@pytest.mark.django_db
def test_forms_are_still_accepted_where_they_were(user_client):
    form = "application/x-www-form-urlencoded"
    response = user_client.post("/api/v1/accounts/", data=urlencode({"name": "From a form"}), content_type=form)
    assert response.status_code == 201, response.content
    response = user_client.post("/api/v1/accounts/", data={"name": "From multipart"}, format="multipart")
    assert response.status_code == 201, response.content
    assert Account.objects.count() == 2


@pytest.mark.django_db
def test_the_browsable_api_shows_the_user_facing_docstring(api_client):
    response = api_client.get("/api/v1/products/", HTTP_ACCEPT="text/html")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Anyone may read it" in page
    assert "CachedReadMixin" not in page
