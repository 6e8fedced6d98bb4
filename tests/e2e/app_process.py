"""``h2odash app`` as a subprocess for tests: start it, know when it is ready, stop it with SIGTERM."""
from __future__ import annotations

import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

# Voilà logs this once its preheated kernel has run the dashboard notebook: the app is ready.
POOL_FILLED = "Kernel pool of dashboard.ipynb is filled"
# ``h2odash app`` keeps a per-user workspace by default: a test names its own or none, so no test
# reads or writes the workspace of the person running the suite.
WORKSPACE_CHOICES = ("--workspace", "--no-workspace")


def check_workspace_choice(command: list[str]) -> None:
    """Refuse an ``h2odash app`` command line that would use the real per-user workspace."""
    if not any(argument in WORKSPACE_CHOICES for argument in command):
        raise AssertionError(f"{' '.join(command)}: pass --workspace <tmp dir> or --no-workspace, "
                             "or the test would use the real per-user workspace")


class AppProcess:
    """A running ``h2odash app``: ``url``, ``log`` (its output) and the process."""

    def __init__(self, command: list[str], port: int, log: Path, env: dict | None = None, cwd=None):
        check_workspace_choice(command)
        self.port = port
        self.url = f"http://127.0.0.1:{port}/"
        self.log = log
        with open(log, "wb") as out:
            self.process = subprocess.Popen(command + ["--port", str(port)], stdout=out, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, env=env, cwd=cwd)

    def log_text(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:]

    def wait_listening(self, timeout: float = 120) -> None:
        """Wait until Voilà listens. A socket connect, not a GET: a GET would start a kernel."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"h2odash app exited with code {self.process.returncode}:\n{self.log_text()}",
                            pytrace=False)
            with socket.socket() as sock:
                sock.settimeout(0.5)
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        pytest.fail(f"h2odash app did not listen on {self.port} within {timeout} s:\n{self.log_text()}", pytrace=False)

    def wait_ready(self, timeout: float = 120) -> None:
        """Wait until the preheated kernel has rendered the dashboard."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if POOL_FILLED in self.log.read_text(errors="replace"):
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        pytest.fail(f"h2odash app never logged {POOL_FILLED!r}:\n{self.log_text()}", pytrace=False)

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM, then wait; kill only if it hangs (and fail the test for it)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
            pytest.fail(f"h2odash app did not stop within {timeout} s of SIGTERM:\n{self.log_text()}")
