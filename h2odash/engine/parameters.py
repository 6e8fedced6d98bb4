"""Declarations of model parameters: one list per algorithm drives everything.

The same declaration validates a training request, answers GET /3/ModelBuilders/{algo}, and
(through that answer) generates the dashboard's training form. Names, types, defaults and
levels follow H2O-3; the help texts are ours.

A parameter H2O-3 has but this engine does not implement is declared with
``supported=False``: it is listed (so H2O clients see the same form) and accepted at its
default, and refused with an error naming it otherwise.
"""

import math
from dataclasses import dataclass, field, replace

from h2odash.engine.errors import InvalidArgument

# H2O's "largest double": the default of parameters that mean "no limit".
MAX_DOUBLE = 1.7976931348623157e308


def enum_key(value) -> str:
    """How an enum value is matched: without case or underscores, as H2O-3 reads them (h2o-py
    sends ``mean_imputation`` for ``MeanImputation``, ``auto`` for ``AUTO``)."""
    return str(value).lower().replace("_", "")


@dataclass(frozen=True)
class Parameter:
    """One model parameter.

    ``type`` is H2O's type name: int, long, double, float, boolean, string, enum, Key<Frame>,
    Key<Model>, Key<Model>[], VecSpecifier, string[], int[], double[], float[], string[][],
    KeyValue[].
    """

    name: str
    type: str
    default: object = None
    level: str = "secondary"
    help: str = ""
    values: tuple = ()
    required: bool = False
    supported: bool = True
    gridable: bool = False
    min: float = None
    max: float = None
    frame_of: tuple = ()

    def check(self, value):
        """Check a decoded value's range and choices; returns it (enums in canonical case)."""
        if value is None:
            if self.required:
                raise InvalidArgument(self.name, f"Parameter '{self.name}' is required.")
            return None
        if not self.supported and not _same(value, self.default):
            raise InvalidArgument(
                self.name,
                f"Parameter '{self.name}' is not implemented by this engine; leave it at its default "
                f"({self.default!r}).",
            )
        if self.type == "enum":
            lookup = {enum_key(v): v for v in self.values}
            if enum_key(value) not in lookup:
                raise InvalidArgument(
                    self.name, f"Parameter '{self.name}' must be one of {', '.join(map(str, self.values))}; got {value!r}."
                )
            return lookup[enum_key(value)]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if isinstance(value, float) and math.isnan(value):
                raise InvalidArgument(self.name, f"Parameter '{self.name}' must be a number, not NaN.")
            if self.min is not None and value < self.min:
                raise InvalidArgument(self.name, f"Parameter '{self.name}' must be at least {self.min}; got {value}.")
            if self.max is not None and value > self.max:
                raise InvalidArgument(self.name, f"Parameter '{self.name}' must be at most {self.max}; got {value}.")
        return value


def _same(value, default):
    if isinstance(value, (list, tuple)) and not value and default is None:
        return True
    if isinstance(value, str) and isinstance(default, str):
        return value.lower() == default.lower()
    return value == default


@dataclass
class ParameterSet:
    """The ordered parameters of one algorithm."""

    parameters: list = field(default_factory=list)

    def __post_init__(self):
        self._by_name = {p.name: p for p in self.parameters}
        if len(self._by_name) != len(self.parameters):
            raise ValueError("duplicate parameter names")

    def __iter__(self):
        return iter(self.parameters)

    def __contains__(self, name):
        return name in self._by_name

    def __getitem__(self, name):
        return self._by_name[name]

    def defaults(self):
        return {p.name: p.default for p in self.parameters}

    def resolve(self, given):
        """Every parameter's value: the given ones checked, the others at their defaults."""
        unknown = [name for name in given if name not in self._by_name]
        if unknown:
            raise InvalidArgument(unknown[0], f"Unknown parameter '{unknown[0]}'.")
        values = {}
        for p in self.parameters:
            value = given.get(p.name)
            values[p.name] = p.check(value if value is not None else p.default)
        return values


def extend(base, *extra, overrides=None, drop=()):
    """A parameter list made of ``base`` (minus ``drop``) with ``overrides`` applied, then ``extra``.

    ``overrides`` maps a name to a dict of changed fields (e.g. another default).
    """
    overrides = overrides or {}
    result = []
    for p in base:
        if p.name in drop:
            continue
        result.append(replace(p, **overrides[p.name]) if p.name in overrides else p)
    return ParameterSet(result + list(extra))


P = Parameter


def class_balance_parameters(balances=True):
    """balance_classes, class_sampling_factors and max_after_balance_size (algos/class_balance.py).

    A learner that does not balance (GLM, GAM: their likelihood weighs the classes) still takes
    them, as H2O-3 does, which accepts and ignores them there.
    """
    note = "" if balances else " Accepted and ignored by this algorithm, as in H2O-3."
    return [
        P("balance_classes", "boolean", False, "secondary",
          "Over/under-sample the training rows so every class is as frequent as the largest; predicted "
          "probabilities are corrected back to the classes' true shares." + note, gridable=True),
        P("class_sampling_factors", "float[]", None, "expert",
          "Per-class sampling ratios for balance_classes (default: those that balance the classes)." + note,
          gridable=True),
        P("max_after_balance_size", "float", 5.0, "expert",
          "Largest size of the balanced training rows, as a multiple of the original rows." + note, gridable=True),
    ]
