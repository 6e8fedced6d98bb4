"""Isolation Forest as H2O-3 builds and scores it.

Each tree grows on its own sample of rows: ``sample_size`` rows on average (each row drawn
with probability sample_size / rows), or the ``sample_rate`` share when that is set. The
trees (``isolation_trees``) are H2O's: random cuts, lopsided splits, ``max_depth`` 8 by
default. A row's path length in a tree is the depth of the node its leaf hangs from.

Scores are H2O's too. A model keeps the smallest and largest total path length (summed over
the trees) of its training rows; a row's ``predict`` is where its total falls between them,
1 for the shortest paths (most anomalous) and 0 for the longest, and ``mean_length`` is its
average path length. With ``contamination`` set, the threshold is that quantile of the
training rows' scores, and predictions add a 0/1 ``predict`` label in front of ``score``.

Training metrics are out-of-bag: each row's mean path length over the trees that did not
sample it, scaled like a prediction; rows whose out-of-bag score falls below 0 (their few
out-of-bag trees found them more ordinary than any total) are left out, as H2O leaves them.
The scoring history has a row per tree with these out-of-bag means.

Categorical columns are split on their level codes, as H2O's Enum encoding does (AUTO);
other encodings are refused. Missing values go to the side that fits best, or are split
from the rest, as in H2O's trees; levels unseen in training count as missing.
"""

import math
from dataclasses import replace

import numpy as np
import pandas as pd

from h2odash.engine.algos.base import Algorithm, Fitted, refuse_options, seed_of
from h2odash.engine.algos.isolation_trees import Columns, Settings, grow_trees
from h2odash.engine.algos.out_of_bag import OUT_OF_BAG
from h2odash.engine.algos.trees import check_categorical_encoding, check_min_rows, shared_tree_parameters, tree_summary
from h2odash.engine.errors import InvalidArgument
from h2odash.engine.model_data import ANOMALY_DETECTION
from h2odash.engine.parameters import CATEGORICAL_ENCODINGS, COMMON, ParameterSet
from h2odash.engine.parameters import Parameter as P
from h2odash.engine.tables import Table, col

# Sampled rows grown per batch of trees (see _grown_trees).
BATCH_ROWS = 1 << 16
SCORED = "Isolation Forest Metrics"
STOPPING_METRICS = ("AUTO", "deviance", "logloss", "MSE", "RMSE", "MAE", "RMSLE", "AUC", "AUCPR", "lift_top_group",
                    "misclassification", "mean_per_class_error", "anomaly_score", "AUUC", "ATE", "ATT", "ATC", "qini",
                    "custom", "custom_increasing")


def _parameters():
    common = {p.name: p for p in COMMON}
    shared = shared_tree_parameters(ntrees=50, max_depth=8, min_rows=1.0)

    def from_common(name, **changes):
        return replace(common[name], **changes)

    return ParameterSet([
        from_common("model_id"),
        from_common("training_frame"),
        from_common("score_each_iteration", help="Add a scoring-history row after every tree."),
        P("score_tree_interval", "int", 0, "secondary",
          "Add a scoring-history row every this many trees (0: after every tree).", min=0),
        from_common("ignored_columns", frame_of=("training_frame", "validation_frame")),
        from_common("ignore_const_cols"),
        shared["ntrees"],
        P("max_depth", "int", 8, "critical", "Deepest a tree may grow (0: until every sampled row is alone).",
          gridable=True, min=0),
        P("min_rows", "double", 1.0, "critical", "Fewest rows either side of a split may hold (more than 0).",
          gridable=True),
        from_common("max_runtime_secs", gridable=True),
        from_common("seed", gridable=True),
        shared["build_tree_one_node"],
        P("mtries", "int", -1, "critical", "Candidate columns per split, tried in random order until one can split "
          "(-1: a third of the predictors; -2: all).", gridable=True),
        P("sample_size", "long", 256, "critical", "Rows each tree is grown on, on average (used unless sample_rate "
          "is set).", gridable=True),
        P("sample_rate", "double", -1.0, "critical", "Share of the rows each tree is grown on, in (0, 1] (-1: use "
          "sample_size instead).", gridable=True),
        P("col_sample_rate_change_per_level", "double", 1.0, "expert", "Factor applied to mtries at each level "
          "of a tree, in (0, 2].", gridable=True),
        P("col_sample_rate_per_tree", "double", 1.0, "secondary", "Share of the columns each tree may use, in "
          "(0, 1].", gridable=True),
        from_common("categorical_encoding", gridable=True, values=CATEGORICAL_ENCODINGS,
                    help="Categorical columns are split on their level codes (AUTO, Enum); other encodings are "
                         "not implemented."),
        from_common("stopping_rounds", gridable=True,
                    help="Stop once the out-of-bag mean anomaly score's moving average over this many scoring "
                         "rows stays within stopping_tolerance of the one before (0: off)."),
        from_common("stopping_metric", values=STOPPING_METRICS, gridable=True,
                    help="Only AUTO or anomaly_score: the others need a labeled validation frame."),
        from_common("stopping_tolerance", default=0.01, gridable=True),
        from_common("export_checkpoints_dir"),
        P("contamination", "double", -1.0, "critical", "Expected share of anomalies, in (0, 0.5]: predictions "
          "then label the rows scoring above that quantile of the training scores (-1: scores only)."),
        # H2O-3 scores a validation frame only against its anomaly labels (validation_response_column).
        from_common("validation_frame", gridable=True, supported=False,
                    help="Frame of labelled rows to score the model on (not implemented: it needs "
                         "validation_response_column)."),
        P("validation_response_column", "VecSpecifier", None, "secondary",
          "Column of the validation frame labelling anomalies (not implemented).", supported=False,
          frame_of=("validation_frame",)),
    ])


