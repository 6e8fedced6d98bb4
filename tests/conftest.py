"""Session fixtures shared by the test suites.

Servers
-------
``embedded_url``  the embedded engine (``python -m h2odash serve``) in a subprocess.
``h2o3_url``      the reference H2O-3 (``tools.h2o3.ReferenceH2O``); skipped only when Java is absent.
``server_url``    parametrized over both, so a test using ``client`` runs against each server.
Choose servers with ``--server embedded`` or ``--server h2o3`` (default: both).

Data
----
``data_dir`` holds iris.csv and prostate.csv (from the h2o package);
``make_csv`` writes small CSV/TSV/gzip files under a tmp folder the servers can read.
"""
from __future__ import annotations

import gzip
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pandas as pd
import pytest
import requests

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(__file__).resolve().parent / "data"
SERVERS = ("embedded", "h2o3")

if str(REPO_ROOT) not in sys.path:  # `tools` is a top-level folder, not an installed package
    sys.path.insert(0, str(REPO_ROOT))


def pytest_addoption(parser):
    parser.addoption("--server", action="append", choices=SERVERS, default=None,
                     help="run server-parametrized tests only against this server (repeatable)")


def pytest_generate_tests(metafunc):
    if "server_url" in metafunc.fixturenames:
        chosen = metafunc.config.getoption("--server") or list(SERVERS)
        params = [pytest.param(name, marks=[pytest.mark.h2o3] if name == "h2o3" else [], id=name)
                  for name in SERVERS if name in chosen]
        metafunc.parametrize("server_kind", params, scope="session", indirect=True)


# -- servers ------------------------------------------------------------------------------
def _wait_for_cloud(url: str, process: subprocess.Popen, log_path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited with code {process.returncode}; log {log_path}:\n"
                        f"{log_path.read_text(errors='replace')[-3000:]}", pytrace=False)
        try:
            if requests.get(f"{url}/3/Cloud", timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    process.terminate()
    pytest.fail(f"server at {url} did not answer /3/Cloud in {timeout:.0f} s; log {log_path}:\n"
                f"{log_path.read_text(errors='replace')[-3000:]}", pytrace=False)


@pytest.fixture(scope="session")
def embedded_url(tmp_path_factory):
    """URL of the embedded engine, started once per session as ``python -m h2odash serve``.

    Set ``H2ODASH_EMBEDDED_URL`` to test a server you already run instead (a debugging loop).
    """
    from tools.h2o3 import free_port

    if os.environ.get("H2ODASH_EMBEDDED_URL"):
        yield os.environ["H2ODASH_EMBEDDED_URL"].rstrip("/")
        return

    from h2odash.embedded import EmbeddedServer

    server = EmbeddedServer(port=free_port()).start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def h2o3_url():
    """URL of the reference H2O-3 (one JVM per session, heap 2 GB)."""
    from tools.h2o3 import ReferenceH2O, java_available

    if not java_available():
        pytest.skip("java is not installed: the reference H2O-3 cannot run")
    # An install or startup failure is an error of the suite, not a reason to skip.
    with ReferenceH2O(xmx="2g") as server:
        yield server.url


@pytest.fixture(scope="session")
def h2o3_parameters(h2o3_url):
    """``h2o3_parameters(algo)``: the parameter list the reference H2O-3 declares for an
    algorithm (GET /3/ModelBuilders/{algo}), to check our declarations against the real thing."""

    def fetch(algo):
        answer = requests.get(f"{h2o3_url}/3/ModelBuilders/{algo}", timeout=60)
        if answer.status_code == 404:   # H2O-3 serves some builders (svd) under /99 only
            answer = requests.get(f"{h2o3_url}/99/ModelBuilders/{algo}", timeout=60)
        answer.raise_for_status()
        return answer.json()["model_builders"][algo]["parameters"]

    return fetch


@pytest.fixture(scope="session")
def server_kind(request):
    """Which server this parametrization targets: ``"embedded"`` or ``"h2o3"``."""
    return request.param


@pytest.fixture(scope="session")
def server_url(request, server_kind):
    """URL of the server this parametrization targets."""
    return request.getfixturevalue(f"{server_kind}_url")


@pytest.fixture
def client(server_url):
    """An ``H2OClient`` on the server under test."""
    from h2odash.client import H2OClient

    c = H2OClient(server_url, timeout=120)
    yield c
    c.close()


# -- data ---------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def data_dir() -> Path:
    """Folder with iris.csv and prostate.csv."""
    return DATA_DIR


@pytest.fixture(scope="session")
def prostate_df() -> pd.DataFrame:
    return pd.read_csv(DATA_DIR / "prostate.csv")


@pytest.fixture(scope="session")
def iris_df() -> pd.DataFrame:
    return pd.read_csv(DATA_DIR / "iris.csv")


@pytest.fixture
def frame_name():
    """Factory of unique frame ids, so tests never see each other's frames."""
    def make(prefix: str = "t") -> str:
        return f"{prefix}_{uuid.uuid4().hex[:10]}"
    return make


@pytest.fixture
def make_csv(tmp_path_factory):
    """Factory writing a DataFrame (or text) as CSV/TSV, optionally gzipped; returns its path.

    Files go under a folder without hidden path components: H2O-3 refuses to import
    from paths with a ``.``-prefixed directory.
    """
    folder = tmp_path_factory.mktemp("csv")

    def make(data, name: str | None = None, sep: str = ",", compress: bool = False, header: bool = True) -> Path:
        name = name or f"data_{uuid.uuid4().hex[:8]}.{'tsv' if sep == chr(9) else 'csv'}"
        text = data if isinstance(data, str) else data.to_csv(index=False, sep=sep, header=header)
        path = folder / (name + (".gz" if compress else ""))
        raw = text.encode("utf-8")
        path.write_bytes(gzip.compress(raw) if compress else raw)
        return path

    make.folder = folder
    return make
