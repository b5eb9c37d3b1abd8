"""Browser-facing hardening: the admin login's brute-force limits and the security headers."""

import re
from typing import Any

import pytest
from csp.constants import NONCE, SELF
from csp.decorators import csp_exempt, csp_replace, csp_update
from csp.exceptions import CSPNonceError
from csp.middleware import CSPMiddleware as LibraryCSPMiddleware
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings

from config.api.middleware import CSPMiddleware
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = "/admin/login/"


def admin_login(client: Client, username: str, password: str = "wrong-password-1", ip: str = "10.9.0.1"):
    return client.post(ADMIN_LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_the_sixth_admin_login_attempt_for_one_username_is_429_even_with_the_right_password() -> None:
    staff = UserFactory(role="admin")
    client = Client()
    for attempt in range(5):
        answer = admin_login(client, str(staff.username), ip=f"10.9.1.{attempt}")
        assert answer.status_code == 200  # the form again, with its error
    refused = admin_login(client, str(staff.username), password=DEFAULT_PASSWORD, ip="10.9.1.99")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert b"Too many login attempts" in refused.content


def test_admin_and_api_logins_share_the_username_budget() -> None:
    staff = UserFactory(role="admin")
    client = Client()
    for attempt in range(5):
        admin_login(client, str(staff.username), ip=f"10.9.2.{attempt}")
    api_answer = client.post(
        "/api/v1/auth/login/",
        {"username": staff.username, "password": DEFAULT_PASSWORD},
        content_type="application/json",
        REMOTE_ADDR="10.9.2.99",
    )
    assert api_answer.status_code == 429


def test_the_admin_login_page_itself_is_not_counted() -> None:
    client = Client()
    for _ in range(30):
        assert client.get(ADMIN_LOGIN).status_code == 200


def test_a_correct_admin_login_still_signs_in() -> None:
    staff = UserFactory(role="admin")
    answer = admin_login(Client(), str(staff.username), password=DEFAULT_PASSWORD)
    assert answer.status_code == 302


@pytest.mark.parametrize("path", ["/", "/api/v1/docs/", "/api/v1/redoc/", "/admin/login/", "/api/v1/"])
def test_html_pages_carry_the_security_headers(path: str) -> None:
    answer = Client().get(path, HTTP_ACCEPT="text/html")
    assert answer.status_code == 200
    policy = answer["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert "frame-ancestors 'none'" in policy
    assert answer["X-Frame-Options"] == "DENY"
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert answer["Referrer-Policy"] == "same-origin"


def test_swagger_ui_has_no_inline_script_for_the_policy_to_block() -> None:
    page = Client().get("/api/v1/docs/").content.decode()
    assert "<script>" not in page
    assert "?script" in page  # the initialiser, served as a script of its own
    script = Client().get("/api/v1/docs/?script")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


# --- config.api.middleware.CSPMiddleware: the library's headers, built once ----------------------
def csp_headers(middleware_class: type, *, decorate=None, nonce: bool = False, path: str = "/health/") -> dict:
    request = RequestFactory().get(path)

    def view(request):
        if nonce:
            str(request.csp_nonce)
        response = HttpResponse("ok")
        return decorate(lambda request: response)(request) if decorate else response

    response = middleware_class(view)(request)
    return {
        name: response[name]
        for name in ("Content-Security-Policy", "Content-Security-Policy-Report-Only")
        if name in response
    }


@pytest.mark.parametrize(
    ("decorate", "nonce"),
    [
        (None, False),
        (None, True),
        (csp_update({"img-src": ["https://cdn.example.com"]}), False),
        (csp_replace({"script-src": ["'none'"]}), False),
        (csp_exempt(), False),
    ],
    ids=["site policy", "nonce used", "csp_update", "csp_replace", "csp_exempt"],
)
def test_the_built_once_policy_gives_the_library_s_headers(decorate, nonce) -> None:
    ours = csp_headers(CSPMiddleware, decorate=decorate, nonce=nonce)

    assert ours == csp_headers(LibraryCSPMiddleware, decorate=decorate, nonce=nonce)
    if decorate is None and not nonce:
        assert "default-src 'self'" in ours["Content-Security-Policy"].split("; ")


@override_settings(
    CONTENT_SECURITY_POLICY_REPORT_ONLY={"DIRECTIVES": {"default-src": ["'none'"]}, "EXCLUDE_URL_PREFIXES": ["/admin"]}
)
def test_a_report_only_policy_and_its_excluded_prefixes_match_the_library_s() -> None:
    for path in ("/health/", "/admin/login/"):
        assert csp_headers(CSPMiddleware, path=path) == csp_headers(LibraryCSPMiddleware, path=path)
    assert "Content-Security-Policy-Report-Only" in csp_headers(CSPMiddleware)
    assert "Content-Security-Policy-Report-Only" not in csp_headers(CSPMiddleware, path="/admin/login/")


@override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": [SELF], "script-src": [SELF, NONCE]}})
@pytest.mark.parametrize("nonce", [False, True], ids=["nonce unused", "nonce used"])
def test_a_policy_with_a_nonce_gives_the_library_s_headers(nonce) -> None:
    def without_nonce_value(headers: dict) -> dict:  # a nonce is random per request
        return {name: re.sub(r"'nonce-[^']+'", "'nonce-N'", value) for name, value in headers.items()}

    ours = csp_headers(CSPMiddleware, nonce=nonce)

    assert without_nonce_value(ours) == without_nonce_value(csp_headers(LibraryCSPMiddleware, nonce=nonce))
    assert ("'nonce-" in ours["Content-Security-Policy"]) is nonce


@override_settings(DEBUG=True)
def test_django_s_debug_404_page_is_left_alone_as_the_library_does() -> None:
    def debug_404(middleware_class: type) -> HttpResponse:
        return middleware_class(lambda request: HttpResponse("missing", status=404))(RequestFactory().get("/nowhere/"))

    assert "Content-Security-Policy" not in debug_404(CSPMiddleware)
    assert "Content-Security-Policy" not in debug_404(LibraryCSPMiddleware)


def test_a_nonce_asked_for_after_the_header_is_written_is_an_error() -> None:
    request = RequestFactory().get("/health/")
    CSPMiddleware(lambda request: HttpResponse("ok"))(request)

    with pytest.raises(CSPNonceError):
        str(getattr(request, "csp_nonce"))  # noqa: B009 - the attribute is the middleware's, not the type's


# --- Every answer carries the same headers: the early refusals included (issue 20) ----------------
# What differs between two answers by nature: their body, its validator and the methods of the route.
_PER_ANSWER = {"content-length", "content-type", "etag", "allow", "x-request-id"}


def _comparable(answer: Any) -> dict[str, object]:
    """The answer's headers but those per answer; `Vary` as a set, without `Accept` (a negotiated answer's)."""
    headers: dict[str, object] = {
        name.lower(): value for name, value in answer.headers.items() if name.lower() not in _PER_ANSWER
    }
    headers["vary"] = {name.strip().lower() for name in str(headers.get("vary", "")).split(",")} - {"accept", ""}
    return headers


def _refusals(client: Client) -> dict[str, Any]:
    origin: dict[str, Any] = {"HTTP_ORIGIN": "https://app.example"}
    return {
        "413": client.post(
            "/api/v1/auth/login/", b"{}", content_type="application/json", CONTENT_LENGTH=str(9 * 1024 * 1024), **origin
        ),
        "414": client.get("/api/v1/products/?search=" + "a" * 5000, **origin),
        "415": client.post("/api/v1/auth/login/", b"{}", content_type="application/json; charset=latin-1", **origin),
        "400 Content-Length": client.post(
            "/api/v1/auth/login/", b"{}", content_type="application/json", CONTENT_LENGTH="junk", **origin
        ),
    }


@override_settings(CORS_ALLOWED_ORIGINS=["https://app.example"])
def test_the_413_414_and_415_carry_the_same_headers_as_a_200() -> None:
    client = Client()
    normal = client.get("/health/", HTTP_ORIGIN="https://app.example")
    assert normal.status_code == 200
    expected = _comparable(normal)
    assert {"content-security-policy", "x-frame-options", "x-content-type-options", "referrer-policy"} <= set(expected)
    assert {"cache-control", "vary", "access-control-allow-origin"} <= set(expected)

    for status, answer in _refusals(client).items():
        assert str(answer.status_code) == status.split()[0]
        assert _comparable(answer) == expected, status
