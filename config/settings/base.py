"""Settings shared by every environment; everything that varies is read from the environment."""

import math
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from config import __version__

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# cookiecutter-django's convention: with DJANGO_READ_DOT_ENV_FILE=true (set in the real environment,
# not in the file) the settings read the repository's `.env` first. A variable already in the
# environment wins over the file. gunicorn.conf.py does not read it: GUNICORN_* and
# FORWARDED_ALLOW_IPS come from the real environment only.
READ_DOT_ENV_FILE = env.bool("DJANGO_READ_DOT_ENV_FILE", default=False)
if READ_DOT_ENV_FILE:
    env.read_env(str(BASE_DIR / ".env"))

SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])

INSTALLED_APPS = [
    "config.api.apps.ServiceAdminConfig",  # django.contrib.admin with our site (admin_site.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "django_prometheus",
    "config.api",
    "accounts",
    "catalog",
    "sprockets",
    "posts",
    "messaging",
    "legacy",
]

MIDDLEWARE = [
    "config.api.metrics.RequestMetricsMiddleware",
    "config.api.middleware.RequestLogMiddleware",
    # The header-adding middlewares come before any middleware that answers by itself (the limits'
    # 413 and 414, the charset's 415, whitenoise's files), so every answer carries the same headers.
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.api.middleware.CSPMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "config.api.middleware.CacheHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.api.middleware.RequestUrlLimitMiddleware",
    "config.api.middleware.RequestBodyLimitMiddleware",
    "config.api.charsets.RequestCharsetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Django's, its storage built on first use (config.api.middleware.MessageMiddleware).
    "config.api.middleware.MessageMiddleware",
    "config.api.middleware.ObjectNotFoundMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
# Every route answers with and without its trailing slash itself (see config/api_v1.py),
# so CommonMiddleware must never redirect: a redirect would drop a POST body.
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
# SQLite is the zero-setup default; DATABASE_URL selects PostgreSQL (psycopg 3) with Django's
# native connection pool. The django_prometheus engines wrap the stock ones to count queries;
# PostgreSQL's is wrapped once more by config/db/postgresql (the pool's outage breaker).
_ENGINE_WITH_METRICS = {
    "django.db.backends.postgresql": "config.db.postgresql",
    "django.db.backends.sqlite3": "django_prometheus.db.backends.sqlite3",
}


DB_POOLERS = ("django", "pgbouncer")


def _database(config: dict, *, pool_timeout: float, pooler: str = "django") -> dict:
    """One DATABASES entry from a parsed URL: the metrics engine, and who pools PostgreSQL connections.

    `pooler` "django": Django's native pool, per process. "pgbouncer": PgBouncer in transaction
    mode pools them, so nothing may outlive a transaction on one server connection
    (docs/SCALING.md, "Behind PgBouncer in transaction mode").
    """
    if pooler not in DB_POOLERS:
        raise ImproperlyConfigured(f"DB_POOLER must be one of {', '.join(DB_POOLERS)}, not {pooler!r}.")
    config["ENGINE"] = _ENGINE_WITH_METRICS.get(config["ENGINE"], config["ENGINE"])
    if config["ENGINE"].endswith("postgresql") and pooler == "pgbouncer":
        options = config.setdefault("OPTIONS", {})
        # No pool to time out: the same budget bounds the connect instead (libpq's minimum is 2 s),
        # so an unreachable PgBouncer or replica is a 503 or a fallback, not a minutes-long hang.
        options.setdefault("connect_timeout", max(2, math.ceil(pool_timeout)))
        # psycopg prepares a statement after 5 runs, on one server connection only.
        options["prepare_threshold"] = None
        # A named cursor (QuerySet.iterator()) lives in one server session.
        config["DISABLE_SERVER_SIDE_CURSORS"] = True
        # Persistent connections to PgBouncer save a connect per request; one it closed is replaced.
        config["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
        config["CONN_HEALTH_CHECKS"] = True
    elif config["ENGINE"].endswith("postgresql"):
        # The pool is per process. A sync gunicorn worker serves one request per thread at a time,
        # so it never needs more than GUNICORN_THREADS connections (+1 for a management task).
        # workers x instances x DB_POOL_MAX_SIZE must stay under PostgreSQL's max_connections.
        config.setdefault("OPTIONS", {})["pool"] = {
            "min_size": env.int("DB_POOL_MIN_SIZE", default=1),
            "max_size": env.int("DB_POOL_MAX_SIZE", default=env.int("GUNICORN_THREADS", default=1) + 1),
            # A request that finds no free connection in time is a 503 with Retry-After. Once a
            # checkout has failed, the pool is not asked until PostgreSQL accepts a connection
            # again (the outage breaker, config/db/postgresql; DB_OUTAGE_PROBE_INTERVAL).
            "timeout": pool_timeout,
        }
        config["CONN_MAX_AGE"] = 0  # the pool keeps connections; Django must not
        # With a pool, Django turns this into psycopg_pool's `check=ConnectionPool.check_connection`
        # (an empty query, one round trip, at every checkout): a connection that PostgreSQL's restart
        # broke while it sat idle in the pool is replaced, not handed to a request that would 503.
        # (Django 5.2 sets `check` itself; naming it in "pool" above is a TypeError.)
        config["CONN_HEALTH_CHECKS"] = True
    else:
        # Wait for a writer instead of failing at once with "database is locked".
        config.setdefault("OPTIONS", {})["timeout"] = 20
    return config


DB_POOL_TIMEOUT = env.float("DB_POOL_TIMEOUT", default=5.0)
# After a checkout failed, a process probes PostgreSQL with a connection of its own at most this
# often, and answers 503 at once in between, until a probe connects (config/db/postgresql).
DB_OUTAGE_PROBE_INTERVAL = env.float("DB_OUTAGE_PROBE_INTERVAL", default=0.5)
# "pgbouncer" when DATABASE_URL (and the replicas') point at PgBouncer in transaction mode.
DB_POOLER = env.str("DB_POOLER", default="django")
DATABASES = {
    "default": _database(
        env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        pool_timeout=DB_POOL_TIMEOUT,
        pooler=DB_POOLER,
    )
}
# Read replicas (config/db_router.py): `replica_0`, `replica_1`, ... with the primary's pool options,
# except a shorter pool timeout, so that a replica that is down costs a read one second before it
# falls back to the primary. Unset: no replica, no router, no routing middleware (nothing changes).
DATABASE_REPLICA_URLS = env.list("DATABASE_REPLICA_URLS", default=[])
REPLICA_DATABASES = [f"replica_{i}" for i in range(len(DATABASE_REPLICA_URLS))]
for _alias, _url in zip(REPLICA_DATABASES, DATABASE_REPLICA_URLS, strict=True):
    DATABASES[_alias] = _database(
        env.db_url_config(_url),
        pool_timeout=env.float("DB_REPLICA_POOL_TIMEOUT", default=min(DB_POOL_TIMEOUT, 1.0)),
        pooler=DB_POOLER,
    )
    # Under test a replica is the test database itself (no test database is created on it).
    DATABASES[_alias]["TEST"] = {"MIRROR": "default"}
# After a write, the writer's reads (and recomputing a cache namespace after its bump) go to the
# primary for this long: it must exceed the replicas' worst replication lag.
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=5)
# A replica whose connection failed is skipped (by every instance: the flag is in the cache) this long.
REPLICA_DOWN_SECONDS = env.int("REPLICA_DOWN_SECONDS", default=10)
DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"] if REPLICA_DATABASES else []
if REPLICA_DATABASES:
    # Decides per request where reads go, pins writers, retries a read on the primary if a replica failed.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("config.api.middleware.ObjectNotFoundMiddleware"), "config.db_router.ReplicaRoutingMiddleware"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Seconds a client is told to wait (Retry-After) when the database is unreachable or overloaded.
DATABASE_UNAVAILABLE_RETRY_AFTER = env.int("DATABASE_UNAVAILABLE_RETRY_AFTER", default=5)

# --- Lists ---------------------------------------------------------------------------------
# A page-number list counts its matching rows up to this many and no further (0: always exactly);
# beyond it `count` is this number and the body says `"count_is_exact": false` (docs/API.md,
# config.api.pagination.bounded_count): an exact count reads every matching row.
# 10,000 as Elasticsearch counts hits exactly by default (track_total_hits): every list of a
# normal size is exact, and capping costs at most 10,001 rows read (docs/API.md, issue 22).
LIST_COUNT_LIMIT = env.int("LIST_COUNT_LIMIT", default=10_000)

# --- Cache --------------------------------------------------------------------------------
# A cached answer larger than this is computed each time instead of stored (config.api.caching):
# the biggest regular one, 100 factories x 1,000 chart points, is about 2.5 MB.
CACHE_ENTRY_MAX_BYTES = env.int("CACHE_ENTRY_MAX_BYTES", default=4 * 1024 * 1024)
# Redis when REDIS_URL is set; otherwise a per-process local-memory cache. A Redis outage
# degrades to "no cache" (exceptions ignored and logged) instead of answering 500.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="api"),
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
        }
    }
    DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {
        "default": {
            "BACKEND": "django_prometheus.cache.backends.locmem.LocMemCache",
            "LOCATION": "api-default",
        }
    }

