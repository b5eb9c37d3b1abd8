"""The JSON every answer is written in, and the browsable API's renderer, bounded.

JSON: DRF's compact rendering, ending with a newline (docs/API.md, Conventions: a curl user's
next prompt starts on a line of its own). `JSONRenderer` writes the answers of the views,
`JsonResponse` those made outside DRF (middleware refusals, Django's error handlers, /metrics'
refusals): one home for the bytes, so both kinds of answer read the same.

The browsable API: no HTML page longer than the 8 MiB every answer keeps to.

The page shows an answer up to three times (the data, and the PUT form and raw-data form filled
with it), each HTML-escaped: `'` is six bytes (`&#x27;`), `"` seven once JSON wrote it `\\"`. A
post of 1 MiB of quotes made a 20 MiB page. An answer whose JSON is over BROWSABLE_CONTENT_MAX_BYTES
is not shown: the page says how long it is and how to ask for it as JSON, and offers no form
filled with it. Below that the page is at most 3 x 6 x 256 KiB = 4.5 MiB plus its frame.
"""

from collections.abc import Mapping
from typing import Any

from django.http import HttpResponse
from rest_framework import renderers

BROWSABLE_CONTENT_MAX_BYTES = 256 * 1024


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSON renderer; a body that is not empty ends with one newline (JSON allows whitespace after a value)."""

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        body = super().render(data, accepted_media_type, renderer_context)
        return body + b"\n" if body else body


class JsonResponse(HttpResponse):
    """An answer made outside DRF, in the same bytes as the views' (JSONRenderer) and with its Content-Type."""

    def __init__(self, data: Any, *, status: int = 200) -> None:
        super().__init__(JSONRenderer().render(data), status=status, content_type=JSONRenderer.media_type)


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's browsable API, showing an answer only if its JSON is at most BROWSABLE_CONTENT_MAX_BYTES."""

    # DRF's page with "Log out" as a plain form: its inline `onclick` is blocked by our CSP.
    template = "api/browsable.html"
    json_size = 0

    def get_context(
        self, data: Any, accepted_media_type: str | None, renderer_context: Mapping[str, Any]
    ) -> dict[str, Any]:
        # DRF builds one renderer per request, so this is the size of this request's answer.
        self.json_size = len(JSONRenderer().render(data))
        return super().get_context(data, accepted_media_type, renderer_context)

    @property
    def too_large(self) -> bool:
        return self.json_size > BROWSABLE_CONTENT_MAX_BYTES

    def get_content(
        self, renderer: Any, data: Any, accepted_media_type: str, renderer_context: Mapping[str, Any]
    ) -> str:
        if self.too_large:
            return (
                f"This answer is {self.json_size:,} bytes of JSON, too long to show here "
                f"(more than {BROWSABLE_CONTENT_MAX_BYTES:,}). Ask for it as JSON: "
                "add ?format=json to the address, or send Accept: application/json."
            )
        return str(super().get_content(renderer, data, accepted_media_type, renderer_context))

    def show_form_for_method(self, view: Any, method: str, request: Any, obj: Any) -> bool:
        # The PUT and PATCH forms are filled with the answer: not shown when it is not.
        return False if self.too_large and obj is not None else super().show_form_for_method(view, method, request, obj)

    def get_raw_data_form(self, data: Any, view: Any, method: str, request: Any) -> Any:
        if self.too_large and method in ("PUT", "PATCH"):
            return None
        return super().get_raw_data_form(data, view, method, request)
