"""Gradient Boosting Machine with H2O's parameters, fitted by LightGBM.

LightGBM grows the same kind of trees H2O's GBM does (histogram splits, native categorical
and missing-value handling) about ten times faster here. Depth limits as in H2O: ``max_depth``
plus ``num_leaves = 2**max_depth``.
"""

import math

import lightgbm as lgb
import numpy as np

from h2odash.engine.algos.base import Fitted, seed_of
from h2odash.engine.algos.checkpoints import check_tree_checkpoint
from h2odash.engine.algos.class_balance import corrected
from h2odash.engine.algos.tree_contributions import check_tree_request, lightgbm_contributions, one_column_per_level
from h2odash.engine.algos.tree_structure import TreePredictions, lightgbm_forest
from h2odash.engine.algos.trees import (GrowingPredictions, TreeEnsemble, inverse_link, INTERACTIONS, MONOTONE, check_categorical_encoding,
                                        check_min_rows, check_response_range, class_probabilities, distribution_parameter,
                                        histogram_bins, importances, interaction_groups, monotone_vector,
                                        reordered, resolve_distribution, shared_tree_parameters, threads_for,
                                        tree_summary)
from h2odash.engine.errors import InvalidArgument
from h2odash.engine.model_data import REGRESSION
from h2odash.engine.parameters import MAX_DOUBLE, COMMON, Parameter as P, extend

# LightGBM's largest num_leaves.
MAX_LEAVES = 131072
# H2O: monotone constraints only for these distributions.
MONOTONE_DISTRIBUTIONS = ("gaussian", "bernoulli", "tweedie", "quantile")
LIGHTGBM_OBJECTIVES = {"bernoulli": "binary", "multinomial": "multiclass", "gaussian": "regression",
                       "poisson": "poisson", "gamma": "gamma", "tweedie": "tweedie", "laplace": "regression_l1",
                       "quantile": "quantile", "huber": "huber"}

_shared = shared_tree_parameters(ntrees=50, max_depth=5, min_rows=10.0)
_own = [
    P("learn_rate", "double", 0.1, "critical", "Shrinkage applied to each tree's contribution.", gridable=True,
      min=0, max=1),
    P("learn_rate_annealing", "double", 1.0, "secondary", "Multiply the learning rate by this after every tree.",
      gridable=True, min=0, max=1),
    distribution_parameter(),
    P("quantile_alpha", "double", 0.5, "secondary", "Quantile predicted by the quantile distribution.",
      gridable=True, min=0, max=1),
    P("tweedie_power", "double", 1.5, "secondary", "Variance power of the tweedie distribution (1 to 2).",
      gridable=True, min=1, max=2),
    P("huber_alpha", "double", 0.9, "secondary", "Quantile of absolute residuals beyond which huber loss is "
      "linear.", gridable=True, min=0, max=1),
    P("sample_rate", "double", 1.0, "critical", "Fraction of rows each tree is grown on (without replacement).",
      gridable=True, min=0, max=1),
    P("col_sample_rate", "double", 1.0, "critical", "Fraction of columns considered at each split.",
      gridable=True, min=0, max=1),
    P("max_abs_leafnode_pred", "double", MAX_DOUBLE, "expert", "Largest absolute value of a leaf (before "
      "shrinkage).", gridable=True, min=0),
    P("pred_noise_bandwidth", "double", 0.0, "expert", "Noise added to leaf predictions (not implemented).",
      supported=False, gridable=True),
    P("custom_distribution_func", "string", None, "secondary", "Custom distribution (not implemented).",
      supported=False),
    P("in_training_checkpoints_dir", "string", None, "expert", "Folder for checkpoints during training (not "
      "implemented).", supported=False),
    P("in_training_checkpoints_tree_interval", "int", 1, "expert", "Trees between in-training checkpoints (not "
      "implemented).", supported=False),
    MONOTONE,
    INTERACTIONS,
    P("auto_rebalance", "boolean", True, "expert", "Rebalance the training frame across nodes (one node here: "
      "changes nothing)."),
]
H2O_ORDER = """model_id training_frame validation_frame nfolds keep_cross_validation_models
keep_cross_validation_predictions keep_cross_validation_fold_assignment score_each_iteration score_tree_interval
fold_assignment fold_column response_column ignored_columns ignore_const_cols offset_column weights_column
balance_classes class_sampling_factors max_after_balance_size max_confusion_matrix_size ntrees max_depth min_rows
nbins nbins_top_level nbins_cats r2_stopping stopping_rounds stopping_metric stopping_tolerance max_runtime_secs seed
build_tree_one_node learn_rate learn_rate_annealing distribution quantile_alpha tweedie_power huber_alpha checkpoint
sample_rate sample_rate_per_class col_sample_rate col_sample_rate_change_per_level col_sample_rate_per_tree
min_split_improvement histogram_type max_abs_leafnode_pred pred_noise_bandwidth categorical_encoding calibrate_model
calibration_frame calibration_method custom_metric_func custom_distribution_func export_checkpoints_dir
in_training_checkpoints_dir in_training_checkpoints_tree_interval monotone_constraints check_constant_response
gainslift_bins auc_type interaction_constraints auto_rebalance""".split()


