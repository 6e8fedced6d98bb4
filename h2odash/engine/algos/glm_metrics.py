"""What H2O-3's GLM metrics add to the usual ones (GLMMetricBuilder): null and residual deviance,
their degrees of freedom, and AIC.

The null deviance is measured against the *training* mean response (the model's ymu), on
whatever frame is scored, as H2O-3 does; so 1 - residual/null on the training frame is the
explained deviance that the regularization path reports.
"""

import math

import numpy as np

from h2odash.engine.algos import glm_solver


# Families whose full log-likelihood calc_like computes here.
LIKELIHOOD_FAMILIES = ("gaussian", "binomial", "poisson")


def glm_metrics(settings, response_mean, rank, y, raw, w, likelihood=None):
    """The GLM fields of a metrics dict for predictions ``raw`` of ``y`` with weights ``w``.

    Parameters
    ----------
    settings : glm_solver.Settings
        The model's family and link.
    response_mean : float or array
        Training mean of the response (per class, for multinomial).
    rank : int
        Non-zero coefficients of the model, intercept included.
    y, raw, w : arrays
        Responses (class indices for classifiers), predictions as the model scores them
        (means, or class probabilities), weights.
    likelihood : (number of parameters, dispersion) or None
        With calc_like: the log-likelihood is computed and the AIC is 2 k - 2 loglikelihood, k
        counting the estimated dispersion of a gaussian model (H2O-3's final scoring).
    """
    scored = w != 0
    y, raw, w = np.asarray(y, dtype=float)[scored], np.asarray(raw)[scored], np.asarray(w, dtype=float)[scored]
    nobs = int(len(y))
    family = glm_solver.make_family(settings)
    if settings.multinomial:
        classes = y.astype(np.int64)
        picked = np.maximum(raw[np.arange(nobs), classes], 1e-300)
        residual = float(-2.0 * np.dot(w, np.log(picked)))
        null = float(-2.0 * np.dot(w, np.log(np.maximum(np.asarray(response_mean)[classes], 1e-300))))
    else:
        mu = raw[:, 1] if raw.ndim == 2 else raw
        residual = family.deviance(y, mu, w)
        null = family.deviance(y, np.full(nobs, float(response_mean)), w)
    aic, loglikelihood = _aic(settings.family, residual, nobs, rank, y, raw, w), 0.0
    if likelihood is not None and not settings.multinomial:
        parameters, dispersion = likelihood
        mu = raw[:, 1] if raw.ndim == 2 else raw
        loglikelihood = log_likelihood(settings.family, y, mu, w, dispersion)
        aic = 2 * (parameters + (1 if settings.family == "gaussian" else 0)) - 2 * loglikelihood
    return {
        "residual_deviance": residual,
        "null_deviance": null,
        "null_degrees_of_freedom": nobs - (1 if settings.intercept else 0),
        "residual_degrees_of_freedom": nobs - rank,
        "AIC": aic,
        "loglikelihood": loglikelihood,
    }


def log_likelihood(family, y, mu, w, dispersion):
    """The full log-likelihood of means ``mu`` (gaussian: with the estimated ``dispersion``)."""
    if family == "gaussian":
        return float(np.sum(-0.5 * (w * (y - mu) ** 2 / dispersion + np.log(dispersion / w) + math.log(2 * math.pi))))
    if family == "binomial":
        p = np.clip(mu, 1e-300, 1 - 1e-16)
        return float(np.dot(w, y * np.log(p) + (1 - y) * np.log(1 - p)))
    log_factorial = np.array([math.lgamma(v + 1) for v in y])
    return float(np.dot(w, y * np.log(np.maximum(mu, 1e-300)) - mu - log_factorial))


def _aic(family, residual, nobs, rank, y, mu, w):
    """H2O-3's AIC of a model build (computeAIC without calc_like)."""
    if family == "gaussian":
        aic = nobs * (math.log(residual / nobs * 2 * math.pi) + 1) + 2 if nobs and residual > 0 else math.nan
    elif family == "binomial":
        aic = residual
    elif family == "poisson":
        counts = np.round(y)
        log_factorial = np.array([math.lgamma(c + 1) for c in counts])
        aic = -2 * float(np.dot(w, y * np.log(np.maximum(mu, 1e-300)) - log_factorial - mu))
    else:
        aic = math.nan
    return aic + 2 * rank
