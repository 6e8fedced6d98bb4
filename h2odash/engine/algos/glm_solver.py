"""Penalized generalized linear models: families, links, and the IRLSM solver GLM and GAM share.

The objective follows H2O-3:

    obj_reg * (deviance / 2) + lambda * (alpha * |b|_1 + (1 - alpha) / 2 * |b|_2^2) + sum_g b_g' S_g b_g

where ``obj_reg`` is 1 / (sum of weights) by default, the intercept is never penalized and the
``S_g`` are GAM smoothing penalties on blocks of coefficients. Each IRLS iteration builds the
weighted Gram matrix X'WX with one matrix product over all rows, then solves the penalized
quadratic problem on that small matrix: directly when there is no L1 part, by coordinate
descent otherwise. Coefficients here are on the scale of the X given (standardized or not);
the caller translates them.
"""

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from scipy import linalg, stats
from threadpoolctl import threadpool_limits

from h2odash.engine.errors import InvalidArgument

_MU_EPS = 1e-10


# ---------------------------------------------------------------------------------------------
# Links and families
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Link:
    """A link function g with mu = g^-1(eta)."""

    name: str
    power: float = 1.0   # tweedie link power

    def link(self, mu):
        if self.name == "identity":
            return mu
        if self.name == "logit":
            mu = np.clip(mu, _MU_EPS, 1 - _MU_EPS)
            return np.log(mu / (1 - mu))
        if self.name == "log":
            return np.log(np.maximum(mu, _MU_EPS))
        if self.name == "inverse":
            return 1.0 / _nonzero(mu)
        if self.power == 0:
            return np.log(np.maximum(mu, _MU_EPS))
        return np.power(np.maximum(mu, _MU_EPS), self.power)

    def inverse(self, eta):
        if self.name == "identity":
            return eta
        if self.name == "logit":
            return 0.5 * (1.0 + np.tanh(0.5 * eta))
        if self.name == "log":
            return np.exp(np.minimum(eta, 700.0))
        if self.name == "inverse":
            return 1.0 / _nonzero(eta)
        if self.power == 0:
            return np.exp(np.minimum(eta, 700.0))
        return np.power(np.maximum(eta, _MU_EPS), 1.0 / self.power)

    def derivative(self, eta, mu):
        """d mu / d eta."""
        if self.name == "identity":
            return np.ones_like(eta)
        if self.name == "logit":
            return np.maximum(mu * (1 - mu), _MU_EPS)
        if self.name == "log" or (self.name == "tweedie" and self.power == 0):
            return np.maximum(mu, _MU_EPS)
        if self.name == "inverse":
            return -mu * mu
        return np.power(np.maximum(eta, _MU_EPS), 1.0 / self.power - 1.0) / self.power


def _nonzero(x):
    return np.where(np.abs(x) < _MU_EPS, np.copysign(_MU_EPS, x), x)


@dataclass(frozen=True)
class Family:
    """An exponential family: variance function, deviance, and the range of the mean."""

    name: str
    variance_power: float = 0.0   # tweedie

    def variance(self, mu):
        if self.name == "gaussian":
            return np.ones_like(mu)
        if self.name == "binomial":
            return np.maximum(mu * (1 - mu), _MU_EPS)
        if self.name == "poisson":
            return np.maximum(mu, _MU_EPS)
        if self.name == "gamma":
            return np.maximum(mu * mu, _MU_EPS)
        return np.power(np.maximum(mu, _MU_EPS), self.variance_power)

    def clip(self, mu):
        if self.name == "binomial":
            return np.clip(mu, _MU_EPS, 1 - _MU_EPS)
        if self.name in ("poisson", "gamma") or (self.name == "tweedie" and self.variance_power > 0):
            return np.maximum(mu, _MU_EPS)
        return mu

    def deviance(self, y, mu, w):
        """Weighted total deviance."""
        mu = self.clip(mu)
        if self.name == "gaussian" or (self.name == "tweedie" and self.variance_power == 0):
            unit = (y - mu) ** 2
        elif self.name == "binomial":
            unit = -2.0 * (y * np.log(mu) + (1 - y) * np.log(1 - mu))
        elif self.name == "poisson" or (self.name == "tweedie" and self.variance_power == 1):
            unit = 2.0 * (_xlogy_ratio(y, mu) - (y - mu))
        elif self.name == "gamma" or (self.name == "tweedie" and self.variance_power == 2):
            y_safe = np.maximum(y, _MU_EPS)
            unit = 2.0 * (-np.log(y_safe / mu) + (y - mu) / mu)
        else:
            p = self.variance_power
            unit = 2.0 * (np.power(np.maximum(y, 0), 2 - p) / ((1 - p) * (2 - p))
                          - y * np.power(mu, 1 - p) / (1 - p) + np.power(mu, 2 - p) / (2 - p))
        return float(np.dot(w, unit))


