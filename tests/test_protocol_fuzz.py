"""A protocol-level fuzz, beyond the schema (issue 20): what the OpenAPI document does not describe.

Schema fuzzing (loadtest/scenarios/fuzz.py) sends only bodies the schema describes; this sends every write
route what an attacker would: each body class below under each content type, with the charsets
rotating over them deterministically, as an admin and anonymously, plus methods the route does not
have and overlong header values. For every answer: no 5xx, an error body in the error format
(when JSON), and bounded time and memory (tracemalloc's peak while the request is served).

The routes come from the router's registry and the /auth/ routes (config.api_v1), so a new
resource is fuzzed as soon as it is registered; `FIXTURES` must give it an object for its detail
routes (`test_every_write_route_is_fuzzed` fails until it does).
"""

import functools
import json
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls.resolvers import RegexPattern
from drf_spectacular.generators import SchemaGenerator

from accounts.services import tokens_for_user
from config import api_v1
from tests.accounts.factories import AccountFactory, AdminFactory, UserFactory
from tests.catalog.factories import ProductFactory
from tests.messaging.factories import MessageFactory
from tests.posts.factories import PostFactory
from tests.sprockets.factories import FactoryFactory, LocationFactory, SprocketFactory, SprocketTypeFactory

pytestmark = pytest.mark.django_db

MAX_SECONDS = 2.0
MIB = 1024 * 1024
WRITE_METHODS = ("post", "put", "patch", "delete")
BOUNDARY = "fuzzBOUNDARY"

# One object per resource for its detail routes (created by the admin, or owned by it).
FIXTURES: dict[str, Callable[[Any], Any]] = {
    "user": lambda admin: UserFactory(),
    "account": lambda admin: AccountFactory(owner=admin),
    "product": lambda admin: ProductFactory(),
    "location": lambda admin: LocationFactory(),
    "sprocket-type": lambda admin: SprocketTypeFactory(),
    "factory": lambda admin: FactoryFactory(),
    "sprocket": lambda admin: SprocketFactory(),
    "post": lambda admin: PostFactory(author=admin),
    "message": lambda admin: MessageFactory(account=AccountFactory(owner=admin)),
}


@dataclass(frozen=True)
class Route:
    path: str  # with "{pk}" for a detail route
    methods: tuple[str, ...]
    basename: str | None = None  # the router's, for FIXTURES

    def __str__(self) -> str:
        return self.path


def _router_routes() -> Iterator[Route]:
    router = api_v1.router
    for prefix, viewset, basename in router.registry:
        if "(?P<" in prefix:
            # A nested prefix (accounts/{id}/messages): the same viewset code as a plain one.
            prefix = prefix.split("/(?P<")[0] + "/{parent}/" + prefix.rsplit(")/", 1)[1]
        for route in router.get_routes(viewset):
            if not any(hasattr(viewset, action) for action in route.mapping.values()):
                continue  # a route the viewset does not serve (no retrieve on a list-only viewset)
            methods = tuple(
                method
                for method, action in route.mapping.items()
                if method in WRITE_METHODS and hasattr(viewset, action)
            )
            url = route.url.replace("^", "").replace("$", "").replace("{trailing_slash}", "/")
            url = url.replace("{prefix}", prefix).replace("{lookup}", "{pk}")
            # Read-only routes are still sent wrong methods (test_wrong_methods...).
            yield Route(f"/api/v1/{url}", methods, basename)


def _auth_routes() -> Iterator[Route]:
    for pattern in api_v1.auth_urlpatterns:
        assert isinstance(pattern.pattern, RegexPattern)
        path = pattern.pattern.regex.pattern.strip("^$").replace("/?", "/")
        view_class = pattern.callback.view_class  # type: ignore[attr-defined]
        yield Route(f"/api/v1/{path}", tuple(method for method in WRITE_METHODS if hasattr(view_class, method)))


ALL_ROUTES = [*_auth_routes(), *_router_routes()]
WRITE_ROUTES = [route for route in ALL_ROUTES if route.methods]


