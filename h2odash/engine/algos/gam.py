"""GAM: a GLM whose gam_columns enter through penalized cubic regression splines.

Each gam column gets ``num_knots`` knots at evenly spaced quantiles of its training values. Its
cubic regression spline basis (one function per knot, valued by the curve at the knots) is
centered like H2O's (a Householder transform drops one column so the smooth sums to zero over
the training rows), and the curve's wiggliness (integrated squared second derivative) becomes
a quadratic penalty ``scale * b' S b`` on those coefficients. The other predictors enter
linearly. The penalized GLM of :mod:`glm_solver` does the fitting.
"""

from dataclasses import dataclass, replace

import numpy as np

from h2odash.engine.algos import glm
from h2odash.engine.algos.base import Algorithm
from h2odash.engine.errors import InvalidArgument
from h2odash.engine.frames import numeric_values
from h2odash.engine.model_data import features_matrix
from h2odash.engine.parameters import COMMON, class_balance_parameters, extend
from h2odash.engine.parameters import Parameter as P

CUBIC_REGRESSION = 0
_KNOT_EPS = 1e-6

_GAM_DEFAULTS = {"tweedie_link_power": 0.0, "theta": 0.0, "standardize": False}
GAM_FAMILIES = ("AUTO", "gaussian", "binomial", "quasibinomial", "ordinal", "multinomial", "poisson", "gamma",
                "tweedie", "negativebinomial", "fractionalbinomial")
_shared = [replace(p, default=_GAM_DEFAULTS[p.name], gridable=p.gridable and p.name != "standardize")
           if p.name in _GAM_DEFAULTS else p for p in glm.SHARED]
_shared = [replace(p, values=GAM_FAMILIES) if p.name == "family" else p for p in _shared]
_insert_at = [p.name for p in _shared].index("intercept")
_shared.insert(_insert_at, P("splines_non_negative", "boolean[]", None, "critical",
                             "Monotone direction of I-spline smoothers (not implemented).", supported=False,
                             gridable=True))

parameters = extend(
    COMMON,
    *_shared,
    *class_balance_parameters(balances=False),
    P("max_confusion_matrix_size", "int", 20, "secondary", "Largest confusion matrix shown in metrics."),
    P("num_knots", "int[]", None, "critical", "Knots per gam column (default 10).", gridable=True),
    P("spline_orders", "int[]", None, "critical", "Order of I/M-spline smoothers (not implemented).",
      supported=False, gridable=True),
    P("knot_ids", "string[]", None, "secondary", "Frames of given knot locations (not implemented).",
      supported=False),
    P("gam_columns", "string[][]", None, "critical", "Columns smoothed by splines, one smoother per entry.",
      required=True, gridable=True),
    P("standardize_tp_gam_cols", "boolean", False, "secondary", "Thin plate option (not implemented).",
      supported=False),
    P("scale_tp_penalty_mat", "boolean", False, "secondary", "Thin plate option (not implemented).",
      supported=False),
    P("bs", "int[]", None, "critical", "Spline type per gam column (0: cubic regression spline; others not "
                                       "implemented).", gridable=True),
    P("scale", "double[]", None, "critical", "Smoothing penalty weight per gam column (default 1).", gridable=True),
    P("keep_gam_cols", "boolean", False, "secondary", "Keep the spline columns as a frame (not implemented).",
      supported=False),
    P("store_knot_locations", "boolean", False, "secondary", "Report knot locations (not implemented).",
      supported=False),
    overrides=glm.STOPPING_OVERRIDE,
    drop=("categorical_encoding", "checkpoint", "custom_metric_func"),
)


# ---------------------------------------------------------------------------------------------
# Cubic regression splines
# ---------------------------------------------------------------------------------------------

@dataclass
class CubicSpline:
    """One gam column's centered cubic regression spline basis and its smoothing penalty."""

    column: str
    knots: np.ndarray
    F: np.ndarray          # (k, k): second derivatives at the knots from the values at the knots
    Z: np.ndarray          # (k, k - 1): centering transform
    penalty: np.ndarray    # (k - 1, k - 1), scaled

    @classmethod
    def fit(cls, column, x, num_knots, scale):
        knots = knot_locations(x, num_knots)
        F, S = _second_derivative_map(knots)
        raw = _basis(x, knots, F)
        # H2O's penalty scaling (as R's mgcv): max row sum of |basis| squared over the inf-norm of S.
        row_sum = np.abs(raw).sum(axis=1).max()
        norm = np.abs(S).sum(axis=1).max()
        if norm > 0 and np.isfinite(row_sum):
            S = S * (row_sum * row_sum / norm)
        Z = _centering(raw.mean(axis=0))
        return cls(column, knots, F, Z, scale * (Z.T @ S @ Z))

    def basis(self, x):
        return _basis(x, self.knots, self.F) @ self.Z

    def names(self):
        # H2O's names for centered cubic regression spline columns.
        return [f"{self.column}_{CUBIC_REGRESSION}_center_cs__{i}" for i in range(self.Z.shape[1])]


