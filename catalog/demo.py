"""Demo products across a few categories, created by the service. Idempotent: a product is found again by its SKU."""

from decimal import Decimal
from typing import Any

from .models import Product
from .services import product_create

_CATALOG: dict[str, list[tuple[str, str, int]]] = {
    "Tools": [
        ("Claw hammer", "16.90", 42),
        ("Torque wrench", "89.00", 7),
        ("Screwdriver set", "24.50", 0),
        ("Cordless drill", "129.99", 12),
        ("Spirit level 60 cm", "19.95", 30),
        ("Utility knife", "7.49", 150),
    ],
    "Garden": [
        ("Garden hose 25 m", "34.00", 18),
        ("Pruning shears", "21.75", 25),
        ("Watering can", "12.00", 0),
        ("Compost bin", "59.90", 4),
        ("Rake", "15.30", 11),
    ],
    "Kitchen": [
        ("Chef's knife", "69.00", 9),
        ("Cast iron skillet", "45.00", 14),
        ("Espresso cups (set of 4)", "18.00", 33),
        ("Cutting board", "22.40", 0),
        ("Salt & pepper mills", "27.80", 20),
        ("100% cotton tea towel", "5.99", 200),
    ],
    "Electronics": [
        ("USB-C cable 2 m", "9.99", 300),
        ("Wireless mouse", "24.99", 45),
        ("Mechanical keyboard", "99.00", 8),
        ("27in monitor", "249.00", 3),
        ("Noise-cancelling headphones", "199.00", 0),
    ],
    "Books": [
        ("Two Scoops of Django", "39.95", 16),
        ("The Pragmatic Programmer", "42.00", 10),
        ("Designing Data-Intensive Applications", "49.99", 6),
        ("Refactoring", "47.50", 0),
    ],
    "Sprockets": [
        ("Sprocket 15T steel", "3.20", 500),
        ("Sprocket 32T aluminium", "8.75", 120),
        ("Sprocket 48T hardened", "14.10", 0),
        ("Chain 1/2in x 1/8in", "11.60", 75),
    ],
}


def _sku(category: str, index: int) -> str:
    return f"DEMO-{category[:4].upper()}-{index:03d}"


def seed(*, stdout: Any, users: dict[str, Any]) -> None:
    existing = set(Product.objects.alive().filter(sku__startswith="DEMO-").values_list("sku", flat=True))
    created = 0
    for category, items in _CATALOG.items():
        for index, (name, price, stock) in enumerate(items, start=1):
            sku = _sku(category, index)
            if sku in existing:
                continue
            product_create(
                name=name,
                price=Decimal(price),
                sku=sku,
                stock=stock,
                category=category,
                description=f"{name} from the {category.lower()} range.",
            )
            created += 1
    total = sum(len(items) for items in _CATALOG.values())
    stdout.write(f"  catalog: {total} demo products ({created} new)\n")