class GBMFitted(TreePredictions, Fitted):
    """A LightGBM booster, read at ``iterations`` trees (fewer while training is under way)."""

    algo = "gbm"

    def __init__(self, booster, spec, iterations):
        self.booster = booster
        self.spec = spec
        self.iterations = iterations

    training_predictions = None
    # The fraction of rows each tree was grown on (set by GBM.fit).
    sample_rate = None

    def forest(self):
        return lightgbm_forest(self.booster, self.iterations, self.spec)

    def staged_probabilities(self, X):
        """H2O-3's predict_staged_proba: after each tree, the prediction (regression), p0 (two
        classes: H2O-3's column holds its first class's probability) or every class's."""
        growing = _GrowingPredictions(self.booster, self.spec, self.booster.params.get("objective"))
        names = self.forest().column_names()
        per_round = len(names) // max(self.iterations, 1)
        columns = {}
        for t in range(self.iterations):
            predicted = growing.at(t + 1)(X)
            for k, name in enumerate(names[t * per_round:(t + 1) * per_round]):
                columns[name] = predicted if predicted.ndim == 1 else predicted[:, k]
        return columns

    def rows_of_trees(self, nrows):
        if self.sample_rate != 1:
            # LightGBM's bagging draws each tree's rows inside the library and never says which.
            raise InvalidArgument("row_to_tree_assignment", "row_to_tree_assignment is not available for this "
                                  "engine's GBM with sample_rate below 1: LightGBM samples each tree's rows "
                                  "internally and does not report which rows it used.")
        return [np.ones(nrows, dtype=bool)] * self.iterations

    @property
    def ntrees(self):
        return self.iterations

    def predict(self, X):
        # Threads by the size of X; LightGBM's default (all cores) is slow on small frames.
        threads = threads_for(len(X), len(self.spec.names))
        return corrected(self, self.from_raw(self.booster.predict(X, num_iteration=self.iterations,
                                                                  num_threads=threads)))

    def from_raw(self, raw):
        """LightGBM's predicted values in the framework's layout."""
        if self.spec.category == REGRESSION:
            return np.asarray(raw, dtype=np.float64)
        return class_probabilities(raw, self.spec.nclasses)

    def check_contributions(self, request, with_background):
        check_tree_request(self.spec, request, "GBM")

    def contributions(self, X, B, request):
        found = lightgbm_contributions(self.booster, self.iterations, self.spec, X, B, request)
        return one_column_per_level(found, self.spec, X, B, request)

    def variable_importances(self):
        gains = self.booster.feature_importance(importance_type="gain", iteration=self.iterations)
        return importances(self.spec.names, gains)

    def summary(self):
        dumped = self.booster.dump_model(num_iteration=self.iterations)
        trees = dumped["tree_info"]
        depths = [_depth(tree["tree_structure"]) for tree in trees]
        leaves = [tree["num_leaves"] for tree in trees]
        size = len(self.booster.model_to_string(num_iteration=self.iterations))
        per_iteration = max(self.booster.num_model_per_iteration(), 1)
        return tree_summary(len(trees) // per_iteration, depths, leaves, size)


class _GrowingPredictions(GrowingPredictions):
    """LightGBM's margins of the trees grown so far, kept per scored set (see trees.py)."""

    def margins(self, X, start, stop):
        return self.booster.predict(X, start_iteration=start, num_iteration=stop - start, raw_score=True,
                                    num_threads=threads_for(len(X), len(self.spec.names)))

    def predictions(self, margins):
        kind = {"binary": "logistic", "multiclass": "softmax", "poisson": "log", "gamma": "log",
                "tweedie": "log"}.get(self.objective, "identity")
        return GBMFitted(self.booster, self.spec, self.done).from_raw(inverse_link(kind, margins))


def _training_scores(booster):
    """The booster's predictions for its training rows, from the scores it kept while boosting
    (re-predicting 800k rows took longer than building the 100 trees' last half)."""
    captured = {}

    def capture(predictions, _dataset):
        captured["predictions"] = predictions
        return "captured", 0.0, False

    booster.eval_train(feval=capture)
    return captured["predictions"]


def _depth(node):
    if "leaf_index" in node or "left_child" not in node:
        return 0
    return 1 + max(_depth(node["left_child"]), _depth(node["right_child"]))


class GBM(TreeEnsemble):
    balances_classes = True
    name = "gbm"
    full_name = "Gradient Boosting Machine"
    model_prefix = "GBM_model"
    # A float matrix with level codes: LightGBM's own conversion of a pandas frame (codes via
    # pandas, -1 replaced, columns interleaved) took a fifth of scoring 200k rows.
    encoding = "codes"
    parameters = reordered(extend(COMMON, *_shared.values(), *_own, overrides={"checkpoint": {
        "supported": True, "help": "A GBM to continue: ntrees counts its trees, the new ones grow on top of them."}}),
        H2O_ORDER)

    def check_data(self, params, spec, train):
        check_min_rows({**self.parameters.defaults(), **params}, spec, train)

    def check(self, params, spec):
        super().check(params, spec)
        params = {**self.parameters.defaults(), **params}
        distribution = resolve_distribution(params, spec, allowed=tuple(LIGHTGBM_OBJECTIVES), algo="GBM")
        check_categorical_encoding(params)
        if monotone_vector(params, spec) and distribution not in MONOTONE_DISTRIBUTIONS:
            raise InvalidArgument("monotone_constraints", "Monotone constraints need distribution "
                                  f"{', '.join(MONOTONE_DISTRIBUTIONS)}; got '{distribution}'.")
        if monotone_vector(params, spec) and distribution == "quantile":
            # H2O-3 allows it; LightGBM's quantile objective refuses monotone constraints.
            raise InvalidArgument("monotone_constraints", "Monotone constraints with distribution 'quantile' are "
                                                          "not implemented by this engine's GBM.")
        interaction_groups(params, spec)
        if distribution == "tweedie" and not 1 <= params["tweedie_power"] < 2:
            raise InvalidArgument("tweedie_power", "tweedie_power must be at least 1 and below 2.")

    def check_checkpoint(self, params, spec, previous):
        check_tree_checkpoint(self, {**self.parameters.defaults(), **params}, spec, previous)

    def fit(self, data, params, monitor):
        params = {**self.parameters.defaults(), **params}
        booster_params, ntrees, callbacks = self._process_params(params, data)
        checkpoint = (data.inputs or {}).get("checkpoint")
        dataset = lgb.Dataset(data.X, label=data.y, weight=data.w, params=booster_params,
                              feature_name=[f"x{i}" for i in range(len(data.spec.names))],
                              categorical_feature=[i for i, k in enumerate(data.spec.kinds) if k == "enum"])

        growing = None

        def report(env):
            nonlocal growing
            done = env.iteration + 1
            growing = growing or _GrowingPredictions(env.model, data.spec, booster_params["objective"])
            if not monitor.iteration(done, ntrees, growing.at(done)):
                raise lgb.callback.EarlyStopException(env.iteration, [])

        # From a checkpoint LightGBM starts with its trees (and their scores on these rows) and
        # counts iterations on from them, so `done` above is the model's whole tree count.
        booster = lgb.train(booster_params, dataset, num_boost_round=ntrees - (checkpoint.ntrees if checkpoint else 0),
                            callbacks=callbacks + [report], keep_training_booster=True,
                            init_model=checkpoint.booster if checkpoint else None)
        grown = booster.current_iteration()
        used = monitor.kept_iterations(grown)
        scores = _training_scores(booster) if used == grown else None
        # Keep only the trees: a training booster also holds the binned training data.
        kept = lgb.Booster(model_str=booster.model_to_string(num_iteration=used))
        fitted = GBMFitted(kept, data.spec, used)
        fitted.sample_rate = params["sample_rate"]
        if scores is not None:
            fitted.training_predictions = fitted.from_raw(scores)
        return fitted

    def _process_params(self, params, data):
        """H2O's GBM parameters as LightGBM's: (params, number of trees, extra callbacks)."""
        spec = data.spec
        distribution = resolve_distribution(params, spec, allowed=tuple(LIGHTGBM_OBJECTIVES), algo="GBM")
        check_response_range(distribution, data.y)
        depth = params["max_depth"]
        mean_weight = float(np.mean(data.w)) if len(data.w) else 1.0
        lgb_params = {
            "objective": LIGHTGBM_OBJECTIVES[distribution],
            "learning_rate": params["learn_rate"],
            "max_depth": depth if depth > 0 else -1,
            "num_leaves": min(2 ** depth, MAX_LEAVES) if 0 < depth < 17 else MAX_LEAVES,
            # H2O counts weighted rows in a leaf; LightGBM counts rows: scale by the mean weight.
            "min_data_in_leaf": max(1, math.ceil(params["min_rows"] / mean_weight - 1e-9)),
            "max_bin": histogram_bins(params),
            "min_gain_to_split": params["min_split_improvement"],
            "feature_fraction": params["col_sample_rate_per_tree"],
            "feature_fraction_bynode": params["col_sample_rate"],
            "seed": seed_of(params),
            "deterministic": True,
            "force_row_wise": True,
            "num_threads": threads_for(data.nrows, len(spec.names)),
            "verbosity": -1,
        }
        lgb_params["min_data_per_group"] = lgb_params["min_data_in_leaf"]
        # A tree cannot have more leaves than rows / min rows per leaf; LightGBM sizes its
        # buffers by num_leaves, so say so (depth 15 on 380 rows: 5 s -> 0.2 s, same trees).
        lgb_params["num_leaves"] = max(2, min(lgb_params["num_leaves"], data.nrows // lgb_params["min_data_in_leaf"]))
        if params["sample_rate"] < 1:
            lgb_params.update(bagging_fraction=params["sample_rate"], bagging_freq=1)
        if distribution == "multinomial":
            lgb_params["num_class"] = spec.nclasses
            if spec.nclasses == 2:
                lgb_params["objective"] = "multiclass"
        if distribution == "tweedie":
            lgb_params["tweedie_variance_power"] = params["tweedie_power"]
        if distribution == "quantile":
            lgb_params["alpha"] = params["quantile_alpha"]
        if distribution == "huber":
            lgb_params["alpha"] = _huber_delta(data.y, data.w, params["huber_alpha"])
        if params["max_abs_leafnode_pred"] < MAX_DOUBLE:
            lgb_params["max_delta_step"] = params["max_abs_leafnode_pred"]
        monotone = monotone_vector(params, spec)
        if monotone:
            lgb_params["monotone_constraints"] = monotone
        groups = interaction_groups(params, spec)
        if groups:
            lgb_params["interaction_constraints"] = groups
        if lgb_params["num_leaves"] > 4096:
            # Deep trees: bound the histogram cache instead of sizing it for every possible leaf.
            lgb_params["histogram_pool_size"] = 1024
        callbacks = []
        if params["learn_rate_annealing"] != 1:
            rate, annealing = params["learn_rate"], params["learn_rate_annealing"]
            callbacks.append(lgb.reset_parameter(learning_rate=lambda i: rate * annealing ** i))
        return lgb_params, int(params["ntrees"]), callbacks


def _huber_delta(y, w, alpha):
    """H2O's huber threshold: the alpha-quantile of absolute residuals, here of the initial model."""
    y = np.asarray(y, dtype=float)
    residuals = np.abs(y - np.median(y))
    order = np.argsort(residuals)
    cumulative = np.cumsum(np.asarray(w, dtype=float)[order])
    if not len(cumulative) or cumulative[-1] <= 0:
        return 1.0
    position = np.searchsorted(cumulative, alpha * cumulative[-1])
    delta = residuals[order][min(position, len(order) - 1)]
    return float(delta) if delta > 0 else 1.0


ALGORITHM = GBM()