PARAMETERS = _parameters()


class IsolationForest(Algorithm):
    name = "isolationforest"
    full_name = "Isolation Forest"
    categories = (ANOMALY_DETECTION,)
    supervised = False
    parameters = PARAMETERS
    encoding = "codes"

    def check_data(self, params, spec, train):
        # H2O-3's isolation forest is one of its shared-tree builders, with their min_rows check.
        check_min_rows({**self.parameters.defaults(), **params}, spec, train)

    def check(self, params, spec):
        super().check(params, spec)
        check_categorical_encoding(params)
        p = len(spec.names)
        if not params["min_rows"] > 0:
            raise InvalidArgument("min_rows", f"min_rows must be more than 0; got {params['min_rows']}.")
        if params["mtries"] not in (-1, -2) and not 1 <= params["mtries"] <= p:
            raise InvalidArgument("mtries", f"mtries must be -1 (a third of the predictors), -2 (all) or between 1 "
                                            f"and the number of predictors ({p}); got {params['mtries']}.")
        if params["sample_rate"] == -1:
            if params["sample_size"] <= 0:
                raise InvalidArgument("sample_size", f"sample_size must be a positive number of rows; got "
                                                     f"{params['sample_size']}.")
        elif not 0 < params["sample_rate"] <= 1:
            raise InvalidArgument("sample_rate", f"sample_rate must be in (0, 1], or -1 to use sample_size; got "
                                                 f"{params['sample_rate']}.")
        contamination = params["contamination"]
        if contamination != -1 and not 0 < contamination <= 0.5:
            raise InvalidArgument("contamination", f"contamination must be in (0, 0.5], or -1 for scores only; got "
                                                   f"{contamination}.")
        if not 0 < params["col_sample_rate_per_tree"] <= 1:
            raise InvalidArgument("col_sample_rate_per_tree", "col_sample_rate_per_tree must be in (0, 1]; got "
                                                              f"{params['col_sample_rate_per_tree']}.")
        if not 0 < params["col_sample_rate_change_per_level"] <= 2:
            raise InvalidArgument("col_sample_rate_change_per_level", "col_sample_rate_change_per_level must be in "
                                  f"(0, 2]; got {params['col_sample_rate_change_per_level']}.")
        if params["stopping_metric"] not in ("AUTO", "anomaly_score"):
            raise InvalidArgument("stopping_metric", f"Stopping metric '{params['stopping_metric']}' needs a labeled "
                                                     "validation frame; use AUTO or anomaly_score.")

    def layout(self, frame, spec, params, rows=None):
        # Row-major: the trees read blocks of rows when they score.
        return np.ascontiguousarray(super().layout(frame, spec, params, rows))

    def fit(self, data, params, monitor):
        X = data.X
        columns = Columns.of(X, np.array([kind == "enum" for kind in data.spec.kinds]))
        ntrees, interval = params["ntrees"], 1 if params["score_each_iteration"] else params["score_tree_interval"]
        paths = _Paths(X)
        trees, history = [], []
        monitor.record(0, ntrees, {"number_of_trees": 0, "mean_tree_path_length": math.nan,
                                   "mean_anomaly_score": math.nan})
        grown = _grown_trees(X, columns, params, np.random.default_rng(seed_of(params)), monitor.check)
        for t, (tree, sample) in enumerate(grown, start=1):
            trees.append(tree)
            paths.add(tree, sample)
            last = t == ntrees
            if interval and t % interval and not last:
                if monitor.check(t, ntrees):
                    continue
                last = True                               # out of time: this is the last row
            oob = paths.out_of_bag()
            history.append(oob["mean_normalized_score"])
            go_on = monitor.record(t, ntrees, {"number_of_trees": t, "mean_tree_path_length": oob["mean_score"],
                                               "mean_anomaly_score": oob["mean_normalized_score"]})
            if last or not go_on or _converged(history, params["stopping_rounds"], params["stopping_tolerance"]):
                break
        fitted = FittedIsolationForest(trees, data.spec.names, paths.shortest, paths.longest)
        fitted.training_metrics = {"description": OUT_OF_BAG, **paths.out_of_bag()}
        if params["contamination"] > 0:
            scores = fitted.normalized(paths.total)
            fitted.threshold = float(np.quantile(scores, 1 - params["contamination"]))
        return fitted


