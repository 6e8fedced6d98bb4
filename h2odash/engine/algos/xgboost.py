"""XGBoost with H2O's parameter names, fitted by the xgboost library.

H2O's XGBoost accepts both its own names and XGBoost's for several settings (learn_rate and
eta, sample_rate and subsample ...): the XGBoost name wins when it is set away from its default.
Categorical predictors stay categorical (XGBoost's native support); with categorical_encoding
AUTO or OneHotInternal each split sends one level one way, as H2O's one-hot encoding does.
"""

import json

import numpy as np
import xgboost as xgb

from h2odash.engine.algos.base import Fitted, seed_of
from h2odash.engine.algos.tree_contributions import (categorical_first, check_tree_request, inverse_link_of,
                                                     xgboost_contributions)
from h2odash.engine.algos.tree_structure import TreePredictions, xgboost_forest
from h2odash.engine.algos.trees import (GrowingPredictions, TreeEnsemble, inverse_link, INTERACTIONS, MONOTONE, check_categorical_encoding, check_response_range,
                                        class_probabilities, distribution_parameter, importances,
                                        interaction_groups, monotone_vector, reordered, resolve_distribution,
                                        shared_tree_parameters, threads_for, tree_summary)
from h2odash.engine.algos.xgboost_support import (booster_predict, positional, model_size, total_gains, training_matrix,
                                                  tree_shapes)
from h2odash.engine.errors import InvalidArgument
from h2odash.engine.model_data import REGRESSION
from h2odash.engine.parameters import COMMON, Parameter as P, extend

OBJECTIVES = {"bernoulli": "binary:logistic", "multinomial": "multi:softprob", "gaussian": "reg:squarederror",
              "poisson": "count:poisson", "gamma": "reg:gamma", "tweedie": "reg:tweedie"}
# H2O name -> XGBoost name of the same setting.
ALIASES = {"min_rows": "min_child_weight", "learn_rate": "eta", "sample_rate": "subsample",
           "col_sample_rate": "colsample_bylevel", "col_sample_rate_per_tree": "colsample_bytree",
           "max_abs_leafnode_pred": "max_delta_step", "min_split_improvement": "gamma"}
ONE_HOT_SPLITS = 1 << 30

_shared = shared_tree_parameters()


def _fraction(name, help_text, level="expert", default=1.0, kind="double"):
    return P(name, kind, default, level, help_text, gridable=True, min=0, max=1)


