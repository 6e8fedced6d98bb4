"""What the suite measures: one :class:`Metric` per row of the report.

Three kinds of rows:

* a :class:`Figure` is timed work that the runner repeats, alternating servers, and
  reports as best and median (import + parse, frame reads, model training, scoring,
  AutoML);
* a :class:`Quality` is a higher-is-better number that comes with a figure's samples
  (a model's test AUC), compared between servers as a difference rather than a ratio;
* an observation is a number read once per server while the benchmark frame is loaded
  (resident memory, the frame's ``byte_size``); the runner fills those in.

Adding a figure: subclass :class:`Figure`, implement :meth:`Figure.measure` with client
calls only (the loaded frame is ``context.frames[server.name]``; the training and test
frames of the model figures are ``context.split_frames[server.name]``), and append an
instance to :data:`FIGURES`. A new model algorithm is one more :class:`ModelFigure`.
"""
from __future__ import annotations

import statistics
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from .generate import Dataset, ensure_dataset
from .servers import BenchServer
from .split import Split, read_test_labels
from .workload import (delete_frame_quietly, delete_model_quietly, download_frame, import_and_parse,
                       positive_probabilities, score, train_timed, wait_steadily)

MIB = 2 ** 20


@dataclass(frozen=True)
class Metric:
    """A row of the report.

    Attributes
    ----------
    key : str
        Stable identifier used in the JSON results.
    label : str
        Human description; ``{rows}`` in it stands for the data set's row count,
        ``{train_rows}`` and ``{test_rows}`` for the training and test files'.
    unit : str
        ``s``, ``ms`` or ``MiB``.
    target_ratio : float or None
        The embedded engine's goal as a ratio embedded / H2O-3 (lower is better for every
        metric here); None when the two numbers are not comparable.
    why_target : str
        Where the target comes from.
    """

    key: str
    label: str
    unit: str
    target_ratio: float | None = None
    why_target: str = ""

    def describe(self, quick: bool = False) -> str:
        """The label of the row; ``quick`` asks for that of the smoke test's variant, if different."""
        return self.label


@dataclass(frozen=True)
class Quality(Metric):
    """A higher-is-better number that comes with a figure's samples, such as a test AUC.

    Cells show the median over samples (and the range when samples differ); the servers are
    compared by the difference of medians, embedded − H2O-3, not by a ratio: a model may be
    faster but must not be worse.

    Attributes
    ----------
    min_difference : float or None
        The lowest acceptable embedded − H2O-3 difference (``-0.002``: at most 0.002 below
        H2O-3; ``0.0``: equal or better); None for an informational row.
    """

    min_difference: float | None = None


@dataclass
class Context:
    """What figures share on one run.

    Attributes
    ----------
    dataset : Dataset
        The generated data set.
    frames : dict
        Server name -> key of the whole data set's frame.
    split : Split or None
        The training and test files, when a selected figure needs them.
    split_frames : dict
        Server name -> ``(training frame key, test frame key)``.
    quick : bool
        Smoke-test mode: model figures train their small variants.
    model_timeout : float or None
        Seconds a model may train before its job is cancelled and the sample counted as failed.
    scoring_models : dict
        Server name -> a GBM model kept for the scoring figure.
    automl_frames : dict
        ``"{source}:{server name}"`` -> the frame an AutoML figure trains on.
    checks : dict
        One-off sanity checks, written to the results file (AUC recomputed with scikit-learn).
    """

    dataset: Dataset
    frames: dict[str, str] = field(default_factory=dict)
    split: Split | None = None
    split_frames: dict[str, tuple[str, str]] = field(default_factory=dict)
    quick: bool = False
    model_timeout: float | None = None
    scoring_models: dict[str, str] = field(default_factory=dict)
    checks: dict = field(default_factory=dict)
    automl_frames: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Sample:
    """One measurement.

    Attributes
    ----------
    value : float
        The reported value, in the metric's unit.
    detail : dict
        Anything worth keeping in the results file.
    companions : dict
        Values of the figure's :attr:`Figure.companions` measured with this sample, by key.
    """

    value: float
    detail: dict = field(default_factory=dict)
    companions: dict[str, float] = field(default_factory=dict)


