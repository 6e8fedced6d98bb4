"""GLM: H2O's generalized linear model (elastic net, lambda search, p-values) on the IRLSM solver.

The numerics live in :mod:`h2odash.engine.algos.glm_solver`; this module declares H2O's
parameters, translates them (:meth:`GLM.settings`), and turns the solution into H2O's output:
coefficients on the original and the standardized scale, the model summary and the
standardized-coefficient variable importances.
"""


from dataclasses import replace

import numpy as np

from h2odash.engine.algos import glm_constraints, glm_cv, glm_design, glm_metrics, glm_solver
from h2odash.engine.algos.base import Algorithm, Fitted
from h2odash.engine.contributions import Contributions
from h2odash.engine.errors import InvalidArgument
from h2odash.engine.frames import numeric_values
from h2odash.engine.model_data import BINOMIAL, MULTINOMIAL, REGRESSION
from h2odash.engine.parameters import COMMON, class_balance_parameters, extend
from h2odash.engine.parameters import Parameter as P
from h2odash.engine.tables import Table, col

FAMILIES = ("AUTO", "gaussian", "binomial", "fractionalbinomial", "quasibinomial", "ordinal", "multinomial",
            "poisson", "gamma", "tweedie", "negativebinomial")
IMPLEMENTED_FAMILIES = ("AUTO", "gaussian", "binomial", "multinomial", "poisson", "gamma", "tweedie")
SOLVERS = ("AUTO", "IRLSM", "L_BFGS", "COORDINATE_DESCENT_NAIVE", "COORDINATE_DESCENT", "GRADIENT_DESCENT_LH",
           "GRADIENT_DESCENT_SQERR")
LINKS = ("family_default", "identity", "logit", "log", "inverse", "tweedie", "ologit")
GLM_STOPPING_METRICS = ("AUTO", "deviance", "logloss", "MSE", "RMSE", "MAE", "RMSLE", "AUC", "AUCPR", "lift_top_group",
                        "misclassification", "mean_per_class_error", "anomaly_score", "AUUC", "ATE", "ATT", "ATC",
                        "qini", "custom", "custom_increasing")
# Links each family accepts (H2O's rule).
FAMILY_LINKS = {
    "gaussian": ("identity", "log", "inverse"),
    "binomial": ("logit",),
    "multinomial": ("multinomial",),
    "poisson": ("log", "identity"),
    "gamma": ("inverse", "log", "identity"),
    "tweedie": ("tweedie",),
}


def _unsupported(name, type_, default, level, help_, **kw):
    return P(name, type_, default, level, help_, supported=False, **kw)


# Parameters GLM and GAM share, after COMMON; each algorithm adds or drops a few.
SHARED = [
    P("family", "enum", "AUTO", "critical",
      "Distribution of the response (AUTO: binomial/multinomial for categorical, gaussian otherwise).",
      values=FAMILIES),
    P("tweedie_variance_power", "double", 0.0, "critical", "Tweedie variance power p (variance = mu^p).",
      gridable=True),
    P("tweedie_link_power", "double", 1.0, "critical", "Tweedie link power (eta = mu^q; 0 means log).",
      gridable=True),
    _unsupported("theta", "double", 1e-10, "critical", "Negative binomial dispersion (not implemented).",
                 gridable=True),
    P("solver", "enum", "AUTO", "critical",
      "Optimizer. IRLSM with coordinate descent serves AUTO, IRLSM, L_BFGS and the COORDINATE_DESCENT kinds.",
      values=SOLVERS),
    P("alpha", "double[]", None, "critical",
      "Elastic-net mix: 1 is lasso, 0 is ridge (default 0.5, or 0 with L_BFGS).", gridable=True),
    P("lambda", "double[]", None, "critical",
      "Regularization strength (default: a fraction of lambda_max; 0 turns regularization off).", gridable=True),
    P("lambda_search", "boolean", False, "critical", "Fit a path of decreasing lambdas from lambda_max."),
    P("early_stopping", "boolean", True, "critical", "End the lambda search when the deviance stops improving."),
    P("nlambdas", "int", -1, "critical", "Number of lambdas in the search (-1: 100, or 30 for ridge)."),
    P("standardize", "boolean", True, "critical", "Standardize numeric predictors before fitting.", gridable=True),
    P("missing_values_handling", "enum", "MeanImputation", "expert",
      "Missing predictor values: replace by the training mean, or skip the row (PlugValues not implemented).",
      values=("MeanImputation", "Skip", "PlugValues"), gridable=True),
    _unsupported("plug_values", "Key<Frame>", None, "critical", "Frame of values for PlugValues (not implemented)."),
    P("compute_p_values", "boolean", False, "secondary",
      "Report standard errors, z values and p-values of the coefficients (IRLSM only)."),
    P("remove_collinear_columns", "boolean", False, "secondary",
      "Drop predictors that are linear combinations of earlier ones."),
    P("intercept", "boolean", True, "expert", "Fit an intercept."),
    P("non_negative", "boolean", False, "critical", "Constrain coefficients to be non-negative."),
    P("max_iterations", "int", -1, "secondary", "Most solver iterations (-1: 50, or 10 per lambda in a search).",
      min=-1),
    P("objective_epsilon", "double", -1.0, "expert",
      "Stop when the objective improves by less than this, relatively (-1: 1e-6 unregularized, else 1e-4)."),
    P("beta_epsilon", "double", 1e-4, "expert", "Stop when no coefficient moves by more than this."),
    P("gradient_epsilon", "double", -1.0, "expert", "Gradient convergence threshold (-1: automatic)."),
    P("link", "enum", "family_default", "secondary", "Link function (family_default: the family's canonical one).",
      values=LINKS),
    _unsupported("startval", "double[]", None, "critical", "Initial coefficients (not implemented).", gridable=True),
    P("prior", "double", -1.0, "expert",
      "Prior probability of class 1 when the training data were over/under-sampled (binomial; -1: none)."),
    _unsupported("cold_start", "boolean", False, "critical",
                 "Start each lambda from zero instead of the previous solution (not implemented)."),
    P("lambda_min_ratio", "double", -1.0, "expert",
      "Smallest lambda of the search, as a fraction of lambda_max (-1: 1e-4, or 1e-2 with few rows)."),
    _unsupported("beta_constraints", "Key<Frame>", None, "critical", "Bounds on coefficients (not implemented)."),
    _unsupported("max_active_predictors", "int", -1, "expert",
                 "Most non-zero coefficients in a lambda search (not implemented)."),
    _unsupported("interactions", "string[]", None, "expert", "Columns to interact pairwise (not implemented)."),
    _unsupported("interaction_pairs", "StringPair[]", None, "expert", "Column pairs to interact (not implemented)."),
    P("obj_reg", "double", -1.0, "critical", "Weight of the likelihood in the objective (-1: 1 / number of rows)."),
]

