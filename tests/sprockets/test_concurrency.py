"""Concurrent sprocket writes never lose an update of the factory's counter (PostgreSQL only)."""

from functools import partial

import pytest

from sprockets import services
from sprockets.models import Factory, FactoryChartEntry, Sprocket
from tests.concurrency import run_concurrently

from .factories import SprocketTypeFactory

THREADS = 24

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def _run_at_once(work, count: int) -> list[BaseException]:
    outcomes = run_concurrently(*(partial(work, i) for i in range(count)), timeout=120, return_exceptions=True)
    return [outcome for outcome in outcomes if isinstance(outcome, BaseException)]  # asserted on by the test


def test_concurrent_creates_count_every_sprocket_and_chart_every_change():
    factory = services.factory_create(name="Busy", sprocket_production_goal=THREADS)
    sprocket_type = SprocketTypeFactory.create()

    errors = _run_at_once(
        lambda i: services.sprocket_create(factory=factory, sprocket_type=sprocket_type, name=f"s{i}"), THREADS
    )

    assert errors == []
    factory.refresh_from_db()
    assert Sprocket.objects.filter(factory=factory).count() == THREADS
    assert factory.sprocket_production_actual == THREADS
    chart = list(
        FactoryChartEntry.objects.filter(factory=factory)
        .order_by("time", "id")
        .values_list("sprocket_production_actual", flat=True)
    )
    # The creation point, then one point per sprocket carrying the value that committed: 1..N in order.
    assert chart == list(range(THREADS + 1))


def test_concurrent_moves_and_deletes_keep_counters_exact():
    source = services.factory_create(name="Source")
    target = services.factory_create(name="Target")
    sprocket_type = SprocketTypeFactory.create()
    sprockets = [services.sprocket_create(factory=source, sprocket_type=sprocket_type) for _ in range(THREADS)]

    def work(index: int) -> None:
        sprocket = sprockets[index]
        if index % 2:
            services.sprocket_delete(sprocket=sprocket)
        else:
            services.sprocket_update(sprocket=sprocket, data={"factory": Factory.objects.get(pk=target.pk)})

    errors = _run_at_once(work, THREADS)

    assert errors == []
    source.refresh_from_db()
    target.refresh_from_db()
    assert source.sprocket_production_actual == 0
    assert target.sprocket_production_actual == THREADS // 2
    assert Sprocket.objects.filter(factory=target).count() == THREADS // 2
    target_chart = list(
        FactoryChartEntry.objects.filter(factory=target)
        .order_by("time", "id")
        .values_list("sprocket_production_actual", flat=True)
    )
    assert target_chart == list(range(THREADS // 2 + 1))
