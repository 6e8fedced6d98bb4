"""Thin REST client for H2O-3-compatible servers (real H2O-3 or h2odash's embedded engine)."""
from .api import H2OClient
from .errors import (H2OBadRequestError, H2OConnectionError, H2OError, H2OImportError, H2OJobError,
                     H2OJobTimeoutError, H2ONotFoundError, H2OServerError)

__all__ = ["H2OClient", "H2OError", "H2OServerError", "H2OBadRequestError", "H2ONotFoundError",
           "H2OConnectionError", "H2OJobError", "H2OJobTimeoutError", "H2OImportError"]