def _grown_trees(X, columns, params, rng, between_levels=None):
    """The forest's trees one at a time, each with the rows it was grown on.

    A tree samples each row with probability sample_rate (or sample_size / rows) and takes
    col_sample_rate_per_tree of the columns. Trees are grown in batches of about BATCH_ROWS
    sampled rows, so small samples share numpy's per-call cost and big ones go one by one.
    """
    n, p = X.shape
    mtries = {-1: max(p // 3, 1), -2: p}.get(params["mtries"], params["mtries"])
    settings = Settings(params["max_depth"], params["min_rows"], mtries, params["col_sample_rate_change_per_level"])
    rate = params["sample_rate"] if params["sample_rate"] != -1 else params["sample_size"] / n
    columns_per_tree = max(1, int(params["col_sample_rate_per_tree"] * p))
    left = params["ntrees"]
    while left > 0:
        batch = min(left, max(1, int(BATCH_ROWS // max(rate * n, 1))))
        samples = [np.flatnonzero(rng.random(n) < rate) for _ in range(batch)]
        active = np.zeros((batch, p), dtype=bool)
        for row in active:
            row[rng.permutation(p)[:columns_per_tree]] = True
        yield from zip(grow_trees(X, samples, active, columns, settings, rng, between_levels), samples)
        left -= batch


ALGORITHM = IsolationForest()


# -- the forest as it grows ------------------------------------------------------------------
class _Paths:
    """Path lengths of the training rows over the trees grown so far: the total over all
    trees (which sets the model's scale) and the total and count over out-of-bag trees."""

    def __init__(self, X):
        self.X = X
        self.has_missing = bool(np.isnan(X).any())
        self.total = np.zeros(len(X), dtype=np.int64)
        self.oob_total = np.zeros(len(X), dtype=np.int64)
        self.oob_count = np.zeros(len(X), dtype=np.int64)
        self.trees = 0

    def add(self, tree, sample):
        """Count a new tree, grown on the rows numbered in ``sample``."""
        lengths = tree.path_lengths(self.X, self.has_missing)
        self.total += lengths
        self.oob_total += lengths
        self.oob_total[sample] -= lengths[sample]
        self.oob_count += 1
        self.oob_count[sample] -= 1
        self.trees += 1

    @property
    def shortest(self):
        return int(self.total.min()) if len(self.total) else 0

    @property
    def longest(self):
        return int(self.total.max()) if len(self.total) else 0

    def out_of_bag(self):
        """H2O's out-of-bag metrics: each row's out-of-bag mean path length, scaled as if every
        tree had scored it; rows never out of bag, or scaled below 0, are left out."""
        seen = self.oob_count > 0
        mean_length = self.oob_total[seen] / self.oob_count[seen]
        score = _normalized(mean_length * self.trees, self.shortest, self.longest)
        kept = score >= 0
        nobs = int(kept.sum())
        return {"nobs": nobs, "mean_score": float(mean_length[kept].mean()) if nobs else math.nan,
                "mean_normalized_score": float(score[kept].mean()) if nobs else math.nan}


def _normalized(total, shortest, longest):
    """1 for the shortest total path length of the training rows, 0 for the longest."""
    if longest > shortest:
        return (longest - np.asarray(total, dtype=float)) / (longest - shortest)
    return np.ones(len(total))


def _converged(scores, k, tolerance):
    """H2O's stopping rule for a metric without a better direction (the anomaly score): over
    the last 2k scores, the k latest moving averages (window k) all stay within ``tolerance``
    (relative) of the first one."""
    if not k or len(scores) < 2 * k:
        return False
    recent = np.asarray(scores[-2 * k:], dtype=float)
    averages = np.convolve(recent, np.ones(k) / k, mode="valid")
    if np.isnan(averages).any():
        return False
    reference, later = averages[0], averages[1:]
    if np.sign(averages.max()) != np.sign(averages.min()):
        return False
    extreme = later.min() if abs(reference - later.min()) > abs(reference - later.max()) else later.max()
    if np.sign(extreme) != np.sign(reference):
        return False
    return 1 - tolerance <= extreme / reference <= 1 + tolerance


# -- the model -------------------------------------------------------------------------------
class FittedIsolationForest(Fitted):
    def __init__(self, trees, names, shortest, longest):
        self.trees = trees
        self.names = list(names)
        self.shortest = shortest
        self.longest = longest
        self.threshold = None          # set when trained with contamination
        self.training_metrics = None

    def normalized(self, total):
        return _normalized(total, self.shortest, self.longest)

    def _totals(self, X):
        has_missing = bool(np.isnan(X).any())
        total = np.zeros(len(X), dtype=np.int64)
        for tree in self.trees:
            total += tree.path_lengths(X, has_missing)
        return total

    def predict_columns(self, X, **options):
        refuse_options(options, "isolation forest models")
        total = self._totals(X)
        score = self.normalized(total)
        mean_length = total / max(len(self.trees), 1)
        if self.threshold is None:
            return {"predict": score, "mean_length": mean_length}
        label = pd.Categorical.from_codes((score >= self.threshold).astype(np.int8), categories=["0", "1"])
        return {"predict": label, "score": score, "mean_length": mean_length}

    def metrics(self, X, w):
        """H2O's anomaly metrics of scoring X. H2O averages the first two prediction columns:
        with contamination those are the 0/1 label and the score, not the score and the length."""
        columns = list(self.predict_columns(X).values())
        first = np.asarray(columns[0].codes if isinstance(columns[0], pd.Categorical) else columns[0], dtype=float)
        second = np.asarray(columns[1], dtype=float)
        kept = (np.asarray(w) > 0) & (first >= 0)
        nobs = int(kept.sum())
        return {"description": SCORED, "nobs": nobs,
                "mean_score": float(second[kept].mean()) if nobs else math.nan,
                "mean_normalized_score": float(first[kept].mean()) if nobs else math.nan}

    def summary(self):
        return tree_summary(len(self.trees), [t.depth for t in self.trees], [t.leaves for t in self.trees],
                            sum(t.nbytes for t in self.trees))

    def output(self):
        return {"default_threshold": -1.0 if self.threshold is None else self.threshold, "init_f": 0.0,
                "variable_splits": self._variable_splits()}

    def _variable_splits(self):
        """Per column: how many splits use it, the sum of |left - right| / rows over those
        splits (how lopsided they are) and the sum of their depths counted from 1."""
        p = len(self.names)
        counts, ratios, depths = np.zeros(p, dtype=np.int64), np.zeros(p), np.zeros(p, dtype=np.int64)
        for tree in self.trees:
            column, left, right, depth = tree.split_counts.T
            np.add.at(counts, column, 1)
            np.add.at(ratios, column, np.abs(left - right) / (left + right))
            np.add.at(depths, column, depth + 1)
        table = Table("Variable Splits", [
            col("variable", "string", "Variable"), col("count", "int", "Count", "%10d"),
            col("aggregated_split_ratios", "double", "Aggregated Split Ratios", "%5f"),
            col("aggregated_split_depths", "long", "Aggregated Split Depths", "%10d"),
        ])
        for name, count, ratio, depth in zip(self.names, counts, ratios, depths):
            table.append([name, int(count), float(ratio), int(depth)])
        return table
