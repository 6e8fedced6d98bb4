"""connect() and init(): finding a server, or starting the embedded engine like h2o.init()."""
from __future__ import annotations

import pytest

import h2odash
from h2odash import embedded
from h2odash.client import H2OConnectionError
from tools.h2o3 import free_port


def test_connect_fails_when_nothing_answers():
    with pytest.raises(H2OConnectionError):
        h2odash.connect(f"http://127.0.0.1:{free_port()}", timeout=2)


def test_connect_to_a_running_server(server_url):
    client = h2odash.connect(server_url)
    assert client.url == server_url
    assert client.cloud()["cloud_size"] >= 1


def test_init_reuses_a_running_server(server_url):
    started_before = len(embedded._started)
    client = h2odash.init(server_url)
    assert client.url == server_url
    assert len(embedded._started) == started_before


def test_init_without_start_behaves_like_connect():
    with pytest.raises(H2OConnectionError):
        h2odash.init(f"http://127.0.0.1:{free_port()}", start=False, timeout=2)


def test_init_starts_the_embedded_engine_when_nothing_answers():
    port = free_port()
    client = h2odash.init(f"http://127.0.0.1:{port}")
    server = embedded._started[-1]
    try:
        assert client.url == f"http://127.0.0.1:{port}"
        assert client.cloud()["cloud_healthy"] is True
    finally:
        server.stop()
    with pytest.raises(H2OConnectionError):
        h2odash.connect(client.url, timeout=2)
