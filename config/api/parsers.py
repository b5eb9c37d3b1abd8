"""Request parsers: multipart as DRF's, but a body with no part at all is malformed (RFC 2046)."""

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class MultiPartParser(parsers.MultiPartParser):
    """A multipart body must have at least one part; garbage with only a closing boundary was
    silently read as "no fields" (a PATCH of nothing answered 200)."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        parsed = super().parse(stream, media_type, parser_context)
        if not parsed.data and not parsed.files:
            raise ParseError("Multipart form parse error - the body has no parts.")
        return parsed