# --- Auth ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.UsernameOrEmailBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # Users imported from the catalog and posts services keep their bcrypt hashes; their first
    # login rehashes them to Argon2 (the first hasher). Django's BCryptPasswordHasher with
    # bcrypt's 72-byte truncation, which bcrypt 5 no longer does itself (legacy/hashers.py).
    "legacy.hashers.LegacyBCryptPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Usernames are unique only among users that are not soft-deleted (a conditional
# constraint), which Django's check cannot see; the custom backend handles login.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
# The API speaks English only (no translations ship, no LocaleMiddleware). Django's default list of
# ~100 languages would let `/api/v1/schema/?lang=` build and keep one 1 MB document per language.
LANGUAGES = [("en", "English")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "config.staticfiles.ManifestOrPlainStaticFilesStorage"},
}
# Collected files (hashed, compressed) are served from STATIC_ROOT; a server started without
# `collectstatic` still serves the admin, Swagger UI and ReDoc assets straight from the apps.
WHITENOISE_USE_FINDERS = True
# Files browsers ask for at the site's root (`/favicon.ico`), served by WhiteNoise like the rest.
WHITENOISE_ROOT = BASE_DIR / "config" / "root"

# --- Request size -------------------------------------------------------------------------
# A post's text may be 1 MiB of UTF-8; JSON escaping can make that up to 8 MiB on the wire.
POST_TEXT_MAX_BYTES = 1024 * 1024
# A list carries this much of each post's text: 100 of them, each at most twice as long in JSON
# (`"` is `\"`; control characters are refused), stay under the 8 MiB every answer keeps to.
POST_LIST_TEXT_MAX_BYTES = 32 * 1024
REQUEST_BODY_MAX_BYTES = 8 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_MAX_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_MAX_BYTES
# What a parser reads beyond bytes (config.api.parsers; API.md "Decided: request bodies"): JSON
# arrays and objects nested at most this deep (no request body of ours nests more than 2), and
# Django's own counts, stated here because the contract names them: form or multipart fields, and
# files in one multipart body. Each is a 400 naming the limit, never a 500.
REQUEST_JSON_MAX_DEPTH = 32
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 100
# A longer path + query string is a 414 in the error format (config.api.middleware). gunicorn's
# own request-line limit (gunicorn.conf.py) is set above it, so the app is the one that answers.
REQUEST_URL_MAX_BYTES = env.int("REQUEST_URL_MAX_BYTES", default=4096)

