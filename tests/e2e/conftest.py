"""Browser tests: ``h2odash app`` in a subprocess, driven by Debian's chromium through playwright.

Screenshots go to ``$H2ODASH_ARTIFACTS`` (default ``tmp/artifacts`` in the checkout), one folder
per run, printed in the log. The app is stopped with SIGTERM, as a service manager would.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("H2ODASH_CHROMIUM", "/usr/bin/chromium")
# Measured on these machines: without them chromium stalls on network and GPU probes.
# Voilà logs this once its preheated kernel has run the dashboard notebook: the app is ready.
POOL_FILLED = "Kernel pool of dashboard.ipynb is filled"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def wait_for_socket(host: str, port: int, process: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    """Wait until something listens on ``port``. A socket connect, not a GET: with Voilà a GET
    starts a kernel."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"h2odash app exited with code {process.returncode}:\n{log.read_text()[-4000:]}",
                        pytrace=False)
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex((host, port)) == 0:
                return
        time.sleep(0.1)
    pytest.fail(f"h2odash app did not listen on {port} within {timeout} s:\n{log.read_text()[-4000:]}",
                pytrace=False)


def wait_for_log(log: Path, text: str, process: subprocess.Popen, timeout: float = 120) -> None:
    """Wait until the app's log says ``text``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in log.read_text(errors="replace"):
            return
        if process.poll() is not None:
            break
        time.sleep(0.1)
    pytest.fail(f"h2odash app never logged {text!r}:\n{log.read_text(errors='replace')[-4000:]}", pytrace=False)


def stop(process: subprocess.Popen, timeout: float = 30) -> int:
    """SIGTERM, then wait; kill only if it hangs (and fail the test for it)."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
        pytest.fail(f"h2odash app did not stop within {timeout} s of SIGTERM")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Folder for this run's screenshots (kept after the run)."""
    root = Path(os.environ.get("H2ODASH_ARTIFACTS", REPO_ROOT / "tmp" / "artifacts"))
    folder = root / time.strftime("e2e-%Y%m%d-%H%M%S")
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nbrowser test artifacts: {folder}", flush=True)
    return folder


@pytest.fixture
def app(tmp_path):
    """``h2odash app`` on a free port with its own embedded engine; yields its URL and log path."""
    from tools.h2o3 import free_port

    port = free_port()
    log = tmp_path / "app.log"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])))
    env.pop("H2ODASH_AUTH", None)
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "h2odash", "app", "--port", str(port)],
                                   stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
    try:
        started = time.monotonic()
        wait_for_socket("127.0.0.1", port, process, log)
        listening = time.monotonic()
        wait_for_log(log, POOL_FILLED, process)
        print(f"\nh2odash app: listening {listening - started:.1f} s after start, kernel preheated "
              f"{time.monotonic() - listening:.1f} s later", flush=True)
        yield f"http://127.0.0.1:{port}/", log
        assert stop(process) == 0, log.read_text()[-4000:]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        print(f"h2odash app log: {log}")


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
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    page.goto("about:blank")
    context.close()
