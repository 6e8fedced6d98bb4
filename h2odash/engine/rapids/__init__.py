"""Rapids, H2O's expression language for frames (``POST /99/Rapids``), evaluated over Arrow
columns with numpy and pyarrow compute (never a Python loop over rows).

``syntax`` reads an expression into a tree, ``interpreter`` evaluates it (names, temporaries,
functions, sessions), ``values`` holds what operations share, and ``prims/`` the operations,
one module per family. An operation this engine lacks is a 400 naming it; nothing stored
changes unless the expression names a result (``tmp=``, ``assign``) or removes one (``rm``).
"""
from . import prims  # noqa: F401  (registers the operations)
from .interpreter import PRIMS, Closure, Interpreter, RapidsError
from .syntax import RapidsSyntaxError, parse

__all__ = ["Closure", "Interpreter", "PRIMS", "RapidsError", "RapidsSyntaxError", "parse"]
