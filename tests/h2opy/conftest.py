"""The official H2O Python client (h2o-py, PyPI ``h2o==3.46.0.12``) on the server under test.

``h2opy``  the ``h2o`` module, connected to ``server_url`` (so each test runs on the embedded
           engine and on real H2O-3), disconnected afterwards: h2o-py keeps one global
           connection, and a frame garbage-collected later must not send its ``(rm ...)`` to
           the next test's server.
``listed_frames()``  the frame ids the server under test lists, read without h2o-py.
"""
from __future__ import annotations

import gc

import pytest
import requests


def _disconnect(h2o):
    gc.collect()  # let dropped H2OFrames send their (rm ...) while still connected
    conn = h2o.h2o.h2oconn
    if conn is not None and conn.connected:
        conn.close()
    h2o.h2o.h2oconn = None


@pytest.fixture
def h2opy(server_url, capsys):
    """The ``h2o`` module connected to the server under test (no output expected)."""
    h2o = pytest.importorskip("h2o")
    h2o.connect(url=server_url, verbose=False)
    printed = capsys.readouterr()
    # Real H2O-3 may warn that its build is old; an error is never expected.
    assert "error" not in (printed.out + printed.err).lower(), f"h2o.connect printed:\n{printed.out}{printed.err}"
    try:
        yield h2o
    finally:
        _disconnect(h2o)


@pytest.fixture
def disconnect():
    """``disconnect(h2o)``: close h2o-py's global connection (and forget it)."""
    return _disconnect


@pytest.fixture
def listed_frames(server_url):
    """``listed_frames()``: every frame id ``GET /3/Frames`` lists, asked directly (not
    through h2o-py, whose connection a test may have closed)."""

    def ids() -> list[str]:
        answer = requests.get(f"{server_url}/3/Frames", timeout=60)
        answer.raise_for_status()
        return [f["frame_id"]["name"] for f in answer.json()["frames"]]

    return ids
