import pytest


@pytest.fixture
def product_payload() -> dict:
    return {
        "name": "Torque wrench",
        "description": "Half-inch drive",
        "price": "89.90",
        "stock": 7,
        "category": "Tools",
        "sku": "TW-001",
    }