STOPPING_OVERRIDE = {"stopping_metric": {"values": GLM_STOPPING_METRICS}}

# What GLM does and GAM does not (GAM keeps SHARED's refusals).
GLM_ONLY = {p.name: p for p in [
    P("startval", "double[]", None, "critical",
      "Initial coefficients, in the order of the model's coefficient names with the intercept last, on "
      "the standardized scale when standardize is on.", gridable=True),
    P("interactions", "string[]", None, "expert", "Columns to interact: every pair of them gets interaction columns."),
    P("interaction_pairs", "StringPair[]", None, "expert", "Pairs of columns to interact."),
    P("beta_constraints", "Key<Frame>", None, "critical",
      "Frame of coefficient bounds: names, lower_bounds, upper_bounds, and a proximal penalty beta_given, rho."),
    P("linear_constraints", "Key<Frame>", None, "critical",
      "Frame of linear constraints on the coefficients: names, values, types (Equal, LessThanEqual), "
      "constraint_numbers; 'constant' names the constant term. Needs lambda=0 and solver IRLSM."),
]}

parameters = extend(
    COMMON,
    P("score_iteration_interval", "int", -1, "secondary",
      "Score every this many iterations (not implemented; scoring follows the engine's schedule).",
      supported=False),
    *[GLM_ONLY.get(p.name, p) for p in SHARED],
    P("dispersion_parameter_method", "enum", "pearson", "secondary",
      "How the dispersion of p-values is estimated (ml not implemented).", values=("deviance", "pearson", "ml")),
    _unsupported("init_dispersion_parameter", "double", 1.0, "expert", "Starting dispersion (not implemented).",
                 gridable=True),
    P("calc_like", "boolean", False, "critical",
      "Compute the log-likelihood and the AIC from it (gaussian, binomial, poisson); gaussian models then "
      "compute p-values and drop collinear columns, as in H2O-3."),
    _unsupported("control_variables", "string[]", None, "expert",
                 "Predictors kept out of predictions (not implemented)."),
    _unsupported("remove_offset_effects", "boolean", False, "expert",
                 "Remove the offset from predictions (not implemented)."),
    *class_balance_parameters(balances=False),
    P("max_confusion_matrix_size", "int", 20, "secondary", "Largest confusion matrix shown in metrics."),
    P("generate_scoring_history", "boolean", False, "secondary", "Keep a scoring history while fitting."),
    _unsupported("dispersion_epsilon", "double", 1e-4, "secondary", "Dispersion ML tolerance (not implemented)."),
    _unsupported("tweedie_epsilon", "double", 8e-17, "secondary", "Tweedie series tolerance (not implemented)."),
    _unsupported("max_iterations_dispersion", "int", 3000, "secondary",
                 "Dispersion ML iterations (not implemented)."),
    _unsupported("build_null_model", "boolean", False, "expert", "Fit the intercept only (not implemented)."),
    _unsupported("fix_dispersion_parameter", "boolean", False, "expert", "Hold dispersion fixed (not implemented)."),
    _unsupported("generate_variable_inflation_factors", "boolean", False, "expert",
                 "Variance inflation factors (not implemented)."),
    _unsupported("fix_tweedie_variance_power", "boolean", True, "secondary",
                 "Keep tweedie_variance_power fixed (estimating it is not implemented)."),
    _unsupported("dispersion_learning_rate", "double", 0.5, "expert", "Dispersion ML step (not implemented).",
                 gridable=True),
    _unsupported("influence", "enum", None, "expert", "Regression influence diagnostics (not implemented).",
                 values=("dfbetas",)),
    GLM_ONLY["linear_constraints"],
    _unsupported("init_optimal_glm", "boolean", False, "secondary", "Constrained GLM start (not implemented).",
                 gridable=True),
    _unsupported("separate_linear_beta", "boolean", False, "secondary", "Constrained GLM option (not implemented).",
                 gridable=True),
    _unsupported("constraint_eta0", "double", 0.1258925, "expert", "Constrained GLM option (not implemented).",
                 gridable=True),
    _unsupported("constraint_tau", "double", 10.0, "expert", "Constrained GLM option (not implemented).",
                 gridable=True),
    _unsupported("constraint_alpha", "double", 0.1, "expert", "Constrained GLM option (not implemented).",
                 gridable=True),
    _unsupported("constraint_beta", "double", 0.9, "expert", "Constrained GLM option (not implemented).",
                 gridable=True),
    _unsupported("constraint_c0", "double", 10.0, "expert", "Constrained GLM option (not implemented).",
                 gridable=True),
    overrides=STOPPING_OVERRIDE,
    drop=("categorical_encoding",),
)


