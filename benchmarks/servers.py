"""The two servers a benchmark compares, behind one small interface.

Both run as child processes of the benchmark so that their memory can be read with
psutil and so that neither shares an interpreter (or a GIL) with the process timing it.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import psutil

from h2odash.client import H2OClient
from h2odash.embedded import EmbeddedServer as LocalEmbedded

from .generate import DATA_DIR

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # `tools` is a top-level folder of the checkout, not a package
    sys.path.insert(0, str(REPO_ROOT))

from tools.h2o3 import ReferenceH2O, free_port  # noqa: E402

LOG_DIR = DATA_DIR / "logs"
# The heap the reference measurements in DESIGN.md were taken with.
DEFAULT_H2O3_HEAP = "6g"
# Generous: an import of a large file can keep a server busy for a while between polls.
CLIENT_TIMEOUT = 600


class BenchServer:
    """A server under benchmark: a name, a URL, a process to measure and a client.

    Subclasses implement :meth:`_launch` (start the process, return its URL and the
    ``psutil.Process`` whose memory counts) and :meth:`_terminate`.

    Attributes
    ----------
    name : str
        Short key used in results (``embedded``, ``h2o3``).
    title : str
        Column heading in the report.
    """

    name = "server"
    title = "server"

    def __init__(self) -> None:
        self.url: str | None = None
        self.process: psutil.Process | None = None
        self.client: H2OClient | None = None
        self.info: dict = {}

    def start(self) -> "BenchServer":
        """Launch the server, wait for ``/3/Cloud`` and open a client on it."""
        started = time.perf_counter()
        self.url, self.process = self._launch()
        self.client = H2OClient(self.url, timeout=CLIENT_TIMEOUT)
        cloud = self.client.cloud()
        self.info = {"url": self.url, "pid": self.process.pid, "version": cloud.get("version"),
                     "startup_s": round(time.perf_counter() - started, 2)}
        return self

    def stop(self) -> None:
        """Close the client and end the process (idempotent)."""
        if self.client is not None:
            self.client.close()
            self.client = None
        self._terminate()
        self.process = None

    def rss_bytes(self) -> int:
        """Resident memory of the server process and any children it started, in bytes."""
        processes = [self.process, *self.process.children(recursive=True)]
        total = 0
        for process in processes:
            try:
                total += process.memory_info().rss
            except psutil.NoSuchProcess:  # a short-lived worker may exit while we count
                pass
        return total

    def peak_rss_bytes(self) -> int | None:
        """Highest resident memory the main process has had (Linux ``VmHWM``); None elsewhere."""
        try:
            with open(f"/proc/{self.process.pid}/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) * 1024
        except OSError:
            pass
        return None

    def _launch(self) -> tuple[str, psutil.Process]:
        raise NotImplementedError

    def _terminate(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> "BenchServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class EmbeddedServer(BenchServer):
    """h2odash's embedded engine: ``python -m h2odash serve`` on a free port."""

    name = "embedded"
    title = "embedded"

    def __init__(self, startup_timeout: float = 60.0) -> None:
        super().__init__()
        self.startup_timeout = startup_timeout
        self.server: LocalEmbedded | None = None

    @property
    def log_path(self):
        return self.server.log_path if self.server else None

    def _launch(self) -> tuple[str, psutil.Process]:
        # Warnings only: an access-log line per job poll would cost the server time we measure.
        self.server = LocalEmbedded(port=free_port(), startup_timeout=self.startup_timeout,
                                    serve_args=["--log-level", "warning"]).start()
        return self.server.url, psutil.Process(self.server.process.pid)

    def _terminate(self) -> None:
        if self.server is not None:
            self.server.stop()


class H2O3Server(BenchServer):
    """The reference H2O-3 (``tools.h2o3.ReferenceH2O``) with the reference heap size."""

    name = "h2o3"
    title = "H2O-3"

    def __init__(self, xmx: str = DEFAULT_H2O3_HEAP) -> None:
        super().__init__()
        self.reference = ReferenceH2O(xmx=xmx)

    def _launch(self) -> tuple[str, psutil.Process]:
        self.reference.start()
        return self.reference.url, psutil.Process(self.reference.process.pid)

    def start(self) -> "H2O3Server":
        super().start()
        self.info["xmx"] = self.reference.xmx
        return self

    def _terminate(self) -> None:
        self.reference.stop()


SERVER_NAMES = (EmbeddedServer.name, H2O3Server.name)


def make_server(name: str, h2o3_heap: str = DEFAULT_H2O3_HEAP) -> BenchServer:
    """A server (not started yet) from its name in :data:`SERVER_NAMES`."""
    if name == EmbeddedServer.name:
        return EmbeddedServer()
    if name == H2O3Server.name:
        return H2O3Server(xmx=h2o3_heap)
    raise ValueError(f"unknown server {name!r}; choose from {SERVER_NAMES}")
