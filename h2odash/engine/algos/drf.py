"""Distributed Random Forest with H2O's parameters, fitted by XGBoost's random-forest mode.

H2O's DRF grows regression trees on the response (on 0/1 class indicators for classifiers,
one tree per class for more than two) and averages their leaf means. XGBoost does exactly
that with squared error, learning rate 1, no leaf regularisation and ``num_parallel_tree``
trees in one round: a leaf then holds the mean response of its rows. The forest is grown in
chunks of trees (separate boosters, averaged by their tree counts) so that the scoring
history grows and a stop keeps the trees grown so far.
"""

import math

import numpy as np
import xgboost as xgb

from h2odash.engine.algos.base import Fitted, seed_of
from h2odash.engine.algos.trees import (TreeEnsemble, check_categorical_encoding, distribution_parameter, histogram_bins,
                                        importances, reordered, resolve_distribution, shared_tree_parameters,
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


class DRFFitted(Fitted):
    """A forest held as chunks (boosters) of ``sizes`` trees each; predictions average them."""

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
        mean = total / max(sum(self.sizes), 1)
        if self.spec.category == REGRESSION:
            return mean
        if self.spec.category == BINOMIAL:
            p1 = np.clip(mean, 0.0, 1.0)
            return np.column_stack([1.0 - p1, p1])
        votes = np.clip(mean, 0.0, None)
        sums = votes.sum(axis=1, keepdims=True)
        k = votes.shape[1]
        return np.where(sums > 0, votes / np.where(sums > 0, sums, 1.0), 1.0 / k)

    def variable_importances(self):
        return importances(self.spec.names, total_gains(self.boosters, self.spec))

    def summary(self):
        depths, leaves = [], []
        for booster in self.boosters:
            d, n = tree_shapes(booster)
            depths += d
            leaves += n
        return tree_summary(sum(self.sizes), depths, leaves, model_size(self.boosters))


class DRF(TreeEnsemble):
    name = "drf"
    full_name = "Distributed Random Forest"
    model_prefix = "DRF_model"
    encoding = "native"
    parameters = reordered(extend(COMMON, *_shared.values(), *_own), H2O_ORDER)

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
        done = 0
        while done < ntrees:
            size = min(size, ntrees - done)
            # Each chunk its own seed, so chunks sample different rows and columns.
            chunk_params = {**xgb_params, "num_parallel_tree": size, "seed": xgb_params["seed"] + len(boosters)}
            boosters.append(xgb.train(chunk_params, matrix, num_boost_round=1))
            sizes.append(size)
            done += size
            so_far = DRFFitted(boosters, sizes, data.spec)
            if not monitor.iteration(done, ntrees, so_far.predict):
                break
        return DRFFitted(boosters, sizes, data.spec)

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
            "subsample": params["sample_rate"],
            # A hair above mtries/p, so XGBoost's rounding of the fraction gives mtries columns.
            "colsample_bynode": min(1.0, (mtries + 0.25) / p),
            "colsample_bytree": params["col_sample_rate_per_tree"],
            "seed": seed_of(params),
            "nthread": threads_for(data.nrows, p),
            "verbosity": 0,
        }
        return xgb_params, int(params["ntrees"]), label


ALGORITHM = DRF()