# ---------------------------------------------------------------------------------------------
# Translation of H2O parameters
# ---------------------------------------------------------------------------------------------

def family_of(params, spec):
    family = params.get("family") or "AUTO"
    if family == "AUTO":
        return {BINOMIAL: "binomial", MULTINOMIAL: "multinomial", REGRESSION: "gaussian"}[spec.category]
    return family


def check_family(params, spec, full_name):
    """Refuse what the data and the family cannot do together."""
    family = params.get("family") or "AUTO"
    if family not in IMPLEMENTED_FAMILIES:
        raise InvalidArgument("family", f"family '{family}' is not implemented by this engine's {full_name}.")
    family = family_of(params, spec)
    if family == "binomial" and spec.category != BINOMIAL:
        raise InvalidArgument("family", "family=binomial needs a categorical response with two levels "
                                        f"(response '{spec.response}' is {spec.category.lower()}).")
    if family == "multinomial" and spec.category not in (MULTINOMIAL, BINOMIAL):
        raise InvalidArgument("family", "family=multinomial needs a categorical response.")
    if family in ("gaussian", "poisson", "gamma", "tweedie") and spec.category != REGRESSION:
        raise InvalidArgument("family", f"family={family} needs a numeric response; response '{spec.response}' is "
                                        "categorical.")


def solver_settings(params, spec, nclasses):
    """H2O's parameters -> glm_solver.Settings (the one place where names are translated)."""
    family = family_of(params, spec)
    link = params.get("link") or "family_default"
    if link == "family_default":
        link = glm_solver.DEFAULT_LINKS[family]
    if link not in FAMILY_LINKS[family]:
        raise InvalidArgument("link", f"link '{link}' is not available for family {family} "
                                      f"(use one of {', '.join(FAMILY_LINKS[family])}).")
    solver = params.get("solver") or "AUTO"
    if solver.startswith("GRADIENT_DESCENT"):
        raise InvalidArgument("solver", f"solver {solver} (for ordinal models) is not implemented.")
    alphas = params.get("alpha")
    if not alphas:
        alphas = [0.0 if solver == "L_BFGS" else 0.5]
    alphas = [float(a) for a in _as_list(alphas)]
    if any(a < 0 or a > 1 for a in alphas):
        raise InvalidArgument("alpha", "alpha must be in [0, 1].")
    lambdas = params.get("lambda")
    lambdas = [float(v) for v in _as_list(lambdas)] if lambdas not in (None, []) else None
    if lambdas is not None and any(v < 0 for v in lambdas):
        raise InvalidArgument("lambda", "lambda must be >= 0.")
    compute_p = bool(params.get("compute_p_values"))
    if compute_p:
        if solver not in ("AUTO", "IRLSM"):
            raise InvalidArgument("compute_p_values", f"P-values can only be computed with the IRLSM solver, "
                                                      f"not {solver}.")
        if family == "multinomial":
            raise InvalidArgument("compute_p_values", "P-values are not supported for family=multinomial.")
        if params.get("non_negative"):
            raise InvalidArgument("compute_p_values", "P-values are not supported with non_negative=true.")
    if params.get("calc_like"):
        if family not in glm_metrics.LIKELIHOOD_FAMILIES:
            raise InvalidArgument("calc_like", f"calc_like is not implemented by this engine for family {family} "
                                               f"(only {', '.join(glm_metrics.LIKELIHOOD_FAMILIES)}).")
        if family == "gaussian":
            # H2O-3 estimates the dispersion the likelihood needs with the p-values.
            compute_p = True
            params = {**params, "remove_collinear_columns": True}
    if params.get("remove_collinear_columns") and not params.get("intercept", True):
        raise InvalidArgument("intercept", "remove_collinear_columns is not supported without an intercept.")
    if params.get("dispersion_parameter_method", "pearson") == "ml":
        raise InvalidArgument("dispersion_parameter_method", "dispersion_parameter_method=ml is not implemented.")
    if params.get("missing_values_handling", "MeanImputation") == "PlugValues":
        raise InvalidArgument("missing_values_handling", "missing_values_handling=PlugValues is not implemented.")
    prior = float(params.get("prior", -1.0))
    if prior != -1 and not 0 < prior < 1:
        raise InvalidArgument("prior", "prior must be in (0, 1).")
    if prior != -1 and family != "binomial":
        raise InvalidArgument("prior", "prior is only allowed with family=binomial.")
    obj_reg = float(params.get("obj_reg", -1.0))
    if obj_reg != -1 and obj_reg <= 0:
        raise InvalidArgument("obj_reg", "obj_reg must be positive, or -1 for the default.")
    vp = float(params.get("tweedie_variance_power", 0.0))
    if family == "tweedie" and 0 < vp < 1:
        raise InvalidArgument("tweedie_variance_power", "tweedie_variance_power must be 0 or at least 1.")
    return glm_solver.Settings(
        family=family, link=link, tweedie_variance_power=vp,
        tweedie_link_power=float(params.get("tweedie_link_power", 1.0)),
        alphas=alphas, lambdas=lambdas, lambda_search=bool(params.get("lambda_search")) and lambdas is None,
        nlambdas=int(params.get("nlambdas", -1)), lambda_min_ratio=float(params.get("lambda_min_ratio", -1.0)),
        early_stopping=bool(params.get("early_stopping", True)), intercept=bool(params.get("intercept", True)),
        non_negative=bool(params.get("non_negative")), max_iterations=int(params.get("max_iterations", -1)),
        beta_epsilon=float(params.get("beta_epsilon", 1e-4)),
        objective_epsilon=float(params.get("objective_epsilon", -1.0)),
        gradient_epsilon=float(params.get("gradient_epsilon", -1.0)), obj_reg=obj_reg,
        compute_p_values=compute_p, remove_collinear_columns=bool(params.get("remove_collinear_columns")),
        dispersion_method=params.get("dispersion_parameter_method", "pearson"), prior=prior, nclasses=nclasses,
    )


