"""Products of the public catalog. Deleting is soft: the row stays, its SKU becomes free again."""

import uuid
from decimal import Decimal

from django.core.validators import MaxLengthValidator, MaxValueValidator, MinLengthValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper

from config.api.models import TimestampedModel
from config.api.search import WalkFirstQuerySet
from config.api.validators import DESCRIPTION_MAX_LENGTH, validate_no_control_characters

# PostgreSQL `integer`: a bigger stock must be a 400, not a database error.
STOCK_MAX = 2_147_483_647
PRICE_MAX_DIGITS = 10
PRICE_DECIMAL_PLACES = 2

ALIVE = Q(deleted_at__isnull=True)


class ProductQuerySet(WalkFirstQuerySet["Product"]):
    """A search's pages are read from the list's first rows when those hold them (config/api/search.py)."""

    def alive(self) -> "ProductQuerySet":
        return self.filter(ALIVE)


class Product(TimestampedModel):
    """A product for sale. `sku` is unique among products that are not deleted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=255, validators=[MinLengthValidator(1)])
    description = models.TextField(
        blank=True,
        default="",
        validators=[MaxLengthValidator(DESCRIPTION_MAX_LENGTH), validate_no_control_characters],
    )
    price = models.DecimalField(
        max_digits=PRICE_MAX_DIGITS,
        decimal_places=PRICE_DECIMAL_PLACES,
        validators=[MinValueValidator(Decimal("0"))],
    )
    stock = models.IntegerField(default=0, validators=[MinValueValidator(0), MaxValueValidator(STOCK_MAX)])
    category = models.CharField(max_length=100, blank=True, default="")
    # Uniqueness among living products is the conditional constraint below.
    sku = models.CharField("SKU", max_length=50, validators=[MinLengthValidator(1)])
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sku"],
                condition=ALIVE,
                name="catalog_product_sku_unique_alive",
                violation_error_message="A product with this SKU already exists.",
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="catalog_product_price_non_negative"),
            models.CheckConstraint(condition=Q(stock__gte=0), name="catalog_product_stock_non_negative"),
            models.CheckConstraint(condition=~Q(name=""), name="catalog_product_name_not_blank"),
            models.CheckConstraint(condition=~Q(sku=""), name="catalog_product_sku_not_blank"),
        ]
        # The public list only ever reads living products: partial indexes for the default order,
        # the other orderings and the case-insensitive category filter.
        indexes = [
            models.Index(fields=["-created_at", "-id"], condition=ALIVE, name="catalog_prod_alive_created"),
            models.Index(fields=["price", "id"], condition=ALIVE, name="catalog_prod_alive_price"),
            models.Index(fields=["name", "id"], condition=ALIVE, name="catalog_prod_alive_name"),
            models.Index(fields=["stock", "id"], condition=ALIVE, name="catalog_prod_alive_stock"),
            models.Index(Upper("category"), condition=ALIVE, name="catalog_prod_alive_category_ci"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None
