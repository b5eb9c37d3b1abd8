"""The `docker compose` commands shown by the docs (README.md, docs/*.md) and docker-compose.yml name real services.

A `docker compose [--profile P] run|up ... SERVICE` line must name a service of docker-compose.yml, and a
service behind a profile must be run with that profile (without it compose says "no such service").
Seeding in compose is one command, the same in docs/OPERATIONS.md (its Docker section) and the compose file.
"""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
OPERATIONS = ROOT / "docs" / "OPERATIONS.md"
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
COMMAND = re.compile(r"docker compose((?: --profile \S+)*) (run|up)((?: --?[a-z-]+)*) ([a-z][a-z0-9-]*)")
SEED = "docker compose --profile seed run --rm seed"


def services() -> dict:
    return yaml.safe_load(COMPOSE.read_text())["services"]


def commands(text: str) -> list[tuple[list[str], str]]:
    return [(re.findall(r"--profile (\S+)", match[0]), match[3]) for match in COMMAND.findall(text)]


def test_the_pattern_reads_a_command():
    assert commands("docker compose --profile dev run --rm dev python manage.py seed_demo") == [(["dev"], "dev")]


def test_every_compose_command_shown_names_a_service_with_its_profile():
    shown = [command for page in [*DOCS, COMPOSE] for command in commands(page.read_text())]
    defined = services()
    wrong = [
        (profiles, name)
        for profiles, name in shown
        if name not in defined or not set(defined[name].get("profiles", [])) <= set(profiles)
    ]

    assert shown
    assert not wrong, f"compose commands naming no service, or without the service's profile: {wrong}"


def test_docs_and_compose_seed_the_same_way():
    assert SEED in OPERATIONS.read_text()
    assert SEED in COMPOSE.read_text()
    assert services()["seed"]["command"][-1] == "seed_demo"


def test_the_development_service_reloads_the_working_tree():
    dev = services()["dev"]

    assert dev["profiles"] == ["dev"], "never started by a plain `docker compose up`"
    assert ".:/app" in dev["volumes"]
    assert "runserver" in " ".join(dev["command"])
    assert "--noreload" not in " ".join(dev["command"])
    assert dev["environment"]["DJANGO_SETTINGS_MODULE"] == "config.settings.local"
    assert all(port.startswith("127.0.0.1:") for port in dev["ports"]), "published on the loopback only"
