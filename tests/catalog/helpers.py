"""Request helpers shared by the catalog tests."""

from typing import Any

from rest_framework.test import APIClient

PRODUCTS_URL = "/api/v1/products/"


def detail_url(product_id: object) -> str:
    return f"{PRODUCTS_URL}{product_id}/"


def listed(client: APIClient, **params: Any) -> list[dict]:
    """The `results` of one list request (asserting it succeeded)."""
    response = client.get(PRODUCTS_URL, params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def listed_skus(client: APIClient, **params: Any) -> list[str]:
    return [item["sku"] for item in listed(client, **params)]
