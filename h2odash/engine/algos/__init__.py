"""The learning algorithms, by H2O's algo name.

Each module defines ``ALGORITHM``, an :class:`h2odash.engine.algos.base.Algorithm`. Modules
are imported on first use so that a missing optional library affects only its algorithm.
"""

import importlib
import importlib.util

from h2odash.engine.errors import NotFound

# H2O's order of the ModelBuilders list.
MODULES = {
    "deeplearning": "h2odash.engine.algos.deeplearning",
    "drf": "h2odash.engine.algos.drf",
    "gam": "h2odash.engine.algos.gam",
    "gbm": "h2odash.engine.algos.gbm",
    "glm": "h2odash.engine.algos.glm",
    "glrm": "h2odash.engine.algos.glrm",
    "isolationforest": "h2odash.engine.algos.isolationforest",
    "kmeans": "h2odash.engine.algos.kmeans",
    "naivebayes": "h2odash.engine.algos.naivebayes",
    "pca": "h2odash.engine.algos.pca",
    "stackedensemble": "h2odash.engine.algos.stackedensemble",
    "svd": "h2odash.engine.algos.svd",
    "xgboost": "h2odash.engine.algos.xgboost",
}

# H2O's spelling of each algorithm in model ids ("GBM_model_..."), job descriptions and schema
# names ("GBMV3", "GBMModelV3").
PREFIXES = {
    "deeplearning": "DeepLearning", "drf": "DRF", "gam": "GAM", "gbm": "GBM", "glm": "GLM", "glrm": "GLRM",
    "isolationforest": "IsolationForest", "kmeans": "KMeans", "naivebayes": "NaiveBayes", "pca": "PCA",
    "stackedensemble": "StackedEnsemble", "svd": "SVD", "xgboost": "XGBoost",
}


def prefix(name):
    return PREFIXES.get(name, name.upper())


def available():
    """Names of the algorithms whose module is present."""
    names = []
    for name, module in MODULES.items():
        if importlib.util.find_spec(module) is not None:
            names.append(name)
    return names


def get(name):
    """The Algorithm called ``name`` (H2O's algo key, any case)."""
    key = str(name).lower()
    if key not in MODULES or importlib.util.find_spec(MODULES[key]) is None:
        raise NotFound(
            f"Unknown algorithm '{name}'. Available: {', '.join(available())}.", {"argument": "algo", "name": name}
        )
    return importlib.import_module(MODULES[key]).ALGORITHM