class Figure(Metric):
    """A timed, repeatable measurement on one server."""

    # True when the figure works on the training and test frames (loaded once per server).
    needs_split: ClassVar[bool] = False

    @property
    def companions(self) -> list[Metric]:
        """Rows reported right below this one, filled from each sample's ``companions``."""
        return []

    @property
    def runs_in_quick_mode(self) -> bool:
        """Whether ``--quick`` runs this figure (a small variant of it, for model figures)."""
        return True

    def measure(self, server: BenchServer, context: Context) -> Sample:
        """Do the work once on ``server`` and return the sample (in :attr:`unit`)."""
        raise NotImplementedError


class ParseFigure(Figure):
    """Import + ParseSetup + Parse of the benchmark CSV into a new frame, deleted afterwards."""

    def measure(self, server: BenchServer, context: Context) -> Sample:
        frame_id = f"bench_parse_{uuid.uuid4().hex[:8]}"
        try:
            timing = import_and_parse(server.client, str(context.dataset.path), frame_id)
        finally:
            # Keep only the loaded benchmark frame between samples, so every parse starts
            # from the same memory state.
            delete_frame_quietly(server.client, frame_id)
        return Sample(timing.total, timing.phases())


class FrameGetFigure(Figure):
    """Latency of ``GET /3/Frames/{id}`` (column summaries + first 10 rows), as the frames panel asks."""

    requests_per_sample = 20

    def measure(self, server: BenchServer, context: Context) -> Sample:
        frame_id = context.frames[server.name]
        latencies = []
        for _ in range(self.requests_per_sample):
            started = time.perf_counter()
            server.client.frame(frame_id)
            latencies.append((time.perf_counter() - started) * 1000)
        # The median of a burst, so that one slow request (a GC pause) does not decide the sample.
        return Sample(statistics.median(latencies), {"min_ms": round(min(latencies), 3),
                                                     "max_ms": round(max(latencies), 3)})


@dataclass(frozen=True)
class ModelFigure(Figure):
    """Train one model on the training frame: seconds from ``POST /3/ModelBuilders/{algo}`` to DONE.

    After each timed training (not part of the time) the model scores the test frame with
    ``POST /3/Predictions``; the AUC in that answer's metrics is the :attr:`auc` companion.
    The first time each server's predictions are made, they are also downloaded and the
    AUC recomputed with scikit-learn, a check that the server's metrics measure what they say.

    Attributes
    ----------
    algo : str
        Builder name, the same on both servers.
    params : dict
        Builder parameters of the full run (besides frames, response and ``model_id``).
    quick_params : dict
        The small variant ``--quick`` trains instead.
    auc : Quality or None
        The test AUC row.
    quick_label : str
        The label of the small variant.
    """

    algo: str = ""
    params: dict = field(default_factory=dict)
    quick_params: dict = field(default_factory=dict)
    auc: Quality | None = None
    quick_label: str = ""

    needs_split: ClassVar[bool] = True

    @property
    def companions(self) -> list[Metric]:
        return [self.auc] if self.auc is not None else []

    def params_for(self, context: Context) -> dict:
        return dict(self.quick_params if context.quick else self.params)

    def describe(self, quick: bool = False) -> str:
        return self.quick_label if quick and self.quick_label else self.label

    def measure(self, server: BenchServer, context: Context) -> Sample:
        client = server.client
        train_frame, test_frame = context.split_frames[server.name]
        model_id = f"bench_{self.key}_{uuid.uuid4().hex[:8]}"
        kept = False
        try:
            timing = train_timed(client, self.algo, train_frame, context.dataset.label, model_id,
                                 self.params_for(context), timeout=context.model_timeout)
            auc = self._test_auc(server, context, timing.model_id)
            kept = self._keep_for_scoring(server, context, timing.model_id)
        finally:
            if not kept:
                delete_model_quietly(client, model_id)
        detail = {"model_id": timing.model_id, "request_s": round(timing.request_seconds, 4),
                  "job_msec": timing.job_msec, "test_auc": auc}
        companions = {self.auc.key: auc} if self.auc is not None and auc is not None else {}
        return Sample(timing.seconds, detail, companions)

    def _test_auc(self, server: BenchServer, context: Context, model_id: str) -> float | None:
        predictions = f"bench_pred_{uuid.uuid4().hex[:8]}"
        try:
            scoring = score(server.client, model_id, context.split_frames[server.name][1], predictions)
            check_key = f"{self.key}_auc_vs_sklearn"
            if scoring.auc is not None and server.name not in context.checks.get(check_key, {}):
                context.checks.setdefault(check_key, {})[server.name] = sklearn_auc_check(
                    server, context, scoring.predictions_frame, scoring.auc)
            return scoring.auc
        finally:
            delete_frame_quietly(server.client, predictions)

    def _keep_for_scoring(self, server: BenchServer, context: Context, model_id: str) -> bool:
        """The GBM's latest model stays on the server for :class:`ScoringFigure`."""
        if self.key != SCORING_MODEL_KEY:
            return False
        previous = context.scoring_models.get(server.name)
        if previous is not None and previous != model_id:
            delete_model_quietly(server.client, previous)
        context.scoring_models[server.name] = model_id
        return True


