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
from scipy import linalg, optimize, stats
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
    selected: int = None        # the submodel to keep, when cross-validation chose it (else H2O's pick)
    resumable: bool = False     # keep the data so that cross-validation can extend the path (Solution.extend)
    start: np.ndarray = None    # the user's starting coefficients (startval), intercept first; None: the null model
    # beta_constraints, on the scale of X, intercept first: bounds (None: unbounded) and the
    # proximal penalty 0.5 * rho * (b - beta_given)^2 (rho None: none).
    lower: np.ndarray = None
    upper: np.ndarray = None
    beta_given: np.ndarray = None
    rho: np.ndarray = None
    # linear_constraints: (A, c, equal), A[k] b + c[k] == 0 where equal[k], else <= 0 (b on the
    # scale of X, intercept first); None: none.
    linear: tuple = None

    @property
    def multinomial(self):
        return self.family == "multinomial"


@dataclass
class Submodel:
    lambda_value: float
    alpha: float
    beta: np.ndarray            # (p + 1,) or (k, p + 1); intercept first
    iterations: int             # IRLS iterations of this alpha's path so far (H2O-3 counts per alpha)
    train_deviance: float       # mean deviance per training row (H2O-3's avgDev)
    valid_deviance: float = None    # mean deviance per validation row
    covariance: np.ndarray = None   # of beta, when p-values are computed (zero rows for dropped columns)


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
    lambdas: list = None            # the path every alpha went down
    intercept_shift: float = 0.0    # added to the kept intercept (binomial prior)
    extend: object = None           # (alpha, count) -> that alpha's submodels, fitted on to count (resumable fits)
    lambda_1se: float = None        # cross-validation's one-standard-error lambda

    def select(self, index):
        """Keep submodel ``index``: its coefficients become the model's."""
        sub = self.submodels[index]
        beta = sub.beta.copy()
        if self.intercept_shift:
            beta[..., 0] += self.intercept_shift
        self.beta, self.lambda_value, self.alpha, self.best_index = beta, sub.lambda_value, sub.alpha, index


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


def coefficient_bounds(settings, p1):
    """(lower, upper) bounds of the coefficients (intercept first) from non_negative and
    beta_constraints, or None when they are free."""
    if settings.lower is None and settings.upper is None and not settings.non_negative:
        return None
    lower = np.full(p1, -np.inf) if settings.lower is None else np.asarray(settings.lower, dtype=float).copy()
    upper = np.full(p1, np.inf) if settings.upper is None else np.asarray(settings.upper, dtype=float).copy()
    if settings.non_negative:
        lower[1:] = np.maximum(lower[1:], 0.0)
    return lower, upper


def solve_quadratic(G, r, l1, H_pen, bounds, start, intercept):
    """argmin 0.5 b'(G + H_pen)b - r'b + l1 * |b[1:]|_1 with ``bounds`` (lower, upper) on b, or
    None.

    ``b[0]`` is the intercept, held at 0 when ``intercept`` is false.
    """
    H = G + H_pen
    free = np.arange(H.shape[0]) if intercept else np.arange(1, H.shape[0])
    if l1 <= 0 and bounds is None:
        b = np.zeros(H.shape[0])
        sub = H[np.ix_(free, free)]
        try:
            c, lower = linalg.cho_factor(sub, check_finite=False)
            b[free] = linalg.cho_solve((c, lower), r[free], check_finite=False)
        except linalg.LinAlgError:
            b[free] = linalg.lstsq(sub, r[free], check_finite=False)[0]
        return b
    return _coordinate_descent(H, r, l1, bounds, start, intercept)


def solve_constrained_quadratic(H, r, bounds, linear, start):
    """argmin 0.5 b'Hb - r'b under linear constraints (A, c, equal) and ``bounds`` (or None),
    by sequential least squares on the small Gram-sized problem. When the constraints
    contradict each other the closest point found is returned (the model's constraints table
    then says which ones fail)."""
    A, c, equal = linear
    constraints = []
    if equal.any():
        Ae, ce = A[equal], c[equal]
        constraints.append({"type": "eq", "fun": lambda b: Ae @ b + ce, "jac": lambda b: Ae})
    if (~equal).any():
        Al, cl = A[~equal], c[~equal]
        constraints.append({"type": "ineq", "fun": lambda b: -(Al @ b + cl), "jac": lambda b: -Al})

    def objective(b):
        Hb = H @ b
        return 0.5 * b @ Hb - r @ b, Hb - r

    box = None if bounds is None else [(None if np.isneginf(lo) else lo, None if np.isposinf(hi) else hi)
                                       for lo, hi in zip(*bounds)]
    result = optimize.minimize(objective, np.asarray(start, dtype=float), jac=True, method="SLSQP", bounds=box,
                               constraints=constraints, options={"ftol": 1e-15, "maxiter": 2000})
    return result.x


