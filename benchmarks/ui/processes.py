"""The processes a UI run needs: an embedded engine whose token the benchmark knows, and
``h2odash app --h2o <that engine>`` (Voilà), started and stopped the way a user or a service
manager would.

The app normally starts its own engine with a random token nobody else can read; pointing it at
an engine started here instead changes nothing the page shows ("engine: embedded") and lets the
benchmark train models through the REST client, which is quicker than the Train form and not
what is measured.
"""
from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from h2odash.client import H2OConnectionError
from h2odash.embedded import connect

REPO_ROOT = Path(__file__).resolve().parents[2]
# Voilà logs this once its preheated kernel has run the dashboard notebook: the app is ready.
POOL_FILLED = "Kernel pool of dashboard.ipynb is filled"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class Engine:
    """``python -m h2odash serve`` from ``code_root`` on a free port, with a fresh token (given
    in its environment, as :class:`h2odash.embedded.EmbeddedServer` does)."""

    def __init__(self, log_dir: Path, code_root: Path = REPO_ROOT, startup_timeout: float = 60):
        self.token = secrets.token_urlsafe(24)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = Path(log_dir) / "engine.log"
        env = _environment(code_root)
        env["H2ODASH_AUTH"] = f"token:{self.token}"
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "h2odash", "serve", "--port", str(self.port), "--log-level", "warning"],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, cwd=str(code_root))
        deadline = time.monotonic() + startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the engine exited with code {self.process.returncode}:\n"
                                   f"{self.log.read_text(errors='replace')[-3000:]}")
            try:
                connect(self.url, auth=self.token, timeout=2).close()
                return
            except H2OConnectionError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the engine did not answer within {startup_timeout:.0f} s")

    def client(self):
        return connect(self.url, auth=self.token)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def _environment(code_root: Path) -> dict:
    """This environment, importing h2odash from ``code_root`` first, without the app's web token."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(code_root), env.get("PYTHONPATH")]))
    env.pop("H2ODASH_AUTH", None)
    return env


class App:
    """``h2odash app`` on a free port, using ``engine_url``; ``code_root`` is the checkout whose
    h2odash the app and its kernels import (default this one)."""

    def __init__(self, engine_url: str, token: str, log_dir: Path, code_root: Path = REPO_ROOT):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = Path(log_dir) / "app.log"
        env = _environment(code_root)
        env["H2ODASH_H2O_AUTH"] = f"token:{token}"  # in the environment, not on the command line
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "h2odash", "app", "--port", str(self.port), "--h2o", engine_url],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, cwd=str(code_root))

    def log_text(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:]

    def wait_ready(self, timeout: float = 180) -> None:
        """Wait until Voilà listens (a socket connect: a GET would start a kernel) and its
        preheated kernel has rendered the dashboard."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"h2odash app exited with code {self.process.returncode}:\n{self.log_text()}")
            if POOL_FILLED in self.log.read_text(errors="replace"):
                with socket.socket() as sock:
                    sock.settimeout(0.5)
                    if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                        return
            time.sleep(0.2)
        raise RuntimeError(f"h2odash app was not ready within {timeout:.0f} s:\n{self.log_text()}")

    def kernels(self) -> list[psutil.Process]:
        """The app's kernel processes (children running ipykernel), newest last."""
        try:
            children = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []
        found = []
        for child in children:
            try:
                if any("ipykernel" in part for part in child.cmdline()):
                    found.append(child)
            except psutil.Error:
                continue
        return sorted(found, key=lambda p: p.create_time())

    def stop(self, timeout: float = 30) -> int | None:
        """SIGTERM, then wait; kill if it hangs."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
            return None


def scratch_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="h2odash-ui-bench-"))


def export_commit(commit: str, folder: Path) -> str:
    """Write the tree of ``commit`` (of this repository) into ``folder``; return its full id.
    ``git archive``, so the shared working tree and index are left alone."""
    full = subprocess.run(["git", "rev-parse", "--verify", f"{commit}^{{commit}}"], cwd=REPO_ROOT,
                          capture_output=True, text=True, check=True).stdout.strip()
    folder.mkdir(parents=True, exist_ok=True)
    archive = subprocess.Popen(["git", "archive", full], cwd=REPO_ROOT, stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", str(folder)], stdin=archive.stdout, check=True)
    archive.stdout.close()
    if archive.wait() != 0:
        raise RuntimeError(f"git archive {full} failed")
    return full