# --- bodies -------------------------------------------------------------------------------------
# Each body class gives the bytes for a content type. Field names are every writable field of the
# API, so each route's serializer meets its own fields with the class's values.
@functools.cache
def fields() -> list[str]:
    """Every property of the OpenAPI document's request bodies (a new resource's included), and
    `owner`, which only an admin may set and the document does not show."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    names = {name for key, body in components.items() if key.endswith("Request") for name in body["properties"]}
    return sorted(names | {"owner"})


def _form(pairs: list[tuple[str, str]]) -> bytes:
    from urllib.parse import urlencode

    return urlencode(pairs).encode()


def _multipart(parts: list[tuple[str, bytes, str | None]]) -> bytes:
    chunks = []
    for name, value, filename in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        chunks.append(f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + value + b"\r\n")
    return b"".join(chunks) + f"--{BOUNDARY}--\r\n".encode()


def _deep(kind: str) -> bytes:
    document = b'{"text": ' + b"[" * 1000 + b"]" * 1000 + b"}"
    if kind == "form":
        return b"[" * 1000 + b"]" * 1000  # the JSON-sent-as-a-form check reads it as JSON
    if kind == "multipart":
        return _multipart([("text", document, None)])
    return document


def _many_fields(kind: str) -> bytes:
    names = [f"f{i}" for i in range(3000)]
    if kind == "json":
        return json.dumps(dict.fromkeys(names, "1")).encode()
    if kind == "multipart":
        return _multipart([(name, b"1", None) for name in names[:1500]])
    return _form([(name, "1") for name in names])


def _many_files(kind: str) -> bytes:
    if kind == "multipart":
        return _multipart([(f"file{i}", b"x" * 16, f"f{i}.txt") for i in range(150)] + [("text", b"files", None)])
    if kind == "json":
        return json.dumps({"text": "files", "files": [{"name": f"f{i}.txt"} for i in range(150)]}).encode()
    return _form([("file", f"f{i}.txt") for i in range(150)])


def _values(value_json: str, value_form: str) -> Callable[[str], bytes]:
    def make(kind: str) -> bytes:
        if kind == "json":
            return ("{" + ", ".join(f'"{field}": {value_json}' for field in fields()) + "}").encode()
        if kind == "multipart":
            return _multipart([(field, value_form.encode(), None) for field in fields()])
        return _form([(field, value_form) for field in fields()])

    return make


def _huge_numbers(kind: str) -> bytes:
    return _values("1e400", "1e400")(kind)


def _long_integer(kind: str) -> bytes:
    return _values("9" * 5000, "9" * 5000)(kind)


def _fractional_ids(kind: str) -> bytes:
    return _values("1.9", "1.9")(kind) if kind != "json" else _values("1e0", "1e0")(kind)


def _non_finite(kind: str) -> bytes:
    return _values("NaN", "NaN")(kind) if kind != "json" else b'{"text": Infinity, "teeth": -Infinity, "price": NaN}'


def _invalid_utf8(kind: str) -> bytes:
    if kind == "json":
        return b'{"text": "\xff\xfe\xc3\x28", "name": "\xed\xa0\x80"}'
    if kind == "multipart":
        return _multipart([("text", b"\xff\xfe", None), ("name", b"x", "\xff.txt")])
    return b"text=\xff\xfe&name=%ff%C3%28"


def _bom(kind: str) -> bytes:
    if kind == "multipart":
        return b"\xef\xbb\xbf" + _multipart([("text", b"bom", None)])
    return b"\xef\xbb\xbf" + (b'{"text": "bom"}' if kind == "json" else b"text=bom")


def _duplicate_keys(kind: str) -> bytes:
    if kind == "json":
        return b'{"text": "a", "name": "a", "text": "b", "name": "b", "username": "a", "username": "b"}'
    if kind == "multipart":
        return _multipart([("text", b"a", None), ("text", b"b", None), ("name", b"a", None), ("name", b"b", None)])
    return b"text=a&text=b&name=a&name=b&username=a&username=b"


def _empty(kind: str) -> bytes:
    return b""


SCALARS = [b"5", b'"a string"', b"null", b"true", b"[]", b"-0.0e-0", b'"\\ud800"']


def _scalar(kind: str) -> bytes:
    return SCALARS[len(kind) % len(SCALARS)]


def _plain(kind: str) -> bytes:
    # A harmless body: the header values are the overlong part (HEADER_BOMBS).
    if kind == "multipart":
        return _multipart([("text", b"headers", None)])
    return b'{"text": "headers"}' if kind == "json" else b"text=headers"


BODY_CLASSES: dict[str, Callable[[str], bytes]] = {
    "deep_nesting": _deep,
    "many_fields": _many_fields,
    "many_files": _many_files,
    "huge_numbers": _huge_numbers,
    "long_integer": _long_integer,
    "fractional_ids": _fractional_ids,
    "non_finite": _non_finite,
    "invalid_utf8": _invalid_utf8,
    "bom": _bom,
    "duplicate_keys": _duplicate_keys,
    "empty": _empty,
    "scalar": _scalar,
    "overlong_headers": _plain,
}

CONTENT_TYPES = {
    "json": "application/json",
    "form": "application/x-www-form-urlencoded",
    "multipart": f"multipart/form-data; boundary={BOUNDARY}",
    "text": "text/plain",
    "none": "",
}
CHARSETS = [None, "utf-8", "latin-1", "bz2"]
LONG = "a" * 64 * 1024
HEADER_BOMBS = {
    "HTTP_X_REQUEST_ID": LONG,
    "HTTP_IDEMPOTENCY_KEY": LONG,
    "HTTP_ACCEPT": "application/json; " + LONG,
    "HTTP_ACCEPT_LANGUAGE": LONG,
    "HTTP_IF_NONE_MATCH": '"' + LONG + '"',
    "HTTP_X_FORWARDED_FOR": ",".join(["10.0.0.1"] * 8000),
    "HTTP_COOKIE": "sessionid=" + LONG,
}


def _content_type(kind: str, charset: str | None, body_class: str) -> str:
    content_type = CONTENT_TYPES[kind]
    if body_class == "overlong_headers":
        content_type += "; x=" + LONG
    if charset is not None:
        content_type += f"; charset={charset}"
    return content_type


def combinations(route_index: int, class_index: int) -> list[tuple[str, str | None]]:
    """Every content type, each with one charset; the pairing rotates with the route and the body
    class, so each route sends every content type under every charset across its body classes."""
    return [
        (kind, CHARSETS[(route_index + class_index + offset) % len(CHARSETS)])
        for offset, kind in enumerate(CONTENT_TYPES)
    ]


# --- checks -------------------------------------------------------------------------------------


def check(response: Any, *, seconds: float, peak: int, body: bytes, what: str) -> None:
    assert response.status_code < 500, (what, response.status_code, response.content[:500])
    if response.status_code >= 400 and response.get("Content-Type", "").startswith("application/json"):
        error = response.json()
        assert error["type"] in ("validation_error", "client_error"), (what, error)
        assert error["errors"], (what, error)
        for item in error["errors"]:
            assert set(item) == {"code", "detail", "attr"}, (what, error)
    assert seconds < MAX_SECONDS, (what, seconds)
    # The body itself, its decoded text, the parsed document and the answer, plus the framework's
    # own allocations (the first request of a process imports and caches more).
    bound = 4 * len(body) + 8 * MIB
    assert peak < bound, (what, peak, bound)


@pytest.fixture
def world(db) -> dict[str, Any]:
    admin = AdminFactory.create()
    objects = {basename: make(admin) for basename, make in FIXTURES.items()}
    return {"admin": admin, "token": f"Bearer {tokens_for_user(user=admin)['access']}", "objects": objects}


def concrete(route: Route, world: dict[str, Any]) -> str:
    path = route.path
    if "{pk}" in path:
        assert route.basename is not None
        path = path.replace("{pk}", str(world["objects"][route.basename].pk))
    return path.replace("{parent}", str(world["objects"]["account"].pk))


def send(client: Client, method: str, path: str, body: bytes, content_type: str, extra: dict[str, Any]) -> Any:
    # Rate limits would turn most of the fuzz into 429s before the parsers: each request starts
    # with fresh counters (the limits have their own tests).
    cache.clear()
    return client.generic(method.upper(), path, body, content_type=content_type, **extra)  # type: ignore[arg-type]


def measured(call: Callable[[], Any], *, trace: bool) -> tuple[Any, float, int]:
    """The answer, the seconds it took and, when traced, the peak of memory allocated meanwhile.

    tracemalloc makes a request about six times slower, so a deterministic third of the requests
    is traced (`traced()`), rotating over routes, body classes, content types, methods and identities.
    """
    if trace:
        tracemalloc.start()
    try:
        started = time.perf_counter()
        response = call()
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] if trace else 0
    finally:
        if trace:
            tracemalloc.stop()
    return response, seconds, peak


def traced(*indexes: int) -> bool:
    return sum(indexes) % 3 == 0


def test_every_write_route_is_fuzzed():
    paths = {route.path for route in WRITE_ROUTES}
    assert {"/api/v1/auth/login/", "/api/v1/posts/", "/api/v1/posts/{pk}/", "/api/v1/sprockets/"} <= paths
    for route in WRITE_ROUTES:
        assert "{pk}" not in route.path or route.basename in FIXTURES, f"add {route.basename} to FIXTURES"


@pytest.mark.parametrize("route_index", range(len(WRITE_ROUTES)), ids=[str(route) for route in WRITE_ROUTES])
def test_no_write_route_answers_5xx_to_hostile_bodies(route_index, world):
    route = WRITE_ROUTES[route_index]
    path = concrete(route, world)
    identities = {"admin": {"HTTP_AUTHORIZATION": world["token"]}, "anonymous": {}}
    # Anonymous requests reach the parsers only on the public routes (login, register, refresh,
    # logout); elsewhere they are 401s before the body is read, so one content type per body
    # class (rotating) is enough there and keeps the module fast.
    probe = send(Client(), route.methods[0], path, b"{}", "application/json", {})
    public = probe.status_code != 401
    for class_index, (body_class, make) in enumerate(BODY_CLASSES.items()):
        for position, (kind, charset) in enumerate(combinations(route_index, class_index)):
            body = make(kind)
            content_type = _content_type(kind, charset, body_class)
            for method_index, method in enumerate(route.methods):
                for identity_index, (identity, credentials) in enumerate(identities.items()):
                    if identity == "anonymous" and not public and position != class_index % len(CONTENT_TYPES):
                        continue
                    extra = dict(credentials)
                    if body_class == "overlong_headers":
                        extra = {**HEADER_BOMBS, **extra}
                        if identity == "anonymous":
                            extra["HTTP_AUTHORIZATION"] = "Bearer " + LONG
                    what = f"{method.upper()} {path} {body_class} {content_type[:60]!r} as {identity}"
                    response, seconds, peak = measured(
                        lambda: send(Client(), method, path, body, content_type, extra),  # noqa: B023
                        trace=traced(route_index, class_index, position, method_index, identity_index),
                    )
                    check(response, seconds=seconds, peak=peak, body=body, what=what)


WRONG_METHODS = ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE", "TRACE", "PROPFIND", "CONNECT")


@pytest.mark.parametrize("route", ALL_ROUTES, ids=str)
def test_wrong_methods_are_405_in_the_error_format(route, world):
    path = concrete(route, world)
    allowed = {method.upper() for method in route.methods} | {"GET", "HEAD", "OPTIONS"}
    for method_index, method in enumerate(WRONG_METHODS):
        if method in allowed:
            continue
        for credentials in ({"HTTP_AUTHORIZATION": world["token"]}, {}):
            body = b'{"text": "wrong method"}'
            response, seconds, peak = measured(
                lambda: send(Client(), method, path, body, "application/json", credentials),  # noqa: B023
                trace=traced(method_index, len(credentials)),
            )
            check(response, seconds=seconds, peak=peak, body=body, what=f"{method} {path}")
            if credentials:
                assert response.status_code == 405, (method, path, response.status_code, response.content[:300])


def test_the_body_classes_are_what_they_say():
    # The fuzz can only find what it sends: the bodies are as large and as deep as named.
    assert _deep("json").count(b"[") == 1000
    assert _many_fields("form").count(b"&") + 1 > settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    assert _many_files("multipart").count(b"filename=") > settings.DATA_UPLOAD_MAX_NUMBER_FILES
    assert _bom("json").startswith(b"\xef\xbb\xbf")
    assert {charset for route in range(4) for _, charset in combinations(route, 0)} == set(CHARSETS)


def test_bodies_name_the_writable_fields_of_every_kind_of_route():
    # fields() is read from the OpenAPI document: an empty or partial list would fuzz nothing.
    assert {"text", "address_1", "teeth", "price", "currency", "body", "password", "refresh", "owner"} <= set(fields())