def sklearn_auc_check(server: BenchServer, context: Context, predictions_frame: str, server_auc: float) -> dict:
    """Recompute a test AUC from the downloaded predictions with scikit-learn.

    Returns
    -------
    dict
        ``server_auc``, ``sklearn_auc`` and their ``difference``; H2O-3 bins thresholds
        when it computes AUC, so a difference of about 1e-4 is expected there.
    """
    from sklearn.metrics import roc_auc_score  # only needed once per model figure and server

    labels = context.checks.get("_test_labels")
    if labels is None:
        labels = context.checks["_test_labels"] = read_test_labels(context.split)
    probabilities = positive_probabilities(download_frame(server.client, predictions_frame))
    if len(probabilities) != len(labels):
        return {"server_auc": server_auc, "problem": f"{len(probabilities)} predictions for {len(labels)} rows"}
    reference = float(roc_auc_score(labels, probabilities))
    return {"server_auc": server_auc, "sklearn_auc": reference, "difference": server_auc - reference}


def scoring_model(server: BenchServer, context: Context) -> str:
    """The GBM the scoring and explanation figures use: the one the GBM figure kept, or one
    trained with the same parameters (untimed) when that figure was not selected."""
    model_id = context.scoring_models.get(server.name)
    if model_id is None:
        gbm = next(f for f in FIGURES if f.key == SCORING_MODEL_KEY)
        model_id = train_timed(server.client, gbm.algo, context.split_frames[server.name][0],
                               context.dataset.label, f"bench_{gbm.key}_{uuid.uuid4().hex[:8]}",
                               gbm.params_for(context), timeout=context.model_timeout).model_id
        context.scoring_models[server.name] = model_id
    return model_id


class ScoringFigure(Figure):
    """Wall time of ``POST /3/Predictions/models/{gbm}/frames/{test}``: 200k rows scored by the GBM."""

    needs_split: ClassVar[bool] = True

    def measure(self, server: BenchServer, context: Context) -> Sample:
        model_id = scoring_model(server, context)
        predictions = f"bench_pred_{uuid.uuid4().hex[:8]}"
        try:
            scoring = score(server.client, model_id, context.split_frames[server.name][1], predictions)
        finally:
            delete_frame_quietly(server.client, predictions)
        return Sample(scoring.seconds, {"model_id": model_id, "test_auc": scoring.auc})


class ContributionsFigure(Figure):
    """Wall time of the contributions job (``POST /4/Predictions`` with predict_contributions,
    request to DONE) of the GBM for every test row: TreeSHAP, no background frame."""

    needs_split: ClassVar[bool] = True

    def measure(self, server: BenchServer, context: Context) -> Sample:
        model_id = scoring_model(server, context)
        destination = f"bench_shap_{uuid.uuid4().hex[:8]}"
        started = time.perf_counter()
        try:
            job = server.client.start_contributions(model_id, context.split_frames[server.name][1],
                                                    destination_frame=destination)
            wait_steadily(server.client, job, timeout=context.model_timeout)
            seconds = time.perf_counter() - started
            columns = len(server.client.frame(destination, row_count=1)["columns"])
        finally:
            delete_frame_quietly(server.client, destination)
        return Sample(seconds, {"model_id": model_id, "columns": columns})


