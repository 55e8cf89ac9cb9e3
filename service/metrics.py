"""Prometheus metrics on a registry per app (tests build many apps; no global state)."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "cocok_http_requests_total",
            "HTTP requests by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "cocok_http_request_duration_seconds",
            "HTTP request latency by method and route template.",
            ["method", "route"],
            registry=self.registry,
        )
        self.index_records = Gauge(
            "cocok_index_records",
            "Records held by the in-memory index, by kind (-1: not loaded).",
            ["kind"],
            registry=self.registry,
        )

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def track_index(self, sizes: Callable[[], dict[str, int]]) -> None:
        for kind in ("candidate", "vacancy"):
            self.index_records.labels(kind).set_function(_size_of(sizes, kind))

    def render(self) -> bytes:
        return generate_latest(self.registry)


def _size_of(sizes: Callable[[], dict[str, int]], kind: str) -> Callable[[], float]:
    return lambda: float(sizes().get(kind, -1))
