"""Benchmarks of H2O's own Python client (h2o-py) on the embedded engine and on a real H2O-3."""


def use_server(h2o, server) -> None:
    """Point h2o-py at ``server``, ending the previous connection's session first (h2o-py keeps
    one global connection, and one left open would try to close itself at exit, server gone)."""
    if h2o.connection() is not None and h2o.connection().connected:
        h2o.connection().close()
    h2o.connect(url=server.url, verbose=False)
