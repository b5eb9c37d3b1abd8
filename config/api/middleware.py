"""Request-level middleware: request id + access log, the URL and body size limits, cache headers, the CSP header."""

import io
import logging
import re
import time
import uuid
from collections.abc import Callable
from urllib.parse import quote

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as LibraryCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.contrib.messages.middleware import MessageMiddleware as DjangoMessageMiddleware
from django.contrib.messages.storage import default_storage
from django.core.handlers.wsgi import LimitedStream
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.utils.functional import SimpleLazyObject, empty

from .exceptions import ObjectNotFound, error_body
from .logging import request_id_var
from .renderers import JsonResponse

logger = logging.getLogger("config.request")

# A client may pass its own id (to correlate across services) if it looks like one.
_REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


class RequestLogMiddleware:
    """One log line per request (method, path, status, duration, request id) and `X-Request-ID`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID_PATTERN.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            duration_ms = (time.perf_counter() - started) * 1000
            logger.info(
                "%s %s %s %.1fms",
                request.method,
                request.get_full_path(),
                response.status_code,
                duration_ms,
                extra={"status_code": response.status_code, "duration_ms": round(duration_ms, 1)},
            )
            return response
        finally:
            request_id_var.reset(token)


# What an answer that says nothing else tells every cache: keep nothing. Most answers are one
# user's (accounts, messages, tokens, errors naming their input); a view whose answer a cache may
# keep says so itself (config.api.caching.CachedReadMixin).
DEFAULT_CACHE_CONTROL = "private, no-store"
_CREDENTIAL_HEADERS = ("Authorization", "Cookie")
_CREDENTIAL_VARY = ", ".join(_CREDENTIAL_HEADERS)


class CacheHeadersMiddleware:
    """`Cache-Control: private, no-store` on every answer that sets none, and `Vary` naming the credentials.

    A CDN told to cache everything would otherwise hand one user's answer to the next. Any answer
    not marked `public` varies on `Authorization` and `Cookie` (the credentials the API reads), so
    even a cache that ignores `private` keys it by who asked. Sits before the size limits and the
    charset check in MIDDLEWARE, so their 413, 414 and 415 carry it too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        cache_control = response.get("Cache-Control")
        if cache_control is None:
            response["Cache-Control"] = DEFAULT_CACHE_CONTROL
        elif "public" in cache_control.lower():
            return response
        vary = response.get("Vary")
        if not vary:
            response["Vary"] = _CREDENTIAL_VARY
        elif "*" not in vary:
            present = {name.strip().lower() for name in vary.split(",")}
            missing = [name for name in _CREDENTIAL_HEADERS if name.lower() not in present]
            if missing:
                # What django.utils.cache.patch_vary_headers does, without its regex: this runs on every answer.
                response["Vary"] = ", ".join([vary, *missing])
        return response


class RequestUrlLimitMiddleware:
    """Refuse a path plus query string longer than `REQUEST_URL_MAX_BYTES` (414), in the error format.

    gunicorn refuses request lines beyond its own limit (`limit_request_line`, at most 8190
    bytes) with an HTML page before Django sees them; this answers the longer URLs it lets
    through as JSON, before a filter, a search or a cache key is built from them.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.REQUEST_URL_MAX_BYTES
        length = self._target_length(request.META)
        if length > limit:
            detail = f"The path and query string are {length} bytes; the limit is {limit} bytes."
            return JsonResponse(error_body(414, "uri_too_long", detail), status=414)
        return self.get_response(request)

    @staticmethod
    def _target_length(meta: dict) -> int:
        """Bytes of the request target as sent: `%61` is three bytes, not the one of the decoded path."""
        raw_uri = meta.get("RAW_URI")  # gunicorn's request target, as received
        if raw_uri:
            return len(raw_uri)
        # Elsewhere (runserver, the test client) Django has decoded PATH_INFO (UTF-8): quote it
        # back (a needlessly encoded `%61` is then one byte; only RAW_URI knows). QUERY_STRING is
        # not decoded, so its length is its length on the wire.
        path = meta.get("SCRIPT_NAME", "") + meta.get("PATH_INFO", "")
        query = meta.get("QUERY_STRING", "")
        target = len(quote(path, safe="/;:@&=+$,-_.!~*'()"))
        return target + (len(query) + 1 if query else 0)


class RequestBodyLimitMiddleware:
    """Refuse a body whose `Content-Length` exceeds the limit before anything reads it (413).

    A chunked body (no `Content-Length`) is read here, at most one byte past the limit, when
    the server has de-chunked it (`wsgi.input_terminated`, as gunicorn does): over the limit
    is a 413, otherwise the view gets it as if its length had been declared. Where the
    server cannot end the stream, Django reads no body at all, which is bounded too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(declared)
        except ValueError:
            return JsonResponse(error_body(400, "invalid", "Content-Length is not a number."), status=400)
        limit = settings.REQUEST_BODY_MAX_BYTES
        chunked = not length and bool(request.META.get("wsgi.input_terminated")) and self._is_chunked(request)
        if chunked:
            body = request.META["wsgi.input"].read(limit + 1)
            length = len(body)
            if length <= limit:
                self._replace_body(request, body)
        if length > limit:
            response = JsonResponse(
                error_body(
                    413,
                    "payload_too_large",
                    f"The request body is {'more than ' + str(limit) if chunked else length} bytes; "
                    f"the limit is {limit} bytes.",
                ),
                status=413,
            )
            # No `Connection: close` here: WSGI forbids hop-by-hop headers (runserver refuses the
            # response), and gunicorn drains an unread body itself before the next request.
            return response
        return self.get_response(request)

    @staticmethod
    def _is_chunked(request: HttpRequest) -> bool:
        return "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()

    @staticmethod
    def _replace_body(request: HttpRequest, body: bytes) -> None:
        # WSGIRequest read CONTENT_LENGTH (absent: 0) when it was built; give it the real body.
        request.META["CONTENT_LENGTH"] = str(len(body))
        request._stream = LimitedStream(io.BytesIO(body), len(body))  # type: ignore[assignment]


