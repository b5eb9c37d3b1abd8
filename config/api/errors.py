"""JSON answers for routes that do not exist, in the contract's error format."""

import sys

from django.core.exceptions import TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest
from django.views.decorators.csrf import csrf_exempt

from .exceptions import DatabaseUnavailable, error_body, is_database_unavailable, too_many_parts_detail
from .renderers import JsonResponse


@csrf_exempt
def api_not_found(request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
    return JsonResponse(error_body(404, "not_found", "Not found."), status=404)


def handler404(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return api_not_found(request)


def handler500(request: HttpRequest) -> JsonResponse:
    # Django calls this while handling the exception. One raised outside DRF (the admin, the
    # session middleware) because PostgreSQL is out of reach is a 503 like the API's, not a 500.
    if is_database_unavailable(sys.exc_info()[1]):
        unavailable = DatabaseUnavailable()
        response = JsonResponse(error_body(503, unavailable.default_code, str(unavailable.detail)), status=503)
        response["Retry-After"] = str(unavailable.wait)
        return response
    return JsonResponse(error_body(500, "error", "Server Error (500)"), status=500)


def handler400(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    # Django's own 400s (a disallowed Host header, a suspicious request) in the contract's shape.
    # A count limit (an admin form of 3,000 fields) says which, as the API's parsers do.
    if isinstance(exception, (TooManyFieldsSent, TooManyFilesSent)):
        return JsonResponse(error_body(400, "parse_error", too_many_parts_detail(exception)), status=400)
    return JsonResponse(error_body(400, "bad_request", "Bad request."), status=400)


def handler403(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(error_body(403, "permission_denied", "Permission denied."), status=403)
