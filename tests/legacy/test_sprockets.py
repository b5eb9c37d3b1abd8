"""The sprocket-factory service's import, from its PostgreSQL database made from fixtures/sprockets_service.sql."""

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from legacy.models import LegacyRecord
from sprockets.models import Factory, FactoryChartEntry, Location, Sprocket, SprocketType
from tests.legacy import helpers
from tests.legacy.helpers import counts
from tests.sprockets.factories import LocationFactory, SprocketTypeFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres(reason="the sprocket service's database is PostgreSQL")]


@pytest.fixture
def sprockets_url(postgres_source: Callable[[str], str]) -> str:
    return postgres_source("sprockets")


@pytest.fixture
def here_before() -> None:
    LocationFactory(postal_code="73301")
    SprocketTypeFactory(teeth=20, pitch_diameter=Decimal(8), outside_diameter=Decimal(9), pitch=Decimal(1))


def run_import(url: str, tmp_path: Path, *extra: str) -> dict:
    return helpers.run_import("sprockets-service", url, tmp_path, *extra)


@pytest.mark.parametrize("batch_size", ["2000", "2"], ids=["one batch", "batches of 2"])
def test_every_row_is_accounted_for(sprockets_url: str, here_before: None, tmp_path: Path, batch_size: str) -> None:
    """In batches of 2, type 5 merges into type 1 written by an earlier batch, not the same one."""
    report = run_import(sprockets_url, tmp_path, "--batch-size", batch_size)

    # (read, imported, merged, skipped): the fixture's rows minus the skips its comments name
    assert counts(report) == {
        "locations": (3, 1, 1, 1),
        "sprocket_types": (5, 1, 2, 2),
        "factories": (4, 3, 0, 1),
        "sprockets": (7, 4, 0, 3),
        "factories_histories": (4, 2, 0, 2),
    }
    skips = {t["table"]: {s["legacy_id"]: s["reason"] for s in t["skips"]} for t in report["tables"]}
    assert skips["locations"]["3"].startswith("country_code:")
    assert skips["sprocket_types"]["3"].startswith("outside_diameter:")
    assert skips["sprocket_types"]["4"].startswith("teeth:")
    assert skips["factories"]["3"] == "location 3 was not imported (skipped, or absent from the source)"
    assert skips["sprockets"]["5"].startswith("sprocket type 3 was not imported")
    assert skips["sprockets"]["6"].startswith("factory 3 was not imported")
    assert skips["sprockets"]["7"].startswith("name:")
    assert skips["factories_histories"]["3"].startswith("factory 3 was not imported")
    assert skips["factories_histories"]["4"].startswith("sprocket_production_actual:")


def test_counters_equal_their_sprockets_and_history_keeps_its_times(
    sprockets_url: str, here_before: None, tmp_path: Path
) -> None:
    run_import(sprockets_url, tmp_path)

    actual = dict(Factory.objects.values_list("name", "sprocket_production_actual"))
    assert actual == {"Alpha": 3, "Imported factory 2": 1, "Delta": 0}
    for factory in Factory.objects.all():
        assert factory.sprocket_production_actual == factory.sprockets.count()
    alpha = Factory.objects.get(name="Alpha")
    assert alpha.location is not None
    assert alpha.location.postal_code == "62701"
    assert Factory.objects.get(name="Delta").location == Location.objects.get(postal_code="73301")
    times = [entry.time.isoformat() for entry in FactoryChartEntry.objects.filter(factory=alpha)]
    assert times == ["2023-11-14T22:13:20+00:00", "2023-11-14T23:13:20+00:00"]
    s1 = Sprocket.objects.get(name="s1")
    assert s1.produced_at.isoformat() == "2023-11-14T22:30:00+00:00"
    assert Sprocket.objects.get(name="s3").sprocket_type == s1.sprocket_type  # type 5 merged into type 1
    assert SprocketType.objects.count() == 2


def test_a_second_run_imports_nothing_and_duplicates_no_history(
    sprockets_url: str, here_before: None, tmp_path: Path
) -> None:
    run_import(sprockets_url, tmp_path)
    before = (Factory.objects.count(), Sprocket.objects.count(), FactoryChartEntry.objects.count())

    again = run_import(sprockets_url, tmp_path)

    assert all(t["imported"] == 0 and t["merged"] == 0 and t["changed"] == 0 for t in again["tables"])
    assert {t["table"]: t["unchanged"] for t in again["tables"]} == {
        "locations": 2,
        "sprocket_types": 3,
        "factories": 3,
        "sprockets": 4,
        "factories_histories": 2,
    }
    assert (Factory.objects.count(), Sprocket.objects.count(), FactoryChartEntry.objects.count()) == before
    assert dict(Factory.objects.values_list("name", "sprocket_production_actual"))["Alpha"] == 3
    assert LegacyRecord.objects.filter(source="sprockets-service").count() == 14


def test_the_factory_list_cache_is_dropped_when_the_import_commits(
    sprockets_url: str,
    here_before: None,
    tmp_path: Path,
    user_client: object,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    assert user_client.get("/api/v1/factories/").json()["count"] == 0  # type: ignore[attr-defined]

    with django_capture_on_commit_callbacks(execute=True):
        run_import(sprockets_url, tmp_path)

    assert user_client.get("/api/v1/factories/").json()["count"] == 3  # type: ignore[attr-defined]
