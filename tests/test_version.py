"""The version lives in pyproject.toml alone: the code, the OpenAPI document and the changelog agree with it."""

import re
import tomllib
from pathlib import Path

import config

ROOT = Path(__file__).resolve().parent.parent


def pyproject_version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def test_the_code_reads_pyproject_s_version():
    assert config.__version__ == pyproject_version()


def test_the_openapi_document_says_the_version(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    assert response.json()["info"]["version"] == pyproject_version()


def test_the_newest_release_in_the_changelog_is_the_version():
    releases = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$", (ROOT / "CHANGELOG.md").read_text(), re.M)

    assert releases, "CHANGELOG.md lists no release"
    assert releases[0][0] == pyproject_version()
