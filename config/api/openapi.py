"""The OpenAPI description of errors: one place that says which error answers an operation can give.

drf-standardized-errors documents each operation's 400 with an enum of the fields and codes it
can infer from the serializer or filterset. This service raises more than it can infer (codes
from model validators and services such as `last_admin` or `unique`, errors on `ordering`,
`cursor` or the chart's `since`), so those enums rejected real answers. Here every error has the
shape the handler really produces, `{"type", "errors": [{"code", "detail", "attr"}]}`, with
`code` a string and `attr` the field or parameter (or null), and each operation lists every
status the service can answer with: the library's rules, plus 403 wherever a permission is
checked, 409 on writes, 413 where there is a body and 503 when the database is out of reach.

A serializer field may carry `schema_extra` (e.g. a `pattern`) for what it checks beyond DRF's
built-in constraints; decimals get the exact pattern of config.api.serializers.DecimalField.

A view adjusts its list with `error_statuses = {"401": True, "503": False}` (True adds, False
removes). An explicit `extend_schema(responses={code: ...})` always wins.

The response headers a client reads are declared where they occur (`response_header_parameters`):
`Retry-After` on every 429 and 503 error answer, `ETag` on a cached read's 200 and its 304 (with the
`If-None-Match` request header that gets the 304), `Idempotent-Replayed` on an idempotent create's 201.

What an operation says to its reader: its tag (one per domain, declared in its app's
`api/schema.py` `TAGS` and collected by `postprocess_tags`),
a one-line summary and a description. Each app's `api/schema.py` gives them, with examples, for
its views (`documented(tag, ...)`). The standard actions get a summary from the model's name
("List products", "Create a product") unless one is given, and a description is only ever a
view's or action's *own* docstring: drf-spectacular's `get_doc` walks the bases, so a viewset
without a docstring used to show `ScopedModelViewSet`'s notes to API users.
"""

import inspect
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema, extend_schema_view
from drf_standardized_errors.openapi import AutoSchema as StandardizedErrorsAutoSchema
from drf_standardized_errors.openapi_serializers import ClientErrorEnum, ServerErrorEnum, ValidationErrorEnum
from rest_framework import serializers
from rest_framework.exceptions import APIException
from rest_framework.permissions import AllowAny
from rest_framework.request import Request

from .registry import app_submodules
from .serializers import DecimalField

OPERATIONS_TAG = {
    "name": "Operations",
    "description": "For operators and load balancers: liveness (`/health/`), readiness "
    "(`/ready/`), Prometheus metrics (`/metrics`) and this OpenAPI document (`/api/v1/schema/`).",
}

ERROR_STATUS_CODES = ("400", "401", "403", "404", "405", "406", "409", "413", "414", "415", "429", "500", "503")
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

ERROR_DESCRIPTIONS = {
    "400": "Invalid input. `validation_error`: `attr` names the field or query parameter (null: the whole "
    "body). `client_error`: the body cannot be parsed (`parse_error`) or the request is malformed.",
    "401": "No, malformed or expired credentials (`not_authenticated`, `authentication_failed`, "
    "`token_not_valid`). Carries `WWW-Authenticate: Bearer`.",
    "403": "Authenticated, but not allowed to do this (`permission_denied`).",
    "404": "Not found, or not yours (`not_found`); also a page past the end of a list.",
    "405": "Method not allowed on this path (`method_not_allowed`).",
    "406": "No representation matches the `Accept` header (`not_acceptable`).",
    "409": "Conflicts with the current state (`conflict`: a concurrent change, retry; `in_use`: still "
    "referenced; `idempotency_key_reused`, `idempotency_key_in_flight`).",
    "413": "The request body, or a post's text, is too large (`payload_too_large`).",
    "414": f"The path and query string are longer than {settings.REQUEST_URL_MAX_BYTES} bytes (`uri_too_long`). "
    "A request line over 8190 bytes is refused by the HTTP server itself, as `text/html`.",
    "415": "Unsupported request content type (`unsupported_media_type`).",
    "429": "Rate limit exceeded (`throttled`); `Retry-After` says when to retry.",
    "500": "Server error (`error`).",
    "503": "The database is unavailable or overloaded (`service_unavailable`); `Retry-After` says when to retry.",
}


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable error code, e.g. `required`, `invalid`, `not_found`.")
    detail = serializers.CharField(help_text="Human-readable message.")
    attr = serializers.CharField(
        allow_null=True,
        help_text="The field or query parameter the error is about (nested fields joined with `.`), or null.",
    )


class ValidationErrorResponseSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=ValidationErrorEnum.choices)
    errors = serializers.ListField(child=ErrorSerializer(), min_length=1)  # type: ignore[assignment]


class ClientErrorResponseSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=ClientErrorEnum.choices)
    errors = serializers.ListField(child=ErrorSerializer(), min_length=1)  # type: ignore[assignment]


class ServerErrorResponseSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=ServerErrorEnum.choices)
    errors = serializers.ListField(child=ErrorSerializer(), min_length=1)  # type: ignore[assignment]


ERROR_400 = PolymorphicProxySerializer(
    component_name="ErrorResponse400",
    serializers={
        ValidationErrorEnum.VALIDATION_ERROR.value: ValidationErrorResponseSerializer,
        ClientErrorEnum.CLIENT_ERROR.value: ClientErrorResponseSerializer,
    },
    resource_type_field_name="type",
)


RETRY_AFTER = OpenApiParameter(
    name="Retry-After",
    location=OpenApiParameter.HEADER,
    type={"type": "integer", "minimum": 0},
    response=["429", "503"],
    description="Seconds to wait before retrying.",
)
ETAG = OpenApiParameter(
    name="ETag",
    location=OpenApiParameter.HEADER,
    type=str,
    response=["200", "304"],
    description="The answer's validator (JSON answers only): send it back in `If-None-Match` to get an "
    "empty 304 while nothing changed.",
)
IF_NONE_MATCH = OpenApiParameter(
    name="If-None-Match",
    location=OpenApiParameter.HEADER,
    type=str,
    required=False,
    description="The `ETag` of an answer you hold (or `*`): a 304 with no body if it is still current.",
)
IDEMPOTENT_REPLAYED_DESCRIPTION = (
    "`true` when this is the stored answer of an earlier request with the same `Idempotency-Key` "
    "(nothing was created this time); absent on a first answer."
)
NOT_MODIFIED = "Not modified: the `ETag` sent in `If-None-Match` is still current; no body."

# Summaries of the standard actions, from the model's verbose names.
ACTION_SUMMARIES = {
    "list": "List {plural}",
    "create": "Create {article} {singular}",
    "retrieve": "Get {article} {singular}",
    "update": "Replace {article} {singular}",
    "partial_update": "Update {article} {singular}",
    "destroy": "Delete {article} {singular}",
}
# What the standard actions do, the same on every resource (docs/API.md, Conventions).
ACTION_DESCRIPTIONS = {
    "list": "A page of {plural}, in a stable order; the query parameters filter, search and order it.",
    "create": "Creates {article} {singular}; the answer is the new {singular}.",
    "retrieve": "One {singular} by its id; one you may not see is a 404.",
    "update": "Full replacement: send every field; optional fields left out return to their defaults.",
    "partial_update": "Partial update: only the fields sent change; the others keep their values.",
    "destroy": "Deletes the {singular}; the answer is a 204 with no body.",
}


def own_doc(obj: Any, owner: type | None = None) -> str:
    """`obj`'s own docstring, never one inherited from a base class (as `inspect.getdoc` would give).

    A method counts as `owner`'s own only if it is defined in `owner`'s body: a copy of an inherited
    method (drf-spectacular makes them for `extend_schema_view`) keeps the base's `__qualname__`.
    """
    if obj is None:
        return ""
    if inspect.isclass(obj):
        doc = vars(obj).get("__doc__")
    else:
        function = getattr(obj, "__func__", obj)
        if owner is not None and not getattr(function, "__qualname__", "").startswith(f"{owner.__qualname__}."):
            return ""
        doc = getattr(function, "__doc__", None)
    return inspect.cleandoc(doc) if isinstance(doc, str) else ""


def documented(tag: str, **operations: Any) -> Callable[[type], type]:
    """Class decorator: every operation of the view gets `tag`; `operations` as `extend_schema_view`."""

    def decorate(view: type) -> type:
        view = extend_schema(tags=[tag])(view)
        return extend_schema_view(**operations)(view) if operations else view

    return decorate


