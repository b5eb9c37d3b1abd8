"""Plain helpers shared by the tests (no fixtures: those live in conftest.py)."""

import importlib.util
import re
from pathlib import Path
from types import ModuleType

from django.conf import settings
from django.db import connection


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def assert_error_shape(response, status_code: int, *, attr: str | None = None, code: str | None = None) -> None:
    """Every error body: {"type", "errors": [{"code", "detail", "attr"}]} (drf-standardized-errors)."""
    assert response.status_code == status_code, response.content
    body = response.json()
    assert body["type"] in ("validation_error", "client_error", "server_error")
    assert isinstance(body["errors"], list)
    assert body["errors"]
    for error in body["errors"]:
        assert set(error) == {"code", "detail", "attr"}
    if attr is not None:
        assert attr in [error["attr"] for error in body["errors"]], body
    if code is not None:
        assert code in [error["code"] for error in body["errors"]], body


def listed_ids(response) -> list:
    """The ids of a 200 list answer's page, in order."""
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def operations(schema: dict):
    """Each operation of an OpenAPI document: (method, path, operation), the method lower case."""
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield method, path, operation


def assert_full_pages_within(client, url: str, page_sizes: tuple[int, ...], *, max_queries: int) -> None:
    """Each `?page_size=` of the list at `url` answers a full page in at most `max_queries` queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for page_size in page_sizes:
        with CaptureQueriesContext(connection) as context:
            response = client.get(url, {"page_size": page_size})
        assert len(context.captured_queries) <= max_queries, [query["sql"] for query in context.captured_queries]
        assert len(response.json()["results"]) == page_size


def created(client, url: str, body: dict) -> dict:
    """POST `body` to `url`, expect a 201 and give back the created object's JSON."""
    response = client.post(url, body)
    assert response.status_code == 201, response.content
    return response.json()


def documented_fields(entity: str) -> set[str]:
    """The fields docs/API.md lists for `entity` (its bullet "- Location: `id`, `name` (optional), ...",
    up to "Filters:"), leaving out the names quoted in parenthesised remarks."""
    contract = (Path(settings.BASE_DIR) / "docs" / "API.md").read_text()
    match = re.search(rf"^- {entity}: (.*?)(?:Filters:|^- |^$)", contract, re.MULTILINE | re.DOTALL)
    assert match, f"docs/API.md lists no {entity}"
    return set(re.findall(r"`(\w+)`", re.sub(r"\([^()]*\)", "", match.group(1))))


def load_check_k8s() -> ModuleType:
    """deploy/check_k8s.py, a script (deploy/ is no package), loaded from its file."""
    path = Path(__file__).resolve().parent.parent / "deploy" / "check_k8s.py"
    spec = importlib.util.spec_from_file_location("check_k8s", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
