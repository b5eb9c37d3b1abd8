"""Rate limits as DRF throttles, counted by django-ratelimit in the shared cache.

Every server process and instance shares the counters (Redis in production). Windows are
fixed windows of the rate's period and refused requests count too. DRF turns a refusal into a
429 with `Retry-After`. The admin's login form (a Django view, not DRF) is limited by the same
buckets through `rate_limited_admin_login`.
"""

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django_ratelimit.core import get_usage
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


def consume(request: Any, *, group: str, value: str, rate_setting: str) -> float | None:
    """Count one request in the bucket (`group`, `value`); the seconds to wait if it is over the rate, else None."""
    usage = get_usage(
        request,
        group=group,
        key=lambda _group, _request: value,
        rate=getattr(settings, rate_setting),
        increment=True,
    )
    if usage is None or not usage["should_limit"]:
        return None
    return float(max(1, usage["time_left"]))


def normalised_identity(identity: Any) -> str | None:
    """The username or email a login claims, as its bucket key; None if it names nobody."""
    if not isinstance(identity, str) or not identity.strip():
        return None
    # A lone surrogate (valid JSON, "\ud800") cannot be hashed as UTF-8 by django-ratelimit.
    return utf8_safe(identity.strip().lower())


class _CacheRateLimit(BaseThrottle):
    """One django-ratelimit bucket; subclasses say which rate, which key, and when they apply."""

    rate_setting: str = ""
    bucket: str = ""

    def __init__(self) -> None:
        self._wait: float | None = None

    def applies(self, request: Request, view: Any) -> bool:
        return True

    def key(self, request: Request, view: Any) -> str | None:
        raise NotImplementedError

    def group(self, view: Any) -> str:
        return self.bucket

    def allow_request(self, request: Request, view: Any) -> bool:
        if not self.applies(request, view):
            return True
        value = self.key(request, view)
        if value is None:
            return True
        self._wait = consume(request, group=self.group(view), value=value, rate_setting=self.rate_setting)
        return self._wait is None

    def wait(self) -> float | None:
        return self._wait


class AnonRateLimit(_CacheRateLimit):
    rate_setting = "RATE_LIMIT_ANON"
    bucket = "anon"

    def applies(self, request: Request, view: Any) -> bool:
        return not (request.user and request.user.is_authenticated)

    def key(self, request: Request, view: Any) -> str | None:
        return client_ip(request)


class UserRateLimit(_CacheRateLimit):
    rate_setting = "RATE_LIMIT_USER"
    bucket = "user"

    def applies(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated)

    def key(self, request: Request, view: Any) -> str | None:
        return str(request.user.pk)


class AuthIpRateLimit(_CacheRateLimit):
    """Per client IP on login or register; each view has its own bucket (`rate_limit_scope`)."""

    rate_setting = "RATE_LIMIT_AUTH_IP"

    def group(self, view: Any) -> str:
        return f"auth-ip:{view.rate_limit_scope}"

    def key(self, request: Request, view: Any) -> str | None:
        return client_ip(request)


class AuthUsernameRateLimit(_CacheRateLimit):
    """Per claimed username (or email) on login or register, whoever sends it."""

    rate_setting = "RATE_LIMIT_AUTH_USERNAME"

    def group(self, view: Any) -> str:
        return f"auth-username:{view.rate_limit_scope}"

    def key(self, request: Request, view: Any) -> str | None:
        # An unparsable body raises its own 400 (parse_error) or 415 here. Swallowing it would
        # not help: DRF keeps an empty body after a failed parse, so the view would then
        # answer a misleading "field required".
        data = request.data
        if not hasattr(data, "get"):
            return None
        return normalised_identity(data.get("username") or data.get("email"))


AUTH_RATE_LIMITS = [AuthIpRateLimit, AuthUsernameRateLimit]


@sensitive_post_parameters()
@csrf_protect
def rate_limited_admin_login(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    """`/admin/login/` with the API login's brute-force limits: per IP, and per username.

    The username bucket is the API login's own (`auth-username:login`), so alternating between
    the admin and the API gains an attacker nothing. Only submitted forms count.
    """
    if request.method == "POST":
        waits = [
            consume(request, group="auth-ip:admin-login", value=client_ip(request), rate_setting="RATE_LIMIT_AUTH_IP")
        ]
        identity = normalised_identity(request.POST.get("username"))
        if identity is not None:
            waits.append(
                consume(request, group="auth-username:login", value=identity, rate_setting="RATE_LIMIT_AUTH_USERNAME")
            )
        wait = max((seconds for seconds in waits if seconds is not None), default=None)
        if wait is not None:
            response = HttpResponse(
                f"Too many login attempts. Try again in {int(wait)} seconds.", status=429, content_type="text/plain"
            )
            response["Retry-After"] = str(int(wait))
            return response
    return admin.site.login(request, **kwargs)
