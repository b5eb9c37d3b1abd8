"""The browsable API's pages as a browser shows them under our Content-Security-Policy."""

import html as html_lib
import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

LOGOUT_FORM = re.compile(r'<form(?=[^>]*id="logout-form")([^>]*)>(.*?)</form>', re.S)


@pytest.fixture
def signed_in(admin_user) -> Client:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin_user)
    return browser


def test_log_out_is_a_form_with_a_button_and_no_inline_script(signed_in, admin_user):
    html = signed_in.get("/api/v1/products/", HTTP_ACCEPT="text/html").content.decode()

    # `script-src 'self'` blocks inline handlers: DRF's `onclick` link did nothing.
    assert "onclick=" not in html
    form = LOGOUT_FORM.search(html)
    assert form is not None, "no logout form"
    assert 'method="post"' in form.group(1)
    assert 'action="/api-auth/logout/' in form.group(1)
    assert 'name="csrfmiddlewaretoken"' in form.group(2)
    assert re.search(r'<button[^>]*type="submit"[^>]*>\s*Log out\s*</button>', form.group(2))
    assert admin_user.username in html


def test_the_log_out_form_signs_the_session_out(signed_in):
    html = signed_in.get("/api/v1/products/", HTTP_ACCEPT="text/html").content.decode()
    form = LOGOUT_FORM.search(html)
    assert form is not None
    action = re.search(r'action="([^"]+)"', form.group(1))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(2))
    assert action is not None
    assert token is not None

    answer = signed_in.post(html_lib.unescape(action.group(1)), {"csrfmiddlewaretoken": token.group(1)})

    assert answer.status_code == 302
    assert answer["Location"] == "/api/v1/products/"
    assert "_auth_user_id" not in signed_in.session


def test_anonymous_visitors_see_no_log_out_form():
    html = Client().get("/api/v1/products/", HTTP_ACCEPT="text/html").content.decode()

    assert LOGOUT_FORM.search(html) is None
    assert "Log in" in html


def _breadcrumbs(html: str) -> list[tuple[str, str]]:
    crumbs = re.search(r'<ul class="breadcrumb">(.*?)</ul>', html, re.S)
    assert crumbs is not None
    return [(name.strip(), href) for href, name in re.findall(r'<a href="([^"]*)">([^<]*)</a>', crumbs.group(1))]


@pytest.mark.parametrize("path", ["/api/v1/products/", "/api/v1/products"])
def test_the_breadcrumbs_name_the_api_root_once(path):
    html = Client().get(path, HTTP_ACCEPT="text/html").content.decode()

    # The root answers at /api/v1 and /api/v1/: one crumb, not "Public Api Root / Public Api Root".
    assert [name for name, _ in _breadcrumbs(html)] == ["Public Api Root", "Product List"]
    assert _breadcrumbs(html)[0][1] == "/api/v1/"


@pytest.mark.parametrize("path", ["/api/v1/", "/api/v1"])
def test_the_api_roots_breadcrumb_is_one_crumb(path):
    html = Client().get(path, HTTP_ACCEPT="text/html").content.decode()

    assert [name for name, _ in _breadcrumbs(html)] == ["Public Api Root"]


def test_view_descriptions_are_rendered_from_markdown(user_client):
    html = user_client.get("/api/v1/factories/", HTTP_ACCEPT="text/html").content.decode()
    description = re.search(r'<div class="pull-left">(.*?)</div>', html, re.S)
    assert description is not None

    # The docstring's `?with_chart_data=true` is code, not raw backticks.
    assert "<code>?with_chart_data=true</code>" in description.group(1)
    assert "`" not in description.group(1)
    assert "<p>" in description.group(1)
