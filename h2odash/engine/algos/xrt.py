"""Extremely Randomized Trees (XRT): H2O's DRF with ``histogram_type="Random"``, as AutoML builds it.

H2O-3 draws, at each node, one random split threshold per candidate column instead of searching
histogram bins. Neither XGBoost nor LightGBM's forest mode does quite that (LightGBM's
``extra_trees`` draws a random threshold but boosts); scikit-learn's ExtraTrees does exactly
that, so this forest is grown there: the same ntrees, max_depth, min_rows, mtries and
sample_rate as H2O's DRF (rows drawn with replacement, where H2O draws without). The model reads as a DRF model
(algo "drf"), as H2O's XRT does. It is not in the ModelBuilders list: AutoML uses it.
"""

from dataclasses import replace

import numpy as np

from h2odash.engine.algos.base import Fitted, seed_of
from h2odash.engine.algos.drf import DRF
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
    def __init__(self, forest, spec):
        self.forest = forest
        self.spec = spec

    @property
    def ntrees(self):
        return len(self.forest.estimators_)

    def predict(self, X):
        matrix = _matrix(X)
        if self.spec.category == REGRESSION:
            return self.forest.predict(matrix)
        proba = np.zeros((len(matrix), self.spec.nclasses))
        proba[:, self.forest.classes_.astype(int)] = self.forest.predict_proba(matrix)
        return proba

    def variable_importances(self):
        return list(zip(self.spec.names, map(float, self.forest.feature_importances_)))

    def summary(self):
        depths = [e.get_depth() for e in self.forest.estimators_]
        leaves = [e.get_n_leaves() for e in self.forest.estimators_]
        return [("number_of_trees", "long", len(depths)), ("min_depth", "long", min(depths)),
                ("max_depth", "long", max(depths)), ("mean_depth", "double", float(np.mean(depths))),
                ("min_leaves", "long", min(leaves)), ("max_leaves", "long", max(leaves)),
                ("mean_leaves", "double", float(np.mean(leaves)))]


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
        from sklearn.ensemble import ExtraTreesClassifier, ExtraTreesRegressor

        spec = data.spec
        p = len(spec.names)
        mtries = params["mtries"]
        if mtries == -1:
            mtries = max(1, int(np.sqrt(p)) if spec.category != REGRESSION else p // 3)
        elif mtries == -2:
            mtries = p
        ntrees = int(params["ntrees"])
        options = dict(n_estimators=0, max_depth=params["max_depth"] or None,
                       min_samples_leaf=max(1, int(params["min_rows"])), max_features=max(1, min(p, mtries)),
                       bootstrap=params["sample_rate"] < 1, random_state=seed_of(params) % (2**32 - 1),
                       warm_start=True, n_jobs=1)
        if params["sample_rate"] < 1:
            options["max_samples"] = float(params["sample_rate"])
        forest = (ExtraTreesRegressor if spec.category == REGRESSION else ExtraTreesClassifier)(**options)
        matrix = _matrix(data.X)
        y = data.y if spec.category == REGRESSION else data.y.astype(int)
        step = max(1, -(-ntrees // CHUNKS))
        grown = 0
        while grown < ntrees:
            grown = min(ntrees, grown + step)
            forest.set_params(n_estimators=grown)
            forest.fit(matrix, y, sample_weight=data.w)
            if not monitor.iteration(grown, ntrees, XRTFitted(forest, spec).predict):
                break
        return XRTFitted(forest, spec)


ALGORITHM = XRT()
