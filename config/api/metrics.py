"""Request metrics for `/metrics`: the django-prometheus series an operator reads, updated by one middleware.

django-prometheus's own pair of middlewares updates about 17 series on every request (methods,
transports, body-size histograms, charsets, a latency histogram before and after the other
middleware...), which cost 85-145 µs a request here (benchmarks/middleware_cost.py): the largest
single cost of a cheap request. This middleware keeps the four series the dashboards and alerts
are built from, under django-prometheus's names, labels and buckets (the same metric objects):

- `django_http_requests_total_by_view_transport_method` (view, transport, method)
- `django_http_responses_total_by_status` (status)
- `django_http_responses_total_by_status_view_method` (status, view, method)
- `django_http_requests_latency_seconds_by_view_method` (view, method): a histogram of the
  whole request, every middleware included (django-prometheus's started after them).

Database and cache metrics still come from django-prometheus's database and cache backends.
"""

import time
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django_prometheus.middleware import Metrics

KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "TRACE", "OPTIONS", "CONNECT", "PATCH"})
# Label sets whose series a process keeps at hand: views x methods x statuses x transports are a few
# hundred; past this bound (which only a flood of unusual ones would reach) each answer looks its
# series up again.
MAX_KEPT_SERIES = 4096


def _view_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return (match.view_name if match is not None else None) or "<unnamed view>"


class RequestMetricsMiddleware:
    """First in MIDDLEWARE: counts every answer, and times it from the first middleware to the last byte built."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.metrics = Metrics.get_instance()
        # (view, method, status, transport) -> the four labelled series. prometheus_client's
        # `labels()` validates and locks on every call (about 6 µs each, four an answer); the series
        # it returns for one label set is always the same object, so it is looked up once.
        self.series: dict[tuple[str, str, str, str], tuple[Any, Any, Any, Any]] = {}

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        view = _view_name(request)
        method = request.method if request.method in KNOWN_METHODS else "<invalid method>"
        status = str(response.status_code)
        transport = "https" if request.is_secure() else "http"
        key = (view, method, status, transport)
        series = self.series.get(key)
        if series is None:
            series = self._series(*key)
            if len(self.series) < MAX_KEPT_SERIES:
                self.series[key] = series
        by_view, by_status, by_status_view, latency = series
        by_view.inc()
        by_status.inc()
        by_status_view.inc()
        latency.observe(elapsed)
        return response

    def _series(self, view: str, method: str, status: str, transport: str) -> tuple[Any, Any, Any, Any]:
        metrics = self.metrics
        return (
            metrics.requests_by_view_transport_method.labels(view=view, transport=transport, method=method),
            metrics.responses_by_status.labels(status=status),
            metrics.responses_by_status_view_method.labels(status=status, view=view, method=method),
            metrics.requests_latency_by_view_method.labels(view=view, method=method),
        )
