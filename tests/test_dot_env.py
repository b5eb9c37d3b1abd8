"""DJANGO_READ_DOT_ENV_FILE=true: the settings read the repository's `.env` (cookiecutter-django's convention).

The settings find `.env` beside the package (BASE_DIR), so each test copies `config/` (the package and its
settings, nothing else) into a folder of its own with a `.env`, and loads the settings there in a fresh
interpreter: the real environment and the repository's own `.env` are never touched.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parent.parent
PRINT_SETTINGS = (
    "import config.settings.test as s; print(s.RATE_LIMIT_ANON, s.PHONE_DEFAULT_REGION, s.READ_DOT_ENV_FILE)"
)


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    (tmp_path / "config").mkdir()
    shutil.copy(REPOSITORY / "config" / "__init__.py", tmp_path / "config")
    shutil.copytree(REPOSITORY / "config" / "settings", tmp_path / "config" / "settings")
    shutil.copy(REPOSITORY / "pyproject.toml", tmp_path)
    (tmp_path / ".env").write_text("RATE_LIMIT_ANON=7/m\nPHONE_DEFAULT_REGION=GB\n")
    return tmp_path


def settings_in(checkout: Path, **variables: str) -> list[str]:
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in ("DJANGO_READ_DOT_ENV_FILE", "RATE_LIMIT_ANON", "PHONE_DEFAULT_REGION")
    }
    environment.update(variables, PYTHONPATH=str(checkout))
    done = subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=checkout,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout.split()


def test_dot_env_is_read_when_asked(checkout):
    assert settings_in(checkout, DJANGO_READ_DOT_ENV_FILE="true") == ["7/m", "GB", "True"]


def test_dot_env_is_ignored_by_default(checkout):
    assert settings_in(checkout) == ["60/m", "US", "False"]
    assert settings_in(checkout, DJANGO_READ_DOT_ENV_FILE="false") == ["60/m", "US", "False"]


def test_the_real_environment_wins_over_dot_env(checkout):
    assert settings_in(checkout, DJANGO_READ_DOT_ENV_FILE="true", RATE_LIMIT_ANON="9/m") == ["9/m", "GB", "True"]


def test_a_missing_dot_env_is_no_error(checkout):
    (checkout / ".env").unlink()

    assert settings_in(checkout, DJANGO_READ_DOT_ENV_FILE="true") == ["60/m", "US", "True"]