class AutoSchema(StandardizedErrorsAutoSchema):
    def _model_names(self) -> dict[str, str] | None:
        serializer_class = getattr(self.view, "serializer_class", None)
        model = getattr(getattr(serializer_class, "Meta", None), "model", None)
        if model is None:
            return None
        singular, plural = str(model._meta.verbose_name), str(model._meta.verbose_name_plural)
        return {"singular": singular, "plural": plural, "article": "an" if singular[0] in "aeio" else "a"}

    def _standard_action(self) -> str | None:
        action = getattr(self.view, "action", None)
        if action == "list" and not self._is_list_view():
            return None
        return action if action in ACTION_SUMMARIES else None

    def get_summary(self) -> str | None:
        action, names = self._standard_action(), self._model_names()
        if action and names:
            return ACTION_SUMMARIES[action].format(**names)
        return None

    def get_description(self) -> str:  # type: ignore[override]
        view_class = type(self.view)
        action = getattr(self.view, "action", None) or self.method.lower()
        action_doc = own_doc(getattr(self.view, action, None), owner=view_class)
        if action_doc:
            return action_doc
        view_doc = own_doc(view_class)
        standard, names = self._standard_action(), self._model_names()
        if standard and names:
            return "\n\n".join(filter(None, [ACTION_DESCRIPTIONS[standard].format(**names), view_doc]))
        return view_doc

    def get_auth(self) -> list[dict[str, list[str]]]:
        """The schemes an operation takes, and anonymous access (`{}`) first where anyone may call it.

        drf-spectacular adds `{}` last, and only for `AllowAny` or `IsAuthenticatedOrReadOnly`: public
        reads behind our own permissions (`ReadAnyoneWriteAdmin`) showed a lock, and generated clients
        demanded a token for them. Here the view's own permissions decide, asked about an anonymous
        request with this operation's method.
        """
        schemes = [requirement for requirement in super().get_auth() if requirement]
        return [{}, *schemes] if self._anyone_may_call() else schemes

    def _anyone_may_call(self) -> bool:
        http_request = HttpRequest()
        http_request.method = self.method
        request = Request(http_request)
        request.user = AnonymousUser()
        try:
            return all(permission.has_permission(request, self.view) for permission in self.view.get_permissions())
        except APIException:
            return False

    # cached_views and idempotency are imported here: they import DRF's views, which load this
    # module as DEFAULT_SCHEMA_CLASS.
    def _is_cached_read(self) -> bool:
        from .cached_views import CachedReadMixin

        action = getattr(self.view, "action", None)
        return isinstance(self.view, CachedReadMixin) and (
            action == "list" or (action == "retrieve" and self.view.cache_retrieve)
        )

    def _explicit_responses(self) -> set[str]:
        given = self.get_response_serializers()
        return {str(code) for code in given} if isinstance(given, dict) else set()

    def get_override_parameters(self) -> list[Any]:
        """`extend_schema`'s parameters, plus the response headers the service sends (module docstring)."""
        parameters = [*super().get_override_parameters(), *self.response_header_parameters()]
        if self._is_cached_read():
            parameters.append(IF_NONE_MATCH)
        return parameters

    def response_header_parameters(self) -> list[OpenApiParameter]:
        from .idempotency import REPLAYED_HEADER, IdempotentCreateMixin

        headers = []
        if not self._explicit_responses() & {"429", "503"}:  # e.g. /ready/'s own 503 carries no Retry-After
            headers.append(RETRY_AFTER)
        if self._is_cached_read():
            headers.append(ETAG)
        if isinstance(self.view, IdempotentCreateMixin) and getattr(self.view, "action", None) == "create":
            headers.append(
                OpenApiParameter(
                    name=REPLAYED_HEADER,
                    location=OpenApiParameter.HEADER,
                    type={"type": "string", "enum": ["true"]},
                    response=["201"],
                    description=IDEMPOTENT_REPLAYED_DESCRIPTION,
                )
            )
        return headers

    def _get_allowed_error_status_codes(self) -> list[str]:
        return list(ERROR_STATUS_CODES)

    def _should_add_error_response(self, responses: dict, status_code: str) -> bool:
        if status_code in responses:
            return False  # given by the view's extend_schema
        override = getattr(self.view, "error_statuses", {}).get(status_code)
        if override is not None:
            return bool(override)
        if status_code == "400":
            # Every route can refuse a malformed request (a bad Content-Length, a disallowed Host).
            return True
        if status_code == "403":
            # Beyond the library's rule: a view that only needs a signed-in user still answers
            # 403 for a role or field it refuses, and session auth refuses a missing CSRF token.
            permissions = self.view.get_permissions()
            return bool(permissions) and not all(type(permission) is AllowAny for permission in permissions)
        if status_code == "409":
            return self.method in WRITE_METHODS
        if status_code == "413":
            return self.method in BODY_METHODS
        if status_code in ("414", "503"):
            return True
        return super()._should_add_error_response(responses, status_code)

    def _get_error_response_serializer(self, status_code: str) -> Any:
        if status_code == "400":
            return ERROR_400
        if status_code.startswith("5"):
            return ServerErrorResponseSerializer
        return ClientErrorResponseSerializer

    def _map_basic_serializer(self, serializer: Any, direction: Any) -> Any:
        # A component's description is its serializer's own docstring, not a base's (a mixin's notes).
        schema = super()._map_basic_serializer(serializer, direction)
        description = own_doc(serializer if inspect.isclass(serializer) else type(serializer))
        schema.pop("description", None)
        if description:
            schema["description"] = description
        return schema

    def _map_serializer_field(self, field: Any, direction: Any, bypass_extensions: bool = False) -> Any:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if getattr(field, "schema_extra", None) and isinstance(schema, dict):
            schema.update(field.schema_extra)  # constraints the field checks beyond DRF's own
        if isinstance(field, DecimalField) and isinstance(schema, dict) and schema.get("type") == "string":
            # The strings the field accepts, exactly; in a request a JSON number is accepted too.
            schema["pattern"] = field.pattern
            if direction == "request":
                number: dict[str, Any] = {"type": "number", "minimum": 0}
                if field.positive:
                    number["exclusiveMinimum"] = True
                largest = Decimal(10) ** field.whole_digits - Decimal(10) ** -field.places
                number["maximum"] = float(min(largest, field.max_value) if field.max_value is not None else largest)
                meta = {key: schema.pop(key) for key in ("description", "title", "default") if key in schema}
                return {"oneOf": [schema, number], **meta}
        return schema

    def _get_response_bodies(self, direction: Any = "response") -> Any:
        responses = super()._get_response_bodies(direction=direction)
        if direction == "response":
            for status_code, response in responses.items():
                if str(status_code) in ERROR_DESCRIPTIONS and not response.get("description"):
                    response["description"] = ERROR_DESCRIPTIONS[str(status_code)]
            if "414" in responses:
                # gunicorn's page for a request line past its limit: the one answer the app cannot shape.
                responses["414"]["content"]["text/html"] = {"schema": {"type": "string"}}
            if self._is_cached_read():
                responses["304"] = {**self._get_response_for_code(None, "304"), "description": NOT_MODIFIED}
        return responses


