"""OpenAPI for the catalog: each operation's summary, description and examples (views.py applies
them with `config.api.openapi.documented`)."""

from drf_spectacular.utils import OpenApiExample, extend_schema

# The OpenAPI tags of this app's operations, in order (collected by config.api.openapi.postprocess_tags).
TAGS = [
    {
        "name": "Products",
        "description": "The product catalog: anyone reads it, admins maintain it.",
    },
]


PRODUCT = {
    "id": "0b6f4c1a-9e2d-4f83-a7c5-3d1e8b2f6a90",
    "name": "Chain breaker tool",
    "description": "Breaks and joins roller chains up to 1 inch pitch.",
    "price": "49.99",
    "stock": 120,
    "category": "Tools",
    "sku": "TOOL-CB-100",
    "created_at": "2025-03-14T10:00:00Z",
    "updated_at": "2025-03-14T10:00:00Z",
}
CACHED_READS = "Answers carry an `ETag`: send it back in `If-None-Match` to get an empty 304 while nothing changed."

PRODUCTS = {
    "list": extend_schema(
        description=(
            "The catalog, newest first unless `ordering` says otherwise; public, no token needed. Filter by "
            "`name` (substring), `category` (exact, any case), `min_price` and `max_price` (inclusive) and "
            "`in_stock`; `search` looks in the name, description and SKU. " + CACHED_READS
        ),
        examples=[OpenApiExample("A page of products", response_only=True, status_codes=["200"], value=PRODUCT)],
    ),
    "retrieve": extend_schema(
        description="One product; public, no token needed. A deleted product is a 404. " + CACHED_READS
    ),
    "create": extend_schema(
        description=(
            "Admin only. Adds a product; the SKU must be unique among products that are not deleted. "
            "`stock` defaults to 0, `description` and `category` to empty."
        ),
        examples=[
            OpenApiExample(
                "New product",
                request_only=True,
                value={key: PRODUCT[key] for key in ("name", "description", "price", "stock", "category", "sku")},
            ),
            OpenApiExample("Created", response_only=True, status_codes=["201"], value=PRODUCT),
        ],
    ),
    "update": extend_schema(
        description=(
            "Admin only. Full replacement: `description`, `category` and `stock` left out return to their defaults."
        )
    ),
    "partial_update": extend_schema(description="Admin only. Changes the fields sent; the others keep their values."),
    "destroy": extend_schema(
        description="Admin only. A soft delete: the product disappears from the catalog and its SKU is free again."
    ),
}
