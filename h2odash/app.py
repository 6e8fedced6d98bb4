"""``h2odash app``: the dashboard as a web app, served by Voilà.

One command starts the embedded engine (unless ``--h2o URL`` names a server) and Voilà on the
dashboard notebook. Each browser tab gets its own kernel, and every kernel talks to the same
engine, which lives as long as the app. The notebook is generated here, so the app works from
an installed package as well as from a checkout; ``notebooks/dashboard.ipynb`` is a copy of it
for Jupyter and Binder (a test keeps the two the same).

Voilà settings, and why:

- kernels of closed tabs are culled after ``cull_idle_secs`` (each holds about 130 MB);
- one kernel is preheated, which cuts the first render from 8–14 s to about 2 s;
- localhost only by default. The page-unload call that shuts a tab's kernel down is refused by
  Voilà's XSRF check, which is switched off on localhost only; on any other interface the app
  requires a token (``--auth token:<secret>``) and leaves the check on.
"""
from __future__ import annotations

import os
import secrets
import shutil
import socket
import sys
import tempfile
from pathlib import Path

from h2odash.cli import is_loopback

DEFAULT_PORT = 8866
# What the launcher tells the kernels it starts: where the server is and how to log in.
URL_VARIABLE = "H2ODASH_APP_URL"
AUTH_VARIABLE = "H2ODASH_APP_AUTH"

INTRO = """\
**h2odash** — machine learning over H2O's REST API. Start in **Frames**: load an example (or
import your own data), train a model in **Train** and watch its scoring history grow, compare
models in **Models**, and score a frame in **Predict**."""

DASHBOARD_CODE = """\
import h2odash
from h2odash.app import app_client

# The server `h2odash app` started (or --h2o URL); elsewhere (Jupyter, Binder) the server at
# localhost:54321, or a new embedded engine.
h2odash.Dashboard(app_client())"""


# -- inside the kernel ------------------------------------------------------------------------
def client_auth(spec: str | None):
    """``token:<secret>`` or ``basic:<user>:<password>`` as ``H2OClient``'s ``auth`` argument."""
    if not spec:
        return None
    kind, _, rest = spec.partition(":")
    if kind == "token" and rest:
        return rest
    user, _, password = rest.partition(":")
    if kind == "basic" and user and password:
        return user, password
    raise ValueError("credentials take the form token:<secret> or basic:<user>:<password>")


def app_client():
    """The client a dashboard kernel uses: the app's server when ``h2odash app`` started this
    kernel, otherwise :func:`h2odash.init` (a server at localhost:54321, or a new engine)."""
    from h2odash.embedded import connect, init

    url = os.environ.get(URL_VARIABLE)
    if url:
        return connect(url, auth=client_auth(os.environ.get(AUTH_VARIABLE)))
    return init()


# -- the notebook -----------------------------------------------------------------------------
def dashboard_notebook():
    """The Voilà app as an ``nbformat`` notebook: a short introduction and the dashboard.

    Its only code cell connects and builds the widgets, so first render is quick: data is
    loaded and models are trained only when the user asks.
    """
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell(INTRO), nbformat.v4.new_code_cell(DASHBOARD_CODE)]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def write_dashboard_notebook(folder: Path) -> Path:
    """Write ``dashboard.ipynb`` into ``folder``; return its path."""
    import nbformat

    path = Path(folder) / "dashboard.ipynb"
    nbformat.write(dashboard_notebook(), str(path))
    return path


