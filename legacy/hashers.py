"""The bcrypt hashes the catalog and posts services stored, checked as those services checked them."""

from typing import Any

from django.contrib.auth.hashers import BCryptPasswordHasher

# bcrypt reads at most 72 bytes of a password.
BCRYPT_MAX_PASSWORD_BYTES = 72


class LegacyBCryptPasswordHasher(BCryptPasswordHasher):
    """Django's `bcrypt$<hash>` hasher, reading only a password's first 72 bytes, as bcrypt always did.

    The predecessors hashed with bcrypt releases before 5.0, which silently ignored everything
    after byte 72; bcrypt 5.0 raises a ValueError instead (pyca/bcrypt's changelog), and
    Django's hasher passes the whole password on, so a login with a long password would be a
    500 instead of the predecessor's answer. Truncating here checks exactly what the old
    service checked. Only imported users have such hashes: our own are Argon2 (first in
    PASSWORD_HASHERS), and a successful login rehashes an imported one to Argon2.
    """

    def encode(self, password: Any, salt: Any) -> str:
        bcrypt = self._load_library()  # type: ignore[attr-defined]  # Django's, missing from the stubs
        raw = password.encode() if isinstance(password, str) else bytes(password)
        data = bcrypt.hashpw(raw[:BCRYPT_MAX_PASSWORD_BYTES], salt)
        return f"{self.algorithm}${data.decode('ascii')}"
