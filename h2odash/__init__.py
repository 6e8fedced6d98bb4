"""h2odash: machine-learning dashboards for Jupyter over H2O's REST API.

>>> import h2odash
>>> client = h2odash.init()      # doctest: +SKIP  (connects, or starts the embedded engine)
"""
from .client import (H2OBadRequestError, H2OClient, H2OConnectionError, H2OError, H2OJobError,
                     H2ONotFoundError, H2OServerError)
from .embedded import connect, init


def __getattr__(name):
    # The dashboard loads ipywidgets and Plotly: only when asked for, so that the server
    # process and client-only scripts stay light.
    if name == "Dashboard":
        from .ui import Dashboard
        return Dashboard
    raise AttributeError(f"module 'h2odash' has no attribute {name!r}")


__version__ = "0.1.0"

__all__ = ["init", "connect", "Dashboard", "H2OClient", "H2OError", "H2OServerError", "H2OBadRequestError",
           "H2ONotFoundError", "H2OConnectionError", "H2OJobError"]
