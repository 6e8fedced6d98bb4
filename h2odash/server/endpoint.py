"""How a route is declared: one record per endpoint, from which the app, the metadata listing
and the parameter decoding are all derived."""

import re
from dataclasses import dataclass, field

from h2odash.server.params import Schema


@dataclass
class Call:
    """What a handler gets: the engine, the decoded parameters and the raw request."""

    engine: object
    params: dict
    request: object
    settings: object = None


@dataclass
class Endpoint:
    """One REST endpoint.

    Parameters
    ----------
    method, path : str
        HTTP method and H2O-style URL pattern, e.g. ``/3/Frames/{frame_id}``.
    handler : callable
        ``handler(call) -> dict`` (run in a worker thread) or an ``async`` function (run on
        the event loop; for handlers that stream the request body).
    summary : str
        One line for /3/Metadata/endpoints.
    input_schema : Schema
        The parameters it takes (path parameters included).
    output_schema : str
        The H2O schema name of its answer.
    """

    method: str
    path: str
    handler: object
    summary: str
    input_schema: Schema = field(default_factory=lambda: Schema("RequestSchemaV3"))
    output_schema: str = ""

    @property
    def path_params(self):
        return re.findall(r"{(\w+)}", self.path)

    @property
    def starlette_path(self):
        # Keys may hold slashes (``nfs://...``), so every path parameter takes the rest of
        # the path up to the next literal segment.
        return re.sub(r"{(\w+)}", r"{\1:path}", self.path)

    @property
    def api_name(self):
        return self.handler.__name__
