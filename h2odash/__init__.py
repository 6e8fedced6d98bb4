"""h2odash: machine-learning dashboards for Jupyter over H2O's REST API.

>>> import h2odash
>>> client = h2odash.init()      # doctest: +SKIP  (connects, or starts the embedded engine)
"""
from .client import (H2OBadRequestError, H2OClient, H2OConnectionError, H2OError, H2OJobError,
                     H2ONotFoundError, H2OServerError)
from .embedded import connect, init

__version__ = "0.1.0"

__all__ = ["init", "connect", "H2OClient", "H2OError", "H2OServerError", "H2OBadRequestError",
           "H2ONotFoundError", "H2OConnectionError", "H2OJobError"]