def _xlogy_ratio(y, mu):
    out = np.zeros_like(mu)
    positive = y > 0
    out[positive] = y[positive] * np.log(y[positive] / mu[positive])
    return out


DEFAULT_LINKS = {"gaussian": "identity", "binomial": "logit", "multinomial": "multinomial", "poisson": "log",
                 "gamma": "inverse", "tweedie": "tweedie"}


# ---------------------------------------------------------------------------------------------
# Settings and results
# ---------------------------------------------------------------------------------------------

@dataclass
class Settings:
    """What the solver needs, already translated from H2O's parameters."""

    family: str = "gaussian"
    link: str = "identity"
    tweedie_variance_power: float = 0.0
    tweedie_link_power: float = 1.0
    alphas: list = field(default_factory=lambda: [0.5])
    lambdas: list = None               # None: H2O's default (a fraction of lambda_max)
    lambda_search: bool = False
    nlambdas: int = -1
    lambda_min_ratio: float = -1.0
    early_stopping: bool = True
    intercept: bool = True
    non_negative: bool = False
    max_iterations: int = -1
    beta_epsilon: float = 1e-4
    objective_epsilon: float = -1.0
    gradient_epsilon: float = -1.0
    obj_reg: float = -1.0
    compute_p_values: bool = False
    remove_collinear_columns: bool = False
    dispersion_method: str = "pearson"
    prior: float = -1.0
    nclasses: int = 1
    penalties: list = field(default_factory=list)   # [(column indices, S)] GAM smoothing penalties

    @property
    def multinomial(self):
        return self.family == "multinomial"


@dataclass
class Submodel:
    lambda_value: float
    alpha: float
    beta: np.ndarray            # (p + 1,) or (k, p + 1); intercept first
    iterations: int
    train_deviance: float
    valid_deviance: float = None


@dataclass
class Solution:
    beta: np.ndarray            # (p + 1,) or (k, p + 1); intercept first; 0 for dropped columns
    lambda_value: float
    alpha: float
    lambda_max: float
    iterations: int
    submodels: list
    best_index: int
    dropped: list = field(default_factory=list)      # collinear columns removed (indices into X)
    covariance: np.ndarray = None   # of beta (p-values); zero rows for dropped columns
    distribution: object = None     # of the Wald statistic: t (estimated dispersion) or normal
    dispersion: float = None
    lambda_min_ratio: float = None
    nlambdas: int = None


class Stop(Exception):
    """The monitor asked training to stop; the coefficients so far are kept."""


# ---------------------------------------------------------------------------------------------
# The model's linear predictor
# ---------------------------------------------------------------------------------------------

def linear_predictor(X, beta):
    """eta = b0 + X b for a (p + 1,) beta, or an (n, k) matrix for a (k, p + 1) beta."""
    if beta.ndim == 1:
        # einsum, not BLAS: on a tall, narrow X numpy's own loop is twice as fast as OpenBLAS's
        # matrix-vector product (0.02 s against 0.04 s on 800k x 41), and it leaves BLAS's
        # worker threads asleep instead of spinning against the rest of the work.
        return np.einsum("ij,j->i", X, beta[1:]) + beta[0]
    return X @ beta[:, 1:].T + beta[:, 0]


def mean_response(X, beta, settings):
    """Predictions in response units: means (n,) or class probabilities (n, k)."""
    eta = linear_predictor(X, beta)
    if settings.multinomial:
        return _softmax(eta)
    mu = make_link(settings).inverse(eta)
    if settings.family == "binomial":
        return np.column_stack([1 - mu, mu])
    return mu


def _softmax(eta):
    eta = eta - eta.max(axis=1, keepdims=True)
    e = np.exp(eta)
    return e / e.sum(axis=1, keepdims=True)


