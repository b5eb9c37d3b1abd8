"""The catalog service's import, from its PostgreSQL database made from fixtures/catalog_service.sql."""

from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from rest_framework.test import APIClient

from accounts.models import Role, User
from catalog.models import Product
from config.settings import base
from legacy.models import LegacyRecord
from tests.accounts.factories import UserFactory
from tests.catalog.factories import ProductFactory
from tests.legacy import helpers
from tests.legacy.helpers import counts, rechecked, skips

pytestmark = [pytest.mark.django_db, pytest.mark.postgres(reason="the catalog service's database is PostgreSQL")]


@pytest.fixture
def catalog_url(postgres_source: Callable[[str], str]) -> str:
    return postgres_source("catalog")


@pytest.fixture
def here_before() -> None:
    """What the new service already holds: a user with erin's email, a user named "taken", two SKUs."""
    UserFactory(username="erin", email="erin@example.com")
    UserFactory(username="taken", email="someone-else@example.com")
    ProductFactory(sku="DUP-1")
    ProductFactory(sku="DUP-2")


def run_import(url: str, tmp_path: Path, *extra: str) -> dict:
    return helpers.run_import("catalog-service", url, tmp_path, *extra)


def test_every_row_is_accounted_for(catalog_url: str, here_before: None, tmp_path: Path) -> None:
    report = run_import(catalog_url, tmp_path)

    # (read, imported, merged, skipped); nothing was there before, so nothing unchanged or changed
    assert counts(report) == {"users": (10, 6, 1, 3), "products": (8, 4, 0, 4)}
    assert rechecked(report) == {"users": (0, 0), "products": (0, 0)}
    skipped_users = skips(report, "users")
    assert "username" in skipped_users["66666666-6666-4666-8666-666666666666"]
    assert "email" in skipped_users["77777777-7777-4777-8777-777777777777"]
    assert "'taken' is taken" in skipped_users["88888888-8888-4888-8888-888888888888"]
    skipped_products = skips(report, "products")
    assert skipped_products["c0000000-0000-4000-8000-000000000004"].startswith("price:")
    assert skipped_products["c0000000-0000-4000-8000-000000000005"].startswith("stock:")
    assert skipped_products["c0000000-0000-4000-8000-000000000006"].startswith("name:")
    assert "SKU already exists" in skipped_products["c0000000-0000-4000-8000-000000000007"]
    assert "skipped 1: sku: a living product with this SKU already exists" in report["printed"]


def test_users_keep_roles_states_and_ids(catalog_url: str, here_before: None, tmp_path: Path) -> None:
    run_import(catalog_url, tmp_path)

    bob = User.objects.get(username="bob")
    assert (bob.role, bob.is_staff, str(bob.pk)) == (Role.ADMIN, True, "22222222-2222-4222-8222-222222222222")
    assert User.objects.get(username="carol").is_active is False
    dave = User.objects.get(username="dave")
    assert dave.is_deleted
    assert not dave.is_active
    assert dave.deleted_at.isoformat() == "2024-02-01T12:00:00+00:00"
    erin = User.objects.get(email__iexact="erin@example.com")
    assert erin.username == "erin"  # merged: the user who was here first keeps their name
    record = LegacyRecord.objects.get(source="catalog-service", table="users", legacy_id__startswith="5555")
    assert (record.outcome, record.object_id) == ("merged", str(erin.pk))


def test_products_keep_ids_times_and_soft_deletes(catalog_url: str, here_before: None, tmp_path: Path) -> None:
    run_import(catalog_url, tmp_path)

    widget = Product.objects.get(sku="W-1")
    assert str(widget.pk) == "c0000000-0000-4000-8000-000000000001"
    assert widget.created_at.isoformat() == "2024-03-01T10:00:00+00:00"
    assert str(widget.price) == "19.99"
    assert widget.stock == 5
    assert widget.category == "tools"
    gadget = Product.objects.get(sku="G-1")
    assert (gadget.description, gadget.category) == ("", "")
    assert Product.objects.get(sku="W-OLD").is_deleted
    assert Product.objects.filter(sku="DUP-2").count() == 2  # ours alive, the imported one deleted
    assert Product.objects.alive().filter(sku="DUP-2").count() == 1


def test_a_user_logs_in_with_the_old_password_and_is_rehashed_to_argon2(
    catalog_url: str, here_before: None, tmp_path: Path, settings: object
) -> None:
    # The production hashers (the test settings use MD5 for speed): Argon2 first, bcrypt for imports.
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS  # type: ignore[attr-defined]
    run_import(catalog_url, tmp_path)
    assert User.objects.get(username="alice").password.startswith("bcrypt$$2b$")

    answer = APIClient().post("/api/v1/auth/login/", {"username": "alice", "password": "alice-old-pass"}, format="json")

    assert answer.status_code == 200, answer.content
    assert User.objects.get(username="alice").password.startswith("argon2$")
    wrong = APIClient().post("/api/v1/auth/login/", {"username": "bob", "password": "nope-nope"}, format="json")
    assert wrong.status_code == 401


def test_a_password_longer_than_bcrypt_reads_still_logs_in(
    catalog_url: str, here_before: None, tmp_path: Path, settings: object
) -> None:
    """bcrypt 5 raises on passwords over 72 bytes; the old service's bcrypt read their first 72."""
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS  # type: ignore[attr-defined]
    run_import(catalog_url, tmp_path)

    answer = APIClient().post("/api/v1/auth/login/", {"username": "longpass", "password": "L" * 80}, format="json")

    assert answer.status_code == 200, answer.content


def test_a_second_run_imports_only_what_is_new_and_reports_what_changed(
    catalog_url: str, here_before: None, tmp_path: Path
) -> None:
    run_import(catalog_url, tmp_path)
    users, products = User.objects.count(), Product.objects.count()
    with psycopg.connect(catalog_url, autocommit=True) as conn:
        conn.execute("UPDATE products SET price = 25.00 WHERE sku = 'W-1'")
        conn.execute(
            "INSERT INTO products VALUES ('c0000000-0000-4000-8000-000000000009', '2024-04-01 00:00:00',"
            " '2024-04-01 00:00:00', false, 'Added since', NULL, 3.00, 1, NULL, 'NEW-1')"
        )

    again = run_import(catalog_url, tmp_path)

    # Products: only the row added since is imported; W-1's new price is a change, not applied.
    assert counts(again) == {"users": (10, 0, 0, 3), "products": (9, 1, 0, 4)}
    assert rechecked(again) == {"users": (7, 0), "products": (3, 1)}
    assert next(t for t in again["tables"] if t["table"] == "products")["changed_ids"] == [
        "c0000000-0000-4000-8000-000000000001"
    ]
    assert (User.objects.count(), Product.objects.count()) == (users, products + 1)
    assert str(Product.objects.get(sku="W-1").price) == "19.99"  # nothing updated silently


def test_a_dry_run_writes_nothing(catalog_url: str, here_before: None, tmp_path: Path) -> None:
    users, products = User.objects.count(), Product.objects.count()

    report = run_import(catalog_url, tmp_path, "--dry-run")

    assert counts(report) == {"users": (10, 6, 1, 3), "products": (8, 4, 0, 4)}
    assert (User.objects.count(), Product.objects.count(), LegacyRecord.objects.count()) == (users, products, 0)