_own = [
    distribution_parameter("Loss function and link: AUTO, bernoulli, multinomial, gaussian, poisson, gamma or "
                           "tweedie."),
    P("tweedie_power", "double", 1.5, "secondary", "Variance power of the tweedie distribution (1 to 2).",
      gridable=True, min=1, max=2),
    P("quiet_mode", "boolean", True, "expert", "Keep XGBoost's own messages out of the log."),
    P("ntrees", "int", 50, "critical", "Number of boosting rounds.", gridable=True, min=1),
    P("max_depth", "int", 6, "critical", "Deepest a tree may grow (0: no limit).", gridable=True, min=0),
    P("min_rows", "double", 1.0, "critical", "Smallest (weighted, hessian) row count of a leaf.", gridable=True,
      min=0),
    P("min_child_weight", "double", 1.0, "expert", "Same as min_rows (XGBoost's name).", gridable=True, min=0),
    P("learn_rate", "double", 0.3, "expert", "Shrinkage of each tree (same as eta).", gridable=True, min=0, max=1),
    P("eta", "double", 0.3, "critical", "Shrinkage of each tree (XGBoost's name for learn_rate).", gridable=True,
      min=0, max=1),
    _fraction("sample_rate", "Fraction of rows each tree is grown on.", "critical"),
    _fraction("subsample", "Same as sample_rate (XGBoost's name)."),
    _fraction("col_sample_rate", "Fraction of columns sampled at each depth.", "critical"),
    _fraction("colsample_bylevel", "Same as col_sample_rate (XGBoost's name)."),
    _fraction("col_sample_rate_per_tree", "Fraction of columns each tree may use.", "secondary"),
    _fraction("colsample_bytree", "Same as col_sample_rate_per_tree (XGBoost's name)."),
    _fraction("colsample_bynode", "Fraction of columns sampled at each split.", "secondary"),
    P("max_abs_leafnode_pred", "float", 0.0, "expert", "Largest step a leaf may take (0: no limit).",
      gridable=True, min=0),
    P("max_delta_step", "float", 0.0, "expert", "Same as max_abs_leafnode_pred (XGBoost's name).", gridable=True,
      min=0),
    MONOTONE,
    INTERACTIONS,
    _shared["score_tree_interval"],
    P("min_split_improvement", "float", 0.0, "secondary", "Smallest loss reduction a split must bring.",
      gridable=True, min=0),
    P("gamma", "float", 0.0, "expert", "Same as min_split_improvement (XGBoost's name).", gridable=True, min=0),
    P("nthread", "int", -1, "expert", "Threads to use (-1: all cores, or one on small data).", min=-1),
    P("save_matrix_directory", "string", None, "expert", "Folder to save the training matrix to (not "
      "implemented).", supported=False),
    _shared["build_tree_one_node"],
    P("parallelize_cross_validation", "boolean", True, "expert", "Train fold models in parallel (fold models "
      "here share the cores anyway)."),
    _shared["calibrate_model"],
    _shared["calibration_frame"],
    _shared["calibration_method"],
    P("max_bins", "int", 256, "expert", "Histogram bins per numeric column (hist and approx).", gridable=True,
      min=2),
    P("max_leaves", "int", 0, "secondary", "Most leaves per tree (0: no limit).", gridable=True, min=0),
    P("sample_type", "enum", "uniform", "expert", "How dart picks trees to drop.", values=("uniform", "weighted"),
      gridable=True),
    P("normalize_type", "enum", "tree", "expert", "How dart weighs new trees against dropped ones.",
      values=("tree", "forest"), gridable=True),
    _fraction("rate_drop", "Fraction of trees dart drops each round.", default=0.0, kind="float"),
    P("one_drop", "boolean", False, "expert", "Dart always drops at least one tree.", gridable=True),
    _fraction("skip_drop", "Probability that dart drops no tree in a round.", default=0.0, kind="float"),
    P("tree_method", "enum", "auto", "secondary", "Split finding: auto (hist), exact, approx or hist.",
      values=("auto", "exact", "approx", "hist"), gridable=True),
    P("grow_policy", "enum", "depthwise", "secondary", "Grow level by level, or the best leaf first "
      "(lossguide, hist/approx only).", values=("depthwise", "lossguide"), gridable=True),
    P("booster", "enum", "gbtree", "expert", "Trees (gbtree), trees with dropout (dart) or a linear model "
      "(gblinear).", values=("gbtree", "gblinear", "dart"), gridable=True),
    P("reg_lambda", "float", 1.0, "expert", "L2 penalty on leaf values.", gridable=True, min=0),
    P("reg_alpha", "float", 0.0, "expert", "L1 penalty on leaf values.", gridable=True, min=0),
    P("dmatrix_type", "enum", "auto", "secondary", "Dense or sparse training matrix (the engine chooses; results "
      "are the same).", values=("auto", "dense", "sparse"), gridable=True),
    P("backend", "enum", "auto", "expert", "Where to train: auto or cpu (no GPU here).",
      values=("auto", "gpu", "cpu"), gridable=True),
    P("gpu_id", "int[]", None, "expert", "GPUs to use (not implemented).", supported=False),
    P("scale_pos_weight", "float", 1.0, "expert", "Weight of the positive class relative to the negative "
      "(bernoulli).", gridable=True, min=0),
    P("eval_metric", "string", None, "expert", "Extra XGBoost metric in the scoring history (not implemented).",
      supported=False, gridable=True),
    P("score_eval_metric_only", "boolean", False, "expert", "Score only eval_metric (not implemented).",
      supported=False, gridable=True),
]
H2O_ORDER = """model_id training_frame validation_frame nfolds keep_cross_validation_models
keep_cross_validation_predictions keep_cross_validation_fold_assignment score_each_iteration fold_assignment
fold_column response_column ignored_columns ignore_const_cols offset_column weights_column stopping_rounds
stopping_metric stopping_tolerance max_runtime_secs seed distribution tweedie_power categorical_encoding quiet_mode
checkpoint export_checkpoints_dir custom_metric_func ntrees max_depth min_rows min_child_weight learn_rate eta
sample_rate subsample col_sample_rate colsample_bylevel col_sample_rate_per_tree colsample_bytree colsample_bynode
max_abs_leafnode_pred max_delta_step monotone_constraints interaction_constraints score_tree_interval
min_split_improvement gamma nthread save_matrix_directory build_tree_one_node parallelize_cross_validation
calibrate_model calibration_frame calibration_method max_bins max_leaves sample_type normalize_type rate_drop
one_drop skip_drop tree_method grow_policy booster reg_lambda reg_alpha dmatrix_type backend gpu_id gainslift_bins
auc_type scale_pos_weight eval_metric score_eval_metric_only""".split()