def make_link(settings):
    return Link(settings.link, settings.tweedie_link_power)


def make_family(settings):
    return Family(settings.family, settings.tweedie_variance_power)


# ---------------------------------------------------------------------------------------------
# The penalized quadratic step
# ---------------------------------------------------------------------------------------------

def _penalty_hessian(p1, settings, ridge):
    """Quadratic penalty's Hessian on (intercept, b): ridge on b, plus 2 S for GAM blocks."""
    H = np.zeros((p1, p1))
    idx = np.arange(1, p1)
    H[idx, idx] = ridge
    for columns, S in settings.penalties:
        positions = np.asarray(columns) + 1
        H[np.ix_(positions, positions)] += 2.0 * S
    return H


def solve_quadratic(G, r, l1, H_pen, non_negative, start, intercept):
    """argmin 0.5 b'(G + H_pen)b - r'b + l1 * |b[1:]|_1 (b >= 0 for b[1:] when non_negative).

    ``b[0]`` is the intercept, held at 0 when ``intercept`` is false.
    """
    H = G + H_pen
    free = np.arange(H.shape[0]) if intercept else np.arange(1, H.shape[0])
    if l1 <= 0 and not non_negative:
        b = np.zeros(H.shape[0])
        sub = H[np.ix_(free, free)]
        try:
            c, lower = linalg.cho_factor(sub, check_finite=False)
            b[free] = linalg.cho_solve((c, lower), r[free], check_finite=False)
        except linalg.LinAlgError:
            b[free] = linalg.lstsq(sub, r[free], check_finite=False)[0]
        return b
    return _coordinate_descent(H, r, l1, non_negative, start, intercept)


def _coordinate_descent(H, r, l1, non_negative, start, intercept, tol=1e-10, max_sweeps=5000):
    """Cyclic coordinate descent on the Gram matrix (covariance updates, glmnet style)."""
    b = start.copy()
    if not intercept:
        b[0] = 0.0
    grad = r - H @ b   # r - H b, kept current as b changes
    scale = max(np.abs(r).max(), 1e-300)
    # A few hundred sweeps of ~40 coordinates: the scalars are Python floats (numpy scalar
    # arithmetic was most of the loop's time) and H's columns contiguous rows; same arithmetic.
    columns = np.ascontiguousarray(H.T)
    diag = np.diag(H).tolist()
    beta = b.tolist()
    for _ in range(max_sweeps):
        largest = 0.0
        for j in range(0 if intercept else 1, len(beta)):
            d = diag[j]
            if d <= 0:
                continue
            old = beta[j]
            z = grad.item(j) + d * old
            if j == 0:
                new = z / d
            else:
                new = math.copysign(max(abs(z) - l1, 0.0), z) / d
                if non_negative and new < 0:
                    new = 0.0
            if new != old:
                delta = new - old
                grad -= columns[j] * delta
                beta[j] = new
                largest = max(largest, abs(delta) * d)
        if largest <= tol * scale:
            break
    return np.array(beta)


# ---------------------------------------------------------------------------------------------
# IRLS for one lambda
# ---------------------------------------------------------------------------------------------

_POOL = None


def _pool():
    """Threads for the row blocks of the Gram matrix (one per core)."""
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1), thread_name_prefix="glm-gram")
    return _POOL


# Bytes of X per Gram block: a block and its weighted copy stay in a core's cache while BLAS
# reads them (blocks of 32768 rows, 10 MB at 41 columns, took 20-30% longer on 800k rows).
_GRAM_BLOCK_BYTES = 2 << 20


