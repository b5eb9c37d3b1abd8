"""The staff's import commands: `--help` explains every argument and option; progress on a terminal, a summary."""

import argparse
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command, load_command_class

from sprockets.models import FactoryChartEntry, SprocketType

pytestmark = pytest.mark.django_db

COMMANDS = ["import_factory_data", "import_sprocket_types"]


class Terminal(StringIO):
    def isatty(self) -> bool:
        return True


def types_file(tmp_path: Path, count: int) -> Path:
    path = tmp_path / "types.json"
    items = [{"teeth": 3 + i, "pitch_diameter": 5, "outside_diameter": 6, "pitch": 1} for i in range(count)]
    path.write_text(json.dumps({"sprockets": items}))
    return path


def factories_file(tmp_path: Path, points: int) -> Path:
    path = tmp_path / "factories.json"
    chart = {
        "sprocket_production_actual": list(range(points)),
        "sprocket_production_goal": [points] * points,
        "time": [1_600_000_000 + 60 * i for i in range(points)],
    }
    path.write_text(json.dumps({"factories": [{"factory": {"name": "Big history", "chart_data": chart}}]}))
    return path


def run(command: str, *args: str) -> tuple[str, str]:
    out, err = StringIO(), Terminal()
    call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize("command", COMMANDS)
def test_help_explains_every_argument_and_option(command):
    parser = load_command_class("sprockets", command).create_parser("manage.py", command)
    assert len(parser.description or "") > 100
    for action in parser._actions:
        assert action.help, action.dest
        assert action.help != argparse.SUPPRESS, action.dest
    assert "--no-progress" in parser.format_help()


def test_sprocket_types_show_progress_on_a_terminal_and_a_summary(tmp_path):
    out, err = run("import_sprocket_types", str(types_file(tmp_path, 1500)))
    assert SprocketType.objects.count() == 1500
    assert "1500 created, 0 already present" in out
    assert err.count("\r") <= 101  # at most one redraw per percent
    assert err.rstrip().endswith("100% 1500/1500")


def test_factory_data_shows_progress_on_a_terminal_and_a_summary(tmp_path):
    out, err = run("import_factory_data", str(factories_file(tmp_path, 2500)))
    assert FactoryChartEntry.objects.count() == 2500
    assert "factories: 1 created, 0 already present; chart points: 2500 created" in out
    assert err.rstrip().endswith("100% 2500/2500")


def test_no_progress_for_small_files_or_when_asked_or_off_a_terminal(tmp_path):
    assert run("import_sprocket_types", str(types_file(tmp_path, 10)))[1] == ""
    assert run("import_sprocket_types", "--no-progress", str(types_file(tmp_path, 1200)))[1] == ""
    quiet_err = StringIO()  # a log file, not a terminal
    call_command("import_factory_data", str(factories_file(tmp_path, 1200)), stdout=StringIO(), stderr=quiet_err)
    assert quiet_err.getvalue() == ""


def test_verbosity_0_prints_nothing(tmp_path):
    out, err = run("import_sprocket_types", "-v", "0", str(types_file(tmp_path, 1200)))
    assert (out, err) == ("", "")
    assert SprocketType.objects.count() == 1200
