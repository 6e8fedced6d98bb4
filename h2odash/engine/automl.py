"""AutoML: one job that trains a planned sequence of models and ranks them on a live leaderboard.

The plan follows H2O-3 3.46's (ai.h2o.automl modeling steps), in its groups: XGBoost, GLM and GBM
defaults; DRF, more XGBoost and GBM presets; extremely randomized trees, deep learning; then random
grids of XGBoost, GBM and deep learning (taking turns, one model each) while budget remains; and
last two stacked ensembles, BestOfFamily and AllModels, when at least two base models exist (and
AllModels only when some family has two models, or it would stack the same models again).

Differences from H2O-3, on purpose:
- Boosted-tree presets (GBM, XGBoost) get H2O's 10,000-tree budget with early stopping on each
  fold's holdout (or the validation frame); with neither, early stopping could only watch
  training metrics, which never stop improving, so they keep a cap of 100 trees. Forests (DRF,
  XRT) keep 50 trees, early stopping allowed to cut them shorter.
- XRT (H2O: DRF with histogram_type=Random, one random threshold per column) is a forest of
  scikit-learn's ExtraTrees, which also draws one random threshold per candidate column and
  node, as a DRF model (see algos/xrt.py).
- Grids alternate between their algorithms one model at a time instead of H2O's time shares.

Every base model is cross-validated on the same Modulo folds (so the ensembles can stack them)
with the run's seed; ``max_models`` and ``seed`` therefore give the same leaderboard again.
"""

import itertools
import json
import math
import threading
import time
import traceback
from dataclasses import dataclass, field, replace

import numpy as np

from h2odash.engine import algos, ranking, system_properties
from h2odash.engine.builds import LayoutCache, SubJob, build_model
from h2odash.engine.errors import EngineError, InvalidArgument, JobCancelled
from h2odash.engine.frames import Frame
from h2odash.engine.jobs import Job
from h2odash.engine.model_data import BINOMIAL, MULTINOMIAL, REGRESSION, build_spec, check_columns, frame_from_columns

FAMILIES = ("GLM", "DRF", "GBM", "XGBoost", "DeepLearning", "StackedEnsemble")
_ALGO_OF = {"GLM": "glm", "DRF": "drf", "GBM": "gbm", "XGBoost": "xgboost", "DeepLearning": "deeplearning",
            "StackedEnsemble": "stackedensemble"}
DEFAULT_RUNTIME_SECS = 3600
_runs = itertools.count(1)

# What each default step changes (H2O-3's presets), on top of what every model of the run gets.
# BOOSTING_TREES is replaced by the run's tree budget (see _Runner._tree_budget).
BOOSTING_TREES = "boosting"
_TREE_COMMON = {"score_tree_interval": 5}
_GBM_COMMON = {**_TREE_COMMON, "ntrees": BOOSTING_TREES, "learn_rate": 0.1, "sample_rate": 0.8,
               "col_sample_rate": 0.8, "col_sample_rate_per_tree": 0.8}
_XGB_COMMON = {**_TREE_COMMON, "ntrees": BOOSTING_TREES, "learn_rate": 0.1, "booster": "gbtree",
               "tree_method": "hist", "reg_lambda": 1.0, "reg_alpha": 0.0}
# H2O's budget for boosted trees that stop early, and the cap when nothing can stop them.
STOPPED_TREES, CAPPED_TREES = 10_000, 100


@dataclass
class Step:
    """One step of the plan: a model with preset parameters, a random grid, or an ensemble."""

    family: str
    id: str
    group: int
    weight: int = 10
    kind: str = "model"                      # model, grid, exploitation or ensemble
    params: dict = field(default_factory=dict)
    hyper: dict = field(default_factory=dict)
    name: str = None                         # prefix of the model id (XRT, not DRF)
    description: str = ""
    # Whether the run's stopping criteria apply. H2O's GLM steps opt out: their lambda search
    # picks the penalty itself, and stopping it on a fold's holdout after a few lambdas would
    # leave the model barely fitted.
    stops_early: bool = True
    # Ensembles: which models they stack ("best_of_family", "all" or "monotonic"), and when one
    # is left out as repeating another (H2O-3's "doppelganger" rule, which its steps vary):
    # "same_models" (an ensemble of the same base models exists), "one_per_family" (every base
    # model is of its own family, so BestOfFamily stacked them already) or "never".
    stacks: str = None
    repeats_when: str = "same_models"
    metalearner: str = "AUTO"                # the ensembles' metalearner_algorithm

    @property
    def algo(self):
        return _ALGO_OF[self.family]