# --- REST framework -----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ActiveUserJWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "config.api.parsers.JSONParser",
        "config.api.parsers.FormParser",
        "config.api.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "config.api.renderers.JSONRenderer",
        "config.api.renderers.BrowsableAPIRenderer",
    ],
    # DRF's negotiation, its choice kept per Accept value (config/api/negotiation.py).
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "config.api.negotiation.RememberingContentNegotiation",
    "DEFAULT_PAGINATION_CLASS": "config.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "config.api.filters.StrictFilterBackend",
        "config.api.filters.StrictOrderingFilter",
        "config.api.filters.PhraseSearchFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "config.api.ratelimit.AnonRateLimit",
        "config.api.ratelimit.UserRateLimit",
    ],
    "DEFAULT_SCHEMA_CLASS": "config.api.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "DATETIME_FORMAT": "iso-8601",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_HANDLER_CLASS": "config.api.exceptions.ApiExceptionHandler",
    # Every error under /api/ has the same shape, in DEBUG too (tracebacks still go to the log).
    "ENABLE_IN_DEBUG_FOR_UNHANDLED_EXCEPTIONS": True,
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("ACCESS_TOKEN_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("REFRESH_TOKEN_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "SIGNING_KEY": env("JWT_SIGNING_KEY", default=SECRET_KEY),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Unified service API",
    "DESCRIPTION": (
        "User and customer accounts, a product catalog, a sprocket-factory production tracker, posts "
        "and SMS-style messaging.\n\n"
        "**Start here:** `POST /api/v1/auth/register/` or `POST /api/v1/auth/login/` gives an access "
        "token; send it as `Authorization: Bearer <access>` (Swagger UI: *Authorize*). It lives 15 "
        "minutes by default; `POST /api/v1/auth/refresh/` gives a new pair.\n\n"
        'Request and response bodies are JSON (`snake_case`; decimals are strings such as `"49.99"`; '
        "timestamps ISO 8601 in UTC). Every route answers with and without its trailing slash. Lists are "
        "paginated (`?page=`, `?page_size=` up to 100; messages use `?cursor=`). Every error has one "
        'shape: `{"type", "errors": [{"code", "detail", "attr"}]}`; 404 also means "not yours".'
    ),
    # The project's version, kept in pyproject.toml only (config/__init__.py reads it).
    "VERSION": __version__,
    # One tag per domain: Swagger UI and ReDoc group operations by them, in this order, and a
    # generated client puts each tag's functions in a module of its own. Each view names its tag
    # (config.api.openapi.documented); tests/test_openapi_docs.py checks every operation has one.
    # Each app's `api/schema.py` declares its own `TAGS`; config.api.openapi.postprocess_tags collects them.
    # Operation ids without the `/api/v1` prefix (`products_list`): the function names of a client.
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    # The document describes itself too (/api/v1/schema/, under Operations).
    "SERVE_INCLUDE_SCHEMA": True,
    # The schema and docs are public and must not 401 on a stale token in the browser.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": True},
    "COMPONENT_SPLIT_REQUEST": True,
    # Request bodies are documented as JSON only. Forms are still accepted where DRF's parsers take
    # them (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]: the browsable API's HTML forms, a login form),
    # but three media types per body made generated clients break (openapi-python-client).
    "PARSER_WHITELIST": ["rest_framework.parsers.JSONParser"],
    "ENUM_NAME_OVERRIDES": {
        "ValidationErrorEnum": "drf_standardized_errors.openapi_serializers.ValidationErrorEnum.choices",
        "ClientErrorEnum": "drf_standardized_errors.openapi_serializers.ClientErrorEnum.choices",
        "ServerErrorEnum": "drf_standardized_errors.openapi_serializers.ServerErrorEnum.choices",
        "ErrorCode401Enum": "drf_standardized_errors.openapi_serializers.ErrorCode401Enum.choices",
        "ErrorCode403Enum": "drf_standardized_errors.openapi_serializers.ErrorCode403Enum.choices",
        "ErrorCode404Enum": "drf_standardized_errors.openapi_serializers.ErrorCode404Enum.choices",
        "ErrorCode405Enum": "drf_standardized_errors.openapi_serializers.ErrorCode405Enum.choices",
        "ErrorCode406Enum": "drf_standardized_errors.openapi_serializers.ErrorCode406Enum.choices",
        "ErrorCode415Enum": "drf_standardized_errors.openapi_serializers.ErrorCode415Enum.choices",
        "ErrorCode429Enum": "drf_standardized_errors.openapi_serializers.ErrorCode429Enum.choices",
        "ErrorCode500Enum": "drf_standardized_errors.openapi_serializers.ErrorCode500Enum.choices",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_standardized_errors.openapi_hooks.postprocess_schema_enums",
        "config.api.openapi.postprocess_empty_query_values",
        "config.api.openapi.postprocess_metrics_path",
        "config.api.openapi.postprocess_tags",
        "config.api.openapi.postprocess_security_schemes",
    ],
}

