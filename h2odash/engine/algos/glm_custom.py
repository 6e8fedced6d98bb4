"""A GLM made from coefficients the user gives (H2O-3's MakeGLMModelHandler.make_model).

The new model takes its source model's columns, family, link and parameters, and the source's
coefficients, replaced by the given ones name by name. Like H2O-3's, it has no metrics, no
summary and no scoring history until it scores a frame, and, built on unstandardized columns,
its standardized coefficients are its coefficients.
"""

import copy
import time
import uuid
from dataclasses import replace

import numpy as np

from h2odash.engine.algos import glm, glm_path, glm_solver
from h2odash.engine.errors import IllegalArgument


def make_glm_model(engine, model_key, names, beta, dest=None, threshold=0.5):
    """Store and return a GLM like ``model_key``'s with coefficients ``names`` = ``beta``.

    ``names`` and ``beta`` are as many as the source model's coefficients (H2O-3's rule);
    names the model does not have are ignored, as H2O-3 ignores them. ``threshold`` is the
    binomial model's decision threshold for its predicted labels.
    """
    from h2odash.engine.models import Model

    source, fitted = glm_path.source_glm(engine, model_key)
    expected = glm_path.h2o_names(fitted)
    beta = [float(b) for b in beta or []]
    if len(beta) != len(expected):
        raise IllegalArgument(f"model coefficient length {len(expected)} is different from coefficient provided by "
                              f"user {len(beta)}.\n model coefficients needed are:\n" + "\n".join(expected))
    if len(names or []) != len(beta):
        raise IllegalArgument(f"{len(names or [])} coefficient names were given for {len(beta)} coefficients: "
                              "give one name per coefficient.")
    coefficients = dict(zip(expected, glm_path.h2o_flat(fitted, fitted.coefficients)))
    coefficients.update(zip(names, beta))
    dest = dest or f"_{uuid.uuid4().hex}"
    if engine.store.is_locked(dest):
        raise IllegalArgument(f"Model '{dest}' is being built by a running job; choose another dest.")
    model = Model(dest, source.algorithm, dict(source.params), source.spec)
    model.given_params = dict(source.given_params)
    model.training_frame = getattr(source, "training_frame", None)
    model.fitted = _fitted_from(fitted, [coefficients[name] for name in expected])
    model.extra_output = model.fitted.output()
    model.default_threshold = float(threshold)
    model.status = "DONE"
    model.end_time = int(time.time() * 1000)
    engine.store.put(dest, model)
    return model


def _fitted_from(source, h2o_beta):
    """A copy of the fitted GLM ``source`` whose coefficients are ``h2o_beta`` (H2O-3's order)."""
    order = glm.design_of(source).h2o_order()
    rows = np.asarray(h2o_beta, dtype=float).reshape(np.atleast_2d(source.coefficients).shape[0], len(order))
    original = np.empty_like(rows)
    original[:, order] = rows
    # The solver's scale: standardized columns when the source standardized them.
    solver_beta = glm.both_scales(original, source.means, source.sigmas, False)[1 if source.standardized_input else 0]
    solver_beta = solver_beta if source.settings.multinomial else solver_beta[0]
    submodel = glm_solver.Submodel(0.0, 0.0, solver_beta, 0, float("nan"))
    solution = glm_solver.Solution(solver_beta, 0.0, 0.0, -1.0, 0, [submodel], 0)
    fitted = copy.copy(source)
    fitted.solution = solution
    fitted.settings = replace(source.settings, lambda_search=False, compute_p_values=False, start=None)
    fitted.lambda_search = False
    fitted.beta = solver_beta
    fitted.coefficients = original
    fitted.standardized = original.copy()
    return fitted
