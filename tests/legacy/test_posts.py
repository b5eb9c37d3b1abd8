"""The posts service's import, from its MySQL database (on the tests' MariaDB) made from fixtures/posts_service.sql."""

from collections.abc import Callable
from pathlib import Path
from typing import cast

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from config.settings import base
from legacy.importers.users import PLAINTEXT_NOTE
from posts.models import Post
from tests.accounts.factories import UserFactory
from tests.legacy.helpers import counts, run_import, skips

pytestmark = pytest.mark.django_db


@pytest.fixture
def posts_url(mysql_source: Callable[[str], str]) -> str:
    return mysql_source("posts")


@pytest.fixture
def here_before(settings: object) -> User:
    settings.POST_TEXT_MAX_BYTES = 100  # type: ignore[attr-defined]
    return cast(User, UserFactory(username="shared", email="Shared@Example.com"))


def test_every_row_is_accounted_for(posts_url: str, here_before: User, tmp_path: Path) -> None:
    report = run_import("posts-service", posts_url, tmp_path)

    assert counts(report) == {"users": (6, 4, 1, 1), "posts": (7, 3, 0, 4)}
    users = next(t for t in report["tables"] if t["table"] == "users")
    assert users["notes"][PLAINTEXT_NOTE] == 3  # pete, archived, o'brien (the merged one keeps its own)
    assert skips(report, "users")["a1000000000040008000000000000006"].startswith("email:")
    post_skips = skips(report, "posts")
    assert post_skips["b2000000000040008000000000000004"].startswith("text:")
    assert "bytes of UTF-8" in post_skips["b2000000000040008000000000000005"]
    assert post_skips["b2000000000040008000000000000006"].startswith("user a1000000000040008000000000000006 was not")
    assert post_skips["b2000000000040008000000000000007"].startswith("user ffffffffffffffffffffffffffffffff was not")
    assert f"users: 3 {PLAINTEXT_NOTE}" in report["printed"]


def test_users_and_posts_carry_over(posts_url: str, here_before: User, tmp_path: Path) -> None:
    run_import("posts-service", posts_url, tmp_path)

    pete = User.objects.get(email="pete@example.com")
    assert pete.username == "pete@example.com"
    assert "plain-old-pass" not in pete.password
    assert User.objects.get(email="o'brien@example.com").username == "o_brien@example.com"
    assert User.objects.get(email="archived@example.com").is_deleted
    hello = Post.objects.get(text="Hello from the old service")
    assert str(hello.pk) == "b2000000-0000-4000-8000-000000000001"
    assert hello.created_at.isoformat() == "2025-03-03T08:00:00+00:00"
    assert Post.objects.get(text="Shared thoughts").author == here_before  # merged by email


def test_a_plaintext_user_and_a_bcrypt_user_log_in(
    posts_url: str, here_before: User, tmp_path: Path, settings: object
) -> None:
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS  # type: ignore[attr-defined]
    run_import("posts-service", posts_url, tmp_path)
    client = APIClient()

    plain = client.post(
        "/api/v1/auth/login/", {"email": "pete@example.com", "password": "plain-old-pass"}, format="json"
    )
    hashed = client.post(
        "/api/v1/auth/login/", {"username": "paula@example.com", "password": "posts-hashed-pass"}, format="json"
    )

    assert (plain.status_code, hashed.status_code) == (200, 200)
    assert User.objects.get(email="paula@example.com").password.startswith("argon2$")


def test_a_second_run_imports_nothing(posts_url: str, here_before: User, tmp_path: Path) -> None:
    run_import("posts-service", posts_url, tmp_path)
    before = (User.objects.count(), Post.objects.count())

    again = run_import("posts-service", posts_url, tmp_path)

    assert counts(again) == {"users": (6, 0, 0, 1), "posts": (7, 0, 0, 4)}
    assert [t["unchanged"] for t in again["tables"]] == [5, 3]
    assert (User.objects.count(), Post.objects.count()) == before


def test_the_fingerprint_is_keyed_so_no_plaintext_password_can_be_guessed_from_it(
    posts_url: str, here_before: User, tmp_path: Path, settings: object
) -> None:
    """A bare hash of a row holding a plaintext password could be brute-forced offline by anyone
    reading the records; keyed with SECRET_KEY, another key sees every row as changed."""
    run_import("posts-service", posts_url, tmp_path)
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"  # type: ignore[attr-defined]

    again = run_import("posts-service", posts_url, tmp_path)

    users = next(t for t in again["tables"] if t["table"] == "users")
    assert (users["unchanged"], users["changed"], users["imported"]) == (0, 5, 0)


@pytest.mark.postgres(reason="the catalog service's database is PostgreSQL")
def test_the_same_email_in_the_catalog_and_posts_services_is_one_user_the_catalog_s(
    posts_url: str, postgres_source: Callable[[str], str], tmp_path: Path, settings: object
) -> None:
    """Imported in the documented order (catalog first), the catalog's username and password win."""
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS  # type: ignore[attr-defined]
    run_import("catalog-service", postgres_source("catalog"), tmp_path)

    report = run_import("posts-service", posts_url, tmp_path)

    assert counts(report)["users"] == (6, 4, 1, 1)  # merged: shared@; skipped: not-an-email
    shared = User.objects.get(email__iexact="shared@example.com")
    assert shared.username == "shared"
    assert Post.objects.get(text="Shared thoughts").author == shared
    client = APIClient()
    catalog_password = {"username": "shared@example.com", "password": "shared-catalog-pass"}
    posts_password = {"username": "shared@example.com", "password": "whatever-plain"}
    assert client.post("/api/v1/auth/login/", catalog_password, format="json").status_code == 200
    assert client.post("/api/v1/auth/login/", posts_password, format="json").status_code == 401
