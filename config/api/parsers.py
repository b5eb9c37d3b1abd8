"""Request parsers: DRF's, reading only what a well-formed body can say, and refusing the rest with
a 400 (`ParseError`, code `parse_error`) that names what was wrong — never a 500, never a guess.
API.md, "Decided: request bodies", lists the rules; each lives here once:

- JSON (`loads_json`): UTF-8 without a byte order mark; arrays and objects nested at most
  `REQUEST_JSON_MAX_DEPTH` deep, checked on the bytes before decoding (Python's decoder recurses
  per level: 1,000 levels in 2 KB were a RecursionError, and where that happens moves with each
  Python release); no key twice in one object; no NaN/Infinity; not empty.
- Forms: UTF-8, percent-escapes included (Django falls back to Latin-1 for raw bytes and to U+FFFD
  for escapes, so `text=%ff` was stored as "\ufffd"); at most `DATA_UPLOAD_MAX_NUMBER_FIELDS`
  fields. A JSON document sent as a form (`curl -d '{...}'` without the JSON header) is a 400
  that says to send `application/json`, not "This field is required" for every field.
- Multipart: at least one part (RFC 2046); Django's field and file counts apply (its
  `TooManyFieldsSent` / `TooManyFilesSent` become 400s in `config.api.exceptions`).
- An empty body of a write with a `Content-Type` goes to that type's parser (`install()`), which decides
  what empty means: an empty form is a form with no fields; empty JSON or multipart is malformed.

Numbers are not checked here: `1e400` is a valid JSON number (a float infinity in Python), and the
field it was sent for refuses it with a 400 naming that field (config.api.strict_types).
"""

import codecs
import io
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.http import QueryDict
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.request import Request

_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")
_SQUARE = bytes.maketrans(b"{}", b"[]")
_SHOWN_KEY_CHARS = 60
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH"})


def _structure(body: bytes) -> bytes:
    """The brackets of a JSON text outside its strings, `{}` written as `[]`.

    In UTF-8 no byte of a multi-byte character is ASCII, so working on bytes is exact. Escaped
    backslashes and quotes go first; then quotes alternate opening and closing a string (an
    unterminated one runs to the end, as for the decoder). The body is read in slices, so the
    pieces of a body of many short strings never all exist at once.
    """
    text = body.replace(b"\\\\", b"").replace(b'\\"', b"")
    kept: list[bytes] = []
    inside = False
    step = 64 * 1024
    for start in range(0, len(text), step):
        pieces = text[start : start + step].split(b'"')
        kept.append(b"".join(pieces[1::2] if inside else pieces[0::2]).translate(_SQUARE, _NOT_BRACKETS))
        if len(pieces) % 2 == 0:
            inside = not inside
    return b"".join(kept)


def nested_deeper_than(body: bytes, limit: int) -> bool:
    """True if arrays and objects nest more than `limit` deep (the outermost is level 1).

    Without recursion and in C-speed passes: each pass removes every innermost `[]`, so a bracket
    pair left after `limit` passes sits more than `limit` deep. Brackets never closed count as
    open levels (the decoder would recurse into them before it found the error).
    """
    if body.count(b"[") + body.count(b"{") <= limit:
        return False  # every body of ours: no scan at all
    structure = _structure(body)
    for _ in range(limit):
        if b"[]" not in structure:
            break
        structure = structure.replace(b"[]", b"")
    return b"[]" in structure or structure.count(b"[") > limit


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) < len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                break
            seen.add(key)
        shown = json.dumps(key[:_SHOWN_KEY_CHARS], ensure_ascii=False) + ("..." if len(key) > _SHOWN_KEY_CHARS else "")
        # RFC 8259 §4: names SHOULD be unique; decoders disagree on which value wins.
        raise ParseError(f"JSON parse error - the key {shown} appears more than once in one object.")
    return data


def _no_constant(name: str) -> Any:
    raise ParseError(f"JSON parse error - {name} is not a JSON number (RFC 8259 §6): send a finite number or null.")


