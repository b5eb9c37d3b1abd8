"""Rate limits as DRF throttles, counted by django-ratelimit in the shared cache.

Every server process and instance shares the counters (Redis in production). Windows are
fixed one-minute windows and refused requests count too. DRF turns a refusal into a 429 with
`Retry-After`.
"""

from typing import Any

from django.conf import settings
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
        usage = get_usage(
            request,
            group=self.group(view),
            key=lambda _group, _request: value,
            rate=getattr(settings, self.rate_setting),
            increment=True,
        )
        if usage is None or not usage["should_limit"]:
            return True
        self._wait = max(1, usage["time_left"])
        return False

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
        identity = data.get("username") or data.get("email")
        if not isinstance(identity, str) or not identity.strip():
            return None
        # A lone surrogate (valid JSON, "\ud800") cannot be hashed as UTF-8 by django-ratelimit.
        return utf8_safe(identity.strip().lower())


AUTH_RATE_LIMITS = [AuthIpRateLimit, AuthUsernameRateLimit]