PLAN = [
    Step("XGBoost", "def_2", 1, params={**_XGB_COMMON, "max_depth": 20, "min_rows": 10, "sample_rate": 0.6,
                                          "col_sample_rate": 0.8, "col_sample_rate_per_tree": 0.8}),
    Step("GLM", "def_1", 1, params={"lambda_search": True, "alpha": [0.0, 0.2, 0.4, 0.6, 0.8, 1.0],
                                     "missing_values_handling": "MeanImputation"}, stops_early=False),
    Step("GBM", "def_5", 1, params={**_GBM_COMMON, "max_depth": 15, "min_rows": 100}),
    Step("XGBoost", "def_1", 2, params={**_XGB_COMMON, "max_depth": 10, "min_rows": 5, "sample_rate": 0.6,
                                          "col_sample_rate": 0.8, "col_sample_rate_per_tree": 0.8}),
    Step("DRF", "def_1", 2, params={"ntrees": 50}),
    Step("GBM", "def_2", 2, params={**_GBM_COMMON, "max_depth": 7, "min_rows": 10}),
    Step("GBM", "def_3", 2, params={**_GBM_COMMON, "max_depth": 8, "min_rows": 10}),
    Step("GBM", "def_4", 2, params={**_GBM_COMMON, "max_depth": 10, "min_rows": 10}),
    Step("XGBoost", "def_3", 3, params={**_XGB_COMMON, "max_depth": 5, "min_rows": 3, "sample_rate": 0.8,
                                          "col_sample_rate": 0.8, "col_sample_rate_per_tree": 0.8}),
    Step("DRF", "XRT", 3, params={"ntrees": 50, "histogram_type": "Random"}, name="XRT",
         description="Extremely Randomized Trees"),
    Step("GBM", "def_1", 3, params={**_GBM_COMMON, "max_depth": 6, "min_rows": 1}),
    Step("DeepLearning", "def_1", 3, params={"hidden": [10, 10, 10], "epochs": 10}),
    Step("XGBoost", "grid_1", 4, 90, "grid", params=dict(_XGB_COMMON), hyper={
        "max_depth": [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15], "min_rows": [1, 3, 5, 10, 15, 20],
        "sample_rate": [0.6, 0.8, 1.0], "col_sample_rate": [0.6, 0.8, 1.0],
        "col_sample_rate_per_tree": [0.7, 0.8, 0.9, 1.0], "reg_lambda": [0.001, 0.01, 0.1, 1, 10, 100],
        "reg_alpha": [0.001, 0.01, 0.1, 0.5, 1]}),
    Step("GBM", "grid_1", 4, 60, "grid", params=dict(_TREE_COMMON, ntrees=BOOSTING_TREES), hyper={
        "max_depth": [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17], "min_rows": [1, 5, 10, 15, 30, 100],
        "learn_rate": [0.01, 0.05, 0.08, 0.1, 0.5], "sample_rate": [0.5, 0.6, 0.7, 0.8, 0.9, 1.0],
        "col_sample_rate": [0.4, 0.7, 1.0], "col_sample_rate_per_tree": [0.4, 0.7, 1.0],
        "min_split_improvement": [1e-4, 1e-5]}),
    Step("DeepLearning", "grid_1", 4, 30, "grid", params={"epochs": 10}, hyper={
        "hidden": [[20], [50], [100]], "input_dropout_ratio": [0.0, 0.05, 0.1, 0.15, 0.2],
        "l1": [0.0, 1e-5, 1e-4], "l2": [0.0, 1e-5, 1e-4]}),
    Step("DeepLearning", "grid_2", 5, 30, "grid", params={"epochs": 10}, hyper={
        "hidden": [[20, 20], [50, 50], [100, 100]], "input_dropout_ratio": [0.0, 0.05, 0.1, 0.15, 0.2],
        "l1": [0.0, 1e-5, 1e-4], "l2": [0.0, 1e-5, 1e-4]}),
    Step("DeepLearning", "grid_3", 5, 30, "grid", params={"epochs": 10}, hyper={
        "hidden": [[20, 20, 20], [50, 50, 50], [100, 100, 100]], "input_dropout_ratio": [0.0, 0.05, 0.1, 0.15, 0.2],
        "l1": [0.0, 1e-5, 1e-4], "l2": [0.0, 1e-5, 1e-4]}),
    # Exploitation (see _Runner._exploitation): the best model of the family retrained.
    Step("XGBoost", "lr_search", 7, 30, "exploitation"),
    Step("GBM", "lr_annealing", 7, 10, "exploitation"),
    # The ensembles' params are their AUTO metalearner's (a non-negative GLM): H2O's AutoML lets
    # it choose alpha 0.5 or 1 and, in the "xglm" steps, search lambda.
    Step("StackedEnsemble", "monotonic", 9, kind="ensemble", name="StackedEnsemble_Monotonic",
         params={"alpha": [0.5, 1.0]}, stacks="monotonic",
         description="built with AUTO metalearner, using monotonically constrained AutoML models"),
    Step("StackedEnsemble", "best_of_family_xglm", 10, kind="ensemble", name="StackedEnsemble_BestOfFamily",
         params={"alpha": [0.5, 1.0], "lambda_search": True}, stacks="best_of_family", repeats_when="never",
         description="built with AUTO metalearner, using top model from each algorithm type"),
    Step("StackedEnsemble", "all_xglm", 10, kind="ensemble", name="StackedEnsemble_AllModels",
         params={"alpha": [0.5, 1.0], "lambda_search": True}, stacks="all", repeats_when="one_per_family",
         description="built with AUTO metalearner, using all AutoML models"),
]

# Without max_models H2O-3 runs its TEN_LAYERED plan (ModelingPlans.java): the same base models,
# exploitation a group earlier, and ensembles after every group, so a run cut short by its time
# budget still ends with an ensemble of what it had; optional ones stack with a GBM metalearner
# or the best N models. With max_models it runs PLAN above (its REPRODUCIBLE plan).
_BEST_OF_FAMILY = dict(kind="ensemble", name="StackedEnsemble_BestOfFamily", stacks="best_of_family",
                       description="built with AUTO metalearner, using top model from each algorithm type")
_ALL_MODELS = dict(kind="ensemble", name="StackedEnsemble_AllModels", stacks="all",
                   description="built with AUTO metalearner, using all AutoML models")
_AUTO_METALEARNER = {"alpha": [0.5, 1.0]}
TIME_BUDGET_ENSEMBLES = [
    *(Step("StackedEnsemble", f"best_of_family_{group}", group, 5, params=_AUTO_METALEARNER, **_BEST_OF_FAMILY)
      for group in range(1, 6)),
    *(Step("StackedEnsemble", f"all_{group}", group, params=_AUTO_METALEARNER, **_ALL_MODELS) for group in range(2, 6)),
    replace(PLAN[-3], group=6),                                        # monotonic
    Step("StackedEnsemble", "best_of_family_gbm", 6, metalearner="gbm",
         **{**_BEST_OF_FAMILY, "description": "built with GBM metalearner, using top model from each algorithm type"}),
    Step("StackedEnsemble", "all_gbm", 7, metalearner="gbm",
         **{**_ALL_MODELS, "description": "built with GBM metalearner, using all AutoML models"}),
    replace(PLAN[-2], group=8),                                        # best_of_family_xglm
    replace(PLAN[-1], group=8),                                        # all_xglm
    Step("StackedEnsemble", "best_of_family", 10, params=_AUTO_METALEARNER, **_BEST_OF_FAMILY),
    Step("StackedEnsemble", "best_N", 10, params=_AUTO_METALEARNER, kind="ensemble", name="StackedEnsemble_BestN",
         stacks="best_n", description="built with AUTO metalearner, using the best non-ensemble models"),
]
TIME_BUDGET_PLAN = ([s for s in PLAN if s.kind not in ("exploitation", "ensemble")]
                    + [replace(s, group=6) for s in PLAN if s.kind == "exploitation"] + TIME_BUDGET_ENSEMBLES)


