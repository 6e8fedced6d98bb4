"""Grid search: one model per combination of hyper-parameter values, as one job.

Cartesian search trains every combination; RandomDiscrete trains them in a seeded random order
until max_models, max_runtime_secs or its early-stopping rule says stop. A combination that
fails is recorded (failed_params, failure_details) and the search goes on. Models appear in the
grid as each finishes, so GET /99/Grids/{id} grows while the job runs; a cancel keeps them.
"""

import itertools
import json
import math
import threading
import time
import traceback

import numpy as np

from h2odash.engine import algos, ranking
from h2odash.engine.builds import LayoutCache, SubJob, build_model
from h2odash.engine.errors import EngineError, InvalidArgument, Locked
from h2odash.engine.jobs import Job
from h2odash.engine.model_data import REGRESSION
from h2odash.engine.training import prepare

STRATEGIES = ("Cartesian", "RandomDiscrete")
_SEARCH_CRITERIA = {"strategy", "max_models", "max_runtime_secs", "seed", "stopping_rounds", "stopping_metric",
                    "stopping_tolerance"}


class Grid:
    """A grid's models, its failures and how it was asked for; readable while the search runs."""

    def __init__(self, key, algorithm, hyper_names, search_criteria, params):
        self.key = key
        self.algorithm = algorithm
        self.algo = algorithm.name
        self.hyper_names = list(hyper_names)
        self.search_criteria = dict(search_criteria)
        self.params = dict(params)
        self.model_ids = []
        self.model_values = {}         # model id -> {hyper name: value}
        self.failures = []             # (hyper values, message, stack trace)
        self._mutex = threading.Lock()

    def add_model(self, model_id, values):
        with self._mutex:
            self.model_ids.append(model_id)
            self.model_values[model_id] = dict(values)

    def add_failure(self, values, message, stack):
        with self._mutex:
            self.failures.append((dict(values), message, stack))

    def models(self, engine):
        """The grid's models that still exist, in training order."""
        with self._mutex:
            ids = list(self.model_ids)
        from h2odash.engine.models import Model

        return [m for m in (engine.store.find(k) for k in ids) if isinstance(m, Model)]

    def sorted_models(self, engine, sort_by=None, decreasing=None):
        """(sort metric name as given, decreasing, [(model, metrics)] best first)."""
        models = self.models(engine)
        if sort_by:
            name = ranking.metric_name(sort_by)
            shown = str(sort_by).lower()
        else:
            regression = bool(models) and models[0].category == REGRESSION
            name = shown = "residual_deviance" if regression else "logloss"
            name = ranking.metric_name(name)
        if decreasing is None:
            decreasing = ranking.larger_is_better(name)
        entries = ranking.ranked([(m, ranking.model_metrics(m)) for m in models], name, decreasing)
        return shown, name, decreasing, entries


def start_grid(engine, algo, given, hyper_parameters, search_criteria=None, grid_id=None):
    """Check a grid request fully, then start its job; returns the Job (dest: the grid)."""
    algorithm = algos.get(algo)
    given = _without_defaults_of(algorithm, given, hyper_parameters)
    hyper = _checked_hyper_parameters(algorithm, given, hyper_parameters)
    criteria = _checked_search_criteria(search_criteria)
    first = {name: values[0] for name, values in hyper.items()}
    params, train, valid, spec = prepare(engine, algorithm, {**given, **first})
    grid_id = grid_id or f"Grid_{algos.prefix(algorithm.name)}_{train.key}_model_{int(time.time() * 1000)}"
    if engine.store.is_locked(grid_id):
        raise Locked(f"Grid '{grid_id}' is being built by a running job.", {"name": grid_id})
    grid = Grid(grid_id, algorithm, list(hyper), criteria, given)
    combinations = _combinations(hyper, criteria)
    job = Job(f"{algos.prefix(algorithm.name)} Grid Search", grid_id, "Grid",
              locks=[grid_id, train.key] + ([valid.key] if valid is not None else []))
    engine.store.put(grid_id, grid)

    def work(job):
        _search(engine, grid, algorithm, given, combinations, criteria, spec, job)
        return grid

    return engine.jobs.start(job, work)