def _as_list(value):
    if isinstance(value, (list, tuple, np.ndarray)):
        return list(value)
    return [value]


def h2o_coefficient_order(spec, use_all_levels):
    """Positions, in this engine's coefficients (intercept first, predictors in frame order, then
    interactions), of H2O-3's coefficients (glm_design.Design.h2o_order, intercept last)."""
    return glm_design.Design(spec, use_all_levels).h2o_order()


def design_of(fitted):
    """The glm_design.Design a fitted GLM's coefficients follow."""
    use_all = len(fitted.names) == len(glm_design.Design(fitted.spec, True).names())
    return glm_design.Design(fitted.spec, use_all)


def start_coefficients(params, spec):
    """startval (H2O-3's order, intercept last) as the solver's start (intercept first), or None."""
    startval = params.get("startval")
    if startval in (None, []):
        return None
    if family_of(params, spec) == "multinomial":
        raise InvalidArgument("startval", "startval is not implemented for family=multinomial.")
    all_levels = uses_all_levels(params)
    order = h2o_coefficient_order(spec, all_levels)
    startval = [float(v) for v in _as_list(startval)]
    if len(startval) != len(order):
        names = [glm_design.Design(spec, all_levels).names()[c - 1] for c in order[:-1]]
        raise InvalidArgument("startval", f"Initial coefficient length ({len(startval)}) does not equal to actual GLM "
                                          f"coefficient length({len(order)}).\n  The order of coefficients should be "
                                          f"the following:\n" + "\n".join(names) + "\n Intercept.")
    start = np.empty(len(order))
    start[order] = startval
    return start


def check_linear_constraints(params, spec):
    """What H2O-3's constrained GLM refuses."""
    solver = (params.get("solver") or "AUTO").upper()
    if solver != "IRLSM":
        raise InvalidArgument("solver", "constrained GLM is only available for IRLSM.  Please set solver to IRLSM/irlsm "
                                        "explicitly.")
    if not params.get("intercept", True):
        raise InvalidArgument("intercept", "constrained GLM is only supported with when intercept=true.")
    lambdas = params.get("lambda")
    if params.get("lambda_search") or lambdas in (None, []) or any(float(v) != 0 for v in _as_list(lambdas)):
        raise InvalidArgument("lambda", "Regularization is not allowed for constrained GLM.  Set lambda to 0.0.")
    if family_of(params, spec) == "multinomial":
        raise InvalidArgument("family", "Constrained GLM is not supported for multinomial and ordinal families.")
    names = glm_design.Design(spec, uses_all_levels(params)).names()
    glm_constraints.linear_arrays(all_linear_constraints(spec, names), names, np.ones(len(names)), False)


def all_linear_constraints(spec, names):
    """The linear constraints of a constrained GLM: beta_constraints' bounds, then the linear ones."""
    return glm_constraints.bound_constraints(getattr(spec, "beta_constraints", None), names) + \
        tuple(spec.linear_constraints)


def with_beta_constraints(settings, spec, names, means, sigmas, standardized):
    """``settings`` with the model's beta_constraints and linear_constraints on the solver's scale."""
    if getattr(spec, "linear_constraints", ()):
        settings = replace(settings, linear=glm_constraints.linear_arrays(spec.linear_constraints, names, sigmas,
                                                                          standardized))
    constraints = getattr(spec, "beta_constraints", None)
    if constraints is None:
        return settings
    lower, upper, given, rho = glm_constraints.solver_arrays(constraints, spec, names, means, sigmas, standardized)
    if rho is not None and given is None:
        given = np.zeros_like(rho)
    return replace(settings, lower=lower, upper=upper, beta_given=given if rho is not None else None, rho=rho)


def uses_all_levels(params):
    """H2O keeps every level of a categorical when the model is regularized (or has no intercept)."""
    lambdas = params.get("lambda")
    return bool(params.get("lambda_search") or not params.get("intercept", True) or lambdas in (None, [])
                or _as_list(lambdas)[0] > 0)


def skip_missing(X, frame, spec, names, rows):
    """Mark rows with a missing predictor as NaN (missing_values_handling=Skip)."""
    missing = np.zeros(X.shape[0], dtype=bool)
    for name in names:
        i = frame.names.index(name)
        values = numeric_values(frame.table.column(i), frame.types[i])
        values = values[rows] if rows is not None else values
        missing |= ~np.isfinite(values)
    if missing.any():
        X = X.copy()
        X[missing] = np.nan
    return X


def finite_rows(X):
    """Which rows of a 2-d X hold only finite values.

    A row's sum is finite exactly when its values are, unless the sum overflows: only rows
    whose sum is not finite are checked value by value. One pass over X, without the
    X-sized mask of ``np.isfinite(X).all(axis=1)`` (twice as slow on 800k rows).
    """
    with np.errstate(over="ignore", invalid="ignore"):
        keep = np.isfinite(X.sum(axis=1))
    suspects = np.flatnonzero(~keep)
    if suspects.size:
        keep[suspects] = np.isfinite(X[suspects]).all(axis=1)
    return keep


def usable(X, y, w):
    """Rows the solver can use (Skip turns rows with missing predictors into NaN rows)."""
    keep = finite_rows(X) if X.shape[1] else np.ones(len(y), dtype=bool)
    if keep.all():
        return X, y, w
    if not keep.any():
        raise InvalidArgument("missing_values_handling", "No rows are left after skipping rows with missing values.")
    return X[keep], y[keep], w[keep]