@dataclass
class AutoMLSpec:
    """An AutoML request, decoded: what to learn from, and the budget and choices of the run."""

    training_frame: str
    response: str
    validation_frame: str = None
    leaderboard_frame: str = None
    blending_frame: str = None
    ignored_columns: tuple = ()
    fold_column: str = None
    weights_column: str = None
    project_name: str = None
    seed: int = -1
    max_models: int = 0
    max_runtime_secs: float = 0.0
    max_runtime_secs_per_model: float = 0.0
    stopping_rounds: int = 3
    stopping_metric: str = "AUTO"
    stopping_tolerance: float = -1.0
    nfolds: int = -1
    keep_cross_validation_predictions: bool = False
    keep_cross_validation_models: bool = False
    keep_cross_validation_fold_assignment: bool = False
    export_checkpoints_dir: str = None
    balance_classes: bool = False
    class_sampling_factors: tuple = None
    max_after_balance_size: float = 5.0
    exclude_algos: tuple = ()
    include_algos: tuple = None   # None: every family; () (asked for): none, an empty run
    exploitation_ratio: float = -1.0   # share of the budget for exploitation; -1 AUTO, 0 off
    # (scope, name, value): a parameter for every model that has it (scope "any") or for one
    # family's; H2O-3 allows monotone_constraints only (see algo_parameters).
    algo_parameters: tuple = ()
    sort_metric_given: str = None


@dataclass
class Event:
    timestamp: int
    level: str
    stage: str
    message: str
    name: str = None
    value: str = None


@dataclass
class Leaderboard:
    sort_metric: str
    decreasing: bool
    columns: list
    rows: list                                 # [(model, [values by column])], best first


class AutoML:
    """One AutoML run: its plan, its models and scores so far, and its event log (all live)."""

    def __init__(self, key, project_name, spec, category, steps):
        self.key = key
        self.project_name = project_name
        self.spec = spec
        self.category = category
        self.steps = steps
        self.job = None
        self.sort_metric = ranking.metric_name(spec.sort_metric_given or "AUTO") or default_sort_metric(category)
        self._models = []                      # (model, metrics it is ranked by), in training order
        self._events = []
        self._done_steps = []
        self._step_of = {}                     # model key -> the Step that made it
        self._mutex = threading.Lock()

    # -- live state ------------------------------------------------------------------------
    def log(self, stage, message, level="INFO", name=None, value=None):
        with self._mutex:
            self._events.append(Event(int(time.time() * 1000), level, stage, message, name, value))

    def events(self):
        with self._mutex:
            return list(self._events)

    def add(self, model, scored, step):
        with self._mutex:
            self._models.append((model, scored))
            self._step_of[model.key] = step
            if step not in self._done_steps:
                self._done_steps.append(step)

    def remove(self, model_key):
        """Take a model off the leaderboard (it stays stored)."""
        with self._mutex:
            self._models = [(m, scored) for m, scored in self._models if m.key != model_key]

    def step_of(self, model_key):
        with self._mutex:
            return self._step_of.get(model_key)

    def models(self):
        with self._mutex:
            return list(self._models)

    def continue_from(self, previous, store):
        """Take over the leaderboard and event log of an earlier run of the same project: its
        models still stored stay ranked with the new ones (H2O-3 keeps one leaderboard and one
        event log per project)."""
        kept = [(m, scored) for m, scored in previous.models() if store.find(m.key) is m]
        with self._mutex:
            self._events = previous.events() + self._events
            self._models = kept + self._models
            self._step_of.update({m.key: previous.step_of(m.key) for m, _ in kept})
        self.log("Workflow", f"New models will be added to existing leaderboard {self.key} (leaderboard frame="
                             f"{self.spec.leaderboard_frame}) with already {len(kept)} models.", level="WARN")

    def plan_steps(self):
        return list(self.steps)

    def steps_done(self):
        with self._mutex:
            return list(self._done_steps)

    def leaderboard(self):
        """The models so far, best first by the sort metric, with the category's metric columns."""
        ordered = ranking.ranked(self.models(), self.sort_metric)
        columns = list(ranking.LEADERBOARD_COLUMNS[self.category])
        if self.sort_metric in columns:
            columns.remove(self.sort_metric)
        columns.insert(0, self.sort_metric)
        if not ordered:
            # As H2O-3: an empty leaderboard has no metric columns yet, but the sort metric the
            # user asked for.
            columns = [self.sort_metric] if ranking.metric_name(self.spec.sort_metric_given or "AUTO") else []
        rows = [(model, [ranking.value(scored, c) for c in columns]) for model, scored in ordered]
        return Leaderboard(self.sort_metric, ranking.larger_is_better(self.sort_metric), columns, rows)

    def leader(self):
        board = self.leaderboard()
        return board.rows[0][0] if board.rows else None

    @property
    def leaderboard_frame_key(self):
        return f"{self.key}_leaderboard"

    def leaderboard_frame(self):
        """The leaderboard as a frame: model_id, then one column per metric."""
        board = self.leaderboard()
        ids = [model.key for model, _ in board.rows]
        columns = {"model_id": np.arange(len(ids))}
        types = {"model_id": ("enum", ids)}
        for i, name in enumerate(board.columns):
            columns[name] = np.array([values[i] for _, values in board.rows], dtype=float)
            types[name] = "real"
        return frame_from_columns(self.leaderboard_frame_key, columns, types)


def default_sort_metric(category):
    """The first of the category's leaderboard metrics, as H2O-3 3.46 chooses (RMSE for regression)."""
    return {BINOMIAL: "auc", MULTINOMIAL: "mean_per_class_error", REGRESSION: "rmse"}[category]


def default_stopping_tolerance(frame):
    """H2O's default tolerance, which shrinks with the data: 1/sqrt(rows x share of cells
    present), between 0.001 and 0.05."""
    cells = max(frame.nrows * len(frame.names), 1)
    missing = sum(frame.stats(i).missing_count for i in range(len(frame.names))) / cells
    return min(0.05, max(0.001, 1.0 / math.sqrt(max((1 - missing) * frame.nrows, 1))))


