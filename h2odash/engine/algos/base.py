"""What every learning algorithm provides, and what the training framework gives it.

An :class:`Algorithm` declares its parameters and fits a :class:`Fitted` from a
:class:`TrainingSet`. Everything else (frames, cross-validation, metrics, the model object,
the job, live scoring history) is the framework's, in ``h2odash.engine.training``.
"""

import time
from dataclasses import dataclass

import numpy as np

from h2odash.engine.errors import InvalidArgument
from h2odash.engine.model_data import BINOMIAL, MULTINOMIAL, REGRESSION, codes_matrix, features_frame, features_matrix


@dataclass
class TrainingSet:
    """Rows a learner fits on, already laid out in the algorithm's encoding.

    ``X`` is a pandas DataFrame (encoding "native": categoricals as pandas categories) or a
    float matrix (encoding "matrix": one-hot, imputed, maybe standardized; encoding "codes":
    numbers as they are, categoricals as level codes, NaN where missing). ``y`` holds class
    codes 0..k-1 (classifiers) or floats; ``w`` the row weights. ``valid`` is another
    TrainingSet (without its own ``valid``) to score on while learning, or None. ``inputs``
    holds the other frames the request names (k-means' user_points...), by parameter name.
    """

    X: object
    y: np.ndarray
    w: np.ndarray
    spec: object
    valid: "TrainingSet" = None
    inputs: dict = None

    @property
    def nrows(self):
        return len(self.w)   # y is None for unsupervised learners


class StopTraining(Exception):
    """Raised by a learner's loop when the monitor says to stop (runtime or early stopping)."""


