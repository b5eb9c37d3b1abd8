"""A live gunicorn with the demo data, and headless Chromium (Debian's, driven by Playwright).

The browser tests run only when asked (`make browser`, `pytest -m browser tests/browser`): they
need `/usr/bin/chromium` (`apt-get install chromium`), PostgreSQL and Redis on 127.0.0.1. The
server runs the production settings over plain HTTP on loopback, on a fresh database `browser`.
"""

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from loadtest.server import live_gunicorn, manage, production_environment, recreate_database

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PORT = int(os.environ.get("BROWSER_TEST_PORT", "8661"))
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "img"


@pytest.fixture(scope="session")
def site() -> Iterator[str]:
    """The base URL of a gunicorn serving the demo data (`manage.py seed_demo`)."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
    database = os.environ.get("BROWSER_TEST_DATABASE", "browser")
    env = production_environment(
        name="browser",
        database_url=f"postgres://postgres@127.0.0.1:5432/{database}",
        redis_url=f"redis://127.0.0.1:6379/{os.environ.get('BROWSER_TEST_REDIS_DB', '13')}",
        workers=2,
        RATE_LIMIT_ENABLED="false",
        DJANGO_SETTINGS_MODULE="config.settings.production",
    )
    log_dir = Path(tempfile.mkdtemp(prefix="browser-"))
    env["PROMETHEUS_MULTIPROC_DIR"] = str(log_dir / "metrics")
    (log_dir / "metrics").mkdir()
    recreate_database(database)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "seed_demo")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    with open(log_dir / "gunicorn.log", "w") as log, live_gunicorn(env, port=PORT, log=log):
        yield f"http://127.0.0.1:{PORT}"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


class OffMachineRequests(list):
    """Every request the page sent to a host other than 127.0.0.1 (the docs must be self-hosted)."""


@pytest.fixture
def page(browser: Any, site: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=site)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    off_machine = OffMachineRequests()
    tab.on("request", lambda request: _note_host(request.url, off_machine))
    console_errors: list[str] = []
    tab.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda error: console_errors.append(f"uncaught: {error}"))
    tab.off_machine = off_machine  # type: ignore[attr-defined]
    tab.console_errors = console_errors  # type: ignore[attr-defined]
    yield tab
    context.close()
    # Every page a test visits: no error in the console (a blocked resource, a 404, a script error).
    assert console_errors == [], f"console errors: {console_errors}"


def _note_host(url: str, off_machine: list[str]) -> None:
    parts = urlsplit(url)
    if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname != "127.0.0.1":
        off_machine.append(url)


def screenshot(page: Any, name: str) -> None:
    """Saved under docs/img/, which the README shows."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)
