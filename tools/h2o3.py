"""The reference H2O-3 server that tests and benchmarks compare h2odash against.

The real server ships as ``h2o.jar`` inside the ``h2o`` package on PyPI, so the
simplest reproducible install is a private virtual environment holding that one
package.  Everything lives under ``<repo>/.cache`` (git-ignored).

Examples
--------
>>> from tools.h2o3 import ReferenceH2O
>>> with ReferenceH2O() as h2o3:          # doctest: +SKIP
...     print(h2o3.url)
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests

H2O_VERSION = "3.46.0.12"
REPO_ROOT = Path(__file__).resolve().parent.parent
CACHE_DIR = REPO_ROOT / ".cache"
VENV_DIR = CACHE_DIR / "h2o-venv"
LOG_DIR = CACHE_DIR / "h2o3-logs"


def java_available() -> bool:
    """Return True when a ``java`` executable is on the PATH."""
    return shutil.which("java") is not None


def _venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _find_jar(venv: Path) -> Path | None:
    # The site-packages folder name depends on the interpreter version, so glob for it.
    for jar in sorted(venv.glob("lib*/**/site-packages/h2o/backend/bin/h2o.jar")):
        return jar
    return None


def ensure_installed(venv: Path | str = VENV_DIR) -> Path:
    """Make sure ``h2o==3.46.0.12`` is installed in ``venv`` and return its jar.

    Idempotent and fast when the jar is already present: no pip call is made.

    Parameters
    ----------
    venv : path-like
        Virtual environment to create or reuse (default ``<repo>/.cache/h2o-venv``).

    Returns
    -------
    pathlib.Path
        Path of ``h2o.jar``.

    Raises
    ------
    RuntimeError
        When the environment cannot be created or pip fails; the message holds pip's output tail.
    """
    venv = Path(venv)
    jar = _find_jar(venv)
    if jar is not None:
        return jar
    venv.parent.mkdir(parents=True, exist_ok=True)
    if not _venv_python(venv).exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    cmd = [str(_venv_python(venv)), "-m", "pip", "install", "--disable-pip-version-check",
           f"h2o=={H2O_VERSION}"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    jar = _find_jar(venv)
    if proc.returncode != 0 or jar is None:
        tail = (proc.stdout + proc.stderr)[-3000:]
        raise RuntimeError(f"could not install h2o=={H2O_VERSION} into {venv}:\n{tail}")
    return jar


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that nothing listens on right now.

    H2O-3 also binds ``port + 1`` for its internal node-to-node traffic, so the
    returned port is chosen with its successor free as well.
    """
    for _ in range(50):
        with socket.socket() as s:
            s.bind((host, 0))
            port = s.getsockname()[1]
        if port < 65535 and _port_is_free(host, port + 1):
            return port
    raise RuntimeError("no free port pair found")


def _port_is_free(host: str, port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def _log_tail(path: Path, chars: int = 4000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError:
        return "(no log)"


class ReferenceH2O:
    """A real H2O-3 node on 127.0.0.1, started as a ``java -jar h2o.jar`` subprocess.

    Parameters
    ----------
    port : int, optional
        REST port; a free one is picked when omitted.
    xmx : str
        Java heap size (the test machines have 2 cores and little memory: keep it <= 3g).
    startup_timeout : float
        Seconds to wait for ``GET /3/Cloud`` to answer.
    """

    def __init__(self, port: int | None = None, xmx: str = "3g", startup_timeout: float = 120.0):
        self.port = port
        self.xmx = xmx
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen | None = None
        self.log_path: Path | None = None
        self.name = f"h2odash-ref-{uuid.uuid4().hex[:8]}"

    @property
    def url(self) -> str:
        """Base URL of the running server, e.g. ``http://127.0.0.1:54323``."""
        if self.port is None:
            raise RuntimeError("the server has not been started")
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "ReferenceH2O":
        """Install if needed, launch the JVM and wait until the REST API answers."""
        if self.process is not None:
            return self
        if not java_available():
            raise RuntimeError("java is not on the PATH; the reference H2O-3 needs Java 8+")
        jar = ensure_installed()
        if self.port is None:
            self.port = free_port()
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self.log_path = LOG_DIR / f"{self.name}.log"
        cmd = ["java", f"-Xmx{self.xmx}", "-jar", str(jar), "-ip", "127.0.0.1",
               "-port", str(self.port), "-name", self.name,
               # Keep H2O's own log files inside .cache instead of /tmp.
               "-log_dir", str(LOG_DIR / self.name)]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL)
        try:
            self._wait_until_up()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"H2O-3 exited with code {self.process.returncode} during startup; "
                    f"log {self.log_path}:\n{_log_tail(self.log_path)}")
            try:
                r = requests.get(f"{self.url}/3/Cloud", timeout=2)
                # A cloud that is still forming answers with cloud_healthy/consensus false.
                if r.ok and r.json().get("consensus", True):
                    return
            except (requests.RequestException, ValueError):
                pass
            time.sleep(0.5)
        raise RuntimeError(f"H2O-3 did not answer /3/Cloud within {self.startup_timeout:.0f} s; "
                           f"log {self.log_path}:\n{_log_tail(self.log_path)}")

    def stop(self) -> None:
        """Terminate the JVM (SIGTERM, then SIGKILL after 15 s)."""
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)

    def __enter__(self) -> "ReferenceH2O":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


if __name__ == "__main__":  # pragma: no cover - manual use: python -m tools.h2o3 [port]
    import signal

    def _interrupt(*_):
        raise KeyboardInterrupt

    # Background shells ignore SIGINT, so SIGTERM must also stop the JVM cleanly.
    signal.signal(signal.SIGTERM, _interrupt)
    port = int(sys.argv[1]) if len(sys.argv) > 1 else None
    with ReferenceH2O(port=port) as server:
        print(f"H2O-3 {H2O_VERSION} at {server.url} (log {server.log_path}); Ctrl-C to stop", flush=True)
        try:
            while server.process.poll() is None:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
