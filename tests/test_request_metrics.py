"""config.api.metrics.RequestMetricsMiddleware: the four request series, one update each per answer."""

import pytest
from prometheus_client import REGISTRY

pytestmark = pytest.mark.django_db


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def _request_samples(view: str, method: str, status: str) -> tuple[float, ...]:
    return (
        _sample(
            "django_http_requests_total_by_view_transport_method_total", view=view, transport="http", method=method
        ),
        _sample("django_http_responses_total_by_status_total", status=status),
        _sample("django_http_responses_total_by_status_view_method_total", status=status, view=view, method=method),
        _sample("django_http_requests_latency_seconds_by_view_method_count", view=view, method=method),
    )


def _increase(before: tuple[float, ...], after: tuple[float, ...]) -> list[float]:
    return [b - a for a, b in zip(before, after, strict=True)]


def test_each_answer_counts_once_in_each_series(api_client):
    before = _request_samples("health", "GET", "200")
    assert api_client.get("/health/").status_code == 200
    assert api_client.get("/health/").status_code == 200
    assert _increase(before, _request_samples("health", "GET", "200")) == [2, 2, 2, 2]


def test_the_latency_covers_the_request(api_client):
    name = "django_http_requests_latency_seconds_by_view_method_sum"
    before = _sample(name, view="health", method="GET")
    api_client.get("/health/")
    assert _sample(name, view="health", method="GET") > before


def test_an_unrouted_path_and_an_unknown_method_get_the_library_s_placeholders(api_client):
    before = _request_samples("<unnamed view>", "GET", "404")
    assert api_client.get("/no-such-page/").status_code == 404
    assert _increase(before, _request_samples("<unnamed view>", "GET", "404")) == [1, 1, 1, 1]
    before = _request_samples("health", "<invalid method>", "405")
    assert api_client.generic("BREW", "/health/").status_code == 405
    assert _increase(before, _request_samples("health", "<invalid method>", "405")) == [1, 1, 1, 1]
