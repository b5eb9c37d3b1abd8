"""Rate limits as DRF throttles, counted in the shared cache as django-ratelimit counts them.

Every server process and instance shares the counters (Redis in production). Windows are
fixed windows of the rate's period and refused requests count too. `count_request` is the one place
that counts: on Redis in one round trip, with django-ratelimit's keys, windows and answers;
elsewhere (the local-memory cache) by django-ratelimit's own `get_usage`. DRF turns a refusal into a
429 with `Retry-After`. The HTML login forms (Django views, not DRF: the admin's and the
browsable API's) are limited by the same buckets through `login_form_refusal` (the admin site,
`config.api.admin_site`, and `rate_limited_browsable_api_login`).
"""

import time
from typing import Any

from django.conf import settings
from django.contrib.auth.views import LoginView
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django_ratelimit import ALL

# django-ratelimit's private helpers, so that a count made here is the very counter get_usage
# makes and reads (same key, same window). Imported at module level: if an upgrade renames or
# drops one, start-up fails instead of the limits silently counting somewhere else.
from django_ratelimit.core import EXPIRATION_FUDGE, _get_window, _make_cache_key, _split_rate, get_usage
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from .text import utf8_safe


def client_ip(request: Any) -> str:
    """REMOTE_ADDR, or the address the n-th trusted proxy saw (TRUSTED_PROXY_COUNT)."""
    meta = request.META
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return str(meta.get("REMOTE_ADDR", "unknown"))


def count_request(request: Any, *, group: str, value: str, rate: Any) -> dict[str, Any] | None:
    """Count one request in the bucket (`group`, `value`): what `get_usage(..., increment=True)` answers.

    django-ratelimit counts with `cache.add` then, once the key exists, `cache.incr`: two Redis
    round trips for every API request. A cache with `count_in_window` (config.redis_cache) does
    both in one, on the same key with the same expiry, so django-ratelimit still reads the count
    (`get_usage(increment=False)`). Any other cache is counted by `get_usage` itself.
    """
    cache = caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")]
    count_in_window = getattr(cache, "count_in_window", None)
    # A rate given as a function or a dotted path (get_usage resolves those), or none, is get_usage's too.
    if count_in_window is None or not isinstance(rate, (str, tuple)) or (isinstance(rate, str) and "." in rate):
        return get_usage(request, group=group, key=lambda _group, _request: value, rate=rate, increment=True)
    # From here on, get_usage's own steps for a fixed key and every method.
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return None
    limit, period = _split_rate(rate)
    if period <= 0:
        raise ImproperlyConfigured("Ratelimit period must be greater than 0")
    window = _get_window(value, period)
    counted = count_in_window(_make_cache_key(group, window, rate, value, ALL), period + EXPIRATION_FUDGE)
    if counted is None:  # Redis unreachable (django-redis ignores the error): as get_usage does
        if getattr(settings, "RATELIMIT_FAIL_OPEN", False):
            return None
        return {"count": 0, "limit": 0, "should_limit": True, "time_left": -1}
    return {"count": counted, "limit": limit, "should_limit": counted > limit, "time_left": window - int(time.time())}


def consume(request: Any, *, group: str, value: str, rate_setting: str) -> float | None:
    """Count one request in the bucket (`group`, `value`); the seconds to wait if it is over the rate, else None."""
    usage = count_request(request, group=group, value=value, rate=getattr(settings, rate_setting))
    if usage is None or not usage["should_limit"]:
        return None
    return float(max(1, usage["time_left"]))


def normalised_identity(identity: Any) -> str | None:
    """The username or email a login claims, as its bucket key; None if it names nobody."""
    if not isinstance(identity, str) or not identity.strip():
        return None
    # A lone surrogate (valid JSON, "\ud800") cannot be hashed as UTF-8 by django-ratelimit.
    return utf8_safe(identity.strip().lower())


# Neither a username (150) nor an email (254) is longer, and PostgreSQL refuses NUL in text.
_IDENTIFIER_MAX_LENGTH = 254