def knot_locations(x, num_knots):
    """Knots at evenly spaced quantiles, the end ones pushed out slightly (as H2O)."""
    distinct = np.unique(x)
    if len(distinct) < num_knots:
        raise InvalidArgument("num_knots", f"num_knots={num_knots} is more than the {len(distinct)} distinct values "
                                           "of the gam column; use fewer knots.")
    knots = np.quantile(x, np.linspace(0, 1, num_knots))
    knots[0] -= _KNOT_EPS
    knots[-1] += _KNOT_EPS
    if np.any(np.diff(knots) <= 0):
        knots = np.quantile(distinct, np.linspace(0, 1, num_knots))
        knots[0] -= _KNOT_EPS
        knots[-1] += _KNOT_EPS
    return knots


def _second_derivative_map(knots):
    """F = [0; B^-1 D; 0] (second derivatives at the knots) and the penalty S = D' B^-1 D."""
    k = len(knots)
    h = np.diff(knots)
    D = np.zeros((k - 2, k))
    B = np.zeros((k - 2, k - 2))
    for i in range(k - 2):
        D[i, i] = 1.0 / h[i]
        D[i, i + 1] = -1.0 / h[i] - 1.0 / h[i + 1]
        D[i, i + 2] = 1.0 / h[i + 1]
        B[i, i] = (h[i] + h[i + 1]) / 3.0
        if i + 1 < k - 2:
            B[i, i + 1] = B[i + 1, i] = h[i + 1] / 6.0
    BinvD = np.linalg.solve(B, D)
    F = np.zeros((k, k))
    F[1:-1] = BinvD
    return F, D.T @ BinvD


def _basis(x, knots, F):
    """Cubic regression spline basis at x (n, k); x beyond the end knots uses the end intervals."""
    k = len(knots)
    h = np.diff(knots)
    j = np.clip(np.searchsorted(knots, x, side="right") - 1, 0, k - 2)
    hj = h[j]
    right = knots[j + 1] - x
    left = x - knots[j]
    a_minus, a_plus = right / hj, left / hj
    c_minus = (right ** 3 / hj - hj * right) / 6.0
    c_plus = (left ** 3 / hj - hj * left) / 6.0
    rows = np.arange(len(x))
    out = c_minus[:, None] * F[j] + c_plus[:, None] * F[j + 1]
    out[rows, j] += a_minus
    out[rows, j + 1] += a_plus
    return out


def _centering(u):
    """H2O's centering: a Householder reflection taking u to the first axis, first column dropped."""
    u = u.astype(float).copy()
    magnitude = float(u @ u)
    u[0] -= (-1.0 if u[0] > 0 else 1.0) * np.sqrt(magnitude)
    H = np.eye(len(u)) - 2.0 * np.outer(u, u) / float(u @ u)
    return H[:, 1:]


# ---------------------------------------------------------------------------------------------
# Parameters
# ---------------------------------------------------------------------------------------------

def gam_columns_of(params, spec):
    """The gam columns, one name per smoother (multi-column thin plate smoothers are refused)."""
    given = params.get("gam_columns")
    if not given:
        raise InvalidArgument("gam_columns", "gam_columns is required: name the columns to smooth.")
    names = []
    for entry in glm._as_list(given):
        group = glm._as_list(entry)
        if len(group) != 1:
            raise InvalidArgument("gam_columns", f"Smoothers of several columns ({group}) are not implemented.")
        names.append(str(group[0]))
    for name in names:
        if name not in spec.names:
            raise InvalidArgument("gam_columns", f"gam column '{name}' is not a predictor of the training frame.")
        if spec.kinds[spec.names.index(name)] != "numeric":
            raise InvalidArgument("gam_columns", f"gam column '{name}' must be numeric.")
    return names


def smoother_settings(params, spec):
    """(gam columns, knots per column, scale per column) from H2O's parameters."""
    columns = gam_columns_of(params, spec)
    n = len(columns)

    def per_column(name, default):
        values = params.get(name)
        if values in (None, []):
            return [default] * n
        values = glm._as_list(values)
        if len(values) != n:
            raise InvalidArgument(name, f"{name} needs one value per gam column ({n}); got {len(values)}.")
        return values

    knots = [int(k) if int(k) > 0 else 10 for k in per_column("num_knots", 10)]
    if any(k < 3 for k in knots):
        raise InvalidArgument("num_knots", "num_knots must be at least 3 for cubic regression splines.")
    bs = [int(b) for b in per_column("bs", CUBIC_REGRESSION)]
    if any(b != CUBIC_REGRESSION for b in bs):
        raise InvalidArgument("bs", "Only bs=0 (cubic regression splines) is implemented.")
    scales = [float(s) for s in per_column("scale", 1.0)]
    if any(s < 0 for s in scales):
        raise InvalidArgument("scale", "scale must be non-negative.")
    return columns, knots, scales


# ---------------------------------------------------------------------------------------------
# Fitted model and algorithm
# ---------------------------------------------------------------------------------------------