def loads_json(body: bytes) -> Any:
    """The document in a JSON request body, or a `ParseError` saying why there is none."""
    if not body.strip(b" \t\r\n"):
        raise ParseError(
            "JSON parse error - the body is empty, but its Content-Type says JSON: send a JSON document ({} for none)."
        )
    if body.startswith(codecs.BOM_UTF8):
        raise ParseError(
            "JSON parse error - the body starts with a byte order mark, which JSON text must not have "
            "(RFC 8259 §8.1): send it without."
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError(
            f"JSON parse error - the body is not valid UTF-8 (byte 0x{body[exc.start]:02x} at offset {exc.start})."
        ) from exc
    limit = settings.REQUEST_JSON_MAX_DEPTH
    if nested_deeper_than(body, limit):
        raise ParseError(f"JSON parse error - arrays and objects are nested more than {limit} levels deep.")
    try:
        return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except ValueError as exc:  # the decoder's own message: where, and what it expected
        raise ParseError(f"JSON parse error - {exc}") from exc


class JSONParser(parsers.JSONParser):
    """DRF's media type, read by `loads_json` (the charset was checked before: config.api.charsets)."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        return loads_json(stream.read() if stream is not None else b"")


class FormParser(parsers.FormParser):
    """URL-encoded forms, as DRF's, strictly UTF-8; a body that is a JSON document is refused."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        body = stream.read() if stream is not None else b""
        if _is_json_document(body):
            raise ParseError(
                "The body is JSON but was sent as a form (application/x-www-form-urlencoded): "
                "send it with Content-Type: application/json."
            )
        return _form_fields(body)


def _form_fields(body: bytes) -> QueryDict:
    limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, errors="strict", max_num_fields=limit)
    except UnicodeDecodeError as exc:
        raise ParseError("Form parse error - the form is not valid UTF-8 (raw or percent-encoded bytes).") from exc
    except ValueError as exc:  # parse_qsl's only other complaint: more fields than max_num_fields
        raise TooManyFieldsSent("The number of GET/POST parameters exceeded DATA_UPLOAD_MAX_NUMBER_FIELDS.") from exc
    fields = QueryDict(mutable=True)
    for key, value in pairs:
        fields.appendlist(key, value)
    fields._mutable = False
    return fields


def _is_json_document(body: bytes) -> bool:
    if not body.strip().startswith((b"{", b"[")):
        return False
    try:
        loads_json(body)
    except ParseError:
        return False
    return True


class MultiPartParser(parsers.MultiPartParser):
    """A multipart body must have at least one part; garbage with only a closing boundary was
    silently read as "no fields" (a PATCH of nothing answered 200), and so was an empty body."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        parsed = super().parse(stream, media_type, parser_context)
        if not parsed.data and not parsed.files:
            raise ParseError("Multipart form parse error - the body has no parts.")
        return parsed


def _load_stream(original: Callable[[Request], None]) -> Callable[[Request], None]:
    # DRF never calls a parser for a body of length 0: `{}` whatever the Content-Type said, so an
    # empty "JSON" PATCH was a 200 that changed nothing and an empty POST "field required". The
    # empty body of a write that names its Content-Type goes to that type's parser like any other
    # (an unknown type is then a 415). Without one, or on a GET or DELETE (clients send a
    # Content-Type there too, and the login throttle reads the data of every method), a body-less
    # request still reads as no data.
    def load_stream(self: Request) -> None:
        original(self)
        if self._stream is None and self.content_type and self.method in WRITE_METHODS:  # type: ignore[attr-defined]
            self._stream = io.BytesIO(b"")  # type: ignore[attr-defined]

    load_stream.empty_bodies_parsed = True  # type: ignore[attr-defined]
    return load_stream


def install() -> None:
    """Run once at start-up (config.api.apps)."""
    original = Request._load_stream  # type: ignore[attr-defined]
    if not getattr(original, "empty_bodies_parsed", False):
        Request._load_stream = _load_stream(original)  # type: ignore[attr-defined]