STOPPING_METRICS = ("AUTO", "deviance", "logloss", "MSE", "RMSE", "MAE", "RMSLE", "AUC", "AUCPR", "lift_top_group",
                    "misclassification", "mean_per_class_error", "custom", "custom_increasing")
FOLD_ASSIGNMENTS = ("AUTO", "Random", "Modulo", "Stratified")
CATEGORICAL_ENCODINGS = ("AUTO", "Enum", "OneHotInternal", "OneHotExplicit", "Binary", "Eigen", "LabelEncoder",
                         "SortByResponse", "EnumLimited")
DISTRIBUTIONS = ("AUTO", "bernoulli", "multinomial", "gaussian", "poisson", "gamma", "tweedie", "laplace",
                 "quantile", "huber")

# What every supervised builder takes, in H2O's order.
COMMON = [
    P("model_id", "Key<Model>", None, "critical", "Name of the model to create; generated when not given."),
    P("training_frame", "Key<Frame>", None, "critical", "Frame the model learns from.", required=True),
    P("validation_frame", "Key<Frame>", None, "critical", "Frame the model is scored on while and after it learns."),
    P("nfolds", "int", 0, "critical", "Number of cross-validation folds (0: none; at least 2 otherwise).", min=0),
    P("keep_cross_validation_models", "boolean", True, "expert", "Keep the models trained on each fold."),
    P("keep_cross_validation_predictions", "boolean", False, "expert",
      "Keep each fold model's predictions on the rows it did not see."),
    P("keep_cross_validation_fold_assignment", "boolean", False, "expert", "Keep the fold each row was put in."),
    P("fold_assignment", "enum", "AUTO", "secondary", "How rows are dealt into folds when there is no fold column.",
      values=FOLD_ASSIGNMENTS),
    P("fold_column", "VecSpecifier", None, "secondary", "Column whose values say which fold each row belongs to.",
      frame_of=("training_frame",)),
    P("response_column", "VecSpecifier", None, "critical", "Column to predict.", required=True,
      frame_of=("training_frame", "validation_frame")),
    P("ignored_columns", "string[]", None, "critical", "Columns the model must not use as predictors.",
      frame_of=("training_frame", "validation_frame")),
    P("ignore_const_cols", "boolean", True, "critical", "Leave out columns that hold a single value."),
    P("offset_column", "VecSpecifier", None, "secondary", "Column added to the linear predictor (not implemented).",
      supported=False),
    P("weights_column", "VecSpecifier", None, "secondary", "Column of per-row weights (0 leaves the row out).",
      frame_of=("training_frame", "validation_frame")),
    P("score_each_iteration", "boolean", False, "secondary", "Score the model after every iteration."),
    P("stopping_rounds", "int", 0, "secondary",
      "Stop when the stopping metric's moving average has not improved for this many scoring rounds (0: off).", min=0),
    P("stopping_metric", "enum", "AUTO", "secondary", "Metric early stopping watches.", values=STOPPING_METRICS),
    P("stopping_tolerance", "double", 0.001, "secondary", "Relative improvement below which a round does not count.",
      min=0),
    P("max_runtime_secs", "double", 0.0, "secondary", "Stop training after this many seconds (0: no limit).", min=0),
    P("seed", "long", -1, "critical", "Random seed (-1: a new one each time)."),
    P("categorical_encoding", "enum", "AUTO", "secondary", "How categorical predictors are encoded.",
      values=CATEGORICAL_ENCODINGS),
    P("custom_metric_func", "string", None, "secondary", "Custom metric (not implemented).", supported=False),
    P("export_checkpoints_dir", "string", None, "secondary",
      "Folder the finished model is saved to (h2odash's model file, named by the model id)."),
    P("checkpoint", "Key<Model>", None, "secondary", "Model to continue training from (not implemented).",
      supported=False),
    P("auc_type", "enum", "AUTO", "secondary", "Multiclass AUC: MACRO_OVR, WEIGHTED_OVR, MACRO_OVO or "
      "WEIGHTED_OVO compute the AUC tables and pick the model's AUC; AUTO and NONE compute none.",
      values=("AUTO", "NONE", "MACRO_OVR", "WEIGHTED_OVR", "MACRO_OVO", "WEIGHTED_OVO")),
    P("gainslift_bins", "int", -1, "secondary", "Number of bins of the gains/lift table (-1: 16 by default).",
      min=-1),
]

# COMMON parameters H2O-3's matrix-decomposition builders (pca, svd, glrm) do not declare: they
# are not cross-validated, take no response, weights or stopping rules.
NOT_DECLARED_BY_DECOMPOSITIONS = (
    "nfolds", "keep_cross_validation_models", "keep_cross_validation_predictions",
    "keep_cross_validation_fold_assignment", "fold_assignment", "fold_column", "response_column",
    "offset_column", "weights_column", "stopping_rounds", "stopping_metric", "stopping_tolerance",
    "categorical_encoding", "custom_metric_func", "checkpoint", "auc_type", "gainslift_bins",
)