class ObjectNotFoundMiddleware:
    """A service's `ObjectNotFound` outside DRF (the admin saving a row deleted meanwhile) is a 404 page.

    The API's views never let it get here: their exception handler answers it as a 404 itself.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, ObjectNotFound):
            raise Http404(str(exception)) from exception


class MessageMiddleware(DjangoMessageMiddleware):
    """Django's messages, with the storage built when something uses it, not for every request.

    Django's middleware builds the message storage (a cookie storage with its signer, and a session
    storage) for every request, and asks it to save on every response: about 15 µs of an API
    request, which never uses messages (the admin and the browsable API's login do). Here
    `request._messages` is built on first use, from the same `default_storage(request)`, and a
    response whose request never touched it has nothing to save (Django's `update()` would find
    nothing used and nothing added). tests/test_lazy_messages.py.
    """

    def process_request(self, request: HttpRequest) -> None:
        request._messages = SimpleLazyObject(lambda: default_storage(request))  # type: ignore[attr-defined]

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        messages = getattr(request, "_messages", None)
        if isinstance(messages, SimpleLazyObject) and messages._wrapped is empty:  # type: ignore[attr-defined]
            return response
        return super().process_response(request, response)


# Response attributes through which a view brings its own policy (django-csp's decorators).
_OWN_POLICY_ATTRIBUTES = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)


class CSPMiddleware(LibraryCSPMiddleware):
    """django-csp's middleware, with the site-wide policy built once per process, not per response.

    The library rebuilds the same header from settings on every response (two `build_policy` and
    two `dataclasses.asdict` calls: 75-100 µs of the 430 µs a `/health/` costs in-process,
    `benchmarks/middleware_cost.py`). A response that brings its own policy (django-csp's
    `csp_update`, `csp_replace`, `csp` decorators) or a request that used its nonce goes through
    the library's code; `tests/test_security_headers.py` checks both give the same headers.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        super().__init__(get_response)
        self.headers = []  # (header, policy, the response attribute exempting from it, excluded path prefixes)
        for header, setting, exempt in (
            (HEADER, "CONTENT_SECURITY_POLICY", "_csp_exempt"),
            (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", "_csp_exempt_ro"),
        ):
            policy = build_policy(report_only=header == HEADER_REPORT_ONLY)
            excluded = tuple((getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ())
            if policy:
                self.headers.append((header, policy, exempt, excluded))

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in _OWN_POLICY_ATTRIBUTES
        ):
            return super().process_response(request, response)
        if settings.DEBUG and response.status_code in (404, 500):
            return response  # the library leaves Django's debug pages alone
        for header, policy, exempt, excluded in self.headers:
            if (
                header not in response
                and not getattr(response, exempt, False)
                and not request.path_info.startswith(excluded)
            ):
                response[header] = policy
        # As the library does: a nonce asked for after the header is written is an error, not a silent no-op.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response
