"""With or without the trailing slash, a list is one resource: same body, same links."""

import pytest

from tests.accounts.factories import AccountFactory
from tests.catalog.factories import ProductFactory
from tests.messaging.factories import MessageFactory

pytestmark = pytest.mark.django_db


def test_links_carry_the_slash_whichever_spelling_was_asked(api_client):
    ProductFactory.create_batch(3)
    without = api_client.get("/api/v1/products?page_size=1&page=2").json()
    with_slash = api_client.get("/api/v1/products/?page_size=1&page=2").json()
    assert without == with_slash
    assert without["next"].startswith("http://testserver/api/v1/products/?")
    assert without["previous"].startswith("http://testserver/api/v1/products/?")


def test_cursor_links_carry_the_slash(user_client, user):
    account = AccountFactory.create(owner=user)
    MessageFactory.create_batch(3, account=account)
    body = user_client.get("/api/v1/messages?page_size=1").json()
    assert body["next"].startswith("http://testserver/api/v1/messages/?")
    assert user_client.get(body["next"]).status_code == 200
