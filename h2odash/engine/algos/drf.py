"""Distributed Random Forest with H2O's parameters, fitted by XGBoost's random-forest mode.

H2O's DRF grows regression trees on the response (on 0/1 class indicators for classifiers,
one tree per class for more than two) and averages their leaf means. XGBoost does exactly
that with squared error, no leaf regularisation, and every tree fitted to the response from
the same starting point: a leaf then holds the mean response of its rows. The forest is grown
in chunks of trees (separate boosters, averaged by their tree counts) so that the scoring
history grows and a stop keeps the trees grown so far.

Each tree grows on its own sample of rows, drawn as H2O-3 draws it (out_of_bag.in_bag), and
its predictions on the rows it left out go to the training metrics and the training columns
of the scoring history, which are out-of-bag as H2O-3's are (see out_of_bag.py).
"""

import math

import numpy as np
import xgboost as xgb

from h2odash.engine.algos.base import Fitted, seed_of
from h2odash.engine.algos.class_balance import corrected
from h2odash.engine.algos.out_of_bag import OutOfBag, in_bag
from h2odash.engine.algos.tree_contributions import check_tree_request, one_column_per_level, xgboost_contributions
from h2odash.engine.algos.tree_structure import TreePredictions, xgboost_forest
from h2odash.engine.algos.trees import (TreeEnsemble, check_categorical_encoding, check_min_rows, distribution_parameter,
                                        histogram_bins, importances, reordered, resolve_distribution, shared_tree_parameters,
                                        threads_for, tree_summary)
from h2odash.engine.algos.xgboost_support import (booster_predict, model_size, total_gains, training_matrix,
                                                  tree_shapes)
from h2odash.engine.errors import InvalidArgument
from h2odash.engine.model_data import BINOMIAL, MULTINOMIAL, REGRESSION
from h2odash.engine.parameters import COMMON, Parameter as P, extend

# Trees per chunk: about this many chunks per forest, so the history gets rows without the
# per-call overhead of one xgb.train per tree.
CHUNKS = 10
# Rows x depth levels per chunk: each xgb.train call costs about half a second of setup on
# 80k rows (measured: 10 trees in one call 2.5 s, in ten calls 8.6 s), so chunks are as big
# as a prompt cancel allows: one tree per call from about 200k rows at depth 20, where a
# cancel then waits for the tree being grown (XGBoost cannot stop inside one).
CHUNK_WORK = 4_000_000

# Bins per column at most: a depth-20 tree has ~140k nodes, and XGBoost's cost per node grows
# with the bins. On the benchmark's 800k rows one tree took 4.9 s with 256 bins, 2.6 s with 64,
# 1.9 s with 32; 30-tree forests scored test AUC 0.9153 (256), 0.9157 (128), 0.9149 (64).
FOREST_BINS = 64

_shared = shared_tree_parameters(ntrees=50, max_depth=20, min_rows=1.0)
_own = [
    P("mtries", "int", -1, "critical", "Columns sampled at each split (-1: sqrt(p) for classification, p/3 for "
      "regression; -2: all).", gridable=True, min=-2),
    P("sample_rate", "double", 0.632, "critical", "Fraction of rows each tree is grown on (without replacement).",
      gridable=True, min=0, max=1),
    P("binomial_double_trees", "boolean", False, "expert", "Grow one tree per class for two classes too (not "
      "implemented).", supported=False),
    distribution_parameter("Only AUTO (or the one it picks: bernoulli, multinomial or gaussian): a forest "
                           "averages leaf means."),
]
H2O_ORDER = """model_id training_frame validation_frame nfolds keep_cross_validation_models
keep_cross_validation_predictions keep_cross_validation_fold_assignment score_each_iteration score_tree_interval
fold_assignment fold_column response_column ignored_columns ignore_const_cols offset_column weights_column
balance_classes class_sampling_factors max_after_balance_size max_confusion_matrix_size ntrees max_depth min_rows
nbins nbins_top_level nbins_cats r2_stopping stopping_rounds stopping_metric stopping_tolerance max_runtime_secs seed
build_tree_one_node mtries sample_rate sample_rate_per_class binomial_double_trees checkpoint
col_sample_rate_change_per_level col_sample_rate_per_tree min_split_improvement histogram_type categorical_encoding
calibrate_model calibration_frame calibration_method distribution custom_metric_func export_checkpoints_dir
check_constant_response gainslift_bins auc_type""".split()


