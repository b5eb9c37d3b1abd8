"""Shape of a product. Rules (SKU uniqueness, soft delete) live in catalog/services.py."""

from decimal import Decimal

from rest_framework import serializers

from catalog.models import PRICE_DECIMAL_PLACES, PRICE_MAX_DIGITS, STOCK_MAX, Product
from config.api.serializers import DecimalField, FullReplacementMixin


class ProductSerializer(FullReplacementMixin):
    """PUT is a full replacement: `description`, `category` and `stock` left out return to their defaults."""

    name = serializers.CharField(min_length=1, max_length=255)
    sku = serializers.CharField(min_length=1, max_length=50, help_text="Unique among products that are not deleted.")
    category = serializers.CharField(max_length=100, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    # Decimals travel as strings ("49.99") in lists and details alike.
    price = DecimalField(max_digits=PRICE_MAX_DIGITS, decimal_places=PRICE_DECIMAL_PLACES, coerce_to_string=True)
    stock = serializers.IntegerField(min_value=0, max_value=STOCK_MAX, required=False)

    def validate_price(self, value: Decimal) -> Decimal:
        # "-0" passes "price >= 0" but would be echoed as "-0.00"; the database stores plain zero.
        return value.copy_abs() if value.is_zero() else value

    class Meta:
        model = Product
        fields = ["id", "name", "description", "price", "stock", "category", "sku", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
