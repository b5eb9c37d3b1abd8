"""Free text beside a name is bounded (API.md: no answer exceeds 8 MiB): an account's and a product's
description are at most 10,000 characters, without control characters other than tab, newline and
carriage return; either is a 400 naming `description`, and nothing is written."""

import pytest

from accounts.models import Account
from catalog.models import Product
from config.api.validators import DESCRIPTION_MAX_LENGTH
from tests.helpers import assert_error_shape

pytestmark = pytest.mark.django_db

PRODUCT = {"name": "Gear", "price": "1.00", "stock": 1, "sku": "GEAR-1"}


@pytest.mark.parametrize("body_format", ["json", "multipart"])
def test_an_account_description_over_the_limit_is_a_400(user_client, body_format):
    body = {"name": "Main", "description": "d" * (DESCRIPTION_MAX_LENGTH + 1)}
    response = user_client.post("/api/v1/accounts/", body, format=body_format)
    assert_error_shape(response, 400, attr="description")
    assert not Account.objects.exists()


def test_an_account_description_at_the_limit_is_kept(user_client):
    body = {"name": "Main", "description": "d" * DESCRIPTION_MAX_LENGTH}
    response = user_client.post("/api/v1/accounts/", body, format="json")
    assert response.status_code == 201, response.content
    assert len(Account.objects.get().description) == DESCRIPTION_MAX_LENGTH


def test_control_characters_in_an_account_description_are_a_400(user_client):
    response = user_client.post("/api/v1/accounts/", {"name": "Main", "description": "a\u0001b"}, format="json")
    assert_error_shape(response, 400, attr="description", code="control_characters_not_allowed")
    assert not Account.objects.exists()


def test_tab_newline_and_carriage_return_stay_allowed(user_client):
    response = user_client.post("/api/v1/accounts/", {"name": "Main", "description": "a\tb\r\nc"}, format="json")
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    "description", ["p" * (DESCRIPTION_MAX_LENGTH + 1), "bell\u0007"], ids=["too-long", "control-character"]
)
def test_a_product_description_is_bounded_too(admin_client_api, description):
    response = admin_client_api.post("/api/v1/products/", {**PRODUCT, "description": description}, format="json")
    assert_error_shape(response, 400, attr="description")
    assert not Product.objects.exists()