class Monitor:
    """The learner's line to the framework: progress, live scoring history, stop signals.

    A learner calls :meth:`iteration` after each tree / iteration / epoch, passing
    ``predict``, a function giving the model-so-far's raw predictions for an X in the
    learner's own encoding. The monitor decides whether this iteration is scored (always with
    score_each_iteration, every k with score_tree_interval, else at most ~10% of the time
    spent, and always at the end); when it is, ``scorer(predict)`` computes the training (and
    validation) metrics and a row is added to the model's scoring history, which clients see
    while the job runs. A forest also passes ``training``, a function giving its out-of-bag
    predictions on every training row (NaN where no tree left the row out); the scorer then
    gets ``scorer(predict, training)`` and takes the training metrics from those.
    ``iteration`` also moves job progress, raises the job's cancellation, and returns False
    when training should stop (runtime limit or early stopping).
    """

    def __init__(self, scorer=None, on_row=None, on_progress=None, check_cancelled=None, deadline=None,
                 stopping_rounds=0, stopping_metric=None, stopping_tolerance=1e-3, larger_is_better=False,
                 score_each_iteration=False, score_interval=0, duty_cycle=0.1, min_seconds_between=0.0):
        self._scorer = scorer
        self._on_row = on_row
        self._on_progress = on_progress
        self._check_cancelled = check_cancelled
        self.deadline = deadline
        self.stopping_rounds = stopping_rounds
        self.stopping_metric = stopping_metric
        self.stopping_tolerance = stopping_tolerance
        self.larger_is_better = larger_is_better
        self.score_each_iteration = score_each_iteration
        self.score_interval = score_interval
        self.duty_cycle = duty_cycle
        self.min_seconds_between = min_seconds_between
        self._last_scored_at = 0.0
        self.started = time.time()
        self._scoring_seconds = 0.0
        self._last_scored = None
        self._history = []
        self._best = None
        self.last_was_best = False
        self.best_done = None
        self.stopped_early = False

    def iteration(self, done, total, predict=None, unit="number_of_trees", training=None):
        """Report that ``done`` of ``total`` iterations are complete; True means go on.
        ``training``: the model so far's out-of-bag predictions on the training rows (a function)."""
        if self._check_cancelled is not None:
            self._check_cancelled()
        if self._on_progress is not None:
            self._on_progress(done / max(total, 1))
        go_on = not self.out_of_time()
        if predict is not None and self._scorer is not None and (self._due(done, total) or not go_on):
            started = time.time()
            metrics = self._scorer(predict) if training is None else self._scorer(predict, training)
            self._scoring_seconds += time.time() - started
            self._last_scored = done
            self._last_scored_at = time.time()
            if self._on_row is not None:
                self._on_row({"timestamp": time.time(), "duration": time.time() - self.started, unit: done, **metrics})
            self._note_best(metrics.get(self.stopping_metric) if self.stopping_metric else None, done)
            if self.stopping_metric and self.stopping_rounds and metrics.get(self.stopping_metric) is not None:
                self._history.append(metrics[self.stopping_metric])
                if self._should_stop_early():
                    self.stopped_early = True
                    return False
        return go_on

    def record(self, done, total, row):
        """For learners that measure themselves (k-means' within-cluster sum of squares, an
        isolation forest's mean path length): add ``row`` to the scoring history as iteration
        ``done`` of ``total``; answers a cancel, moves progress; False once out of time."""
        if self._check_cancelled is not None:
            self._check_cancelled()
        if self._on_progress is not None:
            self._on_progress(done / max(total, 1))
        if self._on_row is not None:
            self._on_row({"timestamp": time.time(), "duration": time.time() - self.started, **row})
        return not self.out_of_time()

    def check(self, done=None, total=None):
        """Between scoring rounds: answer a cancel (raises) and report progress; False once the
        runtime limit is reached. Cheap enough to call every few hundred milliseconds."""
        if self._check_cancelled is not None:
            self._check_cancelled()
        if done is not None and self._on_progress is not None:
            self._on_progress(done / max(total or 1, 1))
        return not self.out_of_time()

    def _note_best(self, value, done):
        """Remember whether the model just scored is the best so far, and at which iteration
        (learners keep their best model: H2O's deep learning with overwrite_with_best_model,
        boosted trees cut back to the best scoring round once stopped early)."""
        self.last_was_best = False
        if value is None or not np.isfinite(value):
            return
        better = self._best is None or (value > self._best if self.larger_is_better else value < self._best)
        if better:
            self._best = value
            self.last_was_best = True
            self.best_done = done

    # Whether a model that stopped early keeps only its iterations up to the best score.
    keeps_best = True

    def kept_iterations(self, done):
        """How many of the ``done`` iterations a model keeps: up to its best score when it
        stopped early (as H2O-3 drops the trees grown after the best one), else all."""
        if self.stopped_early and self.best_done and self.keeps_best:
            return min(int(self.best_done), done)
        return done

    def _due(self, done, total):
        if done >= total or done <= 1 or self.score_each_iteration:
            return True
        if self.score_interval:
            return done % self.score_interval == 0
        if time.time() - self._last_scored_at < self.min_seconds_between:
            return False
        # A live chart needs points: score at each tenth of the way at least...
        if int(done) % max(1, int(total) // 10) == 0 and int(done) == done:
            return True
        # ...and otherwise keep scoring under the duty cycle (a tenth of the time by default).
        elapsed = time.time() - self.started
        return self._scoring_seconds <= self.duty_cycle * elapsed

    def out_of_time(self):
        return self.deadline is not None and time.time() >= self.deadline

    def _should_stop_early(self):
        """H2O's rule: stop when the average of the last k scores is not better than the
        best average of k scores before them by the relative tolerance."""
        k = self.stopping_rounds
        if not k or len(self._history) < 2 * k:
            return False
        values = np.asarray(self._history, dtype=float)
        if not self.larger_is_better:
            values = -values
        recent = values[-k:].mean()
        earlier = np.convolve(values[:-k], np.ones(k) / k, mode="valid").max()
        return recent <= earlier + abs(earlier) * self.stopping_tolerance


class Fitted:
    """Learned state of one model.

    Supervised models implement :meth:`predict`. Unsupervised ones implement
    :meth:`predict_columns` (their predictions frame) and :meth:`metrics` instead.
    """

    # Predictions on the training rows that the learner kept while fitting, in the order of its
    # TrainingSet, sparing the framework a pass over them (GBM's summed scores); or a forest's
    # out-of-bag predictions (NaN on rows no tree left out), which the training metrics are then
    # computed from, on the rows that have one, as H2O-3 reports a forest's (out_of_bag.py).
    training_predictions = None
    out_of_bag = False
    # (prior, balanced) class shares when balance_classes resampled the training rows: the
    # learners that offer it correct their probabilities with class_balance.corrected.
    class_distributions = None

    def predict(self, X):
        """Raw predictions: shape (n,) for regression, (n, k) class probabilities otherwise."""
        raise NotImplementedError

    def predict_columns(self, X, **options):
        """The predictions frame's columns, name -> numpy array (integer arrays become int
        columns, floats real ones), for an X in the algorithm's encoding.

        ``options`` are the Predictions endpoint's switches that change what is predicted
        (``reconstruction_error``, ``deep_features_hidden_layer``, ...); only those given a
        non-default value are passed. A model that has no such output refuses them.
        """
        refuse_options(options, "this model")
        raise NotImplementedError

    def metrics(self, X, w):
        """Unsupervised models: H2O's metrics fields for scoring X (e.g. tot_withinss), or None."""
        return None

    def variable_importances(self):
        """(name, relative importance) pairs, or None when the algorithm has none."""
        return None

    def summary(self):
        """Model summary as (column, type, value) triples for H2O's "Model Summary" table."""
        return []

    def output(self):
        """Extra model output fields (e.g. coefficients_table for GLM), by H2O name."""
        return {}

    def frames(self):
        """Frames the model makes beside itself (GLRM's representation X), by key; they are
        put in the store when training ends."""
        return {}


def refuse_options(options, what):
    """Refuse prediction switches a model cannot honour, naming the first one."""
    for name in options:
        raise InvalidArgument(name, f"Predictions with {name} are not available for {what}.")


class Algorithm:
    """One learning algorithm: its parameters, and how it fits.

    Subclasses set ``name`` (H2O's algo key, e.g. "gbm"), ``full_name``, ``parameters`` (a
    ParameterSet starting with the common ones), ``encoding`` ("native", "codes" or "matrix"), and
    implement :meth:`fit`.
    """

    name = ""
    full_name = ""
    categories = (REGRESSION, BINOMIAL, MULTINOMIAL)
    encoding = "native"
    standardize = False
    use_all_levels = False
    supervised = True
    # Whether cross-validation may fit this algorithm's folds side by side (training.py).
    folds_in_parallel = False
    # Whether a fold model sees its holdout rows as ``data.valid`` while fitting (GLM scores its
    # penalty path on them); otherwise only when it stops early on them.
    folds_see_holdout = False
    # Whether a model learnt without a response may be cross-validated (k-means): the algorithm
    # then combines its folds' holdout scoring in combined_holdout_metrics.
    cross_validates_unsupervised = False
    # Whether balance_classes resamples the training rows for it (class_balance.py); GLM and
    # GAM accept the parameter and ignore it, as H2O-3 does.
    balances_classes = False
    metrics_schema = None
    metrics_schema_version = 3   # GLRM's metrics are ModelMetricsGLRMV99
    # Whether the model is scored on its training and validation frames once built (H2O-3's SVD
    # is not: only frames it predicts on get metrics).
    metrics_when_built = True
    schema_version = 3           # of the builder's and model's schemas: SVDV99, SVDModelV99
    visibility = "Stable"        # H2O-3's builder visibility: Stable, Beta or Experimental
    # Request fields H2O-3's builder takes at any value and does nothing with (h2o-py sends them).
    inert_parameters = ()
    # Scoring-history columns this algorithm types other than models.py does: name -> (H2O type, title).
    history_columns = {}
    # Output fields repeated under another name, new name -> field (h2o-py reads a GAM's
    # history and summary from ``glm_scoring_history`` and ``glm_model_summary``).
    output_aliases = {}
    parameters = None

    def history_name(self, params):
        """Title of the scoring history (H2O-3's PCA names it after its pca_method)."""
        return "Scoring History"

    def adapt_spec(self, params, spec, train, frames=None):
        """The model's columns as this algorithm reads them (GLM's binomial family takes a
        numeric 0/1 response as two classes); ``spec`` as built from the request by default.
        ``frames`` are the other frames the request names, by parameter."""
        return spec

    def kept_columns(self, params):
        """Columns the algorithm reads even when ``ignored_columns`` lists them (GAM's smoothed
        columns, which h2o-py leaves out of ``x``)."""
        return ()

    def unsupervised_category(self, params):
        """The category of the model this request builds when it learns without a response
        (H2O's Clustering, DimReduction, AnomalyDetection, AutoEncoder); None when supervised."""
        return None if self.supervised else self.categories[0]

    def check(self, params, spec):
        """Checks that need both the parameters and the data (beyond each value's own checks)."""
        if spec.category not in self.categories:
            raise InvalidArgument(
                "response_column", f"{self.full_name} cannot build {spec.category.lower()} models."
            )

    def check_data(self, params, spec, train):
        """Checks that need the training frame's rows (H2O-3's tree builders refuse a min_rows
        the data cannot split), before any job starts."""

    def check_checkpoint(self, params, spec, previous):
        """Checks of a request to continue training the model ``previous`` (``checkpoint``), for
        the algorithms that take one (see checkpoints.py)."""
        raise InvalidArgument("checkpoint", f"Continuing from a checkpoint is not implemented for {self.full_name} "
                                            "by this engine.")

    def layout(self, frame, spec, params, rows=None):
        """A frame's predictors in this algorithm's encoding."""
        if self.encoding == "native":
            return features_frame(frame, spec, rows)
        if self.encoding == "codes":
            return codes_matrix(frame, spec, rows)
        standardize = params.get("standardize", self.standardize)
        return features_matrix(frame, spec, standardize=standardize, use_all_levels=self.use_all_levels, rows=rows)

    def fit(self, data, params, monitor):
        """Learn from ``data`` (a TrainingSet) and return a Fitted."""
        raise NotImplementedError

    def fold_params(self, params, data):
        """The fold models' parameters, given the main model's and its TrainingSet ``data``
        (H2O-3's GLM has its folds share the main model's lambda path)."""
        return params

    def combined_holdout_metrics(self, fold_fits, X, w, folds):
        """An unsupervised model's cross-validation metrics: fold ``f``'s Fitted in
        ``fold_fits[f]`` scores the rows of ``X`` (weights ``w``) where ``folds == f``."""
        raise NotImplementedError

    def main_model_params(self, params, fold_fits):
        """After the fold models are fitted and before they predict their holdout rows: the main
        model's parameters, or None to keep them. H2O-3 trains the main model as big as the fold
        models grew on average (ntrees, epochs), without early stopping, since it has no holdout
        to stop on; its GLM picks the penalty with the folds and moves each fold model to it."""
        return None


def default_stopping_metric(category):
    return {BINOMIAL: "logloss", MULTINOMIAL: "logloss", REGRESSION: "deviance"}[category]


def seed_of(params):
    """The seed to use: the given one, or a fresh one when -1 (H2O's "random")."""
    seed = params.get("seed", -1)
    if seed is None or seed == -1:
        return int(np.random.default_rng().integers(0, 2**31 - 1))
    return int(seed) % (2**31 - 1)