def constraints_hold(beta, linear, tol=1e-8):
    A, c, equal = linear
    values = A @ beta + c
    return bool(np.all(np.abs(values[equal]) <= tol) and np.all(values[~equal] <= tol))


def _coordinate_descent(H, r, l1, bounds, start, intercept, tol=1e-10, max_sweeps=5000):
    """Cyclic coordinate descent on the Gram matrix (covariance updates, glmnet style); each
    coordinate's step is clipped into its bounds (the problem stays convex and separable in
    its constraints, so the cycle still converges)."""
    b = start.copy()
    lower = upper = None
    if bounds is not None:
        lower, upper = bounds
        b = np.clip(b, lower, upper)
    if not intercept:
        b[0] = 0.0
    # The exact solve on a support (below) knows zero bounds only.
    sign_bounds = bounds is None or (np.all((lower == 0) | np.isneginf(lower)) and np.all(np.isposinf(upper)))
    non_negative = lower == 0 if bounds is not None else None
    lower = lower.tolist() if bounds is not None else None
    upper = upper.tolist() if bounds is not None else None
    grad = r - H @ b   # r - H b, kept current as b changes
    scale = max(np.abs(r).max(), 1e-300)
    # A few hundred sweeps of ~40 coordinates: the scalars are Python floats (numpy scalar
    # arithmetic was most of the loop's time) and H's columns contiguous rows; same arithmetic.
    columns = np.ascontiguousarray(H.T)
    diag = np.diag(H).tolist()
    beta = b.tolist()
    tried = None
    for _ in range(max_sweeps):
        before = _support(beta)
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
            if lower is not None:
                new = min(max(new, lower[j]), upper[j])
            if new != old:
                delta = new - old
                grad -= columns[j] * delta
                beta[j] = new
                largest = max(largest, abs(delta) * d)
        if largest <= tol * scale:
            break
        # Once a sweep leaves the nonzero set as it was, try solving on it exactly: on the
        # correlated inputs of a metalearner, coordinate descent needs hundreds of sweeps to
        # reach the same point, and a lambda search makes thousands of these calls.
        active = _support(beta)
        if sign_bounds and active == before and active != tried and len(active) <= _EXACT_MOST:
            tried = active
            exact = _solve_on_support(H, r, l1, non_negative, intercept, beta, active)
            if exact is not None:
                return exact
    return np.array(beta)


# Largest support solved exactly (a Cholesky factorization of its size).
_EXACT_MOST = 256


def _support(beta):
    """Positions of the nonzero coefficients."""
    return tuple(j for j, value in enumerate(beta) if value != 0.0)