# --- Rate limits (django-ratelimit counters live in the default cache) ----------------------
RATELIMIT_ENABLE = env.bool("RATE_LIMIT_ENABLED", default=True)
RATELIMIT_USE_CACHE = "default"
# If the cache is unreachable, serve the request rather than refuse everyone.
RATELIMIT_FAIL_OPEN = True
RATE_LIMIT_AUTH_IP = env("RATE_LIMIT_AUTH_IP", default="10/m")
RATE_LIMIT_AUTH_USERNAME = env("RATE_LIMIT_AUTH_USERNAME", default="5/m")
RATE_LIMIT_ANON = env("RATE_LIMIT_ANON", default="60/m")
RATE_LIMIT_USER = env("RATE_LIMIT_USER", default="600/m")
# Password changes per user: every attempt counts, so a stolen access token cannot guess the password.
RATE_LIMIT_PASSWORD_CHANGE = env("RATE_LIMIT_PASSWORD_CHANGE", default="5/m")
# Number of trusted proxies in front of the app; their X-Forwarded-For entries are used to find
# the client IP. 0 (the default) means REMOTE_ADDR, which a client cannot forge.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# --- Idempotency --------------------------------------------------------------------------
IDEMPOTENCY_KEY_TTL = timedelta(hours=24)

# --- Phones -------------------------------------------------------------------------------
PHONE_DEFAULT_REGION = env("PHONE_DEFAULT_REGION", default="US")

