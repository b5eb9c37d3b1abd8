"""Request parsers: DRF's, with two mistakes of clients answered as such instead of half-read.

- A JSON document sent as a form (`curl -d '{...}'` without the JSON header) is a 400 that says
  to send `application/json`, not "This field is required" for every field.
- A multipart body with no part at all is malformed (RFC 2046).
"""

import io
import json
from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class FormParser(parsers.FormParser):
    """URL-encoded forms, as DRF's; a body that is a JSON object or array is refused with a 400."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        body = stream.read() if stream is not None else b""
        if _is_json_document(body):
            raise ParseError(
                "The body is JSON but was sent as a form (application/x-www-form-urlencoded): "
                "send it with Content-Type: application/json."
            )
        return super().parse(io.BytesIO(body), media_type, parser_context)


def _is_json_document(body: bytes) -> bool:
    text = body.strip()
    if not text.startswith((b"{", b"[")):
        return False
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


class MultiPartParser(parsers.MultiPartParser):
    """A multipart body must have at least one part; garbage with only a closing boundary was
    silently read as "no fields" (a PATCH of nothing answered 200)."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        parsed = super().parse(stream, media_type, parser_context)
        if not parsed.data and not parsed.files:
            raise ParseError("Multipart form parse error - the body has no parts.")
        return parsed
