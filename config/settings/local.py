"""Local development: DEBUG on by default, SQLite + local-memory cache unless variables say otherwise."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)

# Static files come straight from the apps (base.py: WHITENOISE_USE_FINDERS); re-read on change.
WHITENOISE_AUTOREFRESH = True