# --- Metrics ------------------------------------------------------------------------------
# Set: /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`. Unset: public, allowed only where
# METRICS_TOKEN_REQUIRED is off (local and test runs); production requires it (config/api/checks.py).
METRICS_TOKEN = env("METRICS_TOKEN", default="")
METRICS_TOKEN_REQUIRED = False

# --- CORS ---------------------------------------------------------------------------------
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])

# --- Security headers ---------------------------------------------------------------------
# SecurityMiddleware sends nosniff, Referrer-Policy same-origin and Cross-Origin-Opener-Policy
# (Django's defaults, stated here so they are not lost); XFrameOptionsMiddleware sends DENY.
# Production adds HSTS. The Content-Security-Policy (django-csp) covers the HTML pages:
# everything they load is the app's own (Swagger UI, ReDoc and the admin are self-hosted; the
# Swagger initialiser is a separate script, SpectacularSwaggerSplitView). Inline styles stay
# allowed because Swagger UI, ReDoc and the browsable API set them; ReDoc runs its search in a
# blob: worker and both use data: images and fonts.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "worker-src": [SELF, "blob:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Logging ------------------------------------------------------------------------------
LOG_LEVEL = env("LOG_LEVEL", default="INFO").upper()
LOG_FILE = env("LOG_FILE", default="")
LOGGING: dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.api.logging.RequestIdFilter"}},
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # The request log line comes from config.api.middleware; Django's own would repeat it.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
    },
}
if LOG_FILE:
    LOGGING["handlers"]["file"] = {
        "class": "logging.handlers.RotatingFileHandler",
        "filename": LOG_FILE,
        "maxBytes": env.int("LOG_FILE_MAX_BYTES", default=10 * 1024 * 1024),
        "backupCount": env.int("LOG_FILE_BACKUP_COUNT", default=5),
        "formatter": "plain",
        "filters": ["request_id"],
    }
    LOGGING["root"]["handlers"].append("file")