# ---------------------------------------------------------------------------------------------
# Coefficient scales
# ---------------------------------------------------------------------------------------------

def column_scales(spec, use_all_levels, names=None):
    """Training mean and sigma of every expanded column (0 and 1 for one-hot columns)."""
    means, sigmas = [], []
    for name, kind in zip(spec.names, spec.kinds):
        if names is not None and name not in names:
            continue
        if kind == "enum":
            n = len(spec.domains[name]) - (0 if use_all_levels else 1)
            means.extend([0.0] * n)
            sigmas.extend([1.0] * n)
        else:
            mean = spec.means.get(name, 0.0)
            sigma = spec.sigmas.get(name)
            means.append(mean if mean is not None and np.isfinite(mean) else 0.0)
            sigmas.append(sigma if sigma and np.isfinite(sigma) and sigma > 0 else 1.0)
    return np.asarray(means, dtype=float), np.asarray(sigmas, dtype=float)


def both_scales(beta, means, sigmas, standardized):
    """(original-scale, standardized) coefficients from the solver's; intercept first, rows per class."""
    beta = np.atleast_2d(beta)
    if standardized:
        std = beta.copy()
        orig = beta.copy()
        orig[:, 1:] = beta[:, 1:] / sigmas
        orig[:, 0] = beta[:, 0] - (beta[:, 1:] * means / sigmas).sum(axis=1)
    else:
        orig = beta.copy()
        std = beta.copy()
        std[:, 1:] = beta[:, 1:] * sigmas
        std[:, 0] = beta[:, 0] + (beta[:, 1:] * means).sum(axis=1)
    return orig, std


def java_double(x):
    """A number rounded to 4 significant digits and written like Java's Double.toString."""
    if x == 0:
        return "0.0"
    rounded = float(f"{x:.4g}")
    if 1e-3 <= abs(rounded) < 1e7:
        return repr(rounded)
    mantissa, exponent = f"{rounded:.3E}".split("E")
    mantissa = mantissa.rstrip("0")
    mantissa = mantissa + "0" if mantissa.endswith(".") else mantissa
    return f"{mantissa}E{int(exponent)}"


def regularization_text(alpha, lam):
    """H2O's "regularization" summary cell."""
    if lam == 0:
        return "None"
    if alpha == 0:
        return f"Ridge ( lambda = {java_double(lam)} )"
    if alpha == 1:
        return f"Lasso (lambda = {java_double(lam)} )"
    return f"Elastic Net (alpha = {java_double(alpha)}, lambda = {java_double(lam)} )"


def frame_name(value):
    if value is None:
        return ""
    return value if isinstance(value, str) else str(getattr(value, "key", value))


# ---------------------------------------------------------------------------------------------
# The fitted model
# ---------------------------------------------------------------------------------------------

