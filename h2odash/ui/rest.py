"""Calls the panels need that ``H2OClient`` has no method for yet, built on its connection.

Each is a candidate for :mod:`h2odash.client.api`; keeping them here, in one place, means the
panels never build URLs themselves.
"""
from __future__ import annotations

from h2odash.client import H2OClient
from h2odash.client.connection import build_path

# Where an H2O server starts AutoML: real H2O-3 has /99/AutoMLBuilder, the seed API /3/AutoML.
AUTOML_ROUTES = ("/99/AutoMLBuilder", "/3/AutoML")


def model_builders(client: H2OClient) -> dict[str, dict]:
    """Every algorithm the server can train, with its parameter declarations (``GET /3/ModelBuilders``)."""
    return client.connection.get("/3/ModelBuilders")["model_builders"]


def download_csv(client: H2OClient, frame_id: str) -> str:
    """A whole frame as CSV text (``GET /3/DownloadDataset``)."""
    # The answer is CSV, not JSON, so it cannot go through Connection.request (which decodes
    # JSON); the same session keeps the auth headers. Errors are still H2O JSON bodies.
    connection = client.connection
    url = connection.url + "/3/DownloadDataset"
    response = connection.session.get(url, params={"frame_id": frame_id, "hex_string": "false"},
                                      timeout=connection.timeout)
    if not response.ok:
        connection._decode(response, "GET", url)  # raises the typed H2OServerError
    return response.text


def automl_route(client: H2OClient) -> str | None:
    """The route that starts AutoML on this server, or None when the server has no AutoML."""
    patterns = {route.get("url_pattern") for route in client.endpoints()}
    return next((route for route in AUTOML_ROUTES if route in patterns), None)


def start_automl(client: H2OClient, route: str, **spec) -> dict:
    """Start an AutoML run; returns the answer holding ``job``."""
    return client.connection.post(route, **spec)


def automl(client: H2OClient, automl_id: str) -> dict:
    """An AutoML run's state: leaderboard and event log (``GET /99/AutoML/{id}``)."""
    return client.connection.get(build_path("/99/AutoML", automl_id))


def engine_kind(cloud: dict) -> str:
    """``embedded`` for h2odash's engine, ``H2O-3`` for a real cluster (it has no ``engine`` field)."""
    engine = cloud.get("engine")
    return "embedded" if engine == "h2odash-embedded" else (engine or "H2O-3")
