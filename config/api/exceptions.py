"""One error format for every answer: drf-standardized-errors, taught a few more exceptions."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, OperationalError
from django.db.models import ProtectedError, RestrictedError
from drf_standardized_errors.handler import ExceptionHandler
from rest_framework import exceptions, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.settings import api_settings
from rest_framework_simplejwt.exceptions import AuthenticationFailed as JWTAuthenticationFailed
from rest_framework_simplejwt.exceptions import InvalidToken

from .text import utf8_safe


class ObjectNotFound(ObjectDoesNotExist):
    """A service's domain error: the row a write was meant for is not there (a 404).

    Never there, or deleted by a concurrent request (`config.api.services.lock_for_update`).
    Outside the API (the admin) `ObjectNotFoundMiddleware` makes it Django's 404 page.
    """


class Conflict(exceptions.APIException):
    """The request is valid but clashes with the current state (a race, a reference in use)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"


class DatabaseUnavailable(exceptions.APIException):
    """PostgreSQL cannot be reached, refuses connections, or the pool had none free in time."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The database is unavailable or overloaded; retry shortly."
    default_code = "service_unavailable"

    @property
    def wait(self) -> int:
        # drf-standardized-errors turns `wait` into the Retry-After header, as for a 429.
        return settings.DATABASE_UNAVAILABLE_RETRY_AFTER


# A model validator's error code for a value over its size limit (the post text's 1 MiB): the
# handler answers it as the contract's 413 rather than a 400, as it does a body over the limit.
TOO_LARGE = "too_large"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


def _protected_detail(exc: ProtectedError | RestrictedError, *, max_ids: int = 5) -> str:
    """Names what uses the object: each kind with its count and first ids ("2 factories (ids 3, 7)")."""
    objects = list(exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects)
    by_kind: dict[Any, list[str]] = {}
    for obj in objects:
        by_kind.setdefault(obj._meta, []).append(str(obj.pk))
    parts = []
    for meta, ids in sorted(by_kind.items(), key=lambda item: str(item[0].verbose_name_plural)):
        kind = meta.verbose_name if len(ids) == 1 else meta.verbose_name_plural
        shown = ", ".join(sorted(ids, key=lambda pk: (len(pk), pk))[:max_ids])
        more = ", ..." if len(ids) > max_ids else ""
        parts.append(f"{len(ids)} {kind} ({'id' if len(ids) == 1 else 'ids'} {shown}{more})")
    return f"This object is still in use by {'; '.join(parts)}."


def _details(errors: list[DjangoValidationError]) -> list[ErrorDetail]:
    return [ErrorDetail(str(message), code=error.code or "invalid") for error in errors for message in error.messages]


def _too_large_message(exc: DjangoValidationError) -> str | None:
    """The message of the first `too_large` error in `exc`, if it has one."""
    groups = exc.error_dict.values() if hasattr(exc, "error_dict") else [exc.error_list]
    for errors in groups:
        for error in errors:
            if error.code == TOO_LARGE:
                return str(error.messages[0])
    return None


def django_validation_error_as_drf(exc: DjangoValidationError) -> exceptions.ValidationError:
    """Keep field names and codes: a service's or full_clean()'s error becomes a 400 naming the fields."""
    if hasattr(exc, "error_dict"):
        detail: Any = {
            (api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field): _details(errors)
            for field, errors in exc.error_dict.items()
        }
    else:
        detail = _details(exc.error_list)
    return exceptions.ValidationError(detail=detail)


# PostgreSQL: deadlock_detected, serialization_failure, lock_not_available. Another transaction
# won; the client may simply retry.
_CONFLICT_SQLSTATES = frozenset({"40P01", "40001", "55P03"})


def _sqlstate(exc: OperationalError) -> str | None:
    return getattr(exc.__cause__, "sqlstate", None) or getattr(exc.__cause__, "pgcode", None)


def _is_transaction_conflict(exc: OperationalError) -> bool:
    return _sqlstate(exc) in _CONFLICT_SQLSTATES


# SQLSTATE classes of a server that cannot take the request now: 08 connection exception,
# 53 insufficient resources (53300 too_many_connections), 57P01..57P03 shutting down or starting.
_UNAVAILABLE_SQLSTATE_PREFIXES = ("08", "53", "57P01", "57P02", "57P03")


def is_database_unavailable(exc: BaseException | None) -> bool:
    """True for a failure to reach or use the database at all, as opposed to a bad query.

    psycopg reports a refused or timed-out connection with no SQLSTATE, and so does the pool
    (`PoolTimeout`: every connection busy, or none could be opened); SQLite's "database is
    locked" after its busy timeout is the same kind of overload.
    """
    if not isinstance(exc, OperationalError):
        return False
    sqlstate = _sqlstate(exc)
    if sqlstate is None:
        return True
    return sqlstate.startswith(_UNAVAILABLE_SQLSTATE_PREFIXES)


INVALID_TOKEN_DETAIL = "Given token not valid for any token type"
EXPIRED_TOKEN_DETAIL = "The token has expired: refresh it at /api/v1/auth/refresh/, or log in again."
# Every 401 names the scheme (RFC 9110), also where DRF's view had no authenticator to ask.
BEARER_CHALLENGE = 'Bearer realm="api"'


def _mentions_expiry(detail: Any) -> bool:
    """simplejwt says "Token is expired" somewhere inside its nested detail."""
    if isinstance(detail, dict):
        return any(_mentions_expiry(value) for value in detail.values())
    if isinstance(detail, list):
        return any(_mentions_expiry(value) for value in detail)
    return "expired" in str(detail).lower()


def _keep_auth_header(original: Exception, converted: exceptions.APIException) -> exceptions.APIException:
    converted.auth_header = getattr(original, "auth_header", None)  # type: ignore[attr-defined]
    return converted


class ApiExceptionHandler(ExceptionHandler):
    """Map database and token failures to the contract's 4xx answers instead of 500s."""

    def get_headers(self, exc: exceptions.APIException) -> dict:
        headers = super().get_headers(exc)
        if exc.status_code == status.HTTP_401_UNAUTHORIZED:
            headers.setdefault("WWW-Authenticate", BEARER_CHALLENGE)
        return headers

    def format_exception(self, exc: exceptions.APIException) -> dict:
        data = super().format_exception(exc)
        # An error about the whole body names no field: `attr` is null, not "non_field_errors".
        for error in data.get("errors", []):
            if error.get("attr") == api_settings.NON_FIELD_ERRORS_KEY:
                error["attr"] = None
            # A message may quote the input; a lone surrogate in it (valid JSON: "\ud800") cannot
            # be encoded as UTF-8 and would turn this 400 into a 500 in the renderer.
            for key in ("detail", "attr"):
                if isinstance(error.get(key), str):
                    error[key] = utf8_safe(error[key])
        return data

    def convert_known_exceptions(self, exc: Exception) -> Exception:
        if isinstance(exc, InvalidToken):
            # simplejwt's detail is a dict with one message per token class tried;
            # the contract wants exactly one error, which says so when the token has expired.
            detail = EXPIRED_TOKEN_DETAIL if _mentions_expiry(exc.detail) else INVALID_TOKEN_DETAIL
            return _keep_auth_header(exc, exceptions.AuthenticationFailed(detail=detail, code="token_not_valid"))
        if isinstance(exc, JWTAuthenticationFailed):
            # Its detail is a {"detail", "code"} dict, which would become two errors with
            # attr "detail" and "code"; the contract wants one `token_not_valid` error.
            message = exc.detail.get("detail", exc.default_detail) if isinstance(exc.detail, dict) else exc.detail
            failed = exceptions.AuthenticationFailed(detail=str(message), code="token_not_valid")
            return _keep_auth_header(exc, failed)
        if isinstance(exc, (ProtectedError, RestrictedError)):
            return Conflict(detail=_protected_detail(exc), code="in_use")
        if isinstance(exc, OperationalError) and _is_transaction_conflict(exc):
            return Conflict(detail="The request conflicts with a concurrent change; retry it.", code="conflict")
        if is_database_unavailable(exc):
            return DatabaseUnavailable()
        if isinstance(exc, IntegrityError):
            # Validation catches duplicates first; this is the race that slipped past it.
            return Conflict(detail="The request conflicts with a concurrent change; retry it.", code="conflict")
        if isinstance(exc, DjangoValidationError):
            # A value over its size limit (the post text's 1 MiB) is the contract's 413, whatever
            # else is wrong with it; the model's validator is the one place that checks it.
            too_large = _too_large_message(exc)
            return PayloadTooLarge(detail=too_large) if too_large is not None else django_validation_error_as_drf(exc)
        if isinstance(exc, ObjectNotFound):
            return exceptions.NotFound(detail=str(exc) or None)
        if isinstance(exc, DjangoPermissionDenied) and exc.args:
            # A service's refusal says why; DRF's own conversion would drop the message.
            return exceptions.PermissionDenied(detail=str(exc))
        if isinstance(exc, RequestDataTooBig):
            return PayloadTooLarge()
        if isinstance(exc, (TooManyFieldsSent, TooManyFilesSent)):
            return exceptions.ParseError(too_many_parts_detail(exc))
        return super().convert_known_exceptions(exc)


def too_many_parts_detail(exc: TooManyFieldsSent | TooManyFilesSent) -> str:
    """Django's count limits, read wherever a body or query string is parsed: DRF's parsers,
    the CSRF check of a session-authenticated request (Django's `request.POST`), the admin."""
    if isinstance(exc, TooManyFilesSent):
        limit, what = settings.DATA_UPLOAD_MAX_NUMBER_FILES, "files"
    else:
        limit, what = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS, "fields"
    return f"The request has more than {limit:,} {what}; the limit is {limit:,} {what} per request."


def error_body(status_code: int, code: str, detail: str) -> dict:
    """The drf-standardized-errors shape, for answers produced outside DRF."""
    error_type = "server_error" if status_code >= 500 else "client_error"
    return {"type": error_type, "errors": [{"code": code, "detail": detail, "attr": None}]}


def field_errors(code: str, **messages: str) -> DjangoValidationError:
    """A Django ValidationError naming fields, each with a code (Django drops `code=` on dicts)."""
    return DjangoValidationError(
        {field: DjangoValidationError(message, code=code) for field, message in messages.items()}
    )
