"""Imported bcrypt hashes are checked as the predecessors' bcrypt checked them."""

import bcrypt
import pytest
from django.contrib.auth.hashers import BCryptPasswordHasher, check_password

from legacy.hashers import LegacyBCryptPasswordHasher

HASHERS = ["legacy.hashers.LegacyBCryptPasswordHasher"]


def stored(password: bytes) -> str:
    """What the old services stored (bcrypt before 5.0 read the first 72 bytes), as imported."""
    return "bcrypt$" + bcrypt.hashpw(password[:72], bcrypt.gensalt(4)).decode()


@pytest.mark.parametrize(
    "password", ["short-password", "L" * 80, "é" * 40], ids=["short", "80 bytes", "cut in a character"]
)
def test_an_imported_hash_accepts_the_old_password(password: str, settings: object) -> None:
    settings.PASSWORD_HASHERS = HASHERS  # type: ignore[attr-defined]
    encoded = stored(password.encode())

    assert check_password(password, encoded)
    assert not check_password(password[:-1] + "!", encoded) or len(password.encode()) > 72


def test_django_s_own_hasher_would_fail_on_a_long_password() -> None:
    """Why the subclass exists: with bcrypt 5, Django's hasher raises instead of answering."""
    encoded = stored(b"L" * 80)

    with pytest.raises(ValueError, match="72 bytes"):
        BCryptPasswordHasher().verify("L" * 80, encoded)
    assert LegacyBCryptPasswordHasher().verify("L" * 80, encoded)