class GLMFitted(Fitted):
    """A fitted GLM: the solver's coefficients plus what H2O reports about them."""

    table_name = "glm coefficients"
    response_mean = None    # training mean response (per class): the null model of the GLM metrics
    calc_like = False       # metrics with the full log-likelihood

    def __init__(self, solution, settings, names, means, sigmas, standardized, spec, params):
        self.solution = solution
        self.settings = settings
        self.names = list(names)
        self.beta = solution.beta                      # on the scale of X (what predict uses)
        self.coefficients, self.standardized = both_scales(solution.beta, means, sigmas, standardized)
        self.means, self.sigmas, self.standardized_input = means, sigmas, standardized
        self.spec = spec
        self.training_frame = frame_name(params.get("training_frame"))
        self.lambda_search = settings.lambda_search
        self.calc_like = bool(params.get("calc_like"))

    def select_submodel(self, index):
        """Become submodel ``index`` of the path (cross-validation's choice for a fold model)."""
        self.solution.select(index)
        self.beta = self.solution.beta
        self.coefficients, self.standardized = both_scales(self.beta, self.means, self.sigmas,
                                                           self.standardized_input)

    # -- scoring -------------------------------------------------------------------------------
    def predict(self, X):
        return _predict(X, self.beta, self.settings)

    def metrics_fields(self, y, raw, w):
        """H2O-3's GLM metrics (deviances, degrees of freedom, AIC) of predictions ``raw``."""
        if self.response_mean is None:
            return {}
        rank = int(np.count_nonzero(self.beta))
        likelihood = None
        if self.calc_like:
            unregularized = self.solution.lambda_value == 0 and not self.lambda_search
            parameters = np.atleast_2d(self.beta).shape[1] if unregularized else rank
            likelihood = (parameters, self.solution.dispersion)
        return glm_metrics.glm_metrics(self.settings, self.response_mean, rank, y, raw, w, likelihood)

    def coefficient_names(self):
        return ["Intercept"] + self.names

    def check_contributions(self, request, with_background):
        from h2odash.engine.contributions import require_background

        require_background("GLM", self.settings.multinomial or self.spec.category == MULTINOMIAL, with_background,
                           "multinomial GLM models (as in H2O-3)")
        if self.spec.interactions:
            raise InvalidArgument("predict_contributions", "Contributions of GLM models with interactions are not "
                                                           "implemented by this engine.")

    def contributions(self, X, B, request):
        """Each coefficient times the row's distance from the background rows (in the solver's
        scale, which equals the original scale's product), as H2O-3's GLM."""
        beta = np.atleast_2d(self.beta)[0]
        X, B = np.asarray(X, dtype=float), np.asarray(B, dtype=float)
        eta_background = B @ beta[1:] + beta[0]
        n, m = len(X), len(B)
        if request.output_per_reference:
            values = ((X[:, None, :] - B[None, :, :]) * beta[1:]).reshape(n * m, -1)
            bias = np.tile(eta_background, n)
        else:
            values = (X - B.mean(axis=0)) * beta[1:]
            bias = np.full(n, eta_background.mean())
        blocks = self._column_blocks()
        # H2O-3 lays GLM columns out categorical columns first.
        order = [j for j, kind in enumerate(self.spec.kinds) if kind == "enum"] + \
                [j for j, kind in enumerate(self.spec.kinds) if kind != "enum"]
        if request.output_format == "Compact":
            values = np.column_stack([values[:, blocks[j]].sum(axis=1) for j in order]) if order else values
            names = [self.spec.names[j] for j in order]
        else:
            columns = [c for j in order for c in range(blocks[j].start, blocks[j].stop)]
            values, names = values[:, columns], [self.names[c] for c in columns]
        return Contributions(names, values[None], bias[None], glm_solver.make_link(self.settings).inverse)

    def _column_blocks(self):
        """Each predictor's slice of the one-hot matrix's columns."""
        blocks, start = [], 0
        for width in design_of(self).widths()[:len(self.spec.names)]:
            blocks.append(slice(start, start + width))
            start += width
        return blocks

    def coef(self):
        """Original-scale coefficients by name (first class's for multinomial)."""
        return dict(zip(self.coefficient_names(), self.coefficients[0]))

    # -- reports -------------------------------------------------------------------------------
    def _magnitudes(self):
        return np.abs(self.standardized[:, 1:]).sum(axis=0)

    def variable_importances(self):
        magnitudes = self._magnitudes()
        order = np.argsort(-magnitudes, kind="stable")
        return [(self.names[i], float(magnitudes[i])) for i in order]

    def summary(self):
        s, sol = self.settings, self.solution
        active = int(np.count_nonzero(np.any(self.coefficients[:, 1:] != 0, axis=0)))
        rows = [("family", "string", s.family), ("link", "string", s.link),
                ("regularization", "string", regularization_text(sol.alpha, sol.lambda_value))]
        if self.lambda_search:
            # H2O-3's summary calls the chosen lambda (lambda_best) "lambda.min", as glmnet does.
            rows.append(("lambda_search", "string",
                         (f"nlambda = {sol.nlambdas}, lambda.max = {java_double(sol.lambda_max)}, "
                         f"lambda.min = {java_double(sol.lambda_value)}, "
                         f"lambda.1se = {java_double(sol.lambda_1se if sol.lambda_1se is not None else -1.0)}")))
        rows += [("number_of_predictors_total", "int", len(self.names)),
                 ("number_of_active_predictors", "int", active),
                 ("number_of_iterations", "int", int(sol.iterations)),
                 ("training_frame", "string", self.training_frame)]
        return rows

    def coefficients_table(self, class_names=None):
        names = self.coefficient_names()
        if self.settings.multinomial:
            k = self.settings.nclasses
            labels = class_names or [str(i) for i in range(k)]
            columns = [col("names", "string", "names")]
            columns += [col(f"coefs_class_{c}", "double", f"coefs_class_{c}", "%5f") for c in labels]
            columns += [col(f"std_coefs_class_{c}", "double", f"std_coefs_class_{c}", "%5f") for c in labels]
            table = Table("Coefficients", columns, description="glm multinomial coefficients")
            for j, name in enumerate(names):
                table.append([name, *map(float, self.coefficients[:, j]), *map(float, self.standardized[:, j])])
            return table
        columns = [col("names", "string", "names"), col("coefficients", "double", "Coefficients", "%5f")]
        tests = self.wald_tests()
        if tests is not None:
            columns += [col("std_error", "double", "Std. Error", "%5f"), col("z_value", "double", "z value", "%5f"),
                        col("p_value", "double", "p value", "%5f")]
        columns.append(col("standardized_coefficients", "double", "Standardized Coefficients", "%5f"))
        table = Table("Coefficients", columns, description=self.table_name)
        for j, name in enumerate(names):
            row = [name, float(self.coefficients[0, j])]
            if tests is not None:
                row += [float(tests[0][j]), float(tests[1][j]), float(tests[2][j])]
            row.append(float(self.standardized[0, j]))
            table.append(row)
        return table

    def constraints_table(self):
        """H2O-3's table of the constraints at the coefficients, and whether all of them hold."""
        table = Table("Beta (if exists) and Linear Constraints Table",
                      [col("constraint", "string", "constraint"), col("values", "double", "values", "%5.2f"),
                       col("condition", "string", "condition"), col("condition_satisfied", "string",
                                                                     "condition_satisfied")])
        coefficient = dict(zip(self.names, self.coefficients[0, 1:]))
        bounds = glm_constraints.bound_constraints(getattr(self.spec, "beta_constraints", None), self.names)
        rows = [("Beta", c) for c in bounds if c.equal] + [("Beta", c) for c in bounds if not c.equal]
        linear = self.spec.linear_constraints
        rows += [("Linear", c) for c in linear if c.equal] + [("Linear", c) for c in linear if not c.equal]
        satisfied = True
        for kind, constraint in rows:
            value = sum(v * coefficient.get(name, 0.0) for name, v in constraint.terms) + constraint.constant
            holds = abs(value) <= CONSTRAINT_TOLERANCE if constraint.equal else value <= CONSTRAINT_TOLERANCE
            satisfied &= holds
            label = f"{kind} {'equality' if constraint.equal else 'inequality'} constraint: "
            table.append([label + glm_constraints.describe(constraint, float(value)), float(value),
                          "== 0" if constraint.equal else "<= 0", "true" if holds else "false"])
        return table, satisfied

    def wald_tests(self, submodel=None):
        """(std errors, z values, p-values) of the original-scale coefficients, or None; of the
        model, or of one ``submodel`` of its path.

        The solver's covariance is on the scale it fitted; the original coefficients are a linear
        map of those (b_j / sigma_j, and the intercept minus sum b_j mu_j / sigma_j), so their
        covariance is M C M'. Coefficients at zero (dropped columns) get NaN, as in H2O.
        """
        sol = self.solution
        covariance = sol.covariance if submodel is None else submodel.covariance
        if covariance is None:
            return None
        p1 = len(self.names) + 1
        M = np.eye(p1)
        if self.standardized_input:
            M[1:, 1:] = np.diag(1.0 / self.sigmas)
            M[0, 1:] = -self.means / self.sigmas
        covariance = M @ covariance @ M.T
        if submodel is None:
            beta = self.coefficients[0]
        else:
            beta = both_scales(submodel.beta, self.means, self.sigmas, self.standardized_input)[0][0]
        se, z, p = glm_solver.wald_tests(beta, covariance, sol.distribution)
        zero = beta == 0
        return np.where(zero, np.nan, se), np.where(zero, np.nan, z), np.where(zero, np.nan, p)

    def output(self):
        sol = self.solution
        magnitudes = self._magnitudes()
        order = np.argsort(-magnitudes, kind="stable")
        signs = np.sign(self.standardized[0, 1:]) if not self.settings.multinomial else np.ones(len(self.names))
        magnitude_table = Table("Standardized Coefficient Magnitudes",
                                [col("names", "string", "names"), col("coefficients", "double", "Coefficients", "%5f"),
                                 col("sign", "string", "Sign")],
                                description="standardized coefficient magnitudes")
        for i in order:
            magnitude_table.append([self.names[i], float(magnitudes[i]), "NEG" if signs[i] < 0 else "POS"])
        out = {
            "coefficients_table": self.coefficients_table(),
            "standardized_coefficient_magnitudes": magnitude_table,
            "lambda_best": float(sol.lambda_value),
            "alpha_best": float(sol.alpha),
            "best_submodel_index": int(sol.best_index),
            # As in H2O-3: chosen by cross-validation only; -1 without it.
            "lambda_1se": float(sol.lambda_1se if sol.lambda_1se is not None else -1.0),
            "lambda_max": float(sol.lambda_max) if self.lambda_search else -1.0,
            "lambda_min": float(min(s.lambda_value for s in sol.submodels)) if self.lambda_search else -1.0,
            "dispersion": float(sol.dispersion) if sol.dispersion is not None else 0.0,
            "coefficient_names": self.coefficient_names(),
        }
        if self.spec is not None and getattr(self.spec, "linear_constraints", ()):
            out["linear_constraints_table"], out["all_constraints_satisfied"] = self.constraints_table()
        if self.settings.multinomial:
            domain = self.spec.response_domain if self.spec is not None else None
            if domain and len(domain) > 2:
                out["coefficients_table_multinomials_with_class_names"] = self.coefficients_table(list(domain))
        return out


