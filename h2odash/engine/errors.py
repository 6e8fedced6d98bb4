"""Errors the engine raises. The server maps each kind to an HTTP status and an H2OErrorV3 body.

Messages are written for the person who sent the request: they say what was wrong and, where
possible, what would be right.
"""


class EngineError(Exception):
    """Base of every error the engine raises on purpose."""

    def __init__(self, msg, values=None):
        super().__init__(msg)
        self.msg = msg
        self.values = dict(values or {})


class NotFound(EngineError):
    """Something a request names that does not exist: a key, a file."""


class KeyNotFound(NotFound):
    """A frame, model or job key that the store does not hold."""

    def __init__(self, key, argument="key", kind="Object"):
        super().__init__(
            f"{kind} '{key}' not found for argument: {argument}",
            {"argument": argument, "name": key},
        )
        self.key = key
        self.argument = argument


class InvalidArgument(EngineError):
    """A parameter with a value that cannot be used; names the parameter."""

    def __init__(self, argument, msg):
        super().__init__(msg, {"argument": argument})
        self.argument = argument


class IllegalModelArguments(InvalidArgument):
    """A training request refused, worded as H2O-3's model builders word it
    (H2OModelBuilderIllegalArgumentException): "Illegal argument(s) for GBM model: <id>.
    Details: ERRR on field: _min_rows: <what was wrong>". h2o-py's tests, and people who know
    H2O-3, look for the "ERRR on field: _<parameter>" part; ``details`` is that part alone
    (what H2O-3's segment models list as a segment's errors)."""

    def __init__(self, algorithm, model_id, error):
        self.details = f"ERRR on field: _{error.argument}: {error.msg}\n"
        super().__init__(error.argument, f"Illegal argument(s) for {algorithm} model: {model_id}.  Details: "
                                         f"{self.details}")
        self.values.update(error.values)


class IllegalArgument(EngineError):
    """A request refused as H2O-3's handlers refuse it, with a plain java.lang.IllegalArgumentException
    (clients, h2o-py's tests among them, look for that name)."""


class Forbidden(EngineError):
    """A request for something this server was told not to give (e.g. a file outside the data roots)."""


class Locked(EngineError):
    """An object that a running job is using and that cannot be changed until it ends."""


class NotImplementedFeature(EngineError):
    """Something H2O-3 offers that this engine refuses rather than silently doing otherwise."""


class JobCancelled(Exception):
    """Raised inside a job's work when a cancel was requested; the runner marks it CANCELLED."""