def _solve_on_support(H, r, l1, non_negative, intercept, beta, support):
    """The exact minimizer of solve_quadratic's problem if its nonzero coefficients are
    ``support`` with the signs they have in ``beta``; None when that guess fails the optimality
    conditions (a sign flips, or a coefficient held at zero should move). ``non_negative``
    marks the coefficients bounded below by 0 (None: none)."""
    support = sorted(set(support) | {0} if intercept else set(support) - {0})
    if not support:
        return None
    support = np.array(support, dtype=np.intp)
    signs = np.sign(np.asarray(beta)[support])
    signs[support == 0] = 0.0           # the intercept is not penalized
    try:
        factor = linalg.cho_factor(H[np.ix_(support, support)], check_finite=False)
    except linalg.LinAlgError:
        return None
    b = np.zeros(len(r))
    b[support] = linalg.cho_solve(factor, r[support] - l1 * signs, check_finite=False)
    penalized = support != 0
    if np.any(b[support][penalized] * signs[penalized] <= 0):
        return None
    held = np.setdiff1d(np.arange(1, len(r)), support)
    held = held[np.diag(H)[held] > 0]
    gradient = r[held] - H[held] @ b
    slack = l1 * (1 + 1e-9) + 1e-12 * max(np.abs(r).max(), 1.0)
    if non_negative is not None:
        gradient = np.where(non_negative[held], gradient, np.abs(gradient))
    else:
        gradient = np.abs(gradient)
    if np.any(gradient > slack):
        return None
    return b


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
        value = self.obj_reg * self.deviance(beta, eta=eta) / 2.0 + self.penalty(beta, lam, alpha)
        if self.settings.rho is not None:
            value += 0.5 * float(np.sum(self.settings.rho * (beta - self.settings.beta_given) ** 2))
        return value

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
    bounds = coefficient_bounds(s, problem.p + 1)
    proximal = 0.0
    if s.rho is not None:
        # 0.5 rho (b - beta_given)^2: rho on the diagonal, rho beta_given on the right side.
        H_pen[np.diag_indices_from(H_pen)] += s.rho
        proximal = s.rho * s.beta_given
    l1 = lam * alpha
    if bounds is not None and not s.multinomial:
        beta = np.clip(beta, *bounds)       # a feasible start, so every accepted step stays feasible
    # From a start outside the linear constraints the first step is taken whatever its objective:
    # it is the first feasible point, and every later one is measured from it.
    infeasible_start = s.linear is not None and not constraints_hold(beta, s.linear)
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
                new[c] = solve_quadratic(G, r, l1, H_pen, bounds, new[c], s.intercept)
        else:
            W, z = problem.working(eta, problem.y)
            G, r = problem.gram(W, z)
            if s.linear is not None:
                new = solve_constrained_quadratic(G + H_pen, r + proximal, bounds, s.linear, beta)
            else:
                new = solve_quadratic(G, r + proximal, l1, H_pen, bounds, beta, s.intercept)
        new_eta = problem.eta(new)
        new_objective = problem.objective(new, lam, alpha, new_eta)
        forced = infeasible_start
        if forced:
            infeasible_start = False
            objective = max(objective, new_objective)
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
        if not forced and (change < beta_epsilon or improvement < objective_epsilon):
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
            if on_iteration is not None:
                # The live history scores the model on all columns: the dropped ones weigh 0.
                report, width = on_iteration, X.shape[1]
                on_iteration = lambda beta: report(_reinsert(beta, dropped, width, 0.0))  # noqa: E731
    valid_problem = None
    if valid is not None:
        vX = valid[0] if not dropped else valid[0][:, np.setdiff1d(np.arange(X.shape[1]), dropped)]
        valid_problem = (vX, valid[1], valid[2])

    path = _Path(problem, valid_problem, settings, on_iteration)
    submodels, total_iterations = [], 0
    for alpha in settings.alphas:
        try:
            fitted = path.run(alpha)
        except Stop as stop:
            fitted = stop.args[1]
            submodels.extend(fitted)
            total_iterations += fitted[-1].iterations if fitted else 0
            break
        submodels.extend(fitted)
        total_iterations += fitted[-1].iterations if fitted else 0

    if settings.selected is not None and settings.selected < len(submodels):
        best = settings.selected
    else:
        best = best_submodel(submodels)
    shift = 0.0
    if settings.prior > 0 and settings.family == "binomial" and settings.intercept:
        ymu = problem.ymu
        shift = -np.log(ymu * (1 - settings.prior) / (settings.prior * (1 - ymu)))
    solution = Solution(None, None, None, path.lambda_max, total_iterations, submodels, best, dropped,
                        lambda_min_ratio=path.lambda_min_ratio, nlambdas=path.nlambdas, lambdas=path.lambdas,
                        intercept_shift=shift)
    solution.select(best)
    if settings.compute_p_values:
        # Every submodel gets its Wald statistics: the regularization path reports them all.
        keep = np.concatenate([[0], np.setdiff1d(np.arange(X.shape[1]), dropped) + 1])
        for index, sub in enumerate(submodels):
            covariance, dispersion, distribution = wald_statistics(problem, sub.beta, settings)
            if dropped:
                full = np.zeros((X.shape[1] + 1, X.shape[1] + 1))
                full[np.ix_(keep, keep)] = covariance
                covariance = full
            sub.covariance = covariance
            if index == best:
                solution.covariance, solution.distribution = covariance, distribution
                solution.dispersion = dispersion
    if dropped:
        for sub in submodels:
            sub.beta = _reinsert(sub.beta, dropped, X.shape[1], 0.0)
        solution.select(best)
    if settings.resumable:
        solution.extend = lambda alpha, count: _extend(solution, path, alpha, count, dropped, X.shape[1])
    return solution