def login_buckets(*, username: Any = None, email: Any = None) -> list[str]:
    """The per-account login buckets a login's claimed identity counts in; none if it claims nobody.

    Per account, not per identifier as typed: the username and the email of one user count
    together, and an identifier that may name two users (a username that is someone else's
    email: the backend tries both passwords) counts for both. An identifier that names nobody
    has a bucket of its own, keyed by the identifier normalised (trimmed, lower-cased).
    """
    by_username = isinstance(username, str) and bool(username.strip())
    identity = normalised_identity(username if by_username else email)
    if identity is None:
        return []
    users: list[Any] = []
    if settings.RATELIMIT_ENABLE and len(identity) <= _IDENTIFIER_MAX_LENGTH and "\x00" not in identity:
        # Imported here: DRF loads the throttles while config.api.exceptions is still importing,
        # and accounts.selectors needs that module.
        from accounts.selectors import login_candidates

        users = login_candidates(**{"username" if by_username else "email": identity})
    return [f"user:{user.pk}" for user in users] or [f"name:{identity}"]


def _worst_wait(waits: list[float | None]) -> float | None:
    return max((seconds for seconds in waits if seconds is not None), default=None)


_REFUSED = "_refused_by_a_rate_limit"


class _CacheRateLimit(BaseThrottle):
    """One django-ratelimit bucket; subclasses say which rate and which key (None: the request is not
    counted here, e.g. a signed-in caller in the anonymous limit)."""

    rate_setting: str = ""
    bucket: str = ""

    def __init__(self) -> None:
        self._wait: float | None = None

    def key(self, request: Request, view: Any) -> str | None:
        raise NotImplementedError

    def keys(self, request: Request, view: Any) -> list[str]:
        """The buckets the request counts in; it is refused if any of them is over the rate."""
        value = self.key(request, view)
        return [] if value is None else [value]

    def group(self, view: Any) -> str:
        return self.bucket

    def allow_request(self, request: Request, view: Any) -> bool:
        # DRF asks every throttle even after one has refused. A refused request is answered 429
        # anyway, so it spends no other bucket and no other key's work (the login's account
        # buckets look the claimed user up: a flood from one IP past its limit would still cost a
        # query each).
        if getattr(request, _REFUSED, False):
            return True
        self._wait = _worst_wait(
            [
                consume(request, group=self.group(view), value=value, rate_setting=self.rate_setting)
                for value in self.keys(request, view)
            ]
        )
        if self._wait is not None:
            setattr(request, _REFUSED, True)
        return self._wait is None

    def wait(self) -> float | None:
        return self._wait


def _signed_in(request: Request) -> bool:
    return bool(request.user and request.user.is_authenticated)


class AnonRateLimit(_CacheRateLimit):
    """Per client IP, anonymous callers only."""

    rate_setting = "RATE_LIMIT_ANON"
    bucket = "anon"

    def key(self, request: Request, view: Any) -> str | None:
        return None if _signed_in(request) else client_ip(request)


class UserRateLimit(_CacheRateLimit):
    """Per signed-in user (anonymous callers are AnonRateLimit's)."""

    rate_setting = "RATE_LIMIT_USER"
    bucket = "user"

    def key(self, request: Request, view: Any) -> str | None:
        return str(request.user.pk) if _signed_in(request) else None


class AuthIpRateLimit(_CacheRateLimit):
    """Per client IP on login or register; each view has its own bucket (`rate_limit_scope`)."""

    rate_setting = "RATE_LIMIT_AUTH_IP"

    def group(self, view: Any) -> str:
        return f"auth-ip:{view.rate_limit_scope}"

    def key(self, request: Request, view: Any) -> str | None:
        return client_ip(request)


def _claimed(request: Request) -> Any:
    # An unparsable body raises its own 400 (parse_error) or 415 here. Swallowing it would not
    # help: DRF keeps an empty body after a failed parse, so the view would then answer a
    # misleading "field required".
    data = request.data
    return data if hasattr(data, "get") else {}


