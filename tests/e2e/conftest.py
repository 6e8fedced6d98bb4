"""Browser tests: ``h2odash app`` in a subprocess, driven by Debian's chromium through playwright.

Screenshots go to ``$H2ODASH_ARTIFACTS`` (default ``tmp/artifacts`` in the checkout), one folder
per run, printed in the log. The app is stopped with SIGTERM, as a service manager would.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import sys
import time
from pathlib import Path

import pytest

from .app_process import AppProcess

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("H2ODASH_CHROMIUM", "/usr/bin/chromium")
# Measured on these machines: without them chromium stalls on network and GPU probes.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Folder for this run's screenshots (kept after the run)."""
    root = Path(os.environ.get("H2ODASH_ARTIFACTS", REPO_ROOT / "tmp" / "artifacts"))
    folder = root / time.strftime("e2e-%Y%m%d-%H%M%S")
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nbrowser test artifacts: {folder}", flush=True)
    return folder


@contextlib.contextmanager
def running_app(log: Path, *arguments: str):
    """``h2odash app`` with ``arguments`` (which must include ``--workspace DIR`` or ``--no-workspace``)
    on a free port, ready (kernel preheated); stopped with SIGTERM on exit, which must end it cleanly."""
    from tools.h2o3 import free_port

    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
               # the app's default per-user workspace, kept in the test's folder: tests never touch
               # the user's own, nor each other's
               XDG_DATA_HOME=str(log.parent / "data-home"))
    env.pop("H2ODASH_AUTH", None)
    app = AppProcess([sys.executable, "-m", "h2odash", "app", *arguments], free_port(), log, env=env)
    try:
        started = time.monotonic()
        app.wait_listening()
        listening = time.monotonic()
        app.wait_ready()
        print(f"\nh2odash app: listening {listening - started:.1f} s after start, kernel preheated "
              f"{time.monotonic() - listening:.1f} s later", flush=True)
        yield app
        assert app.stop() == 0, app.log_text()
    finally:
        if app.process.poll() is None:
            app.process.kill()
            app.process.wait(timeout=10)
        print(f"h2odash app log: {app.log}")


@pytest.fixture
def app(tmp_path):
    """``h2odash app`` with its own embedded engine, keeping nothing on disk."""
    with running_app(tmp_path / "app.log", "--no-workspace") as started:
        yield started


@pytest.fixture(scope="session")
def browser():
    """Headless Debian chromium (``playwright install`` cannot download here)."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: scripts/setup.sh --test installs it (apt-get install chromium)",
                    pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A page that records uncaught JavaScript errors in ``page.errors``; the test must check them.
    Ends on about:blank so Voilà sees the tab go and shuts its kernel down."""
    context = browser.new_context(viewport={"width": 1300, "height": 1500})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    page.goto("about:blank")
    context.close()