def _gram_block_rows(p):
    return max(256, _GRAM_BLOCK_BYTES // (8 * max(p, 1)))


class _Problem:
    """Data and settings of one fit, with the pieces every IRLS iteration needs."""

    def __init__(self, X, y, w, settings):
        self.X, self.y, self.w, self.settings = X, y, w, settings
        self.family = make_family(settings)
        self.link = make_link(settings)
        self.wsum = float(w.sum())
        self.obj_reg = settings.obj_reg if settings.obj_reg > 0 else 1.0 / self.wsum
        self.p = X.shape[1]
        if settings.multinomial:
            k = settings.nclasses
            self.Y = np.zeros((len(y), k))
            self.Y[np.arange(len(y)), y.astype(np.int64)] = 1.0
            prior = (w @ self.Y) / self.wsum
            self.ymu = prior
        else:
            self.ymu = float(np.dot(w, y) / self.wsum)

    # -- objective ----------------------------------------------------------------------------
    def eta(self, beta, X=None):
        """The linear predictor on the training rows (or on ``X``).

        Every fit starts from an intercept-only beta (and a large lambda keeps it there): its eta
        is the intercept, with no pass over X, whose rows here are all finite.
        """
        X = self.X if X is None else X
        if beta[..., 1:].any():
            return linear_predictor(X, beta)
        return np.tile(beta[..., 0], (X.shape[0],) + (1,) * (beta.ndim - 1))

    def deviance(self, beta, X=None, y=None, w=None, eta=None):
        y = self.y if y is None else y
        w = self.w if w is None else w
        eta = self.eta(beta, X) if eta is None else eta
        if self.settings.multinomial:
            P = _softmax(eta)
            picked = np.maximum(P[np.arange(len(y)), y.astype(np.int64)], 1e-300)
            return float(-2.0 * np.dot(w, np.log(picked)))
        return self.family.deviance(y, self.link.inverse(eta), w)

    def penalty(self, beta, lam, alpha):
        b = beta[..., 1:]
        value = lam * (alpha * np.abs(b).sum() + 0.5 * (1 - alpha) * (b * b).sum())
        for columns, S in self.settings.penalties:
            block = b[..., np.asarray(columns)]
            value += float(np.sum((block @ S) * block))
        return value

    def objective(self, beta, lam, alpha, eta=None):
        return self.obj_reg * self.deviance(beta, eta=eta) / 2.0 + self.penalty(beta, lam, alpha)

    # -- Gram ----------------------------------------------------------------------------------
    def gram(self, W, z, block=None):
        """(G, r) of the weighted least squares step, scaled by obj_reg; index 0 is the intercept.

        Rows go in cache-sized blocks, shared among threads (numpy releases the GIL); BLAS runs
        single-threaded inside (see :func:`fit`), which is both faster here and immune to
        OpenBLAS's busy-waiting when the machine is loaded.
        """
        X = self.X
        p = self.p
        block = block or _gram_block_rows(p)
        starts = range(0, X.shape[0], block)

        def part(start):
            rows = slice(start, start + block)
            Xb = X[rows]
            Wb = W[rows]
            Xs = Xb * np.sqrt(Wb)[:, None]
            wz = Wb * z[rows]
            return Xs.T @ Xs, Wb @ Xb, wz @ Xb, wz.sum()

        G = np.zeros((p + 1, p + 1))
        r = np.zeros(p + 1)
        for xtwx, xw, xwz, wz in _pool().map(part, starts):
            G[1:, 1:] += xtwx
            G[0, 1:] += xw
            r[1:] += xwz
            r[0] += wz
        G[0, 0] = W.sum()
        G[1:, 0] = G[0, 1:]
        return G * self.obj_reg, r * self.obj_reg

    def working(self, eta, y):
        """IRLS weights and working response at eta."""
        mu = self.family.clip(self.link.inverse(eta))
        d = self.link.derivative(eta, mu)
        var = self.family.variance(mu)
        W = self.w * d * d / var
        z = eta + (y - mu) / np.where(np.abs(d) < _MU_EPS, _MU_EPS, d)
        return W, z

    def null_beta(self):
        """Coefficients of the intercept-only model (what IRLS starts from)."""
        p1 = self.p + 1
        if self.settings.multinomial:
            beta = np.zeros((self.settings.nclasses, p1))
            if self.settings.intercept:
                beta[:, 0] = np.log(np.maximum(self.ymu, 1e-300))
            return beta
        beta = np.zeros(p1)
        if self.settings.intercept:
            beta[0] = float(self.link.link(np.asarray(self.ymu)))
        return beta

    def gradient(self, beta):
        """Gradient of obj_reg * deviance / 2 (no penalty); rows per class for multinomial."""
        eta = self.eta(beta)
        if self.settings.multinomial:
            residual = (self.Y - _softmax(eta)) * self.w[:, None]
            return -(residual.T @ self.X) * self.obj_reg
        mu = self.family.clip(self.link.inverse(eta))
        d = self.link.derivative(eta, mu)
        residual = self.w * (self.y - mu) * d / self.family.variance(mu)
        return -np.einsum("i,ij->j", residual, self.X) * self.obj_reg


def _irls(problem, beta, lam, alpha, max_iterations, on_iteration, objective_epsilon, beta_epsilon):
    """Iterate to the penalized optimum for one (lambda, alpha); returns (beta, iterations, eta),
    eta being beta's linear predictor on the training rows."""
    s = problem.settings
    H_pen = _penalty_hessian(problem.p + 1, s, lam * (1 - alpha))
    l1 = lam * alpha
    eta = problem.eta(beta)
    objective = problem.objective(beta, lam, alpha, eta)
    iterations = 0
    while iterations < max_iterations:
        iterations += 1
        if s.multinomial:
            new = beta.copy()
            for c in range(s.nclasses):
                class_eta = problem.eta(new)
                P = _softmax(class_eta)
                pc = np.clip(P[:, c], _MU_EPS, 1 - _MU_EPS)
                W = problem.w * pc * (1 - pc)
                z = class_eta[:, c] + (problem.Y[:, c] - pc) / (pc * (1 - pc))
                G, r = problem.gram(W, z)
                new[c] = solve_quadratic(G, r, l1, H_pen, s.non_negative, new[c], s.intercept)
        else:
            W, z = problem.working(eta, problem.y)
            G, r = problem.gram(W, z)
            new = solve_quadratic(G, r, l1, H_pen, s.non_negative, beta, s.intercept)
        new_eta = problem.eta(new)
        new_objective = problem.objective(new, lam, alpha, new_eta)
        # Step halving keeps IRLS from overshooting with non-canonical links.
        halvings = 0
        while not (new_objective <= objective * (1 + 1e-12) + 1e-15) and halvings < 20:
            new = 0.5 * (beta + new)
            new_eta = problem.eta(new)
            new_objective = problem.objective(new, lam, alpha, new_eta)
            halvings += 1
        change = float(np.max(np.abs(new - beta))) if new.size else 0.0
        improvement = (objective - new_objective) / max(abs(objective), 1e-300)
        if new_objective <= objective * (1 + 1e-12) + 1e-15:
            beta, objective, eta = new, new_objective, new_eta
        if on_iteration is not None and not on_iteration(beta):
            raise Stop(beta)
        if change < beta_epsilon or improvement < objective_epsilon:
            break
    return beta, iterations, eta


# ---------------------------------------------------------------------------------------------
# Collinear columns and p-values
# ---------------------------------------------------------------------------------------------

def collinear_columns(G, tol=1e-8):
    """Columns (0-based, excluding the intercept at index 0) in the span of earlier ones."""
    kept = [0] if G[0, 0] > 0 else []
    dropped = []
    for j in range(1, G.shape[0]):
        gjj = G[j, j]
        if gjj <= 0:
            dropped.append(j - 1)
            continue
        if kept:
            sub = G[np.ix_(kept, kept)]
            v = linalg.solve(sub, G[kept, j], assume_a="pos", check_finite=False)
            residual = gjj - float(G[kept, j] @ v)
        else:
            residual = gjj
        if residual <= tol * gjj:
            dropped.append(j - 1)
        else:
            kept.append(j)
    return dropped


def wald_statistics(problem, beta, settings):
    """Standard errors, z (or t) values, p-values and dispersion at ``beta`` (H2O's Wald test)."""
    eta = problem.eta(beta)
    W, _ = problem.working(eta, problem.y)
    G, _ = problem.gram(W, np.zeros_like(W))
    G = G / problem.obj_reg
    active = np.arange(len(beta)) if settings.intercept else np.arange(1, len(beta))
    nobs = int(np.count_nonzero(problem.w > 0))
    estimated = settings.family not in ("binomial", "poisson")
    dispersion = 1.0
    if estimated:
        mu = problem.family.clip(problem.link.inverse(eta))
        pearson = float(np.dot(problem.w, (problem.y - mu) ** 2 / problem.family.variance(mu)))
        if settings.dispersion_method == "deviance":
            pearson = problem.family.deviance(problem.y, mu, problem.w)
        dispersion = pearson / max(nobs - 1 - (len(active) - (1 if settings.intercept else 0)), 1)
    sub = G[np.ix_(active, active)]
    try:
        inverse = linalg.inv(sub, check_finite=False)
    except linalg.LinAlgError as err:
        raise InvalidArgument(
            "compute_p_values", "P-values cannot be computed: the Gram matrix is singular (collinear columns); "
            "set remove_collinear_columns=true.") from err
    covariance = np.zeros((len(beta), len(beta)))
    covariance[np.ix_(active, active)] = inverse * dispersion
    rank = int(np.count_nonzero(beta))
    distribution = stats.t(max(nobs - rank, 1)) if estimated else stats.norm()
    return covariance, dispersion, distribution


def wald_tests(beta, covariance, distribution):
    """Standard errors, z values and two-sided p-values of coefficients with this covariance."""
    se = np.sqrt(np.maximum(np.diag(covariance), 0.0))
    se = np.where(se > 0, se, np.nan)
    z = beta / se
    p = np.where(np.isnan(z), np.nan, 2 * distribution.cdf(-np.abs(np.nan_to_num(z))))
    return se, z, p


# ---------------------------------------------------------------------------------------------
# The whole fit: lambdas, alphas, selection
# ---------------------------------------------------------------------------------------------

def fit(X, y, w, settings, valid=None, on_iteration=None):
    """Fit a penalized GLM; ``valid`` is an optional (X, y, w) used to pick the best lambda.

    ``on_iteration(beta)`` is called after every IRLS iteration; returning False stops the fit.
    """
    with threadpool_limits(limits=1, user_api="blas"):
        return _fit(X, y, w, settings, valid, on_iteration)


def _fit(X, y, w, settings, valid, on_iteration):
    dropped = []
    problem = _Problem(X, y, w, settings)
    if settings.remove_collinear_columns or settings.compute_p_values:
        G, _ = problem.gram(problem.w, np.zeros(len(y)))
        if not settings.intercept:
            G[0, :] = G[:, 0] = 0.0
        found = collinear_columns(G)
        if found and not settings.remove_collinear_columns:
            raise InvalidArgument(
                "compute_p_values", "P-values cannot be computed with collinear columns; set "
                "remove_collinear_columns=true to drop them.")
        if found:
            dropped = found
            keep = np.setdiff1d(np.arange(X.shape[1]), found)
            settings = _without_columns(settings, keep)
            problem = _Problem(X[:, keep], y, w, settings)
    valid_problem = None
    if valid is not None:
        vX = valid[0] if not dropped else valid[0][:, np.setdiff1d(np.arange(X.shape[1]), dropped)]
        valid_problem = (vX, valid[1], valid[2])

    null = problem.null_beta()
    gradient = problem.gradient(null)
    penalized_gradient = _without_smoothing_columns(gradient, settings)
    lambda_max_raw = float(np.abs(penalized_gradient).max()) if penalized_gradient.size else 0.0
    nobs = int(np.count_nonzero(w > 0))
    lambda_min_ratio = settings.lambda_min_ratio
    best_sub, submodels, total_iterations = None, [], 0
    lambda_max = None
    nlambdas_used = None
    for alpha in settings.alphas:
        lmax = lambda_max_raw / max(1e-2, alpha)
        lambda_max = lmax if lambda_max is None else lambda_max
        ratio = lambda_min_ratio
        if ratio == -1:
            ratio = 1e-4 if (nobs >> 4) > X.shape[1] else 1e-2
            if alpha == 0:
                ratio *= 1e-2
        lambda_min_ratio_used = ratio
        if settings.lambdas is not None:
            lambdas = list(settings.lambdas)
        elif settings.lambda_search:
            n = settings.nlambdas if settings.nlambdas != -1 else (30 if alpha == 0 else 100)
            nlambdas_used = n
            lambdas = list(lmax * np.power(ratio, np.arange(n) / max(n - 1, 1)))
        else:
            lambdas = [10 * ratio * lmax]
        max_iterations = settings.max_iterations
        if max_iterations == -1:
            max_iterations = 10 * len(lambdas) if settings.lambda_search else 50
        objective_epsilon = settings.objective_epsilon
        if objective_epsilon == -1:
            objective_epsilon = 1e-4 if settings.lambda_search else (1e-6 if lambdas[0] == 0 else 1e-4)
        path = []
        beta = null
        budget = max_iterations
        lam = lambdas[0]
        try:
            for lam in lambdas:
                if budget <= 0:
                    break
                beta, iterations, eta = _irls(problem, beta.copy(), lam, alpha, budget, on_iteration,
                                              objective_epsilon, settings.beta_epsilon)
                budget -= iterations
                total_iterations += iterations
                sub = Submodel(lam, alpha, beta.copy(), total_iterations, problem.deviance(beta, eta=eta))
                if valid_problem is not None:
                    sub.valid_deviance = problem.deviance(beta, *valid_problem)
                path.append(sub)
                if settings.lambda_search and settings.early_stopping and _path_flat(path):
                    break
        except Stop as stop:
            beta = stop.args[0]
            path.append(Submodel(lam, alpha, beta.copy(), total_iterations, problem.deviance(beta)))
            if valid_problem is not None:
                path[-1].valid_deviance = problem.deviance(beta, *valid_problem)
            submodels.extend(path)
            best_sub = _better(best_sub, _pick(path, valid_problem is not None), valid_problem is not None)
            break
        submodels.extend(path)
        best_sub = _better(best_sub, _pick(path, valid_problem is not None), valid_problem is not None)

    beta = best_sub.beta
    if settings.prior > 0 and settings.family == "binomial" and settings.intercept:
        ymu = problem.ymu
        beta = beta.copy()
        beta[0] += -np.log(ymu * (1 - settings.prior) / (settings.prior * (1 - ymu)))
    solution = Solution(beta, best_sub.lambda_value, best_sub.alpha, lambda_max, total_iterations, submodels,
                        submodels.index(best_sub), dropped, lambda_min_ratio=lambda_min_ratio_used,
                        nlambdas=nlambdas_used)
    if settings.compute_p_values:
        covariance, dispersion, distribution = wald_statistics(problem, beta, settings)
        if dropped:
            full = np.zeros((X.shape[1] + 1, X.shape[1] + 1))
            keep = np.concatenate([[0], np.setdiff1d(np.arange(X.shape[1]), dropped) + 1])
            full[np.ix_(keep, keep)] = covariance
            covariance = full
        solution.covariance, solution.distribution = covariance, distribution
        solution.dispersion = dispersion
    if dropped:
        solution.beta = _reinsert(solution.beta, dropped, X.shape[1], 0.0)
        for sub in submodels:
            sub.beta = _reinsert(sub.beta, dropped, X.shape[1], 0.0)
    return solution


def _without_columns(settings, keep):
    position = {int(c): i for i, c in enumerate(keep)}
    penalties = []
    for columns, S in settings.penalties:
        inside = [i for i, c in enumerate(columns) if int(c) in position]
        penalties.append(([position[int(columns[i])] for i in inside], S[np.ix_(inside, inside)]))
    return Settings(**{**settings.__dict__, "penalties": penalties})


def _without_smoothing_columns(gradient, settings):
    """H2O leaves GAM spline columns out of lambda_max: their gradients can be huge."""
    if not settings.penalties:
        return gradient
    smoothed = np.concatenate([np.asarray(c, dtype=np.int64) for c, _ in settings.penalties])
    keep = np.setdiff1d(np.arange(gradient.shape[-1]), smoothed)
    return gradient[..., keep]


def _reinsert(values, dropped, p, fill):
    """Put back entries for removed columns (intercept is entry 0)."""
    keep = np.setdiff1d(np.arange(p), dropped) + 1
    shape = values.shape[:-1] + (p + 1,)
    out = np.full(shape, fill, dtype=float)
    out[..., 0] = values[..., 0]
    out[..., keep] = values[..., 1:]
    return out


def _path_flat(path, rounds=3, tolerance=1e-4):
    """Lambda search's own early stop: the deviance it watches stopped improving."""
    if len(path) <= rounds:
        return False
    score = [s.valid_deviance if s.valid_deviance is not None else s.train_deviance for s in path]
    before, now = score[-rounds - 1], score[-1]
    return (before - now) <= tolerance * abs(before)


def _pick(path, by_validation):
    if by_validation:
        return min(path, key=lambda s: s.valid_deviance)
    return path[-1]


def _better(a, b, by_validation):
    if a is None:
        return b
    key = (lambda s: s.valid_deviance) if by_validation else (lambda s: s.train_deviance)
    return b if key(b) < key(a) else a