class AuthUsernameRateLimit(_CacheRateLimit):
    """Per claimed username (or email) on register, whoever sends it."""

    rate_setting = "RATE_LIMIT_AUTH_USERNAME"

    def group(self, view: Any) -> str:
        return f"auth-username:{view.rate_limit_scope}"

    def key(self, request: Request, view: Any) -> str | None:
        data = _claimed(request)
        return normalised_identity(data.get("username") or data.get("email"))


class LoginAccountRateLimit(AuthUsernameRateLimit):
    """Per account on login, whoever sends it and whichever of its username or email it names."""

    def keys(self, request: Request, view: Any) -> list[str]:
        data = _claimed(request)
        return login_buckets(username=data.get("username"), email=data.get("email"))


class PasswordChangeRateLimit(UserRateLimit):
    """Per user on a password change: a stolen access token must not buy unlimited guesses of the password.

    Counted like `UserRateLimit` (signed-in callers, by user), in a bucket and at a rate of its own.
    """

    rate_setting = "RATE_LIMIT_PASSWORD_CHANGE"
    bucket = "password-change"


LOGIN_RATE_LIMITS = [AuthIpRateLimit, LoginAccountRateLimit]
REGISTER_RATE_LIMITS = [AuthIpRateLimit, AuthUsernameRateLimit]


def login_form_refusal(request: HttpRequest, *, ip_bucket: str) -> HttpResponse | None:
    """A plain-text 429 if a submitted HTML login form is over the API login's limits, else None.

    Per IP in `auth-ip:<ip_bucket>`, and per account in the API login's own buckets
    (`auth-username:login`, `login_buckets`), so alternating between the forms and the API
    gains an attacker nothing. Only submitted forms count.
    """
    if request.method != "POST":
        return None
    ip_wait = consume(
        request, group=f"auth-ip:{ip_bucket}", value=client_ip(request), rate_setting="RATE_LIMIT_AUTH_IP"
    )
    if ip_wait is not None:  # as in the API: a refused attempt spends no account bucket and no lookup
        return _too_many(ip_wait, "login attempts")
    waits = [
        consume(request, group="auth-username:login", value=value, rate_setting="RATE_LIMIT_AUTH_USERNAME")
        for value in login_buckets(username=request.POST.get("username"))
    ]
    return _too_many(_worst_wait(waits), "login attempts")


def _too_many(wait: float | None, what: str) -> HttpResponse | None:
    """The HTML forms' 429: plain text with `Retry-After` (a Django view has no DRF error format)."""
    if wait is None:
        return None
    response = HttpResponse(
        f"Too many {what}. Try again in {int(wait)} seconds.", status=429, content_type="text/plain"
    )
    response["Retry-After"] = str(int(wait))
    return response


# DRF's own view for `/api-auth/login/` (rest_framework.urls), which had no limit at all.
_browsable_api_login = LoginView.as_view(template_name="rest_framework/login.html")


@sensitive_post_parameters()
@csrf_protect
def rate_limited_browsable_api_login(request: HttpRequest, **kwargs: Any) -> HttpResponseBase:
    """`/api-auth/login/`, the browsable API's session login, with the API login's limits and IP bucket.

    It signs in to the same API as `/api/v1/auth/login/`, so it is the same door: one IP
    budget and one account budget for both.
    """
    return login_form_refusal(request, ip_bucket="login") or _browsable_api_login(request, **kwargs)


def password_change_refusal(request: HttpRequest) -> HttpResponse | None:
    """A plain-text 429 if a submitted HTML "Change password" form (the admin's, a staff member's
    own) is over the API's password-change limit, else None: the form asks for the current
    password, so a stolen session would otherwise guess it without limit."""
    if request.method != "POST" or not request.user.is_authenticated:
        return None
    wait = consume(
        request,
        group=PasswordChangeRateLimit.bucket,
        value=str(request.user.pk),
        rate_setting="RATE_LIMIT_PASSWORD_CHANGE",
    )
    return _too_many(wait, "password change attempts")
