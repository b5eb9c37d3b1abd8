"""import_factory_data and import_sprocket_types on the samples in sprockets/samples/: idempotent, all or nothing."""

import json
import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from sprockets.models import Factory, FactoryChartEntry, SprocketType

pytestmark = pytest.mark.django_db

# The sample files ship with the repository (docs/API.md, Sprockets); docs/OPERATIONS.md's import commands use them.
SAMPLES = Path(settings.BASE_DIR) / "sprockets" / "samples"
FACTORY_SAMPLE = SAMPLES / "seed_factory_data.json"
TYPES_SAMPLE = SAMPLES / "seed_sprocket_types.json"


def run(command: str, path: Path | str) -> str:
    out = StringIO()
    call_command(command, str(path), stdout=out, stderr=StringIO())
    return out.getvalue()


def test_factory_sample_imports_once_with_its_history(user_client):
    sample = json.loads(FACTORY_SAMPLE.read_text())["factories"]
    run("import_factory_data", FACTORY_SAMPLE)
    assert Factory.objects.count() == len(sample)
    assert FactoryChartEntry.objects.count() == sum(len(f["factory"]["chart_data"]["time"]) for f in sample)

    first = sample[0]["factory"]
    factory = Factory.objects.get(name=first["name"])
    # Its chart is the file's, with the file's timestamps; its counters come from the last point.
    whole_history = {**first["chart_data"], "total_points": len(first["chart_data"]["time"])}
    assert user_client.get(f"/api/v1/factories/{factory.pk}/chart/").json() == whole_history
    assert factory.sprocket_production_goal == first["chart_data"]["sprocket_production_goal"][-1]
    assert factory.sprocket_production_actual == first["chart_data"]["sprocket_production_actual"][-1]

    before = (Factory.objects.count(), FactoryChartEntry.objects.count())
    output = run("import_factory_data", FACTORY_SAMPLE)
    assert (Factory.objects.count(), FactoryChartEntry.objects.count()) == before
    assert "0 created" in output


def test_sprocket_type_sample_imports_once():
    run("import_sprocket_types", TYPES_SAMPLE)
    # The sample repeats one type three times: its dimensions are its natural key.
    assert SprocketType.objects.count() == 1
    assert SprocketType.objects.filter(teeth=5, pitch_diameter=5, outside_diameter=6, pitch=1).exists()
    run("import_sprocket_types", TYPES_SAMPLE)
    assert SprocketType.objects.count() == 1


def test_nameless_factory_gets_a_stable_name(tmp_path):
    chart = {"sprocket_production_actual": [1, 2], "sprocket_production_goal": [3, 3], "time": [100, 40]}
    path = tmp_path / "nameless.json"
    path.write_text(json.dumps({"factories": [{"factory": {"chart_data": chart}}]}))
    run("import_factory_data", path)
    run("import_factory_data", path)
    factory = Factory.objects.get()
    assert factory.name.startswith("Factory ")
    # Points are stored by time: the newest (t=100) sets the counters.
    assert (factory.sprocket_production_goal, factory.sprocket_production_actual) == (3, 1)
    assert FactoryChartEntry.objects.count() == 2


