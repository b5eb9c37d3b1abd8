"""The catalog service (PostgreSQL): `users` and `products`.

Its users: string UUID ids (kept as ours when free), `role` as SQLAlchemy stored its enum (the
names `ADMIN`/`USER`; lower case read too), bcrypt `hashed_password`, `is_active`, `is_deleted`
(a soft delete: imported as our soft delete, at the row's `updated_at`). Its products: `sku`
unique there even among deleted rows; here only among living ones, so a deleted product always
imports, and a living one whose SKU a living product of ours already has is skipped.
"""

from decimal import Decimal
from typing import Any

from accounts.models import Role
from catalog.caching import product_cache_invalidate
from catalog.models import Product

from ..importing import Imported, Row, Run, Skipped, Table, as_uuid, aware, check
from .users import LegacyUser, users_table

SOURCE = "catalog-service"


def _role(value: Any) -> str | None:
    text = str(getattr(value, "value", value) or "").lower()
    return text if text in Role.values else None


def _person(row: Row) -> LegacyUser | Skipped:
    role = _role(row["role"])
    if role is None:
        return Skipped(f"role: {row['role']!r} is neither admin nor user")
    deleted = bool(row["is_deleted"])
    return LegacyUser(
        legacy_id=row["id"],
        email=row["email"] or "",
        username=row["username"] or "",
        password=row["hashed_password"] or "",
        role=role,
        is_active=bool(row["is_active"]),
        deleted_at=(aware(row["updated_at"]) or aware(row["created_at"])) if deleted else None,
        date_joined=aware(row["created_at"]),
    )


def tables(run: Run) -> list[Table]:
    living_skus: set[str] = set()

    def convert_products(rows: list[Row]) -> list[Any]:
        alive_skus = [row["sku"] for row in rows if not row["is_deleted"] and row["sku"]]
        taken = set(Product.objects.alive().filter(sku__in=alive_skus).values_list("sku", flat=True))
        wanted = [key for key in (as_uuid(row["id"]) for row in rows) if key is not None]
        used_ids = set(Product.objects.filter(pk__in=wanted).values_list("pk", flat=True))
        outcomes: list[Any] = []
        for row in rows:
            deleted = bool(row["is_deleted"])
            sku = row["sku"] or ""
            if not deleted and (sku in taken or sku in living_skus):
                outcomes.append(Skipped("sku: a living product with this SKU already exists"))
                continue
            created, updated = aware(row["created_at"]), aware(row["updated_at"])
            product = Product(
                name=row["name"] or "",
                description=row["description"] or "",
                price=row["price"] if row["price"] is not None else Decimal("0.00"),
                stock=row["stock"] if row["stock"] is not None else 0,
                category=row["category"] or "",
                sku=sku,
                deleted_at=(updated or created) if deleted else None,
            )
            # The predecessor's id when it is a UUID no row here has: links to /products/{id} keep working.
            legacy_pk = as_uuid(row["id"])
            if legacy_pk is not None and legacy_pk not in used_ids:
                product.pk = legacy_pk
            problem = check(product)
            if problem is not None:
                outcomes.append(problem)
                continue
            if not deleted:
                living_skus.add(sku)
            times = {name: value for name, value in (("created_at", created), ("updated_at", updated)) if value}
            outcomes.append(Imported(product, times=times))
        return outcomes

    return [
        users_table(_person),
        Table(
            name="products",
            model=Product,
            convert=convert_products,
            keep_ids=False,
            after_write=lambda instances: product_cache_invalidate(),
        ),
    ]
