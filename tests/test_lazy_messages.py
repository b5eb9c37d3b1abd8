"""config.api.middleware.MessageMiddleware: Django's messages, the storage built only when used."""

from typing import Any
from unittest import mock

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.contrib.messages.middleware import MessageMiddleware as DjangoMessageMiddleware
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from config.api.middleware import MessageMiddleware


def _adds_a_message(request: HttpRequest) -> HttpResponse:
    messages.info(request, "Saved.")
    return HttpResponse("ok")


def _reads_messages(request: HttpRequest) -> HttpResponse:
    return HttpResponse(" | ".join(str(message) for message in get_messages(request)))


def _answer(message_middleware: type, view: Any, request: HttpRequest) -> HttpResponse:
    response = SessionMiddleware(message_middleware(view))(request)
    assert isinstance(response, HttpResponse)
    return response


@pytest.mark.django_db
def test_an_api_request_builds_no_message_storage(api_client):
    with mock.patch.object(FallbackStorage, "__init__", autospec=True, side_effect=FallbackStorage.__init__) as built:
        assert api_client.get("/health/").status_code == 200
        assert api_client.get("/api/v1/products/").status_code == 200
    built.assert_not_called()


@pytest.mark.django_db
@pytest.mark.parametrize("message_middleware", [DjangoMessageMiddleware, MessageMiddleware])
def test_a_message_is_stored_and_read_back_as_with_django_s(message_middleware):
    factory = RequestFactory()
    added = _answer(message_middleware, _adds_a_message, factory.get("/admin/"))
    assert "messages" in added.cookies  # the cookie storage keeps it for the next request
    reading = factory.get("/admin/")
    reading.COOKIES["messages"] = added.cookies["messages"].value
    read = _answer(message_middleware, _reads_messages, reading)
    assert read.content == b"Saved."
    assert read.cookies["messages"].value == ""  # read once, then cleared


@pytest.mark.django_db
def test_the_admin_still_says_what_it_saved(admin_client):
    response = admin_client.post("/admin/posts/post/add/", {"text": "Hello from the admin"}, follow=True)
    assert response.status_code == 200
    assert response.content.decode().count("was added successfully") == 1  # the message, shown once