# -- starting a run ------------------------------------------------------------------------------
def start_automl(engine, spec):
    """Check an AutoML request fully, then start its job; returns (AutoML, Job)."""
    train = engine.store.get(spec.training_frame, Frame, "training_frame")
    frames = [train]
    for argument in ("validation_frame", "leaderboard_frame", "blending_frame"):
        key = getattr(spec, argument)
        if key:
            frames.append(engine.store.get(key, Frame, argument))
    feature_spec = build_spec(train, spec.response, spec.ignored_columns, spec.weights_column, spec.fold_column)
    for frame in frames[1:]:
        check_columns(frame, feature_spec, need_response=True)
    _check_budget(spec)
    steps = _planned_steps(spec)
    sort_metric = ranking.metric_name(spec.sort_metric_given or "AUTO")
    if sort_metric is not None and not _metric_fits(sort_metric, feature_spec.category):
        raise InvalidArgument("sort_metric", f"sort_metric '{spec.sort_metric_given}' does not apply to "
                                             f"{feature_spec.category.lower()} models.")
    run_number = next(_runs)
    stamp = time.strftime("%Y%m%d_%H%M%S")
    project = spec.project_name or f"AutoML_{run_number}_{stamp}"
    key = f"{project}@@{spec.response}"
    existing = engine.store.find(key)
    if existing is not None and existing.job is not None and not existing.job.finished:
        raise InvalidArgument("project_name", f"AutoML project '{project}' is still running; cancel it or choose "
                                              f"another project_name.")
    previous = existing if isinstance(existing, AutoML) else None
    if previous is not None:
        spec = _rerun_spec(previous, spec)
    no_limit = not spec.max_models and not spec.max_runtime_secs
    if no_limit:
        # resolved now, as H2O-3, so the build answer reports the limit the run keeps to
        spec = replace(spec, max_runtime_secs=float(DEFAULT_RUNTIME_SECS))
    recommended = default_stopping_tolerance(train)
    tolerance_given = spec.stopping_tolerance is not None and spec.stopping_tolerance >= 0
    if not tolerance_given:
        # resolved now, so the build answer reports the tolerance the models use (as H2O-3)
        spec = replace(spec, stopping_tolerance=recommended)
    run = AutoML(key, project, spec, feature_spec.category, steps)
    if no_limit:
        run.log("Validation", "User didn't set any runtime constraints (max runtime or max models), using "
                              f"default {DEFAULT_RUNTIME_SECS // 3600}h time limit")
    if not tolerance_given:
        run.log("Validation", f"Setting stopping tolerance adaptively based on the training frame: {recommended}")
    else:
        run.log("Validation", f"Stopping tolerance set by the user: {spec.stopping_tolerance}")
        if spec.stopping_tolerance < 0.7 * recommended:
            run.log("Validation", f"Stopping tolerance set by the user is < 70% of the recommended default of "
                                  f"{recommended}, so models may take a long time to converge or may not converge "
                                  f"at all.", level="WARN")
    run.model_suffix = f"AutoML_{run_number}_{stamp}"
    if previous is not None:
        run.continue_from(previous, engine.store)
    job = Job("AutoML build", key, "AutoML", locks=[f.key for f in frames])
    run.job = job
    engine.store.put(key, run)
    engine.store.put(run.leaderboard_frame_key, run.leaderboard_frame())

    def work(job):
        _Runner(engine, run, feature_spec, job).execute()
        return run

    engine.jobs.start(job, work)
    return run, job


def _rerun_spec(previous, spec):
    """A run into an existing project (same name and response) adds its models to that project's
    leaderboard, as H2O-3 does; the leaderboard keeps its frame, so a different one is refused."""
    kept = previous.spec.leaderboard_frame
    if spec.leaderboard_frame and spec.leaderboard_frame != kept:
        raise InvalidArgument("leaderboard_frame", f"Cannot use leaderboard {previous.key} with a new leaderboard "
                                                   f"frame (existing leaderboard frame: {kept}).")
    return replace(spec, leaderboard_frame=kept)


def find_automl(engine, automl_id):
    """A run by its id (``project@@response``) or by its project name alone, as the seed's API names it."""
    obj = engine.store.find(automl_id)
    if isinstance(obj, AutoML):
        return obj
    runs = [r for r in engine.store.values(AutoML) if r.project_name == automl_id]
    if runs:
        return max(runs, key=lambda r: r.job.start_time if r.job else 0)
    from h2odash.engine.errors import KeyNotFound

    raise KeyNotFound(automl_id, "automl_id", "AutoML")


def _check_budget(spec):
    if spec.max_models is not None and spec.max_models < 0:
        raise InvalidArgument("max_models", f"max_models must be a positive number of models; got {spec.max_models}.")
    for name in ("max_runtime_secs", "max_runtime_secs_per_model"):
        if getattr(spec, name) < 0:
            raise InvalidArgument(name, f"{name} must not be negative.")
    if spec.nfolds == 1 or spec.nfolds < -1:
        raise InvalidArgument("nfolds", "nfolds must be 0 (no cross-validation), at least 2, or -1 (the default, 5).")
    if spec.nfolds > 0 and spec.fold_column:
        raise InvalidArgument("nfolds", "Give either nfolds or fold_column, not both.")
    if spec.exploitation_ratio > 1:
        raise InvalidArgument("exploitation_ratio", "`exploitation_ratio` must be between 0 and 1.")
    if spec.include_algos and spec.exclude_algos:
        raise InvalidArgument("include_algos", "Give either include_algos or exclude_algos, not both.")


def algo_families(names, argument):
    """Canonical family names of an include/exclude list; refuses names AutoML does not know."""
    lookup = {f.lower(): f for f in FAMILIES}
    families = []
    for name in names or ():
        key = str(name).strip().lower()
        if key not in lookup:
            raise InvalidArgument(argument, f"Unknown algorithm '{name}' in {argument}. Use: {', '.join(FAMILIES)}.")
        families.append(lookup[key])
    return tuple(families)


# The parameters algo_parameters may set, as H2O-3 allows by default.
ALGO_PARAMETERS = ("monotone_constraints",)


def algo_parameters(entries):
    """The run's custom parameters from H2O-3's ``[{scope, name, value}]``; refuses a name H2O-3
    does not allow, or a family it does not know."""
    checked = []
    for entry in entries or ():
        if not isinstance(entry, dict) or "name" not in entry:
            raise InvalidArgument("algo_parameters", "algo_parameters must be a list of {scope, name, value}.")
        name, scope = str(entry["name"]), str(entry.get("scope") or "any")
        if name not in ALGO_PARAMETERS and not system_properties.flag(system_properties.ALL_ALGO_PARAMETERS):
            raise InvalidArgument("algo_parameters", f"Illegal value for field: algo_parameters: {name} (AutoML "
                                                     f"takes only {', '.join(ALGO_PARAMETERS)} there).")
        if scope.lower() != "any":
            scope = algo_families([scope], "algo_parameters")[0]
        checked.append((scope, name, entry.get("value")))
    return tuple(checked)


def _custom_parameters(entries, family, algorithm):
    """The custom parameters one model of ``family`` takes: "any" first, then its family's."""
    chosen = {}
    for wanted in ("any", family):
        for scope, name, value in entries:
            if scope == wanted and name in algorithm.parameters:
                chosen[name] = value
    return chosen