def lambda_path(X, y, w, settings):
    """The lambdas a fit of these rows goes down (cross-validation shares the main model's)."""
    with threadpool_limits(limits=1, user_api="blas"):
        return _Path(_Problem(X, y, w, settings), None, settings, None).lambdas


def best_submodel(submodels):
    """H2O-3's pick along a path (GLMModel.pickBestModel): a later submodel wins when its training
    deviance is lower and its validation deviance, if any, is no higher. Without validation rows
    that is the last submodel of the best alpha."""
    best = 0
    for i, sub in enumerate(submodels):
        ahead = submodels[best]
        valid, valid_best = _or_nan(sub.valid_deviance), _or_nan(ahead.valid_deviance)
        if not valid > valid_best and sub.train_deviance < ahead.train_deviance:
            best = i
    return best


def _or_nan(value):
    return np.nan if value is None else value


class _Path:
    """The regularization path of one fit: the lambdas every alpha goes down, and the IRLS fits
    along them. It outlives the fit when cross-validation may need a fold's path extended."""

    HISTORY = 5     # H2O-3 stops a path when the last 5 relative deviance improvements are flat

    def __init__(self, problem, valid_problem, settings, on_iteration):
        self.problem, self.valid_problem, self.settings = problem, valid_problem, settings
        self.on_iteration = on_iteration
        self.null = problem.null_beta()
        # As in H2O-3, a user's start replaces the null model as the first fit's start, and
        # lambda_max is measured there.
        self.start = self.null if settings.start is None else np.asarray(settings.start, dtype=float)
        penalized_gradient = _without_smoothing_columns(problem.gradient(self.start), settings)
        lambda_max_raw = float(np.abs(penalized_gradient).max()) if penalized_gradient.size else 0.0
        nobs = int(np.count_nonzero(problem.w > 0))
        self.nobs = max(nobs, 1)
        # As in H2O-3 one path serves every alpha: lambda_max and the default ratio follow the first alpha.
        first = settings.alphas[0]
        self.lambda_max = lambda_max_raw / max(1e-2, first)
        ratio = settings.lambda_min_ratio
        if ratio == -1:
            ratio = 1e-4 if (nobs >> 4) > problem.p else 1e-2
            if first == 0:
                ratio *= 1e-2
        self.lambda_min_ratio = ratio
        self.nlambdas = None
        if settings.lambdas is not None:
            self.lambdas = [float(v) for v in settings.lambdas]
        elif settings.lambda_search:
            n = settings.nlambdas if settings.nlambdas != -1 else (30 if first == 0 else 100)
            self.nlambdas = n
            self.lambdas = list(self.lambda_max * np.power(ratio, np.arange(n) / max(n - 1, 1)))
        else:
            self.lambdas = [10 * ratio * self.lambda_max]
        self.max_iterations = settings.max_iterations
        if self.max_iterations == -1:
            self.max_iterations = 10 * len(self.lambdas) if settings.lambda_search else 50
        self.objective_epsilon = settings.objective_epsilon
        if self.objective_epsilon == -1:
            self.objective_epsilon = 1e-4 if settings.lambda_search else (1e-6 if self.lambdas[0] == 0 else 1e-4)
        self.null_train = problem.deviance(self.null) / self.nobs
        self.null_valid = self._valid_deviance(self.null)
        self.last = {}      # alpha -> its last submodel's coefficients (on the fitted columns)
        # H2O-3 keeps one deviance memory and one submodel count over all alphas: the first
        # improvement of an alpha is measured from the previous alpha's last submodel, and the
        # improvements fill a ring indexed by the count of submodels so far.
        self.old_train = self.null_train if settings.lambda_search else np.nan
        self.old_valid = _or_nan(self.null_valid) if settings.lambda_search else np.nan
        self.count = 0

    def _valid_deviance(self, beta):
        if self.valid_problem is None:
            return None
        vX, vy, vw = self.valid_problem
        return self.problem.deviance(beta, vX, vy, vw) / max(int(np.count_nonzero(vw > 0)), 1)

    def run(self, alpha):
        """Submodels of ``alpha`` from the null model down the lambdas; stops early as H2O-3 does
        when the training deviance (or, with validation rows, the validation deviance) stopped
        improving. Raises Stop(beta, submodels so far) when the monitor says stop."""
        train_gains, valid_gains = [0.0] * self.HISTORY, [0.0] * self.HISTORY
        submodels = []
        for lam in self.lambdas:
            done = submodels[-1].iterations if submodels else 0
            if done >= self.max_iterations:
                break
            try:
                sub = self._submodel(alpha, lam, submodels[-1] if submodels else None, self.max_iterations - done)
            except Stop as stop:
                beta = stop.args[0]
                self.last[alpha] = beta
                submodels.append(Submodel(lam, alpha, beta.copy(), done, self.problem.deviance(beta) / self.nobs,
                                          self._valid_deviance(beta)))
                raise Stop(beta, submodels) from None
            slot = self.count % self.HISTORY
            self.count += 1
            submodels.append(sub)
            train_gains[slot] = (self.old_train - sub.train_deviance) / self.old_train
            valid = _or_nan(sub.valid_deviance)
            valid_gains[slot] = (self.old_valid - valid) / self.old_valid
            self.old_train, self.old_valid = sub.train_deviance, valid
            if self.settings.early_stopping and lam < self.lambda_max and sub.iterations >= self.HISTORY:
                if _java_max(train_gains) < 1e-4:
                    break
                if self.valid_problem is not None and _java_max(valid_gains) < 0:
                    break
        return submodels

    def _submodel(self, alpha, lam, previous, budget):
        """The fit at (lambda, alpha), warm-started from the previous submodel of the path."""
        done = previous.iterations if previous is not None else 0
        if lam >= self.lambda_max and lam * alpha > 0 and (previous is not None or alpha == self.settings.alphas[0]):
            # At or above lambda_max the L1 penalty keeps every coefficient at zero (H2O-3 does not iterate);
            # except, in H2O-3, at the first lambda of a later alpha, whose cold start sets lambda to 0.
            beta, iterations = self.start, 0
            train = self.problem.deviance(beta) / self.nobs
        else:
            start = self.last[alpha] if previous is not None else self.start
            if budget > 0:
                beta, iterations, eta = _irls(self.problem, start.copy(), lam, alpha, budget, self.on_iteration,
                                              self.objective_epsilon, self.settings.beta_epsilon)
                train = self.problem.deviance(beta, eta=eta) / self.nobs
            else:
                beta, iterations = start, 0
                train = self.problem.deviance(beta) / self.nobs
        self.last[alpha] = beta
        return Submodel(lam, alpha, beta.copy(), done + iterations, train, self._valid_deviance(beta))