# Parameters that decide which columns a model reads and how its rows weigh: a grid searching
# over one of them needs a FeatureSpec per value (the first model's would serve them all).
_SPEC_PARAMETERS = ("response_column", "weights_column", "offset_column", "fold_column", "ignored_columns",
                    "ignore_const_cols")


def _search(engine, grid, algorithm, given, combinations, criteria, spec, job):
    max_models = criteria.get("max_models") or 0
    runtime = criteria.get("max_runtime_secs") or 0
    deadline = time.time() + runtime if runtime else None
    planned = min(len(combinations), max_models) if max_models else len(combinations)
    layouts = LayoutCache()
    # Kept for the whole search: the layout cache knows a spec by its id.
    specs = {_spec_key({**given, **combinations[0]}) if combinations else None: spec}
    stopping = _EarlyStopping(criteria, spec.category)
    for i, values in enumerate(combinations):
        if max_models and len(grid.model_ids) >= max_models:
            break
        if deadline is not None and time.time() >= deadline:
            job.warnings.append(f"Grid search stopped after max_runtime_secs ({runtime:g} s).")
            break
        request = {**given, **values}
        if deadline is not None:
            left = max(deadline - time.time(), 0.001)
            request["max_runtime_secs"] = min(request.get("max_runtime_secs") or left, left)
        model_id = f"{grid.key}_model_{len(grid.model_ids) + len(grid.failures) + 1}"
        done = len(grid.model_ids) + len(grid.failures)
        step = SubJob(job, done / planned, 1 / planned, f"Model {done + 1} of {planned}")
        try:
            if _spec_key(request) not in specs:
                specs[_spec_key(request)] = prepare(engine, algorithm, request)[3]
            model = build_model(engine, algorithm, request, step, model_id=model_id, spec=specs[_spec_key(request)],
                                layouts=layouts)
        except EngineError as exc:
            grid.add_failure(values, exc.msg, traceback.format_exc())
            continue
        except Exception as exc:  # one bad combination must not end the search
            grid.add_failure(values, f"{type(exc).__name__}: {exc}", traceback.format_exc())
            continue
        grid.add_model(model.key, values)
        if stopping.should_stop(model):
            job.warnings.append("Grid search stopped early: the stopping metric stopped improving.")
            break


class _EarlyStopping:
    """RandomDiscrete's rule: stop when the best of the last ``stopping_rounds`` models is not
    better than the best before them by the relative ``stopping_tolerance``."""

    def __init__(self, criteria, category):
        self.rounds = criteria.get("stopping_rounds") or 0
        self.tolerance = criteria.get("stopping_tolerance", 0.001)
        metric = criteria.get("stopping_metric") or "AUTO"
        if metric.upper() == "AUTO":
            metric = "mean_residual_deviance" if category == REGRESSION else "logloss"
        self.metric = ranking.metric_name(metric)
        self.values = []

    def should_stop(self, model):
        if not self.rounds:
            return False
        v = ranking.value(ranking.model_metrics(model), self.metric)
        if math.isnan(v):
            return False
        self.values.append(v if ranking.larger_is_better(self.metric) else -v)
        if len(self.values) <= self.rounds:
            return False
        before = max(self.values[:-self.rounds])
        recent = max(self.values[-self.rounds:])
        return recent <= before + abs(before) * self.tolerance


# Hyper-parameter names h2o-py users write with Python's trailing underscore.
_PYTHON_NAMES = {"lambda_": "lambda"}


def hyper_parameter_name(algorithm, name):
    """The parameter a hyper-parameter name stands for; refuses one the algorithm lacks, and one
    H2O-3 cannot search over that this engine does not implement either."""
    name = _PYTHON_NAMES.get(name, name)
    if name not in algorithm.parameters:
        raise InvalidArgument("hyper_parameters", f"'{name}' is not a parameter of {algorithm.full_name}.")
    declared = algorithm.parameters[name]
    if not declared.gridable and not declared.supported:
        # H2O-3's words, which its clients' tests look for.
        raise InvalidArgument("hyper_parameters", f"Illegal hyper parameter for grid search! The parameter "
                                                  f"'{name} is not gridable!")
    return name


