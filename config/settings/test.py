"""Test settings: fast hashing, the database and cache chosen by the same variables as elsewhere."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
# Argon2 is deliberately slow; the tests check behaviour, not hashing cost.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Static files come straight from the apps (base.py: WHITENOISE_USE_FINDERS); re-read on change.
WHITENOISE_AUTOREFRESH = True

# Race tests run dozens of threads in one process, each holding a connection at once.
if "pool" in DATABASES["default"].get("OPTIONS", {}):
    DATABASES["default"]["OPTIONS"]["pool"]["max_size"] = env.int("DB_POOL_MAX_SIZE", default=40)