def _java_max(values):
    """Java's ArrayUtils.maxValue: NaN in the first slot wins (H2O-3's path never stops then)."""
    result = values[0]
    for v in values[1:]:
        result = max(result, v)     # keeps result unless v > result, as Java's loop does
    return result


def _extend(solution, path, alpha, count, dropped, p):
    """Fit ``alpha``'s path of ``solution`` on to ``count`` submodels, as H2O-3 does for a fold
    that stopped before the lambda the other folds reached; returns that alpha's submodels."""
    own = [i for i, sub in enumerate(solution.submodels) if sub.alpha == alpha]
    chosen = solution.submodels[solution.best_index]
    where = own[-1] + 1 if own else len(solution.submodels)
    previous = solution.submodels[own[-1]] if own else None
    path.on_iteration = None    # the fold's monitor is done with; its deadline must not cut this short
    added = []
    for lam in path.lambdas[len(own):count]:
        done = previous.iterations if previous is not None else 0
        sub = path._submodel(alpha, lam, previous, path.max_iterations - done)
        previous = sub
        if dropped:
            sub.beta = _reinsert(sub.beta, dropped, p, 0.0)
        added.append(sub)
    solution.submodels[where:where] = added
    solution.best_index = next(i for i, sub in enumerate(solution.submodels) if sub is chosen)
    return [sub for sub in solution.submodels if sub.alpha == alpha]


def _without_columns(settings, keep):
    position = {int(c): i for i, c in enumerate(keep)}
    penalties = []
    for columns, S in settings.penalties:
        inside = [i for i, c in enumerate(columns) if int(c) in position]
        penalties.append(([position[int(columns[i])] for i in inside], S[np.ix_(inside, inside)]))
    kept = np.concatenate([[0], np.asarray(keep, dtype=np.intp) + 1])
    per_coefficient = {name: np.asarray(getattr(settings, name))[..., kept]
                       for name in ("start", "lower", "upper", "beta_given", "rho") if getattr(settings, name) is not None}
    if settings.linear is not None:
        A, c, equal = settings.linear
        per_coefficient["linear"] = (A[:, kept], c, equal)   # a dropped column's coefficient is 0
    return Settings(**{**settings.__dict__, "penalties": penalties, **per_coefficient})


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