class GAMFitted(glm.GLMFitted):
    """A GLM on the linear predictors plus the spline bases of the gam columns."""

    table_name = "gam coefficients"
    contributions = None   # H2O-3 has none for GAM; the GLM's would leave out the splines

    def __init__(self, splines, nlinear, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.splines = splines
        self.nlinear = nlinear

    def expand(self, X):
        return expand(X, self.nlinear, self.splines)

    def predict(self, X):
        return glm._predict(self.expand(np.asarray(X, dtype=float)), self.beta, self.settings)


def expand(X, nlinear, splines):
    """Layout X (linear block, then raw gam columns) -> solver X (linear block, then spline bases)."""
    blocks = [X[:, :nlinear]]
    for i, spline in enumerate(splines):
        x = X[:, nlinear + i]
        finite = np.isfinite(x)
        basis = np.full((len(x), spline.Z.shape[1]), np.nan)
        basis[finite] = spline.basis(x[finite])
        blocks.append(basis)
    return np.hstack(blocks)


class GAM(glm.GLM):
    name = "gam"
    full_name = "Generalized Additive Model"
    model_prefix = "GAM"
    standardize = False
    parameters = parameters

    # H2O-3's GAM leaves each fold to pick its own penalty (no cross-validated choice as in GLM).
    folds_see_holdout = Algorithm.folds_see_holdout
    fold_params = Algorithm.fold_params
    main_model_params = Algorithm.main_model_params

    output_aliases = {"glm_scoring_history": "scoring_history", "glm_model_summary": "model_summary"}

    def kept_columns(self, params):
        given = params.get("gam_columns") or []
        return [str(name) for entry in glm._as_list(given) for name in glm._as_list(entry)]

    def check(self, params, spec):
        super().check(params, spec)
        smoother_settings(params, spec)

    def _linear_spec(self, spec, params):
        columns = set(gam_columns_of(params, spec))
        keep = [i for i, name in enumerate(spec.names) if name not in columns]
        return replace(spec, names=[spec.names[i] for i in keep], kinds=[spec.kinds[i] for i in keep])

    def layout(self, frame, spec, params, rows=None):
        """The linear predictors as GLM lays them out, then each gam column raw (mean-imputed)."""
        linear_spec = self._linear_spec(spec, params)
        standardize = params.get("standardize", self.standardize)
        n = frame.nrows if rows is None else len(rows)
        blocks = []
        if linear_spec.names:
            blocks.append(features_matrix(frame, linear_spec, standardize=standardize,
                                          use_all_levels=glm.uses_all_levels(params), rows=rows))
        else:
            blocks.append(np.empty((n, 0)))
        for name in gam_columns_of(params, spec):
            i = frame.names.index(name)
            values = numeric_values(frame.table.column(i), frame.types[i])
            values = values[rows] if rows is not None else values.copy()
            if params.get("missing_values_handling") != "Skip":
                mean = spec.means.get(name, 0.0)
                values = np.where(np.isfinite(values), values, mean if np.isfinite(mean) else 0.0)
            blocks.append(values[:, None])
        X = np.hstack(blocks)
        if params.get("missing_values_handling") == "Skip":
            X = glm.skip_missing(X, frame, linear_spec, linear_spec.names, rows)
        return X

    def fit(self, data, params, monitor):
        spec = data.spec
        columns, knots, scales = smoother_settings(params, spec)
        linear_spec = self._linear_spec(spec, params)
        all_levels = glm.uses_all_levels(params)
        linear_names = linear_spec.onehot_names(all_levels) if linear_spec.names else []
        nlinear = len(linear_names)
        X, _, _ = glm.usable(np.asarray(data.X, dtype=float), np.asarray(data.y), np.asarray(data.w, dtype=float))
        rows_used = np.asarray(data.w) > 0
        if X.shape[0] == len(rows_used):
            X = X[rows_used]
        splines = [CubicSpline.fit(name, X[:, nlinear + i], knots[i], scales[i]) for i, name in enumerate(columns)]
        settings = glm.solver_settings(params, spec, spec.nclasses)
        start = nlinear
        for spline in splines:
            width = spline.Z.shape[1]
            settings.penalties.append((list(range(start, start + width)), spline.penalty))
            start += width
        names = linear_names + [n for s in splines for n in s.names()]
        means, sigmas = glm.column_scales(linear_spec, all_levels) if linear_names else (np.empty(0), np.empty(0))
        spline_count = len(names) - nlinear
        means = np.concatenate([means, np.zeros(spline_count)])
        sigmas = np.concatenate([sigmas, np.ones(spline_count)])

        def transform(X):
            return expand(X, nlinear, splines)

        def predictor_of(beta):
            return lambda X: glm._predict(transform(np.asarray(X, dtype=float)), beta, settings)

        solution = glm.run_solver(data, settings, monitor, predictor_of, transform)
        return GAMFitted(splines, nlinear, solution, settings, names, means, sigmas,
                         bool(params.get("standardize", False)), spec, params)


ALGORITHM = GAM()
