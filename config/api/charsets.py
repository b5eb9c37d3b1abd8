"""A request's charset is UTF-8 or ASCII; any other is refused (415) before anything is decoded.

Django takes any codec Python knows, named in `Content-Type: ...; charset=`, as
`request.encoding`, and decodes the query string, forms and (through DRF's parsers) JSON with
it. Python's codec registry also holds compressors and binary transforms: `charset=bz2` or
`zlib` turned a 144-byte body into 64 MiB of text past the body limit (a decompression bomb),
and `hex`, `base64` or `rot13` raised a 500 — some while Django built the request, before any
middleware ran (its `encoding` setter re-reads the query string).

So `install()` (run once at start-up by `config.api.apps`) replaces
`HttpRequest._set_content_type_params`, the one place Django reads the charset: only an
accepted charset becomes `request.encoding`; any other is kept aside as `refused_charset`,
the request is decoded as UTF-8 (`DEFAULT_CHARSET`) wherever it is read, and
`RequestCharsetMiddleware` answers it with a 415 in the error format. With UTF-8 or ASCII no
text is longer than its bytes, so the body limit bounds the decoded size too.
"""

import codecs
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.http import parse_header_parameters

from .exceptions import error_body
from .renderers import JsonResponse
from .text import utf8_safe

# Codec names after `codecs.lookup`, so that every alias counts ("UTF8", "utf_8", "us-ascii").
# ASCII is a subset of UTF-8. Latin-1 and the rest are refused: JSON is UTF-8 (RFC 8259 §8.1)
# and our HTML forms are served, hence sent, as UTF-8.
ACCEPTED_REQUEST_CHARSETS = frozenset({"utf-8", "ascii"})
UNREADABLE_CONTENT_TYPE = "(an unreadable Content-Type parameter)"


def codec_name(charset: str) -> str | None:
    try:
        return codecs.lookup(charset.strip()).name
    except (LookupError, ValueError):  # unknown, or a name Python cannot look up (a NUL in it)
        return None


def _set_content_type_params(self: HttpRequest, meta: dict[str, Any]) -> None:
    try:
        self.content_type, self.content_params = parse_header_parameters(meta.get("CONTENT_TYPE", ""))
    except (LookupError, ValueError):
        # RFC 2231 `charset*=bz2''...` is decoded by the header parser itself (Django #36991).
        self.content_type, self.content_params = "", {}
        self.refused_charset = UNREADABLE_CONTENT_TYPE  # type: ignore[attr-defined]
        return
    charset = self.content_params.get("charset")
    if charset is None:
        return
    if codec_name(charset) in ACCEPTED_REQUEST_CHARSETS:
        self.encoding = charset
    else:
        self.refused_charset = charset  # type: ignore[attr-defined]


_set_content_type_params.text_charsets_only = True  # type: ignore[attr-defined]


def install() -> None:
    if not getattr(getattr(HttpRequest, "_set_content_type_params"), "text_charsets_only", False):  # noqa: B009
        setattr(HttpRequest, "_set_content_type_params", _set_content_type_params)  # noqa: B010


class RequestCharsetMiddleware:
    """Answer a request whose charset `install()` refused with a 415, before a view reads it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refused = getattr(request, "refused_charset", None)
        if refused is not None:
            shown = refused if refused == UNREADABLE_CONTENT_TYPE else repr(utf8_safe(refused)[:40])
            detail = f"The request charset {shown} is not supported; send the body as UTF-8 (charset=utf-8)."
            return JsonResponse(error_body(415, "unsupported_media_type", detail), status=415)
        return self.get_response(request)
