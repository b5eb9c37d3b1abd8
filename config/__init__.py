"""The project's configuration package. Its version lives in pyproject.toml alone; this reads it."""

import tomllib
from pathlib import Path

with (Path(__file__).resolve().parent.parent / "pyproject.toml").open("rb") as _pyproject:
    __version__: str = tomllib.load(_pyproject)["project"]["version"]
