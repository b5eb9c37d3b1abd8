"""`/` is a small landing page that leads to the docs, the browsable API and the admin."""

import re

import pytest
from django.contrib import admin
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_landing_page_links_the_docs_the_browsable_api_and_the_admin():
    response = Client().get("/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    links = re.findall(r'href="([^"]+)"', response.content.decode())
    for expected in ("/api/v1/docs/", "/api/v1/redoc/", "/api/v1/", "/admin/", "/api/v1/schema/"):
        assert any(link.rstrip("/") == expected.rstrip("/") for link in links), (expected, links)


def test_every_landing_link_answers():
    browser = Client()
    links = re.findall(r'href="([^"]+)"', browser.get("/").content.decode())

    for link in links:
        response = browser.get(link, follow=True)
        assert response.status_code == 200, (link, response.status_code)


def test_the_admins_view_site_link_is_the_landing_page():
    assert admin.site.site_url == "/"


def test_the_browsable_api_offers_a_log_in_link_to_anonymous_visitors():
    response = Client().get("/api/v1/", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    html = response.content.decode()
    assert "href='/api-auth/login/?next=/api/v1/'" in html
    assert "/api/v1/products" in html


def test_signing_in_through_the_browsable_api_signs_in_the_session(admin_user):
    admin_user.set_password("a-Strong-passphrase-9")
    admin_user.save()
    browser = Client()
    login_page = browser.get("/api-auth/login/")
    assert login_page.status_code == 200

    signed_in = browser.post(
        "/api-auth/login/",
        {"username": admin_user.username, "password": "a-Strong-passphrase-9", "next": "/api/v1/locations/"},
    )

    assert signed_in.status_code == 302
    assert browser.get("/api/v1/locations/", HTTP_ACCEPT="application/json").status_code == 200


def test_the_favicon_is_served():
    # Every browser asks for it on every page: a 404 there is a console error on each.
    response = Client().get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert "max-age" in response["Cache-Control"]


def test_the_admin_is_branded_with_the_services_name(staff):
    assert admin.site.site_header == "Unified service administration"
    assert admin.site.site_title == "Unified service admin"
    assert admin.site.index_title == "Unified service"
    page = staff.get("/admin/").content.decode()
    assert '<a href="/admin/">Unified service administration</a>' in page
    assert "<title>Unified service | Unified service admin</title>" in page
    assert "Django administration" not in Client().get("/admin/login/").content.decode()