def response_mean(y, w, settings):
    """The weighted mean response of the training rows (class frequencies for multinomial)."""
    y, w = np.asarray(y), np.asarray(w, dtype=float)
    if settings.multinomial:
        return np.bincount(y.astype(np.int64), weights=w, minlength=settings.nclasses) / w.sum()
    return float(np.dot(w, y.astype(float)) / w.sum())


def _predict(X, beta, settings):
    X = np.asarray(X, dtype=float)
    missing = ~finite_rows(X) if X.ndim == 2 and X.shape[1] else None
    if missing is not None and missing.any():
        X = np.where(np.isfinite(X), X, 0.0)
    out = glm_solver.mean_response(X, beta, settings)
    if missing is not None and missing.any():
        out = np.array(out, dtype=float)
        out[missing] = np.nan
    return out


# ---------------------------------------------------------------------------------------------
# The algorithm
# ---------------------------------------------------------------------------------------------

class GLM(Algorithm):
    name = "glm"
    full_name = "Generalized Linear Modeling"
    model_prefix = "GLM"
    categories = (REGRESSION, BINOMIAL, MULTINOMIAL)
    encoding = "matrix"
    standardize = True
    parameters = parameters

    def adapt_spec(self, params, spec, train, frames=None):
        """What GLM learns of the training frame beyond the predictors: the most frequent level
        of each categorical (missing values take it, as in H2O-3's MeanImputation), the
        interaction columns, and, for family=binomial on a numeric response of only 0 and 1,
        two classes "0" and "1", as H2O-3 reads it."""
        skip = params.get("missing_values_handling") == "Skip"
        pairs = glm_design.requested_pairs(params, spec)
        constraints = None
        if params.get("beta_constraints"):
            constraints = glm_constraints.read(frames["beta_constraints"])
        linear = ()
        if params.get("linear_constraints"):
            linear = glm_constraints.read_linear(frames["linear_constraints"])
        spec = replace(spec, modes=glm_design.most_frequent_levels(train, spec),
                       interactions=glm_design.learn(train, spec, pairs, uses_all_levels(params), skip),
                       beta_constraints=constraints, linear_constraints=linear)
        if (params.get("family") or "AUTO").lower() != "binomial" or spec.category != REGRESSION:
            return spec
        col = train.names.index(spec.response)
        values = numeric_values(train.table.column(col), train.types[col])
        seen = np.unique(values[np.isfinite(values)])
        if len(seen) and np.isin(seen, (0.0, 1.0)).all():
            return replace(spec, response_domain=["0", "1"], category=BINOMIAL)
        return spec

    def check(self, params, spec):
        super().check(params, spec)
        check_family(params, spec, self.full_name)
        solver_settings(params, spec, spec.nclasses)
        start_coefficients(params, spec)
        constraints = getattr(spec, "beta_constraints", None)
        if constraints is not None:
            if family_of(params, spec) == "multinomial":
                raise InvalidArgument("beta_constraints", "beta_constraints does not work with multinomial family.")
            if constraints.has("rho") and params.get("compute_p_values"):
                raise InvalidArgument("compute_p_values", "P-values can not be computed for constrained problems "
                                                          "with proximal penalty.")
            design = glm_design.Design(spec, uses_all_levels(params))
            glm_constraints.solver_arrays(constraints, spec, design.names(), *design.scales(column_scales), False)
        if getattr(spec, "linear_constraints", ()):
            check_linear_constraints(params, spec)

    def layout(self, frame, spec, params, rows=None):
        standardize = params.get("standardize", self.standardize)
        X = glm_design.Design(spec, uses_all_levels(params)).matrix(frame, standardize, rows)
        if params.get("missing_values_handling") == "Skip":
            X = skip_missing(X, frame, spec, spec.names, rows)
        return X

    def fit(self, data, params, monitor):
        spec = data.spec
        settings = cross_validated_settings(solver_settings(params, spec, spec.nclasses), params)
        settings = replace(settings, start=start_coefficients(params, spec))
        design = glm_design.Design(spec, uses_all_levels(params))
        names = design.names()
        means, sigmas = design.scales(column_scales)
        settings = with_beta_constraints(settings, spec, names, means, sigmas, bool(params.get("standardize", True)))
        solution = run_solver(data, settings, monitor, lambda beta: (lambda X: _predict(X, beta, settings)),
                              params=params)
        fitted = GLMFitted(solution, settings, names, means, sigmas, bool(params.get("standardize", True)), spec,
                           params)
        fitted.response_mean = response_mean(data.y, data.w, settings)
        return fitted

    # -- cross-validation: the folds choose the penalty together (glm_cv) ----------------------
    folds_see_holdout = True

    def fold_params(self, params, data):
        """The folds go down the main model's lambda path, computed from every training row."""
        settings = solver_settings(params, data.spec, data.spec.nclasses)
        lambdas = settings.lambdas
        if lambdas is None:
            X, y, w = usable(np.asarray(data.X, dtype=float), np.asarray(data.y), np.asarray(data.w, dtype=float))
            lambdas = glm_solver.lambda_path(X, y, w, settings)
        return {**params, _SETTINGS_KEY: {"lambdas": list(lambdas), "resumable": True}}

    def main_model_params(self, params, fold_fits):
        """Pick alpha and lambda by the folds' mean holdout deviance, move every fold model to
        that submodel, and have the main model fit it (H2O-3's cv_computeAndSetOptimalParameters)."""
        solutions = [fitted.solution for fitted in fold_fits]
        settings = fold_fits[0].settings
        choice = glm_cv.choose(solutions, settings.alphas, solutions[0].lambdas, settings.lambda_search,
                               settings.max_iterations)
        for fitted, index in zip(fold_fits, choice.fold_indices):
            fitted.select_submodel(index)
            fitted.solution.extend = None      # lets go of the fold's rows
        main = {"alphas": [choice.alpha], "lambdas": choice.lambdas, "selected": choice.selected,
                "max_iterations": choice.max_iterations, "early_stopping": False}
        return {**params, _SETTINGS_KEY: main, _CHOICE_KEY: choice}