class PartialDependenceFigure(Figure):
    """Wall time of a partial dependence job of the GBM over every test row: three numeric
    columns, ``nbins`` grid values each (request to DONE, then the tables read back)."""

    needs_split: ClassVar[bool] = True
    nbins: ClassVar[int] = 20
    ncols: ClassVar[int] = 3

    def measure(self, server: BenchServer, context: Context) -> Sample:
        model_id = scoring_model(server, context)
        model = server.client.model(model_id)
        importances = model["output"]["variable_importances"]
        # The most important numeric columns: the same on both servers' GBMs in practice, and
        # columns a user would look at first.
        numeric = {c["label"] for c in server.client.frame(context.split_frames[server.name][1], row_count=1)
                   ["columns"] if c["type"] in ("int", "real")}
        cols = [name for name in importances["data"][0] if name in numeric][: self.ncols]
        started = time.perf_counter()
        job = server.client.start_partial_dependence(model_id, context.split_frames[server.name][1], cols=cols,
                                                     nbins=self.nbins)
        done = wait_steadily(server.client, job, timeout=context.model_timeout)
        tables = server.client.partial_dependence_result(done["dest"]["name"])
        seconds = time.perf_counter() - started
        return Sample(seconds, {"model_id": model_id, "cols": cols, "rows_per_table": [len(t.table) for t in tables]})


# The Foundation issue's target: a quarter of H2O-3's time (pyarrow alone reads the 1M-row
# file in 1.2 s where H2O-3 took 5.6 s, DESIGN.md).
_PARSE_TARGET = 0.25
_PARSE_WHY = "the Foundation issue: parse in at most a quarter of H2O-3's time"

PARSE = ParseFigure("parse", "import + parse {rows} x 20 CSV", "s", _PARSE_TARGET, _PARSE_WHY)
FRAME_GET = FrameGetFigure("frame_get", f"GET /3/Frames/{{id}} (median of {FrameGetFigure.requests_per_sample})",
                           "ms", 1.0, "the frames panel calls it on every refresh: no slower than H2O-3")

# Observations, read once per server by the runner.
COLD_PARSE = Metric("cold_parse", "first import + parse in a fresh server (1 sample)", "s", _PARSE_TARGET,
                    _PARSE_WHY)
RSS_LOADED = Metric("rss_loaded", "server resident memory with the frame loaded", "MiB", 1.0,
                    "a notebook user's machine: no hungrier than the JVM")
RSS_PEAK = Metric("rss_peak", "server peak resident memory over the run", "MiB", 1.0,
                  "a notebook user's machine: no hungrier than the JVM")
FRAME_BYTES = Metric("frame_byte_size", "frame byte_size reported by GET /3/Frames/{id}", "MiB", None,
                     "informational: each server counts its own storage")

# Model figures: the Models issue's targets. Times are ratios embedded / H2O-3 of training
# (request to job DONE); AUC targets are differences on the 200k test rows.
_MODELS_WHY = "the Models issue"
_SEED = 42


def _model(key: str, name: str, algo: str, target: float, params: dict, quick_params: dict,
           auc_min_difference: float | None, auc_why: str) -> ModelFigure:
    """A model figure and its test AUC row; ``name`` is the algorithm as the table calls it."""
    auc = Quality(f"{key}_test_auc", f"{name} test AUC ({{test_rows}} rows; Δ = embedded − H2O-3)", "AUC",
                  None, auc_why, min_difference=auc_min_difference)
    return ModelFigure(key, f"train {name}{describe_params(params)} ({{train_rows}} rows)", "s", target,
                       _MODELS_WHY, algo=algo, params=params, quick_params=quick_params, auc=auc,
                       quick_label=f"train {name}{describe_params(quick_params)} ({{train_rows}} rows)")


def expand_figure_keys(keys):
    """``--only-figures`` keys with each :data:`FIGURE_GROUPS` name replaced by its figures."""
    return tuple(k for key in keys for k in FIGURE_GROUPS.get(key, (key,)))


def describe_params(params: dict) -> str:
    """The parameters that size a model, as the table shows them: ``", 100 trees, depth 5"``."""
    parts = []
    for name, template in (("ntrees", "{} trees"), ("max_depth", "depth {}"), ("hidden", "hidden {}"),
                           ("epochs", "epochs {:g}"), ("tree_method", "{}")):
        if name in params:
            parts.append(template.format(params[name]))
    return "".join(f", {part}" for part in parts)


GBM = _model("gbm", "GBM", "gbm", 0.2,
             {"ntrees": 100, "max_depth": 5, "seed": _SEED}, {"ntrees": 5, "max_depth": 5, "seed": _SEED},
             -0.002, "the Models issue: at most 0.002 below H2O-3")
DRF = _model("drf", "DRF", "drf", 0.7,
             {"ntrees": 50, "max_depth": 20, "seed": _SEED}, {"ntrees": 5, "max_depth": 10, "seed": _SEED},
             -0.003, "the Models issue: within 0.003 of H2O-3 (only a lower AUC counts against)")