def postprocess_metrics_path(result: dict, generator: Any, request: Any, public: Any) -> dict:
    """`/metrics` is a plain Django view (django-prometheus' exporter), which drf-spectacular does not
    see; described here so the Operations tag lists it with the others."""
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ClientErrorResponse"}}}
    result.setdefault("paths", {})["/metrics"] = {
        "get": {
            "operationId": "metrics_retrieve",
            "summary": "Prometheus metrics",
            "description": "Request counts and latencies by view and status, database and cache metrics, "
            "summed over every server worker, in the Prometheus text format. Send `Authorization: Bearer "
            "<METRICS_TOKEN>`: production requires the token; only a local or test run without one "
            "answers anyone.",
            "tags": [OPERATIONS_TAG["name"]],
            # Optional (`{}`, first as on every public operation) only where this process answers without a token.
            "security": [{"metricsToken": []}]
            if settings.METRICS_TOKEN or settings.METRICS_TOKEN_REQUIRED
            else [{}, {"metricsToken": []}],
            "responses": {
                "200": {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": ""},
                "400": {
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse400"}}},
                    "description": ERROR_DESCRIPTIONS["400"],
                },
                "401": {"content": error, "description": "The bearer token is missing or is not the `METRICS_TOKEN`."},
                "414": {
                    "content": {**error, "text/html": {"schema": {"type": "string"}}},
                    "description": ERROR_DESCRIPTIONS["414"],
                },
            },
        }
    }
    schemes = result.setdefault("components", {}).setdefault("securitySchemes", {})
    schemes["metricsToken"] = {"type": "http", "scheme": "bearer", "description": "The service's `METRICS_TOKEN`."}
    return result


def postprocess_empty_query_values(result: dict, generator: Any, request: Any, public: Any) -> dict:
    """Every optional query parameter may be sent empty: `?search=&page=` is the same as leaving
    them out (django-filter, search, ordering and pagination all read an empty value as absent)."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
    return result


def collected_tags() -> list[dict[str, str]]:
    """Every app's `api.schema.TAGS`, in `INSTALLED_APPS` order, then the operations routes' own tag."""
    tags = [tag for _, module in app_submodules("api.schema") for tag in getattr(module, "TAGS", [])]
    return [*tags, OPERATIONS_TAG]


def postprocess_tags(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    result["tags"] = collected_tags()
    return result


# The order of `securitySchemes`, which Swagger UI's Authorize dialog follows: the API's bearer token
# first. drf-spectacular sorts components by name, which put the browser's `cookieAuth` first.
SECURITY_SCHEME_ORDER = ("jwtAuth", "cookieAuth", "metricsToken")


def postprocess_security_schemes(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    schemes = result.get("components", {}).get("securitySchemes")
    if schemes:
        rank = {name: index for index, name in enumerate(SECURITY_SCHEME_ORDER)}
        result["components"]["securitySchemes"] = dict(
            sorted(schemes.items(), key=lambda item: rank.get(item[0], len(rank)))
        )
    return result
