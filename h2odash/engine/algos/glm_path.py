"""A GLM's regularization path as H2O-3 reports it (GLMModel.getRegularizationPath): every
submodel the fit went through, with its lambda, alpha, explained deviance and coefficients.

Coefficients are in H2O-3's order (categorical columns first, the intercept last); for
multinomial models each class's block follows the other, names suffixed by ``_class``.
"""

from dataclasses import dataclass

import numpy as np

from h2odash.engine.algos import glm
from h2odash.engine.errors import IllegalArgument


@dataclass
class RegularizationPath:
    lambdas: list
    alphas: list
    explained_deviance_train: list
    explained_deviance_valid: list      # None without a validation frame
    coefficients: list                  # per submodel, on the original scale
    coefficients_std: list              # per submodel, on the standardized scale; None unless standardize
    coefficient_names: list
    z_values: list = None               # per submodel, when p-values were computed
    p_values: list = None
    std_errs: list = None


def source_glm(engine, model_key):
    """(model, fitted GLM) stored under ``model_key``, or a refusal that says why there is none."""
    from h2odash.engine.models import Model

    model = engine.store.find(model_key)
    if not isinstance(model, Model):
        raise IllegalArgument(f"missing source model Key<Model> {model_key}")
    return model, glm_fitted(model)


def glm_fitted(model):
    """The fitted GLM behind ``model``, or a refusal that says why there is none."""
    if model.algo != "glm":
        raise IllegalArgument(f"Model '{model.key}' is a {model.algo_full_name} model; only GLM models have a "
                              "regularization path and coefficients to replace.")
    if model.fitted is None or model.status != "DONE":
        raise IllegalArgument(f"Model '{model.key}' is still training; wait for its job to finish.")
    return model.fitted


def h2o_names(fitted):
    """The coefficient names in H2O-3's order (multinomial: ``name_class`` per class, class by class)."""
    names = fitted.coefficient_names()
    ordered = [names[c] for c in glm.h2o_coefficient_order(fitted.spec, _uses_all_levels(fitted))]
    if not fitted.settings.multinomial:
        return ordered
    return [f"{name}_{level}" for level in fitted.spec.response_domain for name in ordered]


def h2o_flat(fitted, beta):
    """Coefficients (intercept first, a row per class) laid out in :func:`h2o_names`' order."""
    order = glm.h2o_coefficient_order(fitted.spec, _uses_all_levels(fitted))
    return [float(v) for row in np.atleast_2d(beta) for v in row[order]]


def _uses_all_levels(fitted):
    return glm.design_of(fitted).use_all_levels


def regularization_path(engine, model_key):
    """The :class:`RegularizationPath` of the GLM stored under ``model_key``."""
    model, fitted = source_glm(engine, model_key)
    submodels = fitted.solution.submodels
    standardized = fitted.standardized_input
    path = RegularizationPath(
        lambdas=[float(s.lambda_value) for s in submodels], alphas=[float(s.alpha) for s in submodels],
        explained_deviance_train=_explained(submodels, model.training_metrics, "train_deviance"),
        explained_deviance_valid=_explained(submodels, model.validation_metrics, "valid_deviance"),
        coefficients=[], coefficients_std=[] if standardized else None, coefficient_names=h2o_names(fitted))
    with_tests = fitted.settings.compute_p_values
    if with_tests:
        path.z_values, path.p_values, path.std_errs = [], [], []
    for sub in submodels:
        original, std = glm.both_scales(sub.beta, fitted.means, fitted.sigmas, standardized)
        path.coefficients.append(h2o_flat(fitted, original))
        if standardized:
            path.coefficients_std.append(h2o_flat(fitted, std))
        if with_tests:
            se, z, p = fitted.wald_tests(sub)
            path.std_errs.append(h2o_flat(fitted, se))
            path.z_values.append(h2o_flat(fitted, z))
            path.p_values.append(h2o_flat(fitted, p))
    return path


def _explained(submodels, metrics, field):
    """1 - deviance / null deviance per submodel, the null deviance being the model's metrics'
    on the same rows (H2O-3: 1 - nobs * devianceTrain / null_deviance); None without metrics."""
    if not metrics or "null_deviance" not in metrics:
        return None
    nobs, null = metrics["nobs"], metrics["null_deviance"]
    deviances = [getattr(sub, field) for sub in submodels]
    return [float(1 - nobs * d / null) if null and d is not None else float("nan") for d in deviances]
