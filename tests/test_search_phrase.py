"""`?search=` matches the whole phrase as one case-insensitive substring, in every list (API.md)."""

from decimal import Decimal

import pytest

from accounts.models import Account
from catalog.models import Product
from sprockets.models import Factory, Location

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(item["name"] for item in response.json()["results"])


def product(name: str, description: str = "", sku: str = "") -> Product:
    return Product.objects.create(name=name, description=description, sku=sku or name[:50], price=Decimal("1.00"))


def test_products_match_the_phrase_not_each_word_somewhere(api_client):
    product("Blue product", sku="SKU-1")
    product("Big red product", sku="SKU-2")  # "b" and "product" both occur, but not "b product"
    product("Plain", description="A B PRODUCT for tests", sku="SKU-3")

    assert names(api_client.get("/api/v1/products/", {"search": "b product"})) == ["Plain"]
    assert names(api_client.get("/api/v1/products/", {"search": "  red PRODUCT "})) == ["Big red product"]


def test_percent_and_underscore_are_literal(api_client):
    product("100% cotton", sku="C-1")
    product("1000 cotton", sku="C-2")
    product("snake_case", sku="C-3")
    product("snakeXcase", sku="C-4")

    assert names(api_client.get("/api/v1/products/", {"search": "0% c"})) == ["100% cotton"]
    assert names(api_client.get("/api/v1/products/", {"search": "e_c"})) == ["snake_case"]


def test_a_blank_search_is_no_search(api_client):
    product("One", sku="O-1")
    product("Two", sku="O-2")

    assert names(api_client.get("/api/v1/products/", {"search": "   "})) == ["One", "Two"]


def test_accounts_locations_and_factories_search_the_phrase(user, user_client, admin_client_api):
    Account.objects.create(owner=user, name="Travel money")
    Account.objects.create(owner=user, name="Money for travel")
    assert names(user_client.get("/api/v1/accounts/", {"search": "travel money"})) == ["Travel money"]

    Location.objects.create(
        name="North yard", address_1="1 Main St", city="Oslo", postal_code="0150", country_code="NO"
    )
    Location.objects.create(
        name="Yard north", address_1="2 Main St", city="Oslo", postal_code="0151", country_code="NO"
    )
    assert names(admin_client_api.get("/api/v1/locations/", {"search": "north yard"})) == ["North yard"]

    Factory.objects.create(name="Steel works east")
    Factory.objects.create(name="East steel works")
    assert names(admin_client_api.get("/api/v1/factories/", {"search": "steel works e"})) == ["Steel works east"]


def test_message_search_is_the_phrase_too(user, user_client):
    account = Account.objects.create(owner=user, name="Main")
    for body in ("card was charged", "was charged, card"):
        response = user_client.post(
            "/api/v1/messages/",
            {
                "account": str(account.pk),
                "sender_number": "+14155550123",
                "receiver_number": "+14155550188",
                "body": body,
            },
            format="json",
        )
        assert response.status_code == 201, response.content

    found = user_client.get("/api/v1/messages/", {"search": "card was"}).json()["results"]

    assert [message["body"] for message in found] == ["card was charged"]


def test_a_nul_byte_in_search_is_a_400(api_client):
    assert api_client.get("/api/v1/products/", {"search": "a\x00b"}).status_code == 400


def test_a_repeated_ordering_parameter_is_a_400_not_the_last_value(user_client):
    # Found by schema fuzzing: `?ordering=junk&ordering=` sorted by default and answered 200.
    response = user_client.get("/api/v1/sprocket-types/?ordering=zzz&ordering=")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "ordering"
    assert user_client.get("/api/v1/sprocket-types/?ordering=-teeth,name").status_code == 200
