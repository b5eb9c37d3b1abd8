"""Content negotiation that remembers its answer for the `Accept` values clients keep sending.

DRF's `DefaultContentNegotiation` parses the `Accept` header and matches it against every renderer
on every request (about 50 µs of a cache hit's ~700 µs in-process). Its choice depends only on the
header, the `?format=` override and the view's renderers, so for a request without `?format=` (or a
format suffix) the choice is kept per (`Accept`, renderers) and reused: the same renderer class and
media type DRF would pick, since DRF picks them (the first time) and the key holds all it reads.
A header DRF refuses (406) is refused again each time: only answers are kept.
"""

from collections.abc import Iterable
from typing import Any

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request

# Bounds on what a process keeps: `Accept` is the client's text, so neither its length nor the
# number of distinct values may grow the table without limit. Past them, DRF decides each time.
MAX_KEPT_CHOICES = 256
MAX_KEPT_ACCEPT_LENGTH = 256

_choices: dict[tuple[Any, ...], tuple[int, str]] = {}


class RememberingContentNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, its choice kept per `Accept` value and renderer set (`?format=` is DRF's each time)."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        if format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE):
            return super().select_renderer(request, renderers, format_suffix)
        renderers = list(renderers)
        accept = request.META.get("HTTP_ACCEPT", "*/*")
        key = (accept, *((type(renderer), renderer.media_type, renderer.format) for renderer in renderers))
        choice = _choices.get(key)
        if choice is not None:
            position, media_type = choice
            return renderers[position], media_type
        renderer, media_type = super().select_renderer(request, renderers, format_suffix)
        if len(accept) <= MAX_KEPT_ACCEPT_LENGTH and len(_choices) < MAX_KEPT_CHOICES:
            _choices[key] = ([id(r) for r in renderers].index(id(renderer)), media_type)
        return renderer, media_type
