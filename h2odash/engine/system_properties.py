"""H2O-3's system properties that change what the engine does, set by Rapids' ``setproperty``.

H2O-3 sets any JVM property and reads a few of them; here only those the engine honours are
accepted (an unknown one is refused, so that no one believes a setting took effect when it did
not). Like a JVM's, they are process-wide: every engine of this process reads the same values.
"""

import threading

from h2odash.engine.errors import InvalidArgument

# When early stopping, a tree model's cross-validation models keep their trees up to their best
# score (true, H2O-3's default) or every tree grown until they stopped.
USE_BEST_CV_ITERATION = "sys.ai.h2o.sharedtree.crossvalidation.useBestCVIteration"
# Build the main model beside the cross-validation models. Scheduling only: the main model is
# the same either way, so it is accepted and changes nothing here.
PARALLEL_MAIN_MODEL = "sys.ai.h2o.sharedtree.crossvalidation.parallelMainModelBuilding"
# AutoML's algo_parameters take any parameter name, not only those H2O-3 allows by default.
ALL_ALGO_PARAMETERS = "sys.ai.h2o.automl.algo_parameters.all.enabled"

_DEFAULTS = {USE_BEST_CV_ITERATION: "true", PARALLEL_MAIN_MODEL: "false", ALL_ALGO_PARAMETERS: "false"}
_values = {}
_lock = threading.Lock()


def set_property(name, value):
    """Set a property; returns its old value ("null" if it was never set), as H2O-3 reports it."""
    if name not in _DEFAULTS:
        known = ", ".join(sorted(_DEFAULTS))
        raise InvalidArgument("property", f"System property '{name}' is not one this engine reads, so setting it "
                                          f"would change nothing; the properties it reads are: {known}.")
    if str(value).lower() not in ("true", "false"):
        raise InvalidArgument("value", f"System property '{name}' takes true or false; got '{value}'.")
    with _lock:
        old = _values.get(name, "null")
        _values[name] = str(value).lower()
    return old


def flag(name):
    """A boolean property's current value (its default until set)."""
    return _values.get(name, _DEFAULTS[name]) == "true"
