"""Find or start an H2O-3-compatible server, the way ``h2o.init()`` does.

``init()`` connects to a server already answering at the URL; otherwise it starts
h2odash's embedded engine (``python -m h2odash serve``) as a subprocess on this
machine and stops it when the interpreter exits.
"""
from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlparse

from .client import H2OClient
from .client.errors import H2OConnectionError, H2OError

DEFAULT_URL = "http://localhost:54321"


def connect(url: str = DEFAULT_URL, auth=None, timeout: float = 60) -> H2OClient:
    """Connect to a running server and check that it answers ``GET /3/Cloud``.

    Parameters
    ----------
    url : str
        Base URL of the server.
    auth : str or (str, str), optional
        Bearer token or ``(user, password)``.
    timeout : float
        Seconds to wait for each HTTP answer.

    Raises
    ------
    H2OConnectionError
        When nothing answers at ``url``.
    """
    client = H2OClient(url, auth=auth, timeout=timeout)
    try:
        client.cloud()
    except H2OConnectionError:
        client.close()
        raise
    except H2OError as exc:
        client.close()
        raise H2OConnectionError(f"{url} answered, but not as an H2O server: {exc}") from exc
    return client


class EmbeddedServer:
    """The embedded engine running as a ``python -m h2odash serve`` subprocess.

    Parameters
    ----------
    host : str
        Interface to bind (loopback by default: the engine has no authentication).
    port : int
        Port to bind.
    startup_timeout : float
        Seconds to wait for ``GET /3/Cloud`` to answer.
    serve_args : sequence of str
        More ``h2odash serve`` options, e.g. ``["--log-level", "warning"]``.
    auth : str or (str, str), optional
        Credentials the server requires and the client sends: a bearer token or
        ``(user, password)``. Passed to the child in its environment, not its command line.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 54321, startup_timeout: float = 60.0,
                 serve_args=(), auth=None):
        self.host = host
        self.port = port
        self.startup_timeout = startup_timeout
        self.serve_args = list(serve_args)
        self.auth = auth
        self.process: subprocess.Popen | None = None
        self.log_path: str | None = None

    @property
    def url(self) -> str:
        """Base URL of the server."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> "EmbeddedServer":
        """Launch the subprocess and wait until it answers; raise with its log tail if it dies."""
        fd, self.log_path = tempfile.mkstemp(prefix="h2odash-server-", suffix=".log")
        # The child must import this very h2odash even when it is not installed (a source checkout).
        package_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_parent, env.get("PYTHONPATH")]))
        env.pop("H2ODASH_AUTH", None)
        if self.auth is not None:
            env["H2ODASH_AUTH"] = (f"basic:{self.auth[0]}:{self.auth[1]}" if isinstance(self.auth, tuple)
                                   else f"token:{self.auth}")
        with os.fdopen(fd, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "h2odash", "serve", "--host", self.host, "--port", str(self.port),
                 *self.serve_args],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise H2OConnectionError(f"the embedded server exited with code {self.process.returncode}; "
                                         f"log {self.log_path}:\n{self._log_tail()}")
            try:
                connect(self.url, auth=self.auth, timeout=2).close()
                return self
            except H2OConnectionError:
                time.sleep(0.2)
        self.stop()
        raise H2OConnectionError(f"the embedded server did not answer within {self.startup_timeout:.0f} s; "
                                 f"log {self.log_path}:\n{self._log_tail()}")

    def stop(self) -> None:
        """Terminate the subprocess (kill it if it does not stop within 10 s)."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def _log_tail(self, chars: int = 3000) -> str:
        try:
            with open(self.log_path, errors="replace") as handle:
                return handle.read()[-chars:]
        except OSError:
            return "(no log)"


def _port_in_use(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


_started: list[EmbeddedServer] = []


def init(url: str = DEFAULT_URL, auth=None, timeout: float = 60, start: bool = True,
         startup_timeout: float = 60.0, workspace: str | None = None) -> H2OClient:
    """Connect to the server at ``url``, starting the embedded engine if nothing answers.

    Like ``h2o.init()``: a server already running there is reused. Otherwise the
    embedded engine starts on the URL's port (or on a free port when something else
    holds it) and is stopped when the Python interpreter exits.

    Parameters
    ----------
    url : str
        Where to look for a server first.
    auth : str or (str, str), optional
        Credentials for an existing server.
    timeout : float
        Seconds to wait for each HTTP answer.
    start : bool
        When false, never start the embedded engine (behaves like :func:`connect`).
    startup_timeout : float
        Seconds to wait for the embedded engine to answer.
    workspace : str, optional
        A folder where a started engine keeps frames and models across restarts
        (``h2odash serve --workspace``); a server already running keeps its own.

    Returns
    -------
    H2OClient
    """
    try:
        return connect(url, auth=auth, timeout=timeout)
    except H2OConnectionError:
        if not start:
            raise
    parsed = urlparse(url)
    # The engine has no authentication, so it only ever listens on the loopback interface.
    host = "127.0.0.1"
    port = parsed.port or 54321
    if _port_in_use(host, port):
        port = _free_port(host)
    serve_args = ["--workspace", str(workspace)] if workspace else []
    server = EmbeddedServer(host=host, port=port, startup_timeout=startup_timeout, serve_args=serve_args).start()
    _started.append(server)
    atexit.register(server.stop)
    return connect(server.url, timeout=timeout)