# How far from exact a constraint may be and still count as satisfied (the solver's precision).
CONSTRAINT_TOLERANCE = 1e-8

# Private parameters that carry cross-validation's decisions to the fits (never shown as parameters).
_SETTINGS_KEY = "_glm_cv_settings"
_CHOICE_KEY = "_glm_cv_choice"


def cross_validated_settings(settings, params):
    """``settings`` as cross-validation set them for a fold model or the main model."""
    decided = params.get(_SETTINGS_KEY)
    return replace(settings, **decided) if decided else settings


def cross_validation_choice(params):
    """The folds' glm_cv.Choice behind a cross-validated main model, or None."""
    return params.get(_CHOICE_KEY)


def run_solver(data, settings, monitor, predictor_of, transform=None, params=None):
    """Fit with the monitor told of every iteration; ``transform`` maps a layout X to the solver's X.
    ``params`` may carry cross-validation's choice (its lambda_1se is reported)."""
    transform = transform or (lambda X: X)
    X, y, w = usable(np.asarray(data.X, dtype=float), np.asarray(data.y), np.asarray(data.w, dtype=float))
    X = transform(X)
    y = y.astype(float) if not settings.multinomial else y
    if settings.family == "binomial":
        y = y.astype(float)
    valid = None
    if data.valid is not None:
        vX, vy, vw = usable(np.asarray(data.valid.X, dtype=float), np.asarray(data.valid.y),
                            np.asarray(data.valid.w, dtype=float))
        valid = (transform(vX), vy.astype(float) if not settings.multinomial else vy, vw)
    if settings.family in ("poisson", "gamma", "tweedie") and (y < 0).any():
        raise InvalidArgument("response_column", f"family={settings.family} needs a non-negative response.")
    if settings.family == "gamma" and (y <= 0).any():
        raise InvalidArgument("response_column", "family=gamma needs a positive response.")
    state = {"iteration": 0}
    total = settings.max_iterations if settings.max_iterations > 0 else 50

    def on_iteration(beta):
        state["iteration"] += 1
        if monitor is None:
            return True
        return monitor.iteration(min(state["iteration"], total), total, predictor_of(beta.copy()), unit="iterations")

    solution = glm_solver.fit(X, y, w, settings, valid=valid, on_iteration=on_iteration)
    solution.iterations = state["iteration"]
    choice = cross_validation_choice(params or {})
    if choice is not None:
        solution.lambda_1se = choice.lambda_1se
    return solution


ALGORITHM = GLM()