GOOD: dict[str, Any] = {
    "name": "Good",
    "chart_data": {"sprocket_production_actual": [1], "sprocket_production_goal": [2], "time": [60]},
}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps({"factory": []}), '"factories"'),
        (json.dumps({"factories": [{"factory": GOOD}, {"nope": 1}]}), "factories[1]"),
        (
            json.dumps(
                {
                    "factories": [
                        {"factory": GOOD},
                        {"factory": {**GOOD, "name": "Bad", "chart_data": {**GOOD["chart_data"], "time": ["x"]}}},
                    ]
                }
            ),
            "factories[1].factory.chart_data.time[0]",
        ),
        (
            json.dumps({"factories": [{"factory": {**GOOD, "chart_data": {**GOOD["chart_data"], "time": [60, 120]}}}]}),
            "differ in length",
        ),
        (
            json.dumps(
                {
                    "factories": [
                        {"factory": GOOD},
                        {"factory": {**GOOD, "chart_data": {**GOOD["chart_data"], "sprocket_production_goal": [-1]}}},
                    ]
                }
            ),
            "factories[1].factory.chart_data.sprocket_production_goal[0]",
        ),
        (json.dumps({"factories": [{"factory": {**GOOD, "name": ""}}]}), "factories[0].factory.name"),
    ],
)
def test_malformed_factory_file_imports_nothing(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(CommandError) as excinfo:
        run("import_factory_data", path)
    assert message in str(excinfo.value)
    assert str(path) in str(excinfo.value)
    assert not Factory.objects.exists()
    assert not FactoryChartEntry.objects.exists()


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"teeth": 2, "pitch_diameter": 5, "outside_diameter": 6, "pitch": 1}, "sprockets[1].teeth"),
        ({"teeth": 5, "pitch_diameter": 5, "outside_diameter": 5, "pitch": 1}, "sprockets[1].outside_diameter"),
        ({"teeth": 5, "pitch_diameter": 5, "outside_diameter": 6}, "sprockets[1].pitch"),
        ("five", "sprockets[1]"),
    ],
)
def test_malformed_sprocket_type_file_imports_nothing(tmp_path, item, message):
    good = {"teeth": 7, "pitch_diameter": 5, "outside_diameter": 6, "pitch": 1}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"sprockets": [good, item]}))
    with pytest.raises(CommandError) as excinfo:
        run("import_sprocket_types", path)
    assert message in str(excinfo.value)
    assert not SprocketType.objects.exists()


def test_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        run("import_factory_data", tmp_path / "absent.json")


def test_documented_import_commands_name_the_shipped_samples():
    """docs/OPERATIONS.md's import commands ("Loading data") run as written from the repository root (CI's habit)."""
    page = (Path(settings.BASE_DIR) / "docs" / "OPERATIONS.md").read_text()
    commands = dict(re.findall(r"manage\.py (import_factory_data|import_sprocket_types) (\S+)", page))
    assert commands == {
        "import_factory_data": "sprockets/samples/seed_factory_data.json",
        "import_sprocket_types": "sprockets/samples/seed_sprocket_types.json",
    }
    for path in commands.values():
        assert (Path(settings.BASE_DIR) / path).is_file()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        # The file's format: teeth a JSON integer, dimensions numbers or plain digit strings.
        ({"teeth": 5.0}, "sprockets[0].teeth: A valid integer is required."),
        ({"teeth": "5"}, "sprockets[0].teeth: A valid integer is required."),
        ({"pitch": "1e2"}, "sprockets[0].pitch: A valid number is required."),
        ({"pitch": None}, "sprockets[0].pitch: This field may not be null."),
        ({"name": None}, "sprockets[0].name: This field may not be null."),
        # The model's rules, as the API states them.
        ({"teeth": 2}, "sprockets[0].teeth: Ensure this value is greater than or equal to 3."),
        ({"pitch": "1.0001"}, "sprockets[0].pitch: Ensure that there are no more than 3 decimal places."),
        (
            {"outside_diameter": 5},
            "sprockets[0].outside_diameter: outside_diameter must be larger than pitch_diameter.",
        ),
        ({"name": "x" * 121}, "sprockets[0].name:"),
    ],
)
def test_sprocket_types_are_checked_with_the_model_rules(tmp_path, change, message):
    path = tmp_path / "types.json"
    path.write_text(
        json.dumps({"sprockets": [{"teeth": 7, "pitch_diameter": 5, "outside_diameter": 6, "pitch": 1, **change}]})
    )
    with pytest.raises(CommandError) as excinfo:
        run("import_sprocket_types", path)
    assert message in str(excinfo.value)
    assert not SprocketType.objects.exists()


def test_sprocket_type_values_are_read_as_the_api_reads_them(tmp_path):
    path = tmp_path / "types.json"
    item = {"name": "  Spaced  ", "teeth": 9, "pitch_diameter": 5.1, "outside_diameter": "6.", "pitch": ".5", "x": 1}
    path.write_text(json.dumps({"sprockets": [item]}))
    run("import_sprocket_types", path)
    sprocket_type = SprocketType.objects.get()
    assert sprocket_type.name == "Spaced"
    assert (sprocket_type.teeth, str(sprocket_type.pitch_diameter), str(sprocket_type.outside_diameter)) == (
        9,
        "5.100",
        "6.000",
    )
    assert str(sprocket_type.pitch) == "0.500"