class DRFFitted(TreePredictions, Fitted):
    """A forest held as chunks (boosters) of ``sizes`` trees each; predictions average them."""

    out_of_bag = True
    algo = "drf"

    def forest(self):
        return xgboost_forest(self.boosters, self.spec, means=True)

    def __init__(self, boosters, sizes, spec):
        self.boosters = list(boosters)
        self.sizes = list(sizes)
        self.spec = spec

    @property
    def ntrees(self):
        return sum(self.sizes)

    def predict(self, X):
        total = None
        for booster, size in zip(self.boosters, self.sizes):
            part = np.asarray(booster_predict(booster, X, self.spec), dtype=np.float64) * size
            total = part if total is None else total + part
        return corrected(self, from_mean(total / max(sum(self.sizes), 1), self.spec))

    def check_contributions(self, request, with_background):
        check_tree_request(self.spec, request, "DRF")

    def contributions(self, X, B, request):
        # The forest's margin is its trees' mean (p1 itself for two classes, as H2O-3's).
        total = max(sum(self.sizes), 1)
        found = xgboost_contributions(self.boosters, [size / total for size in self.sizes], [None] * len(self.sizes),
                                      self.spec, X, B, request)
        return one_column_per_level(found, self.spec, X, B, request)

    def variable_importances(self):
        return importances(self.spec.names, total_gains(self.boosters, self.spec))

    def summary(self):
        depths, leaves = [], []
        for booster in self.boosters:
            d, n = tree_shapes(booster)
            depths += d
            leaves += n
        return tree_summary(sum(self.sizes), depths, leaves, model_size(self.boosters))


def from_mean(mean, spec):
    """A forest's predictions from the mean of its trees' (per class, for a multinomial forest):
    H2O-3's class probabilities are the trees' mean class indicators, normalised to sum to 1."""
    if spec.category == REGRESSION:
        return mean
    if spec.category == BINOMIAL:
        p1 = np.clip(mean, 0.0, 1.0)
        return np.column_stack([1.0 - p1, p1])
    votes = np.clip(mean, 0.0, None)
    sums = votes.sum(axis=1, keepdims=True)
    k = votes.shape[1]
    return np.where(sums > 0, votes / np.where(sums > 0, sums, 1.0), 1.0 / k)


def grow_chunk(xgb_params, matrix, label, weights, samples, out_of_bag):
    """One booster of ``len(samples)`` trees, tree i grown on the rows ``samples[i]`` marks; each
    tree's predictions on the rows it left out go to ``out_of_bag``.

    The gradients are our own, not XGBoost's objective's: every tree gets those of squared error
    at the base score (so each fits the response afresh, as a forest's trees do), zero outside
    its sample (what XGBoost's own subsample does, on rows it would not tell us). The learning
    rate 1/size makes the booster predict the mean of its trees.
    """
    size = len(samples)
    base = xgb_params["base_score"]
    residual = base - label                      # squared error's gradient at the base score
    hessians = iter(weights * sample for sample in samples)

    def objective(margins, _):
        hessian = next(hessians)
        if residual.ndim == 2:
            hessian = np.repeat(hessian[:, None], residual.shape[1], axis=1)
        return residual * hessian, hessian

    booster = xgb.train({**xgb_params, "learning_rate": 1.0 / size}, matrix, num_boost_round=size, obj=objective,
                        callbacks=[_NewestTree(matrix, samples, base, size, out_of_bag)])
    return booster


class _NewestTree(xgb.callback.TrainingCallback):
    """After each round: the new tree's predictions on the rows it left out, to ``out_of_bag``.
    They are the change in XGBoost's margins on its training matrix, which it keeps cached while
    it trains (predicting the 800k training rows anew took a tenth of a depth-20 tree's time)."""

    def __init__(self, matrix, samples, base, size, out_of_bag):
        super().__init__()
        self.matrix, self.samples, self.base, self.size, self.out_of_bag = matrix, samples, base, size, out_of_bag
        self.margins = base

    def after_iteration(self, model, epoch, evals_log):
        margins = model.predict(self.matrix, output_margin=True, training=True)
        left_out = ~self.samples[epoch]
        before = self.margins if np.ndim(self.margins) == 0 else self.margins[left_out]
        self.out_of_bag.add(left_out, self.base + (margins[left_out] - before) * self.size)
        self.margins = margins
        return False