class XGBoostFitted(TreePredictions, Fitted):
    """An XGBoost booster, read at ``rounds`` boosting rounds (fewer while training is under way)."""

    algo = "xgboost"

    def forest(self):
        if self.linear:
            raise InvalidArgument("booster", "An XGBoost model with booster gblinear has no trees.")
        return xgboost_forest([self.booster], self.spec, rounds=[self.rounds])

    def __init__(self, booster, spec, rounds, linear=False):
        self.booster = booster
        self.spec = spec
        self.rounds = rounds
        self.linear = linear

    @property
    def ntrees(self):
        return self.rounds

    def predict(self, X):
        raw = booster_predict(self.booster, X, self.spec, rounds=None if self.linear else self.rounds,
                              linear=self.linear)
        if self.spec.category == REGRESSION:
            return raw.astype("float64")
        return class_probabilities(raw, self.spec.nclasses)

    def check_contributions(self, request, with_background):
        check_tree_request(self.spec, request, "XGBoost", compact_only=True)
        if self.linear and with_background:
            raise InvalidArgument("background_frame", "Contributions against a background frame are not available "
                                                      "for XGBoost's gblinear booster on this engine.")

    def contributions(self, X, B, request):
        objective = json.loads(self.booster.save_config())["learner"]["objective"]["name"]
        found = xgboost_contributions([self.booster], [1.0], [None if self.linear else self.rounds], self.spec, X, B,
                                      request, inverse_link_of(objective))
        return categorical_first(found, self.spec)

    def _booster(self):
        if self.linear or self.rounds == self.booster.num_boosted_rounds():
            return self.booster
        return self.booster[: self.rounds]

    def variable_importances(self):
        if self.linear:
            coefficients = self.booster.get_score(importance_type="weight")
            gains = [0.0] * len(self.spec.names)
            for name, value in coefficients.items():
                values = value if isinstance(value, list) else [value]
                gains[int(name[1:])] = sum(abs(v) for v in values)
            return importances(self.spec.names, gains)
        return importances(self.spec.names, total_gains([self._booster()], self.spec))

    def summary(self):
        booster = self._booster()
        depths, leaves = tree_shapes(booster) if not self.linear else ([], [])
        return tree_summary(self.rounds if not self.linear else 0, depths, leaves, model_size([booster]))


class _Report(xgb.callback.TrainingCallback):
    """Hands every round to the monitor; stops training when it says so."""

    def __init__(self, monitor, spec, total, xgb_params):
        super().__init__()
        self.monitor, self.spec, self.total = monitor, spec, total
        self.linear = xgb_params["booster"] == "gblinear"
        # Dart re-weighs earlier trees as it goes, so only plain trees can be added up.
        self.adds_up = xgb_params["booster"] == "gbtree"
        self.objective = xgb_params["objective"]
        self.growing = None

    def after_iteration(self, model, epoch, evals_log):
        if self.adds_up:
            self.growing = self.growing or _GrowingPredictions(model, self.spec, self.objective)
            predict = self.growing.at(epoch + 1)
        else:
            predict = XGBoostFitted(model, self.spec, epoch + 1, self.linear).predict
        return not self.monitor.iteration(epoch + 1, self.total, predict)


class _GrowingPredictions(GrowingPredictions):
    """XGBoost's margins of the rounds grown so far, kept per scored set (see trees.py)."""

    _base = None

    def library_input(self, X):
        return positional(X, self.spec)

    def margins(self, X, start, stop):
        self.booster.set_param({"nthread": threads_for(len(X), len(self.spec.names))})
        return np.asarray(self.booster.inplace_predict(X, iteration_range=(start, stop),
                                                       predict_type="margin"), dtype=np.float64)

    def combine(self, kept, added, X):
        # Every prediction includes the base margin once; a sum of two would hold it twice.
        if self._base is None:
            row = X.iloc[:1] if hasattr(X, "iloc") else X[:1]
            self._base = self.margins(row, 0, 1) + self.margins(row, 1, 2) - self.margins(row, 0, 2)
        return kept + added - self._base

    def predictions(self, margins):
        kind = {"binary:logistic": "logistic", "multi:softprob": "softmax", "count:poisson": "log",
                "reg:gamma": "log", "reg:tweedie": "log"}.get(self.objective, "identity")
        values = inverse_link(kind, margins)
        if self.spec.category == REGRESSION:
            return values.astype("float64")
        return class_probabilities(values, self.spec.nclasses)