GLM = _model("glm", "GLM binomial", "glm", 1.0,
             {"family": "binomial", "seed": _SEED}, {"family": "binomial", "seed": _SEED},
             None, "informational")
# tree_method "hist" on both servers: H2O-3's default ("auto") built 4 trees in 83 s here
# (about 35 minutes for 100), "hist" about one tree a second; the embedded engine's "auto"
# already means "hist", so the request stays the same for both.
XGBOOST = _model("xgboost", "XGBoost", "xgboost", 0.5,
                 {"ntrees": 100, "max_depth": 5, "tree_method": "hist", "seed": _SEED},
                 {"ntrees": 5, "max_depth": 5, "tree_method": "hist", "seed": _SEED},
                 None, "informational")
# The issue asks for hidden [200, 200] and 10 epochs, "or smaller if H2O-3 takes too long":
# H2O-3 trains this network at 450-850 samples/s on these 2 busy cores, so 10 epochs of 800k
# rows would take about 3 hours, and 0.1 epoch took 135 s. 0.05 epoch (40k samples) keeps
# H2O-3 near a minute; the network is the issue's.
DEEP_LEARNING_PARAMS = {"hidden": [200, 200], "epochs": 0.05, "seed": _SEED}
DEEP_LEARNING = _model("deeplearning", "deep learning", "deeplearning", 1.0,
                       DEEP_LEARNING_PARAMS, {"hidden": [20, 20], "epochs": 1, "seed": _SEED},
                       0.0, "the Models issue: equal or better test AUC")
# Which model figure's model the scoring figure reuses.
SCORING_MODEL_KEY = GBM.key
SCORING = ScoringFigure("predict", "score {test_rows} test rows with the GBM (POST /3/Predictions)", "s", 0.3,
                        "the Models issue: scoring in at most 0.3 of H2O-3's time")
_EXPLAIN_WHY = "the Explain issue: at most half of H2O-3's time"
CONTRIBUTIONS = ContributionsFigure("contributions", "SHAP contributions of the GBM for {test_rows} test rows "
                                    "(POST /4/Predictions, predict_contributions)", "s", 0.5, _EXPLAIN_WHY)
PARTIAL_DEPENDENCE = PartialDependenceFigure(
    "partial_dependence", f"partial dependence of the GBM, {PartialDependenceFigure.ncols} columns x "
    f"{PartialDependenceFigure.nbins} bins over {{test_rows}} test rows", "s", 0.5, _EXPLAIN_WHY)
# AutoML: the AutoML issue's targets (a third of H2O-3's time, best leaderboard AUC within 0.01).
AUTOML_SEED = 1
AUTOML_MODELS = 10
AUTOML_QUICK_MODELS = 2
AUTOML_SAMPLE_ROWS = 20_000
_AUTOML_WHY = "the AutoML issue: at most a third of H2O-3's time"
_AUTOML_AUC_WHY = "the AutoML issue: best leaderboard AUC within 0.01 of H2O-3's"
PROSTATE_CSV = Path(__file__).resolve().parent.parent / "tests" / "data" / "prostate.csv"


