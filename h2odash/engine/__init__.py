"""The embedded engine: frames, parsing, jobs and (later) algorithms, held in memory.

Nothing here knows about HTTP or widgets; the server package translates requests into calls
on :class:`h2odash.engine.Engine` and engine objects into H2O's JSON schemas.
"""

from h2odash.engine.engine import Engine

__all__ = ["Engine"]
