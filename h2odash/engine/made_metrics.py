"""Metrics of predictions made elsewhere (``POST /3/ModelMetrics/predictions_frame/{p}/actuals_frame/{a}``,
h2o-py's ``h2o.make_metrics``): no model, only a frame of predictions and one of true values.

As in H2O-3, ``domain`` decides the kind: none is regression (one prediction column), two
levels binomial (one column, the probability of the second level), more multinomial (one
probability column per level, in the domain's order).
"""

import numpy as np

from h2odash.engine.errors import InvalidArgument
from h2odash.engine.frames import Frame, numeric_values
from h2odash.engine.model_data import BINOMIAL, MULTINOMIAL, REGRESSION, FeatureSpec, response_values, usable_rows
from h2odash.engine.training import model_metrics

DISTRIBUTIONS = ("gaussian", "poisson", "gamma", "tweedie", "laplace", "quantile", "huber")


def made_metrics(predictions: Frame, actuals: Frame, domain=None, distribution=None, weights: Frame = None,
                 auc_type="AUTO"):
    """Category and metrics dict of ``predictions`` against ``actuals`` (one column each for
    the actuals and the weights); ``auc_type`` as a model's parameter of that name."""
    for name, frame in (("actuals_frame", actuals), ("weights_frame", weights)):
        if frame is not None and frame.ncols != 1:
            raise InvalidArgument(name, f"The {name.replace('_', ' ')} must have exactly one column; "
                                        f"'{frame.key}' has {frame.ncols}.")
    for name, frame in (("actuals_frame", actuals), ("weights_frame", weights)):
        if frame is not None and frame.nrows != predictions.nrows:
            raise InvalidArgument(name, f"'{frame.key}' has {frame.nrows} rows but the predictions have "
                                        f"{predictions.nrows}.")
    domain = list(domain) if domain else None
    category = REGRESSION if domain is None else BINOMIAL if len(domain) == 2 else MULTINOMIAL
    if domain is not None and len(domain) < 2:
        raise InvalidArgument("domain", "A domain needs at least two class labels.")
    wanted = {REGRESSION: 1, BINOMIAL: 1, MULTINOMIAL: len(domain or ())}[category]
    if predictions.ncols != wanted:
        what = {REGRESSION: "the predicted values", BINOMIAL: f"the probabilities of '{(domain or ['', ''])[1]}'",
                MULTINOMIAL: "the class probabilities, in the domain's order"}[category]
        raise InvalidArgument("predictions_frame", f"For this problem the predictions frame must have exactly "
                                                   f"{wanted} column(s) holding {what}; it has {predictions.ncols}.")
    spec = FeatureSpec(names=[], kinds=[], domains={}, response=actuals.names[0], response_domain=domain,
                       category=category)
    y = _actual_values(actuals, spec)
    raw = np.column_stack([numeric_values(predictions.table.column(i), predictions.types[i])
                           for i in range(predictions.ncols)])
    raw = raw[:, 0] if category != MULTINOMIAL else raw
    w = np.ones(len(y)) if weights is None else numeric_values(weights.table.column(0), weights.types[0])
    w = np.where(np.isfinite(w), w, 0.0)
    rows = usable_rows(y, w, domain is not None)
    if category == BINOMIAL:
        raw = np.column_stack([1 - raw, raw])
    params = {"distribution": _distribution(distribution), "auc_type": auc_type}
    return category, model_metrics(spec, params, y[rows], raw[rows], w[rows])


def _actual_values(actuals, spec):
    """Class codes in the domain (a numeric column is read as codes, as H2O-3 does), or numbers."""
    kind = actuals.types[0]
    if spec.response_domain is None:
        if kind in ("enum", "string"):
            raise InvalidArgument("actuals_frame", "Regression metrics need numeric actuals; give a domain for "
                                                   "class labels.")
        return numeric_values(actuals.table.column(0), kind)
    if kind in ("enum", "string"):
        return response_values(actuals, spec)
    values = numeric_values(actuals.table.column(0), kind)
    codes = np.where(np.isfinite(values), values, -1).astype(np.int64)
    if ((codes < -1) | (codes >= len(spec.response_domain))).any():
        raise InvalidArgument("actuals_frame", f"Numeric actuals must be class indexes 0..{len(spec.response_domain) - 1}.")
    return codes


def _distribution(given):
    name = (given or "gaussian").lower()
    if name == "auto":
        name = "gaussian"
    if name not in DISTRIBUTIONS:
        raise InvalidArgument("distribution", f"distribution must be one of {', '.join(DISTRIBUTIONS)}; got '{given}'.")
    return name