class XGBoost(TreeEnsemble):
    name = "xgboost"
    full_name = "XGBoost"
    model_prefix = "XGBoost_model"
    encoding = "native"
    parameters = reordered(extend(COMMON, *_own), H2O_ORDER)

    def check(self, params, spec):
        super().check(params, spec)
        params = {**self.parameters.defaults(), **params}
        resolve_distribution(params, spec, allowed=tuple(OBJECTIVES), algo="XGBoost")
        check_categorical_encoding(params, allowed=("AUTO", "Enum", "OneHotInternal"))
        monotone_vector(params, spec)
        interaction_groups(params, spec)
        has_enums = "enum" in spec.kinds
        if params["backend"] == "gpu":
            raise InvalidArgument("backend", "This engine has no GPU backend; use backend 'auto' or 'cpu'.")
        if has_enums and params["tree_method"] == "exact":
            raise InvalidArgument("tree_method", "tree_method 'exact' cannot split categorical columns; use auto, "
                                                 "hist or approx, or ignore the categorical columns.")
        if has_enums and params["booster"] == "gblinear":
            raise InvalidArgument("booster", "booster 'gblinear' takes numeric predictors only here; ignore the "
                                             "categorical columns or use gbtree.")
        if params["grow_policy"] == "lossguide" and params["tree_method"] == "exact":
            raise InvalidArgument("grow_policy", "grow_policy 'lossguide' needs tree_method hist, approx or auto.")
        if params["distribution"] == "tweedie" and not 1 <= params["tweedie_power"] < 2:
            raise InvalidArgument("tweedie_power", "tweedie_power must be at least 1 and below 2.")

    def fit(self, data, params, monitor):
        params = {**self.parameters.defaults(), **params}
        xgb_params, rounds = self._process_params(params, data)
        linear = xgb_params["booster"] == "gblinear"
        hist = xgb_params.get("tree_method") == "hist"
        matrix = training_matrix(data, data.y, hist=hist, max_bin=params["max_bins"])
        report = _Report(monitor, data.spec, rounds, xgb_params)
        booster = xgb.train(xgb_params, matrix, num_boost_round=rounds, callbacks=[report], verbose_eval=False)
        used = booster.num_boosted_rounds() if linear else monitor.kept_iterations(booster.num_boosted_rounds())
        return XGBoostFitted(booster, data.spec, used, linear)

    def _process_params(self, params, data):
        """H2O's XGBoost parameters as the library's: (params, number of rounds)."""
        spec = data.spec
        value = {name: params[name] for name in params}
        defaults = self.parameters.defaults()
        for h2o_name, native in ALIASES.items():
            if params[native] != defaults[native]:
                value[h2o_name] = params[native]
        distribution = resolve_distribution(params, spec, allowed=tuple(OBJECTIVES), algo="XGBoost")
        check_response_range(distribution, data.y)
        threads = params["nthread"] if params["nthread"] > 0 else threads_for(data.nrows, len(spec.names))
        xgb_params = {
            "objective": OBJECTIVES[distribution],
            "booster": params["booster"],
            "eta": value["learn_rate"],
            "reg_lambda": params["reg_lambda"],
            "reg_alpha": params["reg_alpha"],
            "seed": seed_of(params),
            "nthread": threads,
            "verbosity": 0 if params["quiet_mode"] else 1,
        }
        if distribution == "multinomial":
            xgb_params["num_class"] = spec.nclasses
        if distribution == "tweedie":
            xgb_params["tweedie_variance_power"] = params["tweedie_power"]
        if distribution == "bernoulli":
            xgb_params["scale_pos_weight"] = params["scale_pos_weight"]
        if params["booster"] == "gblinear":
            return xgb_params, int(params["ntrees"])
        method = "hist" if params["tree_method"] == "auto" else params["tree_method"]
        xgb_params.update({
            "tree_method": method,
            "max_depth": params["max_depth"],
            "grow_policy": params["grow_policy"],
            "max_leaves": params["max_leaves"],
            "max_bin": params["max_bins"],
            "min_child_weight": value["min_rows"],
            "gamma": value["min_split_improvement"],
            "max_delta_step": value["max_abs_leafnode_pred"],
            "subsample": value["sample_rate"],
            "colsample_bylevel": value["col_sample_rate"],
            "colsample_bytree": value["col_sample_rate_per_tree"],
            "colsample_bynode": params["colsample_bynode"],
        })
        if (params["categorical_encoding"] or "AUTO") != "Enum":
            xgb_params["max_cat_to_onehot"] = ONE_HOT_SPLITS
        monotone = monotone_vector(params, spec)
        if monotone:
            xgb_params["monotone_constraints"] = "(" + ",".join(map(str, monotone)) + ")"
        groups = interaction_groups(params, spec)
        if groups:
            xgb_params["interaction_constraints"] = str(groups)
        if params["booster"] == "dart":
            xgb_params.update(sample_type=params["sample_type"], normalize_type=params["normalize_type"],
                              rate_drop=params["rate_drop"], one_drop=int(params["one_drop"]),
                              skip_drop=params["skip_drop"])
        return xgb_params, int(params["ntrees"])


ALGORITHM = XGBoost()
