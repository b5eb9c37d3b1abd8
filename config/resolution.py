"""The WSGI handler, with each path's URL resolution remembered.

Django resolves every request's path against the URL patterns from the top: for a products list
that is the site's patterns, then the API router's (every route with and without its slash, and
with a format suffix), about 160 µs under load and the largest single step of a cache hit after
the Redis round trip. The answer depends only on the path and the URLconf, and a `ResolverMatch`
is never changed once made (the view gets a copy of its kwargs), so the handler keeps it per path:
the same match Django's resolver returned, reused. Only paths that resolve are kept (a 404 resolves
again every time) and at most MAX_KEPT_PATHS of them (then the table starts over: detail paths are
many, the hot ones come back at once). A request with its own URLconf (`request.urlconf`) and a
changed root URLconf (tests' `override_settings`) resolve as Django does.
"""

from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest
from django.urls import ResolverMatch, get_resolver

MAX_KEPT_PATHS = 2048


class RememberingWSGIHandler(WSGIHandler):
    """Django's WSGI handler; a path's resolution is looked up once per process (config/wsgi.py)."""

    def __init__(self) -> None:
        super().__init__()
        self.matches: dict[str, tuple[object, ResolverMatch]] = {}

    def resolve_request(self, request: HttpRequest) -> ResolverMatch:
        if hasattr(request, "urlconf"):
            return super().resolve_request(request)
        resolver = get_resolver()
        path = request.path_info
        kept = self.matches.get(path)
        if kept is not None and kept[0] is resolver:
            request.resolver_match = kept[1]
            return kept[1]
        match = super().resolve_request(request)  # a path that resolves to nothing raises Resolver404 here
        if len(self.matches) >= MAX_KEPT_PATHS:
            self.matches.clear()
        self.matches[path] = (resolver, match)
        return match