@dataclass(frozen=True)
class AutoMLFigure(Figure):
    """One AutoML run: seconds from ``POST /99/AutoMLBuilder`` to its job DONE.

    Both servers get the same request (h2o-py's body: ``max_models``, ``seed``, the default
    5-fold cross-validation and algorithms). The :attr:`auc` companion is the best AUC on the
    finished leaderboard (cross-validated, as AutoML ranks it). The run's models are deleted
    afterwards (untimed), so every sample starts from the same server state.

    Attributes
    ----------
    source : str
        ``prostate`` (tests/data/prostate.csv, CAPSULE as enum) or ``generated`` (a
        :data:`AUTOML_SAMPLE_ROWS`-row file of the benchmark generator, ``label``).
    options : dict
        AutoML options of the full run (h2o-py's ``H2OAutoML`` arguments).
    quick_options : dict or None
        Those of ``--quick``; None leaves the figure out of quick runs.
    """

    source: str = "prostate"
    options: dict = field(default_factory=dict)
    quick_options: dict | None = None
    auc: Quality | None = None
    quick_label: str = ""

    @property
    def companions(self) -> list[Metric]:
        return [self.auc] if self.auc is not None else []

    @property
    def runs_in_quick_mode(self) -> bool:
        return self.quick_options is not None

    def params_for(self, context: Context) -> dict:
        return dict(self.quick_options if context.quick else self.options)

    def describe(self, quick: bool = False) -> str:
        return self.quick_label if quick and self.quick_label else self.label

    def _frame(self, server: BenchServer, context: Context) -> tuple[str, str]:
        """The run's training frame on ``server`` (parsed once, untimed) and its response column."""
        key = f"{self.source}:{server.name}"
        if self.source == "prostate":
            path, response, types = PROSTATE_CSV, "CAPSULE", {"CAPSULE": "enum"}
        else:
            sample = ensure_dataset(AUTOML_SAMPLE_ROWS, context.dataset.seed, log=None)
            path, response, types = sample.path, sample.label, None
        if key not in context.automl_frames:
            context.automl_frames[key] = server.client.import_frame(
                str(path), destination_frame=f"bench_automl_{self.source}.hex", column_types=types)
        return context.automl_frames[key], response

    def measure(self, server: BenchServer, context: Context) -> Sample:
        client = server.client
        frame, response = self._frame(server, context)
        project = f"bench_{self.key}_{uuid.uuid4().hex[:8]}"
        started = time.perf_counter()
        job = client.start_automl(frame, response, project_name=project, **self.params_for(context))
        done = wait_steadily(client, job, timeout=context.model_timeout)
        seconds = time.perf_counter() - started
        automl_id = (done.get("dest") or {}).get("name") or job["dest"]["name"]
        run = client.automl(automl_id)
        board = run["leaderboard_table"]
        names = [c["name"] for c in board["columns"]]
        model_ids = board["data"][names.index("model_id")]
        aucs = [float(a) for a in board["data"][names.index("auc")]] if "auc" in names else []
        best = max(aucs) if aucs else None
        for model_id in model_ids:
            delete_model_quietly(client, model_id)
        detail = {"automl_id": automl_id, "models": len(model_ids), "leader": model_ids[0] if model_ids else None,
                  "best_auc": best, "job_msec": done.get("msec"),
                  "sort_metric": (run.get("leaderboard") or {}).get("sort_metric")}
        companions = {self.auc.key: best} if self.auc is not None and best is not None else {}
        return Sample(seconds, detail, companions)


def _automl(key: str, source: str, data: str, options: dict, quick_options: dict | None) -> AutoMLFigure:
    """An AutoML figure and its best-leaderboard-AUC row."""
    def what(opts):
        return f"AutoML {opts['max_models']} models, seed {opts['seed']}, 5-fold CV ({data})"

    auc = Quality(f"{key}_best_auc", f"AutoML best leaderboard AUC ({data}; Δ = embedded − H2O-3)", "AUC",
                  None, _AUTOML_AUC_WHY, min_difference=-0.01)
    return AutoMLFigure(key, what(options), "s", 1 / 3, _AUTOML_WHY, source=source, options=options,
                        quick_options=quick_options, auc=auc,
                        quick_label=what(quick_options) if quick_options else "")


_AUTOML_OPTIONS = {"max_models": AUTOML_MODELS, "seed": AUTOML_SEED}
AUTOML_PROSTATE = _automl("automl_prostate", "prostate", "prostate.csv, CAPSULE", _AUTOML_OPTIONS,
                          {"max_models": AUTOML_QUICK_MODELS, "seed": AUTOML_SEED})
AUTOML_GENERATED = _automl("automl_generated", "generated", f"{AUTOML_SAMPLE_ROWS:,} generated rows, label",
                           _AUTOML_OPTIONS, None)
# --only-figures names that stand for several figures.
FIGURE_GROUPS = {"automl": (AUTOML_PROSTATE.key, AUTOML_GENERATED.key),
                 "explain": (CONTRIBUTIONS.key, PARTIAL_DEPENDENCE.key)}
# Figures named in --only-figures that cannot run yet, with the reason.
PLANNED_FIGURES: dict[str, str] = {}

FIGURES: list[Figure] = [PARSE, FRAME_GET, GBM, DRF, GLM, XGBOOST, DEEP_LEARNING, SCORING, CONTRIBUTIONS,
                         PARTIAL_DEPENDENCE, AUTOML_PROSTATE, AUTOML_GENERATED]
OBSERVATIONS: list[Metric] = [COLD_PARSE, RSS_LOADED, RSS_PEAK, FRAME_BYTES]