# -- the launcher -----------------------------------------------------------------------------
def voila_config(host: str, port: int, token: str | None, pool_size: int = 1, cull_idle_secs: int = 600):
    """Voilà's settings for the app (see the module docstring for why)."""
    from traitlets.config import Config

    config = Config()
    config.Voila.ip = host
    config.Voila.port = port
    config.Voila.port_retries = 0  # a busy port is an error, not a silent move elsewhere
    config.Voila.open_browser = False
    config.Voila.token = token or None
    if is_loopback(host):
        config.Voila.tornado_settings = {"disable_check_xsrf": True}
        # Only the user of this machine sees the page: show them what went wrong.
        config.VoilaConfiguration.show_tracebacks = True
    config.VoilaConfiguration.preheat_kernel = pool_size > 0
    config.VoilaConfiguration.default_pool_size = pool_size
    config.MappingKernelManager.cull_idle_timeout = cull_idle_secs
    config.MappingKernelManager.cull_interval = max(10, min(60, cull_idle_secs // 2))
    config.MappingKernelManager.cull_connected = False  # an open tab keeps its kernel
    return config


def _free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def run(port: int = DEFAULT_PORT, host: str = "127.0.0.1", h2o: str | None = None, h2o_auth: str | None = None,
        auth: str | None = None, pool_size: int = 1, cull_idle_secs: int = 600, workspace: str | None = None) -> int:
    """Serve the dashboard with Voilà until SIGTERM or Ctrl-C; returns an exit code.

    Parameters
    ----------
    port, host : int, str
        Where Voilà listens (default 127.0.0.1: this machine only).
    h2o : str, optional
        URL of a running H2O-3 or h2odash server; without it the embedded engine is started.
    h2o_auth : str, optional
        ``token:<secret>`` or ``basic:<user>:<password>`` for that server.
    auth : str, optional
        ``token:<secret>`` the browser must present; required when ``host`` is not loopback.
    pool_size : int
        Kernels executed ahead of page loads (0 turns preheating off).
    cull_idle_secs : int
        Seconds after which the kernel of a closed tab is shut down.
    workspace : str, optional
        Folder where the embedded engine keeps its frames and models across restarts.
    """
    try:
        from tornado.web import HTTPError
        from voila.app import Voila
    except ImportError:
        print("h2odash app needs Voilà: pip install 'h2odash[app]'", file=sys.stderr)
        return 2
    token = None
    if auth:
        kind, _, token = auth.partition(":")
        if kind != "token" or not token:
            print("h2odash app: --auth takes token:<secret> (the browser opens /?token=<secret>)", file=sys.stderr)
            return 2
    elif not is_loopback(host):
        print(f"h2odash app: --host {host} would let other machines in: set --auth token:<secret> "
              "(or H2ODASH_AUTH) as well.", file=sys.stderr)
        return 2

    from h2odash.client.errors import H2OConnectionError
    from h2odash.embedded import EmbeddedServer, connect

    engine = None
    kernel_env = {}
    try:
        if h2o:
            connect(h2o, auth=client_auth(h2o_auth), timeout=10).close()
            kernel_env = {URL_VARIABLE: h2o, AUTH_VARIABLE: h2o_auth or ""}
        else:
            # The engine listens on loopback only; its own random token keeps other local users
            # (and other notebooks) from reaching into the app's frames and models.
            engine_token = secrets.token_urlsafe(24)
            serve_args = ["--log-level", "warning"] + (["--workspace", workspace] if workspace else [])
            engine = EmbeddedServer(port=_free_port(), auth=engine_token, serve_args=serve_args).start()
            kernel_env = {URL_VARIABLE: engine.url, AUTH_VARIABLE: f"token:{engine_token}"}
            print(f"h2odash app: embedded engine at {engine.url} (log {engine.log_path})", flush=True)
    except (H2OConnectionError, ValueError) as exc:
        print(f"h2odash app: {exc}", file=sys.stderr)
        return 1

    runtime = Path(tempfile.mkdtemp(prefix="h2odash-app-"))
    try:
        notebook = write_dashboard_notebook(runtime)
        # Kernels inherit this process's environment; the web token is not theirs to see.
        os.environ.pop("H2ODASH_AUTH", None)
        os.environ.update(kernel_env)
        where = f"http://{host}:{port}/" + (f"?token={'<secret>'}" if token else "")
        print(f"h2odash app: dashboard at {where}", flush=True)
        try:
            Voila.launch_instance(argv=[str(notebook)], config=voila_config(host, port, token, pool_size,
                                                                             cull_idle_secs))
        except HTTPError as exc:
            # Voilà's stop races its kernel pool: a kernel still being started to refill the pool
            # when the stop signal arrives is unknown to the manager that shuts all kernels
            # down, which then raises 404. Requests never raise out of launch_instance; only
            # that shutdown does, and the app did stop.
            if exc.status_code != 404:
                raise
            print(f"h2odash app: stopped while a kernel was starting ({exc.log_message})", file=sys.stderr)
        return 0
    finally:
        if engine is not None:
            engine.stop()
        shutil.rmtree(runtime, ignore_errors=True)