def _distinct(values):
    seen, kept = [], []
    for value in values:
        marker = json.dumps(value, sort_keys=True, default=str)
        if marker not in seen:
            seen.append(marker)
            kept.append(value)
    return kept


def _spec_key(request):
    return repr([request.get(name) for name in _SPEC_PARAMETERS])


def _without_defaults_of(algorithm, given, hyper_parameters):
    """The model parameters less those also searched over that are left at their default:
    clients such as h2o-py send every parameter, defaults included, beside the hyper-parameters."""
    searched = {_PYTHON_NAMES.get(n, n) for n in hyper_parameters} if isinstance(hyper_parameters, dict) else set()
    kept = {}
    for name, value in given.items():
        if name in searched and name in algorithm.parameters and _is_default(algorithm.parameters[name], value):
            continue
        kept[name] = value
    return kept


def _is_default(declared, value):
    try:
        return declared.check(value) == declared.check(declared.default)
    except InvalidArgument:
        return False


def _checked_hyper_parameters(algorithm, given, hyper_parameters):
    """Hyper-parameters as {name: [typed values]} in the given order; refuses what is not a parameter."""
    if not isinstance(hyper_parameters, dict) or not hyper_parameters:
        raise InvalidArgument("hyper_parameters", "hyper_parameters must be a non-empty map of parameter names to "
                                                  "lists of values.")
    checked = {}
    for name, values in hyper_parameters.items():
        name = hyper_parameter_name(algorithm, name)
        if name in given:
            raise InvalidArgument("hyper_parameters", f"'{name}' is given both as a model parameter and as a "
                                                      f"hyper-parameter; give it once.")
        if name in ("training_frame", "validation_frame", "response_column", "model_id"):
            raise InvalidArgument("hyper_parameters", f"'{name}' cannot be searched over.")
        values = values if isinstance(values, list) else [values]
        if not values:
            raise InvalidArgument("hyper_parameters", f"Hyper-parameter '{name}' has no values.")
        declared = algorithm.parameters[name]
        values = _distinct(values)   # a value given twice is one model, as in H2O-3
        for v in values:
            try:
                declared.check(v)
            except InvalidArgument as exc:
                raise InvalidArgument("hyper_parameters", f"Hyper-parameter '{name}': {exc.msg}")
        checked[name] = values
    return checked


def _checked_search_criteria(criteria):
    criteria = dict(criteria or {})
    unknown = sorted(set(criteria) - _SEARCH_CRITERIA)
    if unknown:
        raise InvalidArgument("search_criteria", f"Unknown search_criteria field(s): {', '.join(unknown)}. Known: "
                                                 f"{', '.join(sorted(_SEARCH_CRITERIA))}.")
    strategy = str(criteria.get("strategy") or "Cartesian")
    lookup = {s.lower(): s for s in STRATEGIES}
    if strategy.lower() not in lookup:
        raise InvalidArgument("search_criteria", f"search_criteria.strategy must be Cartesian or RandomDiscrete; "
                                                 f"got '{strategy}'.")
    criteria["strategy"] = lookup[strategy.lower()]
    for field, kind in (("max_models", int), ("stopping_rounds", int), ("seed", int), ("max_runtime_secs", float),
                        ("stopping_tolerance", float)):
        if criteria.get(field) is None:
            criteria.pop(field, None)
            continue
        try:
            criteria[field] = kind(criteria[field])
        except (TypeError, ValueError):
            raise InvalidArgument("search_criteria", f"search_criteria.{field} must be a number; got "
                                                     f"{criteria[field]!r}.")
        if field != "seed" and criteria[field] < 0:
            raise InvalidArgument("search_criteria", f"search_criteria.{field} must not be negative.")
    if criteria.get("stopping_metric"):
        metric = str(criteria["stopping_metric"])
        if metric.upper() != "AUTO":
            ranking.metric_name(metric)
    return criteria


def _combinations(hyper, criteria):
    names = list(hyper)
    combos = [dict(zip(names, values)) for values in itertools.product(*(hyper[n] for n in names))]
    if criteria["strategy"] == "RandomDiscrete":
        seed = criteria.get("seed", -1)
        rng = np.random.default_rng(None if seed in (None, -1) else seed)
        combos = [combos[i] for i in rng.permutation(len(combos))]
    return combos