class DRF(TreeEnsemble):
    balances_classes = True
    name = "drf"
    full_name = "Distributed Random Forest"
    model_prefix = "DRF_model"
    encoding = "native"
    parameters = reordered(extend(COMMON, *_shared.values(), *_own), H2O_ORDER)

    def check_data(self, params, spec, train):
        check_min_rows({**self.parameters.defaults(), **params}, spec, train)

    def check(self, params, spec):
        super().check(params, spec)
        params = {**self.parameters.defaults(), **params}
        resolve_distribution(params, spec)
        given = params.get("distribution") or "AUTO"
        if given != "AUTO" and given != resolve_distribution({}, spec):
            raise InvalidArgument("distribution", f"DRF averages leaf means and takes no distribution; leave it at "
                                                  f"AUTO (got '{given}').")
        check_categorical_encoding(params)
        mtries, p = params["mtries"], len(spec.names)
        if mtries == 0 or mtries > p:
            raise InvalidArgument("mtries", f"mtries must be -1, -2 or between 1 and the number of predictors "
                                            f"({p}); got {mtries}.")

    def fit(self, data, params, monitor):
        params = {**self.parameters.defaults(), **params}
        xgb_params, ntrees, label = self._process_params(params, data)
        matrix = training_matrix(data, label, hist=True, max_bin=xgb_params["max_bin"])
        # Trees per chunk from the data's size, not from timing, so that a seeded forest is the
        # same on every run: on big data one tree per chunk (a cancel is answered within about
        # a tree's time), on small data up to a tenth of the forest (few calls into XGBoost).
        work_per_tree = data.nrows * max(1, min(int(params["max_depth"]) or 20, 30))
        size = max(1, min(math.ceil(ntrees / CHUNKS), int(CHUNK_WORK / work_per_tree)))
        boosters, sizes = [], []
        weights = np.asarray(data.w, dtype=np.float64)
        seed, rate = xgb_params["seed"], float(params["sample_rate"])
        out_of_bag = OutOfBag(data.nrows, label.shape[1] if label.ndim == 2 else None)

        def oob_predictions():
            return out_of_bag.predictions(lambda mean: from_mean(mean, data.spec))

        done = 0
        while done < ntrees:
            size = min(size, ntrees - done)
            samples = [in_bag(seed, tree, data.nrows, rate) for tree in range(done, done + size)]
            # Each chunk its own seed, so chunks sample different columns.
            chunk_params = {**xgb_params, "seed": seed + len(boosters)}
            boosters.append(grow_chunk(chunk_params, matrix, label, weights, samples, out_of_bag))
            sizes.append(size)
            done += size
            so_far = DRFFitted(boosters, sizes, data.spec)
            if not monitor.iteration(done, ntrees, so_far.predict, training=oob_predictions):
                break
        fitted = DRFFitted(boosters, sizes, data.spec)
        fitted.training_predictions = oob_predictions()
        return fitted

    def _process_params(self, params, data):
        """H2O's DRF parameters as XGBoost's: (params, number of trees, training label)."""
        spec = data.spec
        p = len(spec.names)
        mtries = params["mtries"]
        if mtries == -1:
            mtries = max(1, int(math.sqrt(p)) if spec.category != REGRESSION else p // 3)
        elif mtries == -2:
            mtries = p
        if spec.category == MULTINOMIAL:
            # One regression tree per class on its 0/1 indicator, as H2O grows them.
            label = np.zeros((len(data.y), spec.nclasses))
            label[np.arange(len(data.y)), data.y.astype(np.int64)] = 1.0
        else:
            label = np.asarray(data.y, dtype=np.float64)
        weights = np.asarray(data.w, dtype=np.float64)
        base = float(np.average(label if label.ndim == 1 else label.mean(axis=1), weights=weights))
        xgb_params = {
            "objective": "reg:squarederror",
            "booster": "gbtree",
            "tree_method": "hist",
            "learning_rate": 1.0,
            "reg_lambda": 0.0,
            "base_score": base,
            "max_depth": params["max_depth"],
            "min_child_weight": max(params["min_rows"], 1e-6),
            "max_bin": histogram_bins(params, most=FOREST_BINS),
            "gamma": params["min_split_improvement"],
            # A hair above mtries/p, so XGBoost's rounding of the fraction gives mtries columns.
            "colsample_bynode": min(1.0, (mtries + 0.25) / p),
            "colsample_bytree": params["col_sample_rate_per_tree"],
            "seed": seed_of(params),
            "nthread": threads_for(data.nrows, p),
            "verbosity": 0,
        }
        return xgb_params, int(params["ntrees"]), label


ALGORITHM = DRF()
