"""Every algorithm declares its parameters as H2O-3 does: the same names in the same order, with
the same types, defaults, levels and choices, checked against a running H2O-3."""

import pytest

from h2odash.engine import algos

# Stacked ensembles are declared with their own metalearner parameters (see test_grid); GLM and
# GAM (declared in another order than H2O-3's) in test_glm.
DECLARED = [name for name in algos.available() if name not in ("stackedensemble", "glm", "gam")]
# Algorithms whose declarations also match H2O-3's on which parameters are gridable.
GRIDABLE_CHECKED = {"glrm", "isolationforest", "kmeans", "pca", "svd"}


@pytest.mark.parametrize("algo", DECLARED)
def test_parameters_are_declared_as_h2o_declares_them(algo, h2o3_parameters):
    reference = h2o3_parameters(algo)
    ours = algos.get(algo).parameters
    assert [p.name for p in ours] == [p["name"] for p in reference]
    for expected in reference:
        p = ours[expected["name"]]
        assert (p.type, p.default, p.level) == (expected["type"], expected["default_value"], expected["level"]), p.name
        # COMMON's stopping metrics leave out H2O's uplift and anomaly metrics.
        if p.name != "stopping_metric" or algo not in ("gbm", "drf", "xgboost"):
            assert list(p.values) == list(expected["values"]), p.name
        if algo in GRIDABLE_CHECKED:
            assert p.gridable == expected["gridable"], p.name