def _planned_steps(spec):
    include = set(FAMILIES) if spec.include_algos is None else set(spec.include_algos)
    plan = PLAN if spec.max_models else TIME_BUDGET_PLAN
    chosen = [s for s in plan if s.family in include and s.family not in set(spec.exclude_algos)]
    # With no base-model step left (include_algos=[], or every family excluded) H2O-3 still runs:
    # the ensembles find no base models and the run ends on an empty leaderboard with a warning.
    return chosen


def _metric_fits(name, category):
    return name in ranking.LEADERBOARD_COLUMNS[category] or (name == "r2" and category == REGRESSION) or (
        name in ("logloss", "err") and category != REGRESSION)


# -- the run --------------------------------------------------------------------------------------
class _Runner:
    """Carries out one run's plan inside its job."""

    def __init__(self, engine, run, feature_spec, job):
        self.engine = engine
        self.run = run
        self.feature_spec = feature_spec
        self.job = job
        self.spec = run.spec
        self.layouts = LayoutCache()
        self.started = time.time()
        runtime = self.spec.max_runtime_secs   # the default hour is set when no limit is given
        self.runtime = runtime
        self.deadline = self.started + runtime if runtime else None
        self.seed = self.spec.seed if self.spec.seed not in (None, -1) else int(
            np.random.default_rng().integers(0, 2**31 - 1))
        # nfolds -1 means 5 folds, unless a fold column deals the folds (then 0, as in H2O-3).
        default_folds = 0 if self.spec.fold_column else 5
        self.nfolds = default_folds if self.spec.nfolds == -1 else self.spec.nfolds
        n_ensembles = sum(1 for s in run.steps if s.kind == "ensemble")
        self.planned = (self.spec.max_models + n_ensembles) if self.spec.max_models else None
        self.counters = {}
        self.base_models = []
        self.given_of = {}                   # model key -> the request it was trained from
        self.leaderboard_frame = None
        if self.spec.leaderboard_frame:
            self.leaderboard_frame = engine.store.get(self.spec.leaderboard_frame, Frame, "leaderboard_frame")

    def execute(self):
        run, spec = self.run, self.spec
        run.log("Workflow", f"Project: {run.project_name}")
        if spec.fold_column:
            run.log("Validation", f"Fold column {spec.fold_column} will be used for cross-validation. nfolds "
                                  f"parameter will be ignored.", level="WARN")
        elif self.nfolds:
            run.log("Validation", f"{self.nfolds}-fold cross-validation will be used.")
        else:
            run.log("Validation", "Cross-validation disabled by user: no fold column nor nfolds > 1.")
        if (self.nfolds or spec.fold_column) and spec.validation_frame:
            # H2O-3's words: the models are still ranked on their cross-validation metrics.
            run.log("Validation", "User specified a validation frame with cross-validation still enabled. Please "
                                  "note that the models will still be validated using cross-validation only, the "
                                  "validation frame will be used to provide purely informative validation metrics "
                                  "on the trained models.", level="WARN")
        run.log("Validation", f"Build control seed: {self.seed}" + (" (random)" if spec.seed in (None, -1) else ""))
        train = self.engine.store.get(spec.training_frame, Frame, "training_frame")
        run.log("DataImport", f"training frame: {train.key}  cols: {train.ncols}  rows: {train.nrows}")
        for name in ("validation_frame", "leaderboard_frame", "blending_frame"):
            run.log("DataImport", f"{name.replace('_', ' ')}: {getattr(spec, name) or 'NULL'}")
        run.log("DataImport", f"response column: {spec.response}")
        run.log("Workflow", "Loading execution steps: " + ", ".join(f"{s.family} {s.id}" for s in run.steps))
        run.log("Workflow", f"AutoML build started: {time.strftime('%Y.%m.%d %H:%M:%S')}", name="start_epoch",
                value=str(int(self.started)))
        try:
            self._run_steps()
        except JobCancelled:
            run.log("Workflow", f"AutoML job cancelled; {len(run.models())} models kept on the leaderboard.",
                    level="WARN")
            raise
        finally:
            self._refresh_leaderboard_frame()
        if not spec.keep_cross_validation_predictions:
            self._drop_cross_validation_predictions()
        built = len(run.models())
        run.log("Workflow", f"AutoML build stopped: {time.strftime('%Y.%m.%d %H:%M:%S')}", name="stop_epoch",
                value=str(int(time.time())))
        run.log("Workflow", f"AutoML build done: built {built} models")
        run.log("Workflow", f"AutoML duration: {time.time() - self.started:.3f} sec", name="duration_secs",
                value=str(int(round(time.time() - self.started))))
        if not built:
            run.log("Workflow", "Empty leaderboard: AutoML built no model (no algorithm was left to build with, "
                                "or the time ran out first).", level="WARN")
            self.job.warnings.append("AutoML built no model; see the event log.")

    def _drop_cross_validation_predictions(self):
        """The base models kept their cross-validation predictions for the ensembles only: unless
        the user asked to keep them, they go when the run ends, from every model on the
        leaderboard (an ensemble's are its metalearner's), as H2O-3 cleans up. The models keep
        naming the frames, as H2O-3's do; fetching one finds nothing."""
        store = self.engine.store
        for model, _ in self.run.models():
            owners = [model]
            if model.algo == "stackedensemble":
                owners.append(model.fitted.metalearner)
            for owner in owners:
                for key in [owner.cross_validation_holdout_predictions_frame_id, *owner.cross_validation_predictions]:
                    if key and store.find(key) is not None and not store.is_locked(key):
                        store.delete(key)

    # -- budget ----------------------------------------------------------------------------
    def _models_left(self):
        if self.spec.max_models:
            return self.spec.max_models - len(self.base_models)
        return math.inf

    def _time_left(self):
        return math.inf if self.deadline is None else self.deadline - time.time()

    def _progress(self):
        done = len(self.run.models())
        fractions = []
        if self.planned:
            fractions.append(done / self.planned)
        if self.deadline is not None:
            fractions.append((time.time() - self.started) / self.runtime)
        return min(max(fractions) if fractions else 0.0, 0.99)

    def _model_runtime(self):
        """Seconds the next model may take: what is left of the run, capped per model."""
        limits = [self.spec.max_runtime_secs_per_model or math.inf, self._time_left()]
        limit = min(limits)
        return 0.0 if math.isinf(limit) else max(limit, 0.01)

    def _out_of_budget(self, step):
        if self._models_left() <= 0:
            self.run.log("ModelTraining", f"AutoML: hit the max_models limit; skipping {step.family} {step.id}",
                         level="DEBUG")
            return True
        # Leave the ensembles a few percent of the time: they are quick, and the best models often;
        # and exploration leaves exploitation its share (exploitation_ratio) of the budget.
        share = 0.05 + (self.spec.exploitation_ratio if step.kind != "exploitation"
                        and self.spec.exploitation_ratio > 0 else 0.0)
        reserve = share * self.runtime if self.deadline is not None else 0.0
        if self._time_left() <= reserve:
            self.run.log("ModelTraining", f"AutoML: out of time; skipping {step.family} {step.id}", level="DEBUG")
            return True
        return False

    def _run_steps(self):
        """The plan's steps group by group: in each, models, grids, exploitation, then ensembles
        (of everything trained so far). The random grids of all groups take turns from the
        first group that has one, sharing what is left of the budget."""
        steps = self.run.steps
        grids_done = False
        for group in sorted({s.group for s in steps}):
            in_group = [s for s in steps if s.group == group]
            for step in in_group:
                if step.kind == "model" and not self._out_of_budget(step):
                    self._build(step, dict(step.params))
            if not grids_done and any(s.kind == "grid" for s in in_group):
                self._grids([s for s in steps if s.kind == "grid"])
                grids_done = True
            self._exploitation([s for s in in_group if s.kind == "exploitation"])
            self._ensembles([s for s in in_group if s.kind == "ensemble"])

    # -- base models -----------------------------------------------------------------------

    def _grids(self, steps):
        """Random grids take turns, one model each, until the budget or every grid is spent."""
        samplers = {s.id + s.family: _RandomSampler(s.hyper, self.seed + i) for i, s in enumerate(steps)}
        active = list(steps)
        while active:
            for step in list(active):
                if self._out_of_budget(step):
                    return
                values = samplers[step.id + step.family].next()
                if values is None:
                    active.remove(step)
                    continue
                self._build(step, {**step.params, **values}, grid=True)

    def _model_id(self, step, grid=False):
        prefix = step.name or step.family
        if grid:
            key = (prefix, step.id)
            self.counters[key] = self.counters.get(key, 0) + 1
            grid_number = int(step.id.split("_")[-1])
            return f"{prefix}_grid_{grid_number}_{self.run.model_suffix}_model_{self.counters[key]}"
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        return f"{prefix}_{self.counters[prefix]}_{self.run.model_suffix}"

    def _common_parameters(self):
        spec = self.spec
        given = {"training_frame": spec.training_frame, "response_column": spec.response, "seed": self.seed,
                 "keep_cross_validation_models": spec.keep_cross_validation_models,
                 "export_checkpoints_dir": spec.export_checkpoints_dir,
                 # H2O-3 keeps fold assignments only for nfolds folds (none without them, nor with
                 # a fold column, which holds them already)
                 "keep_cross_validation_fold_assignment": bool(self.nfolds)
                 and spec.keep_cross_validation_fold_assignment}
        if self.nfolds:
            given.update(nfolds=self.nfolds, fold_assignment="Modulo", keep_cross_validation_predictions=True)
        if spec.fold_column:
            given.update(fold_column=spec.fold_column, keep_cross_validation_predictions=True)
        if spec.ignored_columns:
            given["ignored_columns"] = list(spec.ignored_columns)
        if spec.weights_column:
            given["weights_column"] = spec.weights_column
        if spec.validation_frame:
            given["validation_frame"] = spec.validation_frame
        return given

    def _stopping_parameters(self):
        """The run's stopping criteria, which every model that early-stops gets (the tolerance
        resolved at the start: see default_stopping_tolerance)."""
        spec = self.spec
        metric = spec.stopping_metric
        if metric in (None, "AUTO"):
            # H2O-3's AutoML names AUTO's metric on each model, so its parameters say what stopped it.
            metric = "deviance" if self.run.category == REGRESSION else "logloss"
        return {"stopping_rounds": spec.stopping_rounds, "stopping_metric": metric,
                "stopping_tolerance": spec.stopping_tolerance}

    def _tree_budget(self):
        """Trees for a boosting preset: H2O's 10,000 when a holdout can stop them early."""
        has_holdout = self.nfolds or self.spec.fold_column or self.spec.validation_frame
        return STOPPED_TREES if has_holdout and self.spec.stopping_rounds else CAPPED_TREES

    def _build(self, step, params, grid=False):
        algorithm = _algorithm(step)
        params = {**(self._stopping_parameters() if step.stops_early else {}), **params}
        if params.get("ntrees") == BOOSTING_TREES:
            params["ntrees"] = self._tree_budget()
        given = {**self._common_parameters(), **{k: v for k, v in params.items() if k in algorithm.parameters}}
        if self.spec.balance_classes and "balance_classes" in algorithm.parameters:
            # As H2O-3, to every model whose algorithm has the parameters (not XGBoost).
            given.update(balance_classes=True, max_after_balance_size=self.spec.max_after_balance_size)
            if self.spec.class_sampling_factors:
                given["class_sampling_factors"] = list(self.spec.class_sampling_factors)
        given.update(_custom_parameters(self.spec.algo_parameters, step.family, algorithm))
        self._cap_depth(given)
        runtime = self._model_runtime()
        if runtime:
            given["max_runtime_secs"] = runtime
        model_id = self._model_id(step, grid)
        self.run.log("ModelTraining", f"AutoML: starting {model_id} model training", name=f"start_{step.family}_"
                     f"{step.id}", value=str(int(time.time())))
        started = time.time()
        model = self._train(step, algorithm, given, model_id)
        if model is not None:
            self.base_models.append((model, step))
            self._add(model, step, time.time() - started)
        return model

    def _train(self, step, algorithm, given, model_id):
        """One model of ``step`` trained from the full request ``given``; None (and a logged
        warning) when it fails, since one failing model must not end the run."""
        label = f"{step.family} {step.id}" + (f" ({step.description})" if step.description else "")
        runtime = given.get("max_runtime_secs")
        self.run.log("ModelTraining", f"Time assigned for {model_id}: {runtime}s" if runtime else
                     f"No time limitation for {model_id}", level="DEBUG")
        done = len(self.run.models())
        share = 1.0 / self.planned if self.planned else 0.0
        sub = SubJob(self.job, done / self.planned if self.planned else self._progress(), share,
                     f"AutoML: {model_id}")
        try:
            model = build_model(self.engine, algorithm, given, sub, model_id=model_id, spec=self.feature_spec,
                                layouts=self.layouts)
        except JobCancelled:
            raise
        except EngineError as exc:
            self.run.log("ModelTraining", f"{model_id} [{label}] failed: {exc.msg}", level="WARN")
            return None
        except Exception as exc:  # one failing model must not end the run
            self.run.log("ModelTraining", f"{model_id} [{label}] failed: {type(exc).__name__}: {exc}",
                         level="ERROR", value=traceback.format_exc()[-2000:])
            return None
        self.given_of[model.key] = given
        return model

    # -- exploitation ------------------------------------------------------------------------
    def _exploitation(self, steps):
        """H2O-3's exploitation steps: retrain the best model of a family with other learning-rate
        settings and keep whichever is better, in its place on the leaderboard. They replace
        models rather than add them, so with a positive exploitation_ratio max_models does not
        stop them; with 0 they are off; left AUTO (-1) they run only within the run's budget."""
        ratio = self.spec.exploitation_ratio
        for step in steps:
            if ratio == 0:
                self.run.log("ModelTraining", f"AutoML: exploitation_ratio is 0; skipping {step.family} {step.id}",
                             level="DEBUG")
                continue
            if (ratio < 0 and self._out_of_budget(step)) or (ratio > 0 and self._time_left() <= 0):
                continue
            original = self._best_trained(step.algo)
            if original is None:
                self.run.log("ModelTraining", f"No {step.family} model to exploit; skipping {step.family} {step.id}.")
                continue
            prefix = f"{step.family}_{step.id}_selection_{self.run.model_suffix}_select"
            self.run.log("ModelTraining", f"AutoML: starting {prefix} model training", name=f"start_{step.family}_"
                         f"{step.id}", value=str(int(time.time())))
            started = time.time()
            given = dict(self.given_of[original.key])
            runtime = self._model_runtime()
            given.pop("max_runtime_secs", None)
            if runtime:
                given["max_runtime_secs"] = runtime
            if step.id == "lr_annealing":
                self.run.log("ModelSelection", f"Retraining best {step.family} with learning rate annealing: "
                                               f"{original.key}")
                trained = [self._train(step, _algorithm(step), {**given, "learn_rate_annealing": 0.99},
                                       f"{prefix}_model")]
            else:
                self.run.log("ModelSelection", f"Applying learning rate search on best {step.family}: {original.key}")
                trained = self._learn_rate_search(step, given, prefix)
            self._keep_best(original, [m for m in trained if m is not None], step, time.time() - started)

    def _learn_rate_search(self, step, given, prefix):
        """XGBoost's lr_search: lower learning rates in turn, each scored less often (H2O-3's
        sequence), until three in a row bring no improvement beyond the stopping tolerance."""
        interval = given.get("score_tree_interval") or 5
        rates = (0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001, 0.0005)
        trained, best, stale = [], None, 0
        metric, larger = self.run.sort_metric, ranking.larger_is_better(self.run.sort_metric)
        for i, rate in enumerate(rates):
            if self._time_left() <= 0:
                break
            model = self._train(step, _algorithm(step), {**given, "learn_rate": rate,
                                                         "score_tree_interval": (i + 1) * interval},
                                f"{prefix}_grid_model_{i + 1}")
            if model is None:
                continue
            trained.append(model)
            score = ranking.value(self._scored(model), metric)
            better = best is None or (score > best * (1 + self.spec.stopping_tolerance) if larger
                                      else score < best * (1 - self.spec.stopping_tolerance))
            if better:
                best, stale = score, 0
            else:
                stale += 1
                if stale >= 3:
                    break
        return trained

    def _best_trained(self, algo):
        """The best model of this run of an algorithm, by the leaderboard's order."""
        for model, _ in self.run.leaderboard().rows:
            if model.algo == algo and model.key in self.given_of:
                return model
        return None

    def _keep_best(self, original, trained, step, seconds):
        """Of the original and its retrained versions, the best takes the original's place on
        the leaderboard (the original stays stored); the others are deleted."""
        from h2odash.engine.builds import remove_model

        if not trained:
            return
        scored = [(original, self._scored(original))] + [(m, self._scored(m)) for m in trained]
        best = ranking.ranked(scored, self.run.sort_metric)[0][0]
        for model in trained:
            if model is not best:
                remove_model(self.engine, model)
        if best is original:
            self.run.log("ModelSelection", f"{original.key} stays: no retrained version did better.")
            return
        self.run.log("ModelSelection", f"{best.key} replaces {original.key} on the leaderboard.")
        self.run.remove(original.key)
        self.base_models = [(best, step) if m is original else (m, s) for m, s in self.base_models]
        self._add(best, step, seconds)

    def _cap_depth(self, given):
        """A tree whose leaves hold at least min_rows of n rows has at most n / min_rows leaves, so
        it is never deeper than that minus one: capping max_depth there changes no tree, but
        spares the learner sizing its buffers for 2^15 leaves (GBM def_5 on small data)."""
        if "max_depth" in given and given.get("min_rows"):
            nrows = self.engine.store.get(self.spec.training_frame, Frame, "training_frame").nrows
            deepest = max(1, int(nrows // given["min_rows"]) - 1)
            if given["max_depth"] == 0 or given["max_depth"] > deepest:
                given["max_depth"] = deepest

    def _add(self, model, step, seconds):
        previous = self.run.leader()
        scored = self._scored(model)
        self.run.add(model, scored, step)
        self.run.log("ModelTraining", f"Adding model {model.key} to leaderboard {self.run.key}. "
                                      f"Training time: {seconds:.1f}s", level="DEBUG")
        leader = self.run.leader()
        if leader is model and previous is not model:
            metric = self.run.sort_metric
            self.run.log("ModelTraining", f"New leader: {model.key}, {metric}: {ranking.value(scored, metric)}")
        self._refresh_leaderboard_frame()
        self.job.update(self._progress(), f"{len(self.run.models())} models on the leaderboard")

    def _scored(self, model):
        """The metrics a model is ranked by: on the leaderboard frame when given, else its own."""
        if self.leaderboard_frame is None:
            return ranking.model_metrics(model)
        from h2odash.engine.model_data import response_values, usable_rows, weight_values
        from h2odash.engine.training import model_metrics

        frame, spec = self.leaderboard_frame, model.spec
        y, w = response_values(frame, spec), weight_values(frame, spec)
        rows = usable_rows(y, w, spec.category != REGRESSION)
        raw = model.predict_raw(frame)
        return model_metrics(spec, model.params, y[rows], np.asarray(raw)[rows], w[rows])

    def _refresh_leaderboard_frame(self):
        store = self.engine.store
        key = self.run.leaderboard_frame_key
        if not store.is_locked(key):
            store.put(key, self.run.leaderboard_frame())
        store.settle(self.run.key)

    # -- ensembles -------------------------------------------------------------------------
    def _ensembles(self, steps):
        from h2odash.engine.algos.stackedensemble import build_ensemble

        for step in steps:
            if not (self.nfolds or self.spec.fold_column or self.spec.blending_frame):
                self.run.log("ModelTraining", f"Cross-validation is disabled and no blending frame was given; "
                                              f"skipping StackedEnsemble '{step.id}'.")
                continue
            if self.deadline is not None and self._time_left() <= 0:
                self.run.log("ModelTraining", f"AutoML: out of time; skipping StackedEnsemble {step.id}")
                continue
            base = {"best_of_family": self._best_of_family, "all": self._stackable,
                    "monotonic": self._monotonic, "best_n": self._best_n}[step.stacks]()
            if len(base) < 2:
                what = "monotonic model" if step.stacks == "monotonic" else "model family"
                self.run.log("ModelTraining", f"Skipping StackedEnsemble '{step.id}' since there is "
                                              f"{'no' if not base else 'only one'} {what} to stack.")
                continue
            if self._repeats(step, base):
                self.run.log("ModelTraining", f"Skipping StackedEnsemble '{step.id}': it would stack the same models "
                                              f"as an ensemble already built.")
                continue
            model_id = self._model_id(step)
            given = {"training_frame": self.spec.training_frame, "response_column": self.spec.response,
                     "base_models": [m.key for m in base], "seed": self.seed, **self._metalearner_settings(step)}
            if step.metalearner != "AUTO":
                given["metalearner_algorithm"] = step.metalearner
            if self.spec.export_checkpoints_dir:
                given["export_checkpoints_dir"] = self.spec.export_checkpoints_dir
            if self.spec.blending_frame:
                given["blending_frame"] = self.spec.blending_frame
            if self.spec.validation_frame:
                given["validation_frame"] = self.spec.validation_frame
            if self.spec.weights_column:
                given["weights_column"] = self.spec.weights_column
            runtime = self._model_runtime()
            if runtime:
                given["max_runtime_secs"] = runtime
            self.run.log("ModelTraining", f"AutoML: starting {model_id} model training ({step.description})",
                         name=f"start_StackedEnsemble_{step.id}", value=str(int(time.time())))
            done = len(self.run.models())
            sub = SubJob(self.job, done / self.planned if self.planned else self._progress(),
                         1.0 / self.planned if self.planned else 0.0, f"AutoML: {model_id}")
            started = time.time()
            try:
                model = build_ensemble(self.engine, given, sub, model_id)
            except JobCancelled:
                raise
            except EngineError as exc:
                self.run.log("ModelTraining", f"{model_id} failed: {exc.msg}", level="WARN")
                continue
            except Exception as exc:  # a failing ensemble must not lose the base models
                self.run.log("ModelTraining", f"{model_id} failed: {type(exc).__name__}: {exc}", level="ERROR",
                             value=traceback.format_exc()[-2000:])
                continue
            self._add(model, step, time.time() - started)

    def _metalearner_settings(self, step):
        """How an ensemble step's metalearner learns, as H2O's AutoML sets it: cross-validated on
        the run's folds (the fold column, or as many folds as the base models, dealt by the
        metalearner's own default), with the step's GLM parameters, on the logits of the base
        models' class probabilities."""
        settings = {}
        if self.spec.fold_column:
            settings["metalearner_fold_column"] = self.spec.fold_column
        elif self.nfolds:
            settings["metalearner_nfolds"] = self.nfolds
        # The metalearner keeps what the run keeps of cross-validation (H2O-3 passes both on).
        params = {**step.params, "keep_cross_validation_models": self.spec.keep_cross_validation_models,
                  "keep_cross_validation_predictions": self.spec.keep_cross_validation_predictions}
        settings["metalearner_params"] = json.dumps(params)
        if self.run.category != REGRESSION and step.metalearner == "AUTO":
            settings["metalearner_transform"] = "Logit"
        return settings

    def _stackable(self):
        """The models the ensembles stack: every base model on the leaderboard, those of earlier
        runs into the same project too (as H2O-3 stacks its leaderboard's models)."""
        return [m for m, _ in self.run.models() if m.algo != "stackedensemble"]

    def _monotonic(self):
        """The base models trained under monotone constraints (only some families take them)."""
        return [m for m in self._stackable() if m.params.get("monotone_constraints")]

    def _best_n(self):
        """The best non-ensemble models, as many as H2O-3's best_N step takes (1,000 for two
        classes or regression, fewer the more classes)."""
        classes = len(self.feature_spec.response_domain or ())
        limit = 1000 if classes <= 2 else max(100, 1000 // (classes - 1))
        base = {m.key for m in self._stackable()}
        return [m for m, _ in self.run.leaderboard().rows if m.key in base][:limit]

    def _repeats(self, step, base):
        if step.repeats_when == "one_per_family":
            return len(base) == len({self._family_of(m) for m in base})
        if step.repeats_when == "same_models":
            keys = {m.key for m in base}
            return any(set(m.params.get("base_models") or ()) == keys
                       and (m.params.get("metalearner_algorithm") or "AUTO") == step.metalearner
                       for m, _ in self.run.models() if m.algo == "stackedensemble")
        return False

    def _family_of(self, model):
        """A base model's family for the ensembles (XRT counts as its own)."""
        step = self.run.step_of(model.key)
        return step.name or step.family

    def _best_of_family(self):
        """The best model of each family, by the leaderboard's order."""
        board = self.run.leaderboard()
        base = {m.key for m in self._stackable()}
        best = {}
        for model, _ in board.rows:
            if model.key in base:
                best.setdefault(self._family_of(model), model)
        return list(best.values())


class _RandomSampler:
    """Draws hyper-parameter combinations at random without repeats, reproducibly by seed."""

    def __init__(self, hyper, seed):
        self.names = list(hyper)
        self.hyper = hyper
        self.rng = np.random.default_rng(seed)
        self.seen = set()
        self.total = math.prod(len(v) for v in hyper.values()) if hyper else 0

    def next(self):
        while len(self.seen) < self.total:
            picks = tuple(int(self.rng.integers(len(self.hyper[n]))) for n in self.names)
            if picks not in self.seen:
                self.seen.add(picks)
                return {n: self.hyper[n][i] for n, i in zip(self.names, picks)}
        return None


def _algorithm(step):
    if step.name == "XRT":
        from h2odash.engine.algos.xrt import ALGORITHM

        return ALGORITHM
    return algos.get(step.algo)
