"""Extremely Randomized Trees (XRT): H2O's DRF with ``histogram_type="Random"``, as AutoML builds it.

H2O-3 draws, at each node, one random split threshold per candidate column instead of searching
histogram bins. Neither XGBoost nor LightGBM's forest mode does quite that (LightGBM's
``extra_trees`` draws a random threshold but boosts); scikit-learn's ExtraTrees does exactly
that, so its trees are grown there, one by one: the same ntrees, max_depth, min_rows, mtries and
sample_rate as H2O's DRF, each tree on its own sample of rows drawn as H2O draws it. Training
metrics are out-of-bag, as the DRF's (see out_of_bag.py). The model reads as a DRF model
(algo "drf"), as H2O's XRT does. It is not in the ModelBuilders list: AutoML uses it.
"""

from dataclasses import replace

import numpy as np

from h2odash.engine.algos.base import Fitted, seed_of
from h2odash.engine.algos.class_balance import corrected
from h2odash.engine.algos.drf import DRF
from h2odash.engine.algos.out_of_bag import OutOfBag, in_bag
from h2odash.engine.model_data import REGRESSION
from h2odash.engine.parameters import ParameterSet

# Trees per growth step: the forest grows in about this many steps, each reporting to the monitor.
CHUNKS = 10
_MISSING = -1e300   # missing values sort below every real value and get their own side of a split


def _matrix(X):
    """A float matrix from the native layout: categoricals as their codes, missing as _MISSING."""
    columns = []
    for name in X.columns:
        column = X[name]
        if hasattr(column, "cat"):
            values = column.cat.codes.to_numpy(dtype=np.float64)
            values[values < 0] = np.nan
        else:
            values = column.to_numpy(dtype=np.float64)
        columns.append(values)
    matrix = np.column_stack(columns) if columns else np.empty((len(X), 0))
    return np.where(np.isfinite(matrix), matrix, _MISSING)


class XRTFitted(Fitted):
    """Extremely randomized trees (scikit-learn's, each grown on its own rows); predictions
    average theirs."""

    out_of_bag = True

    def __init__(self, trees, spec):
        self.trees = list(trees)
        self.spec = spec

    @property
    def ntrees(self):
        return len(self.trees)

    def predict(self, X):
        matrix = _matrix(X)
        return corrected(self, sum(_tree_predictions(tree, matrix, self.spec) for tree in self.trees)
                         / max(len(self.trees), 1))

    def variable_importances(self):
        # As scikit-learn's forests: the trees' normalised importances averaged, then normalised.
        split = [tree.feature_importances_ for tree in self.trees if tree.tree_.node_count > 1]
        mean = np.mean(split, axis=0) if split else np.zeros(len(self.spec.names))
        total = mean.sum()
        return list(zip(self.spec.names, map(float, mean / total if total > 0 else mean)))

    def summary(self):
        # scikit-learn answers numpy integers, which JSON cannot take
        depths = [int(e.get_depth()) for e in self.trees]
        leaves = [int(e.get_n_leaves()) for e in self.trees]
        return [("number_of_trees", "long", len(depths)), ("min_depth", "long", min(depths)),
                ("max_depth", "long", max(depths)), ("mean_depth", "double", float(np.mean(depths))),
                ("min_leaves", "long", min(leaves)), ("max_leaves", "long", max(leaves)),
                ("mean_leaves", "double", float(np.mean(leaves)))]


def _tree_predictions(tree, matrix, spec):
    """One tree's predictions: values, or probabilities of every class (those its rows lacked: 0)."""
    if spec.category == REGRESSION:
        return tree.predict(matrix)
    proba = np.zeros((len(matrix), spec.nclasses))
    proba[:, tree.classes_.astype(int)] = tree.predict_proba(matrix)
    return proba


class XRT(DRF):
    """DRF whose histogram_type Random grows extremely randomized trees; other types are DRF's."""

    parameters = ParameterSet([
        replace(p, supported=True) if p.name == "histogram_type" else p for p in DRF.parameters
    ])

    def check(self, params, spec):
        super().check({**params, "histogram_type": "AUTO"}, spec)

    def fit(self, data, params, monitor):
        params = {**self.parameters.defaults(), **params}
        if params.get("histogram_type") != "Random":
            return super().fit(data, {**params, "histogram_type": "AUTO"}, monitor)
        from sklearn.tree import ExtraTreeClassifier, ExtraTreeRegressor

        spec = data.spec
        p = len(spec.names)
        mtries = params["mtries"]
        if mtries == -1:
            mtries = max(1, int(np.sqrt(p)) if spec.category != REGRESSION else p // 3)
        elif mtries == -2:
            mtries = p
        ntrees, seed, rate = int(params["ntrees"]), seed_of(params), float(params["sample_rate"])
        tree_seeds = np.random.default_rng(seed).integers(0, 2**31 - 1, ntrees)
        options = dict(max_depth=params["max_depth"] or None, min_samples_leaf=max(1, int(params["min_rows"])),
                       max_features=max(1, min(p, mtries)))
        grow = ExtraTreeRegressor if spec.category == REGRESSION else ExtraTreeClassifier
        matrix = _matrix(data.X)
        y = data.y if spec.category == REGRESSION else data.y.astype(int)
        w = np.asarray(data.w, dtype=np.float64)
        out_of_bag = OutOfBag(data.nrows, None if spec.category == REGRESSION else spec.nclasses)
        step = max(1, -(-ntrees // CHUNKS))
        trees = []
        while len(trees) < ntrees:
            for t in range(len(trees), min(ntrees, len(trees) + step)):
                sample = in_bag(seed, t, data.nrows, rate)
                if not sample.any():        # a tiny sample of tiny data: the tree grows on one row
                    sample[t % data.nrows] = True
                tree = grow(**options, random_state=int(tree_seeds[t]))
                trees.append(tree.fit(matrix[sample], y[sample], sample_weight=w[sample]))
                if not sample.all():
                    out_of_bag.add(~sample, _tree_predictions(tree, matrix[~sample], spec))
            if not monitor.iteration(len(trees), ntrees, XRTFitted(trees, spec).predict,
                                     training=out_of_bag.predictions):
                break
        fitted = XRTFitted(trees, spec)
        fitted.training_predictions = out_of_bag.predictions()
        return fitted


ALGORITHM = XRT()
