"""Deep Learning: H2O-3's multilayer perceptron, written in numpy.

A feed-forward network trained by back-propagation on minibatches, with H2O's activations
(Tanh, Rectifier, Maxout, each with or without dropout), per-layer dropout ratios, L1/L2 and
max_w2 regularisation, ADADELTA (the default) or a learning rate with annealing, decay and
(Nesterov) momentum, H2O's loss functions and distributions, UniformAdaptive initialisation,
and Gedeon's variable importances.

With ``autoencoder`` the network learns without a response to reconstruct its own inputs
(laid out and scaled as :mod:`~h2odash.engine.algos.autoencoder_inputs` says). As in H2O-3,
its output layer has the hidden layers' activation (so a Rectifier network reconstructs
normalized values of at least 0, i.e. numbers no lower than their mean), each input's loss is
the distribution's (squared error by default), and it predicts the reconstruction, the per-row
mean squared error (``Reconstruction.MSE``) or the per-input squared errors. Any network, with
or without a response, gives a hidden layer's activations as "deep features".

What differs from H2O-3, on purpose:

- H2O trains with Hogwild!: every thread applies each row's gradient to shared weights at
  once. This engine is single-threaded and vectorized. With ``mini_batch_size`` 1 (H2O's
  default) it reads the setting as "as close to per-row updates as is affordable": batches
  of one row for small frames, growing to 32 rows for frames of 64,000 rows or more (see
  :func:`batch_rows`). Any other ``mini_batch_size`` is honoured as given.
- Training rows are visited in a new random order each epoch (H2O visits them in chunk order
  unless ``shuffle_training_data``); the order is drawn from ``seed``, so a seeded run is
  always reproducible, whatever ``reproducible`` says.
- Dropout is "inverted" (kept units are scaled up while training), which has the same
  expected activations as H2O's scaling at prediction time.
"""

import math
import time
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from h2odash.engine.algos import autoencoder_inputs as inputs
from h2odash.engine.algos.base import Algorithm, Fitted, Monitor, refuse_options, seed_of
from h2odash.engine.algos.class_balance import corrected
from h2odash.engine.algos.deep_shap import deep_shap
from h2odash.engine.contributions import Contributions
from h2odash.engine.errors import InvalidArgument
from h2odash.engine.model_data import AUTOENCODER, BINOMIAL, MULTINOMIAL, REGRESSION, features_matrix
from h2odash.engine.parameters import COMMON, Parameter as P, ParameterSet, class_balance_parameters, extend
from h2odash.engine.tables import Column, Table, col

ACTIVATIONS = ("Tanh", "TanhWithDropout", "Rectifier", "RectifierWithDropout", "Maxout", "MaxoutWithDropout")
LOSSES = ("Automatic", "CrossEntropy", "Quadratic", "Huber", "Absolute", "Quantile")
DL_DISTRIBUTIONS = ("AUTO", "bernoulli", "quasibinomial", "ordinal", "multinomial", "gaussian", "poisson", "gamma",
                    "tweedie", "laplace", "quantile", "huber", "custom")
DL_STOPPING_METRICS = ("AUTO", "deviance", "logloss", "MSE", "RMSE", "MAE", "RMSLE", "AUC", "AUCPR", "lift_top_group",
                       "misclassification", "mean_per_class_error", "anomaly_score", "AUUC", "ATE", "ATT", "ATC",
                       "qini", "custom", "custom_increasing")
MAX_FLOAT = 3.4028235e38
MAX_INT = 2147483647
MAXOUT_CHANNELS = 2          # H2O's Maxout takes the larger of two linear pieces per unit
SCORE_CHUNK_ROWS = 65536     # rows per forward pass when predicting, to bound memory
UNSTABLE_WEIGHT, UNSTABLE_BIAS = 1e10, 1e5   # H2O's thresholds for calling a model unstable

# H2O's order of the Deep Learning builder's parameters.
_H2O_ORDER = (
    "model_id training_frame validation_frame nfolds keep_cross_validation_models keep_cross_validation_predictions "
    "keep_cross_validation_fold_assignment fold_assignment fold_column response_column ignored_columns "
    "ignore_const_cols score_each_iteration weights_column offset_column balance_classes class_sampling_factors "
    "max_after_balance_size max_confusion_matrix_size checkpoint pretrained_autoencoder overwrite_with_best_model "
    "use_all_factor_levels standardize activation hidden epochs train_samples_per_iteration "
    "target_ratio_comm_to_comp seed adaptive_rate rho epsilon rate rate_annealing rate_decay momentum_start "
    "momentum_ramp momentum_stable nesterov_accelerated_gradient input_dropout_ratio hidden_dropout_ratios l1 l2 "
    "max_w2 initial_weight_distribution initial_weight_scale initial_weights initial_biases loss distribution "
    "quantile_alpha tweedie_power huber_alpha score_interval score_training_samples score_validation_samples "
    "score_duty_cycle classification_stop regression_stop stopping_rounds stopping_metric stopping_tolerance "
    "max_runtime_secs score_validation_sampling diagnostics fast_mode force_load_balance variable_importances "
    "replicate_training_data single_node_mode shuffle_training_data missing_values_handling quiet_mode autoencoder "
    "sparse col_major average_activation sparsity_beta max_categorical_features reproducible "
    "export_weights_and_biases mini_batch_size categorical_encoding elastic_averaging "
    "elastic_averaging_moving_rate elastic_averaging_regularization export_checkpoints_dir auc_type "
    "custom_metric_func gainslift_bins"
).split()


def _in_h2o_order(parameters):
    return ParameterSet(sorted(parameters, key=lambda p: _H2O_ORDER.index(p.name)))


PARAMETERS = _in_h2o_order(extend(
    COMMON,
    *class_balance_parameters(),
    P("max_confusion_matrix_size", "int", 20, "secondary", "Largest confusion matrix shown in logs (no effect here)."),
    P("pretrained_autoencoder", "Key<Model>", None, "expert", "Autoencoder to start from (not implemented).",
      supported=False),
    P("overwrite_with_best_model", "boolean", True, "expert",
      "Return the weights that scored best (on the stopping metric) instead of the last ones.", gridable=True),
    P("use_all_factor_levels", "boolean", True, "secondary",
      "One input per level of a categorical (else the first level is dropped).", gridable=True),
    P("standardize", "boolean", True, "secondary", "Scale numeric inputs to mean 0 and variance 1.", gridable=True),
    P("activation", "enum", "Rectifier", "critical", "Activation function of the hidden units.", values=ACTIVATIONS,
      gridable=True),
    P("hidden", "int[]", [200, 200], "critical", "Number of units in each hidden layer.", gridable=True),
    P("epochs", "double", 10.0, "critical", "How many passes over the training rows (may be fractional).",
      gridable=True, min=0),
    P("train_samples_per_iteration", "long", -2, "secondary",
      "Rows trained between two scoring checks: -2 auto, -1 or 0 one epoch, N rows.", gridable=True, min=-2),
    P("target_ratio_comm_to_comp", "double", 0.05, "expert",
      "Communication share targeted by the auto iteration size on a cluster (no effect on one process).",
      gridable=True, min=0),
    P("adaptive_rate", "boolean", True, "secondary", "Adapt each weight's learning rate with ADADELTA.",
      gridable=True),
    P("rho", "double", 0.99, "expert", "ADADELTA's decay of the running averages.", gridable=True, min=0, max=1),
    P("epsilon", "double", 1e-08, "expert", "ADADELTA's smoothing term.", gridable=True, min=0),
    P("rate", "double", 0.005, "expert", "Learning rate when adaptive_rate is off.", gridable=True, min=0),
    P("rate_annealing", "double", 1e-06, "expert", "Rate becomes rate / (1 + rate_annealing * rows seen).",
      gridable=True, min=0),
    P("rate_decay", "double", 1.0, "expert", "Rate multiplier from one layer to the next.", gridable=True, min=0),
    P("momentum_start", "double", 0.0, "expert", "Momentum at the start of training.", gridable=True, min=0, max=1),
    P("momentum_ramp", "double", 1000000.0, "expert", "Rows over which momentum grows to momentum_stable.",
      gridable=True, min=0),
    P("momentum_stable", "double", 0.0, "expert", "Momentum once the ramp is over.", gridable=True, min=0, max=1),
    P("nesterov_accelerated_gradient", "boolean", True, "expert", "Use Nesterov's form of momentum.", gridable=True),
    P("input_dropout_ratio", "double", 0.0, "secondary", "Share of inputs dropped for each training row.",
      gridable=True, min=0, max=1),
    P("hidden_dropout_ratios", "double[]", None, "secondary",
      "Share of units dropped in each hidden layer (WithDropout activations; 0.5 each by default).", gridable=True),
    P("l1", "double", 0.0, "secondary", "L1 penalty on weights (drives many to zero).", gridable=True, min=0),
    P("l2", "double", 0.0, "secondary", "L2 penalty on weights (keeps them small).", gridable=True, min=0),
    P("max_w2", "float", MAX_FLOAT, "expert", "Largest allowed sum of squared incoming weights of a unit.",
      gridable=True, min=0),
    P("initial_weight_distribution", "enum", "UniformAdaptive", "expert", "How initial weights are drawn.",
      values=("UniformAdaptive", "Uniform", "Normal"), gridable=True),
    P("initial_weight_scale", "double", 1.0, "expert", "Range (Uniform) or standard deviation (Normal) of initial "
      "weights.", gridable=True, min=0),
    P("initial_weights", "Key<Frame>[]", None, "expert", "Frames of starting weights (not implemented).",
      supported=False, gridable=True),
    P("initial_biases", "Key<Frame>[]", None, "expert", "Frames of starting biases (not implemented).",
      supported=False, gridable=True),
    P("loss", "enum", "Automatic", "secondary", "Loss minimised (Automatic: from the distribution).", values=LOSSES,
      gridable=True),
    P("distribution", "enum", "AUTO", "secondary", "Distribution of the response.", values=DL_DISTRIBUTIONS,
      gridable=True),
    P("quantile_alpha", "double", 0.5, "secondary", "Quantile predicted with the quantile distribution.",
      gridable=True, min=0, max=1),
    P("tweedie_power", "double", 1.5, "secondary", "Power of the tweedie distribution (between 1 and 2).",
      gridable=True, min=1, max=2),
    P("huber_alpha", "double", 0.9, "secondary", "Share of residuals treated quadratically by the Huber loss.",
      gridable=True, min=0, max=1),
    P("score_interval", "double", 5.0, "secondary", "Shortest time between two scorings, in seconds.",
      gridable=True, min=0),
    P("score_training_samples", "long", 10000, "secondary", "Training rows sampled for scoring (0: all).",
      gridable=True, min=0),
    P("score_validation_samples", "long", 0, "secondary", "Validation rows sampled for scoring (0: all).",
      gridable=True, min=0),
    P("score_duty_cycle", "double", 0.1, "secondary", "Largest share of time spent scoring.", gridable=True,
      min=0, max=1),
    P("classification_stop", "double", 0.0, "expert",
      "Stop once the training classification error is at most this (not implemented).", supported=False,
      gridable=True),
    P("regression_stop", "double", 1e-06, "expert", "Stop once the training MSE is at most this (not implemented).",
      supported=False, gridable=True),
    P("score_validation_sampling", "enum", "Uniform", "expert", "How validation rows are sampled for scoring.",
      values=("Uniform", "Stratified"), gridable=True),
    P("diagnostics", "boolean", True, "expert", "Keep per-layer statistics (always kept here)."),
    P("fast_mode", "boolean", True, "expert", "H2O's back-propagation shortcut (no effect here).", gridable=True),
    P("force_load_balance", "boolean", True, "expert", "Split the data for all cores (no effect on one process).",
      gridable=True),
    P("variable_importances", "boolean", True, "critical", "Compute Gedeon variable importances.", gridable=True),
    P("replicate_training_data", "boolean", True, "secondary", "Copy data to every node (no effect on one process).",
      gridable=True),
    P("single_node_mode", "boolean", False, "expert", "Train on one node (always the case here).", gridable=True),
    P("shuffle_training_data", "boolean", False, "expert",
      "Shuffle training rows (this engine always visits rows in a seeded random order).", gridable=True),
    P("missing_values_handling", "enum", "MeanImputation", "expert", "How missing inputs are handled (Skip is not "
      "implemented).", values=("MeanImputation", "Skip"), gridable=True),
    P("quiet_mode", "boolean", False, "expert", "Log less.", gridable=True),
    P("autoencoder", "boolean", False, "secondary",
      "Learn without a response to reconstruct the inputs (an autoencoder, e.g. for anomaly detection)."),
    P("sparse", "boolean", False, "expert", "Sparse data handling (no effect on results).", gridable=True),
    P("col_major", "boolean", False, "expert", "Column-major weights (no effect on results).", gridable=True),
    P("average_activation", "double", 0.0, "expert", "Target average activation of a sparse autoencoder "
      "(not implemented).", supported=False, gridable=True),
    P("sparsity_beta", "double", 0.0, "expert", "Sparsity penalty of an autoencoder (not implemented).",
      supported=False, gridable=True),
    P("max_categorical_features", "int", MAX_INT, "expert", "Hash categoricals into this many inputs "
      "(not implemented).", supported=False, gridable=True),
    P("reproducible", "boolean", False, "expert", "Reproducible training (always, for a given seed, here).",
      gridable=True),
    P("export_weights_and_biases", "boolean", False, "expert", "Store weights and biases as frames "
      "(not implemented).", supported=False),
    P("mini_batch_size", "int", 1, "expert", "Rows per weight update (1: this engine's automatic batch).", min=1),
    P("elastic_averaging", "boolean", False, "expert", "Elastic averaging between nodes (not implemented).",
      supported=False, gridable=True),
    P("elastic_averaging_moving_rate", "double", 0.9, "expert", "Elastic averaging moving rate (not implemented).",
      supported=False, gridable=True),
    P("elastic_averaging_regularization", "double", 0.001, "expert", "Elastic averaging regularisation "
      "(not implemented).", supported=False, gridable=True),
    overrides={
        # An autoencoder has no response; a supervised request without one is refused by the framework.
        "response_column": {"required": False},
        "seed": {"level": "expert"},
        "stopping_rounds": {"default": 5},
        "stopping_tolerance": {"default": 0.0},
        "stopping_metric": {"values": DL_STOPPING_METRICS},
    },
))


def batch_rows(mini_batch_size, nrows):
    """Rows per update: as given, or for H2O's default of 1, a batch that keeps numpy busy.

    Per-row updates cost far more than their arithmetic in numpy, while whole-frame batches make
    ADADELTA take too few steps on small frames; one row per 2,000 training rows (1 to 32) keeps
    a few thousand updates per epoch on mid-sized frames and ~25,000 on a million rows.
    """
    if mini_batch_size and mini_batch_size > 1:
        return int(mini_batch_size)
    return int(min(32, max(1, nrows // 2000)))


@dataclass
class Settings:
    """Everything training needs, in the engine's own terms."""

    hidden: list
    activation: str            # "tanh", "rectifier" or "maxout"
    input_dropout: float
    hidden_dropout: list
    l1: float
    l2: float
    max_w2: float
    adaptive: bool
    rho: float
    epsilon: float
    rate: float
    rate_annealing: float
    rate_decay: float
    momentum_start: float
    momentum_ramp: float
    momentum_stable: float
    nesterov: bool
    init: str
    init_scale: float
    loss: str                  # CrossEntropy, Quadratic, Absolute, Huber, Quantile, or a distribution's deviance
    distribution: str          # H2O's name of the distribution in effect
    link: str                  # "softmax", "identity", "log", or "activation" (an autoencoder's)
    quantile_alpha: float
    huber_alpha: float
    tweedie_power: float
    epochs: float
    samples_per_iteration: int
    batch_size: int
    seed: int
    variable_importances: bool
    mini_batch_size: int
    overwrite_with_best_model: bool = True
    autoencoder: bool = False


class DeepLearning(Algorithm):
    balances_classes = True
    name = "deeplearning"
    full_name = "Deep Learning"
    model_prefix = "DeepLearning"
    categories = (REGRESSION, BINOMIAL, MULTINOMIAL, AUTOENCODER)
    encoding = "matrix"
    standardize = True
    use_all_levels = True
    parameters = PARAMETERS

    def unsupervised_category(self, params):
        return AUTOENCODER if params.get("autoencoder") else None

    def layout(self, frame, spec, params, rows=None):
        if params.get("autoencoder"):
            return inputs.input_matrix(frame, spec, rows)
        return features_matrix(frame, spec, standardize=params.get("standardize", True),
                               use_all_levels=params.get("use_all_factor_levels", True), rows=rows)

    def check(self, params, spec):
        super().check(params, spec)
        self._settings(params, spec, nrows=1)

    def _settings(self, params, spec, nrows):
        """Translate H2O's parameters into :class:`Settings`, refusing combinations H2O refuses."""
        hidden = [int(h) for h in (params.get("hidden") or [])]
        if not hidden or any(h < 1 for h in hidden):
            raise InvalidArgument("hidden", "hidden must list at least one layer, each of at least one unit.")
        activation = params["activation"]
        autoencoder = spec.category == AUTOENCODER
        if autoencoder:
            _check_autoencoder(params)
        with_dropout = activation.endswith("WithDropout")
        ratios = params.get("hidden_dropout_ratios")
        if ratios:
            if not with_dropout:
                raise InvalidArgument("hidden_dropout_ratios",
                                      "hidden_dropout_ratios needs an activation WithDropout "
                                      f"(e.g. {activation}WithDropout).")
            if len(ratios) != len(hidden):
                raise InvalidArgument("hidden_dropout_ratios",
                                      f"hidden_dropout_ratios must have one ratio per hidden layer ({len(hidden)}).")
            if any(not 0 <= r < 1 for r in ratios):
                raise InvalidArgument("hidden_dropout_ratios", "Each hidden dropout ratio must be in [0, 1).")
            hidden_dropout = [float(r) for r in ratios]
        else:
            hidden_dropout = [0.5 if with_dropout else 0.0] * len(hidden)
        if params["input_dropout_ratio"] >= 1:
            raise InvalidArgument("input_dropout_ratio", "input_dropout_ratio must be below 1.")
        if params.get("missing_values_handling", "MeanImputation") != "MeanImputation":
            raise InvalidArgument("missing_values_handling",
                                  "missing_values_handling=Skip is not implemented; use MeanImputation.")
        distribution, loss, link = _distribution_and_loss(params, spec)
        tspi = int(params["train_samples_per_iteration"])
        return Settings(
            hidden=hidden,
            activation=activation.replace("WithDropout", "").lower(),
            input_dropout=float(params["input_dropout_ratio"]),
            hidden_dropout=hidden_dropout,
            l1=float(params["l1"]),
            l2=float(params["l2"]),
            max_w2=float(params["max_w2"]),
            adaptive=bool(params["adaptive_rate"]),
            rho=float(params["rho"]),
            epsilon=float(params["epsilon"]),
            rate=float(params["rate"]),
            rate_annealing=float(params["rate_annealing"]),
            rate_decay=float(params["rate_decay"]),
            momentum_start=float(params["momentum_start"]),
            momentum_ramp=float(params["momentum_ramp"]),
            momentum_stable=float(params["momentum_stable"]),
            nesterov=bool(params["nesterov_accelerated_gradient"]),
            init=params["initial_weight_distribution"],
            init_scale=float(params["initial_weight_scale"]),
            loss=loss,
            distribution=distribution,
            link=link,
            quantile_alpha=float(params["quantile_alpha"]),
            huber_alpha=float(params["huber_alpha"]),
            tweedie_power=float(params["tweedie_power"]),
            epochs=float(params["epochs"]),
            samples_per_iteration=nrows if tspi in (-2, -1, 0) else max(1, tspi),
            batch_size=batch_rows(int(params["mini_batch_size"]), nrows),
            seed=seed_of(params),
            variable_importances=bool(params["variable_importances"]),
            mini_batch_size=int(params["mini_batch_size"]),
            overwrite_with_best_model=bool(params["overwrite_with_best_model"]),
            autoencoder=autoencoder,
        )

    def fit(self, data, params, monitor):
        settings = self._settings(params, data.spec, nrows=len(data.w))
        # Minibatch products are small: one BLAS thread is several times faster than two
        # fighting over them (measured 6 s vs 28 s for 2 epochs of 80k rows on 2 cores).
        with threadpool_limits(limits=1, user_api="blas"):
            if settings.autoencoder:
                return _train_autoencoder(data, settings, monitor, params)
            return _train(data, settings, monitor, input_names=data.spec.onehot_names(
                params.get("use_all_factor_levels", True)))


def _check_autoencoder(params):
    """What H2O-3 refuses of an autoencoder (beyond cross-validation, refused for every
    unsupervised model)."""
    if params["activation"].startswith("Maxout"):
        raise InvalidArgument("activation", "Maxout is not available for autoencoders; use Tanh or Rectifier.")
    if params["stopping_metric"] not in ("AUTO", "MSE"):
        raise InvalidArgument("stopping_metric", "An autoencoder is scored by its reconstruction error: "
                                                 "stopping_metric must be AUTO or MSE.")


def _distribution_and_loss(params, spec):
    """(distribution, loss, output link) as H2O resolves AUTO / Automatic for this response."""
    if spec.category == AUTOENCODER:
        return _autoencoder_loss(params)
    distribution, loss = params["distribution"], params["loss"]
    classifier = spec.category in (BINOMIAL, MULTINOMIAL)
    if distribution in ("quasibinomial", "ordinal", "custom"):
        raise InvalidArgument("distribution", f"distribution={distribution} is not implemented by this engine.")
    if distribution == "AUTO":
        if classifier:
            distribution = "bernoulli" if spec.category == BINOMIAL else "multinomial"
        else:
            distribution = {"Absolute": "laplace", "Huber": "huber", "Quantile": "quantile"}.get(loss, "gaussian")
    if classifier:
        if distribution not in ("bernoulli", "multinomial"):
            raise InvalidArgument("distribution",
                                  f"distribution={distribution} needs a numeric response; '{spec.response}' is categorical.")
        if distribution == "bernoulli" and spec.category != BINOMIAL:
            raise InvalidArgument("distribution", "bernoulli needs a response with two classes; use multinomial.")
        if loss not in ("Automatic", "CrossEntropy", "Quadratic"):
            raise InvalidArgument("loss", f"loss={loss} is for regression; classifiers take CrossEntropy or Quadratic.")
        return distribution, ("CrossEntropy" if loss == "Automatic" else loss), "softmax"
    if distribution in ("bernoulli", "multinomial"):
        raise InvalidArgument("distribution",
                              f"distribution={distribution} needs a categorical response; '{spec.response}' is numeric.")
    if loss == "CrossEntropy":
        raise InvalidArgument("loss", "CrossEntropy loss needs a categorical response.")
    by_distribution = {"gaussian": "Quadratic", "laplace": "Absolute", "huber": "Huber", "quantile": "Quantile"}
    if distribution in ("poisson", "gamma", "tweedie"):
        if loss not in ("Automatic",):
            raise InvalidArgument("loss", f"distribution={distribution} uses its own deviance; leave loss Automatic.")
        return distribution, distribution, "log"
    expected = by_distribution[distribution]
    if loss not in ("Automatic", expected):
        raise InvalidArgument("loss", f"loss={loss} does not go with distribution={distribution} (use {expected}).")
    return distribution, expected, "identity"


def _autoencoder_loss(params):
    """An autoencoder's (distribution, loss, "activation"): every input is reconstructed with the
    loss of a numeric response, through the output layer's activation."""
    distribution, loss = params["distribution"], params["loss"]
    by_distribution = {"gaussian": "Quadratic", "laplace": "Absolute", "huber": "Huber"}
    if distribution not in ("AUTO", *by_distribution):
        raise InvalidArgument("distribution", f"distribution={distribution} is not available for autoencoders; "
                                              "use AUTO, gaussian, laplace or huber.")
    if loss not in ("Automatic", *by_distribution.values()):
        raise InvalidArgument("loss", f"loss={loss} is not available for autoencoders; use Quadratic, Absolute "
                                      "or Huber.")
    if distribution == "AUTO":
        distribution = {"Absolute": "laplace", "Huber": "huber"}.get(loss, "gaussian")
    expected = by_distribution[distribution]
    if loss not in ("Automatic", expected):
        raise InvalidArgument("loss", f"loss={loss} does not go with distribution={distribution} (use {expected}).")
    return distribution, expected, "activation"


# ---------------------------------------------------------------------------------------------
# The network


class Network:
    """Weights, biases and the forward pass; shared by training and the fitted model."""

    def __init__(self, weights, biases, activation, link, response_shift=0.0, response_scale=1.0):
        self.weights = weights      # per layer: (fan_in, units * channels) float32
        self.biases = biases        # per layer: (units * channels,) float32
        self.activation = activation
        self.link = link
        self.response_shift = response_shift
        self.response_scale = response_scale

    @property
    def channels(self):
        return MAXOUT_CHANNELS if self.activation == "maxout" else 1

    def hidden(self, z):
        """Activation of a hidden layer's pre-activations; also what backprop needs of it."""
        if self.activation == "tanh":
            a = np.tanh(z)
            return a, a
        if self.activation == "rectifier":
            return np.maximum(z, 0, out=z), None
        n, width = z.shape
        pieces = z.reshape(n, width // MAXOUT_CHANNELS, MAXOUT_CHANNELS)
        choice = pieces.argmax(axis=2)
        return np.take_along_axis(pieces, choice[..., None], axis=2)[..., 0], choice

    def output(self, z):
        """The response (or an autoencoder's reconstruction) from the output layer's pre-activations."""
        if self.link == "softmax":
            z = z - z.max(axis=1, keepdims=True)
            np.exp(z, out=z)
            z /= z.sum(axis=1, keepdims=True)
            return z
        if self.link == "activation":
            return self.hidden(z)[0]
        z = z[:, 0]
        if self.link == "log":
            return np.exp(np.clip(z, -50, 50))
        return z

    def activations(self, X, layer):
        """What hidden layer ``layer`` (0: the first) puts out for inputs ``X``."""
        a = X
        for W, b in zip(self.weights[:layer + 1], self.biases[:layer + 1]):
            a, _ = self.hidden(a @ W + b)
        return a

    def forward(self, X):
        a = self.activations(X, len(self.weights) - 2)
        return self.output(a @ self.weights[-1] + self.biases[-1])

    def predict(self, X):
        """Predictions in response units (reconstructions in normalized units), in chunks of rows."""
        wide = self.link in ("softmax", "activation")
        result = _in_chunks(X, self.weights[-1].shape[1] if wide else 1, self.forward)
        if not wide:
            result = result[:, 0]
        if self.link == "identity":
            result = result * self.response_scale + self.response_shift
        elif self.link == "softmax":
            result /= result.sum(axis=1, keepdims=True)   # float32 sums are off by ~1e-7
        return result

    def deep_features(self, X, layer):
        """Hidden layer ``layer``'s activations for every row of ``X``, in chunks of rows."""
        units = self.weights[layer].shape[1] // self.channels
        return _in_chunks(X, units, lambda chunk: self.activations(chunk, layer))


def _in_chunks(X, width, compute):
    """``compute`` on float32 chunks of X's rows, gathered into an (n, width) float64 array."""
    n = X.shape[0]
    result = np.empty((n, width), dtype=np.float64)
    for start in range(0, n, SCORE_CHUNK_ROWS):
        chunk = np.asarray(X[start:start + SCORE_CHUNK_ROWS], dtype=np.float32)
        result[start:start + len(chunk)] = compute(chunk).reshape(len(chunk), width)
    return result


class Parameters:
    """All weights and biases in one flat float32 buffer, with per-layer views into it.

    One buffer lets the optimizer update every parameter with a dozen numpy calls per step,
    whatever the depth: with small batches, numpy's per-call cost, not arithmetic, is the
    bottleneck.
    """

    def __init__(self, shapes):
        sizes = [fan_in * width + width for fan_in, width in shapes]
        self.flat = np.zeros(sum(sizes), dtype=np.float32)
        self.weights, self.biases, self.weight_slices = [], [], []
        offset = 0
        for fan_in, width in shapes:
            self.weight_slices.append(slice(offset, offset + fan_in * width))
            self.weights.append(self.flat[offset:offset + fan_in * width].reshape(fan_in, width))
            offset += fan_in * width
            self.biases.append(self.flat[offset:offset + width])
            offset += width

    def like(self):
        """Another buffer of the same layout (for gradients)."""
        return Parameters([W.shape for W in self.weights])


def _layer_shapes(settings, n_inputs, n_outputs):
    channels = MAXOUT_CHANNELS if settings.activation == "maxout" else 1
    sizes = [n_inputs] + settings.hidden + [n_outputs]
    last = len(sizes) - 2
    return [(sizes[i], sizes[i + 1] * (channels if i < last else 1)) for i in range(len(sizes) - 1)]


def _initial_parameters(settings, n_inputs, n_outputs, rng):
    """Weights drawn as H2O does; Rectifier/Maxout biases start positive so units fire."""
    shapes = _layer_shapes(settings, n_inputs, n_outputs)
    params = Parameters(shapes)
    channels = MAXOUT_CHANNELS if settings.activation == "maxout" else 1
    for layer, (W, b) in enumerate(zip(params.weights, params.biases)):
        fan_in, width = W.shape
        hidden_layer = layer < len(shapes) - 1
        units = width // channels if hidden_layer else width
        if settings.init == "UniformAdaptive":
            bound = math.sqrt(6.0 / (fan_in + units))
            W[...] = rng.uniform(-bound, bound, W.shape)
        elif settings.init == "Uniform":
            W[...] = rng.uniform(-settings.init_scale, settings.init_scale, W.shape)
        else:
            W[...] = rng.normal(0.0, settings.init_scale, W.shape)
        b[...] = (0.5 if layer == 0 else 1.0) if hidden_layer and settings.activation != "tanh" else 0.0
    return params


class Optimizer:
    """ADADELTA, or a learning rate with annealing, per-layer decay and (Nesterov) momentum."""

    def __init__(self, settings, params):
        self.s = settings
        self.params = params
        p = params.flat
        if settings.adaptive:
            self.mean_g2 = np.zeros_like(p)
            self.mean_dx2 = np.zeros_like(p)
        else:
            self.velocity = np.zeros_like(p)
            # Each parameter's share of the rate: rate_decay ** layer.
            self.decay = np.empty_like(p)
            offset = 0
            for layer, (W, b) in enumerate(zip(params.weights, params.biases)):
                self.decay[offset:offset + W.size + b.size] = settings.rate_decay ** layer
                offset += W.size + b.size
        self._tmp = np.empty_like(p)
        self._tmp2 = np.empty_like(p)

    def step(self, grads, samples):
        """Apply a gradient (a flat buffer, mean over the batch) in place."""
        s, p, g, tmp = self.s, self.params.flat, grads, self._tmp
        if s.adaptive:
            eg, edx, tmp2 = self.mean_g2, self.mean_dx2, self._tmp2
            np.multiply(g, g, out=tmp)
            tmp *= 1 - s.rho
            eg *= s.rho
            eg += tmp
            # dx = sqrt((E[dx^2] + eps) / (E[g^2] + eps)) * g
            np.add(edx, s.epsilon, out=tmp)
            np.add(eg, s.epsilon, out=tmp2)
            tmp /= tmp2
            np.sqrt(tmp, out=tmp)
            tmp *= g
            p -= tmp
            tmp *= tmp
            tmp *= 1 - s.rho
            edx *= s.rho
            edx += tmp
            return
        # Plain SGD in H2O updates per row; summing a batch's gradients keeps its step size.
        rate = s.rate / (1.0 + s.rate_annealing * samples) * s.batch_size
        np.multiply(g, self.decay, out=tmp)
        tmp *= rate
        momentum = _momentum(s, samples)
        if momentum <= 0:
            p -= tmp
            return
        v = self.velocity
        v *= momentum
        v -= tmp
        if s.nesterov:
            p -= tmp
            tmp[...] = v
            tmp *= momentum
        else:
            tmp[...] = v
        p += tmp

    def layer_rates(self, layer):
        """Each weight's current learning rate in ``layer`` (what H2O's summary averages)."""
        s = self.s
        if not s.adaptive:
            return None
        part = self.params.weight_slices[layer]
        return np.sqrt((self.mean_dx2[part] + s.epsilon) / (self.mean_g2[part] + s.epsilon))


def _train(data, s, monitor, input_names):
    """A supervised network, learning a standardized response when the link is the identity."""
    rng = np.random.default_rng(s.seed)
    spec = data.spec
    classifier = spec.category in (BINOMIAL, MULTINOMIAL)
    k = spec.nclasses if classifier else 1
    if classifier:
        target = np.asarray(data.y, dtype=np.int64)
    else:
        target = np.asarray(data.y, dtype=np.float64)
    shift, scale = 0.0, 1.0
    if s.link == "identity":
        # Learn a standardized response, as H2O does (normrespsub / normrespmul).
        wsum = data.w.sum()
        shift = float(np.sum(data.w * target) / wsum)
        scale = float(np.sqrt(np.sum(data.w * (target - shift) ** 2) / wsum)) or 1.0
    y_model = target if classifier else ((target - shift) / scale).astype(np.float32)
    params = _initial_parameters(s, data.X.shape[1], k, rng)
    net = Network(params.weights, params.biases, s.activation, s.link, shift, scale)
    row_weights = np.asarray(data.w, dtype=np.float32)
    huber_delta = _huber_delta(s, y_model, row_weights) if s.loss == "Huber" else None
    optimizer, samples = _learn(net, params, s, data.X, y_model, row_weights, huber_delta, monitor, rng)
    return DeepLearningFit(net, s, _layer_rates(optimizer, net), samples, input_names, spec)


def _train_autoencoder(data, s, monitor, params):
    """A network that learns to reconstruct its normalized inputs; scored by its reconstruction error."""
    rng = np.random.default_rng(s.seed)
    scaling = inputs.Scaling.learn(data.X, data.spec, normalize=params["standardize"])
    X = scaling.normalized(data.X)
    weights = _initial_parameters(s, X.shape[1], X.shape[1], rng)
    net = Network(weights.weights, weights.biases, s.activation, s.link)
    row_weights = np.asarray(data.w, dtype=np.float32)
    huber_delta = _huber_delta(s, X, row_weights) if s.loss == "Huber" else None
    scoring = _reconstruction_monitor(monitor, params, s, X, row_weights, data.valid, scaling)
    optimizer, samples = _learn(net, weights, s, X, X, row_weights, huber_delta, scoring, rng)
    never_missing = [j for j in inputs.missing_level_inputs(data.spec) if not data.X[:, j].any()]
    return AutoEncoderFit(net, s, _layer_rates(optimizer, net), samples, inputs.input_names(data.spec), data.spec,
                          scaling, never_missing)


def _reconstruction_monitor(monitor, params, s, X, w, valid, scaling):
    """A Monitor of the autoencoder's own that scores it as the framework scores a supervised
    network (on sampled rows, under the duty cycle, with early stopping and the best weights
    kept), and hands each scoring-history row on to ``monitor``, the framework's."""
    training = _score_sample(X, w, params["score_training_samples"], s.seed)
    validation = None
    if valid is not None:
        validation = _score_sample(scaling.normalized(valid.X), np.asarray(valid.w, dtype=np.float32),
                                   params["score_validation_samples"], s.seed)

    def scorer(predict):
        row = _reconstruction_scores("training", predict, *training)
        if validation is not None:
            row.update(_reconstruction_scores("validation", predict, *validation))
        return row

    def forward(row):
        monitor.record(row["epochs"], s.epochs, {k: v for k, v in row.items() if k not in ("timestamp", "duration")})

    return Monitor(
        scorer=scorer, on_row=forward, on_progress=lambda fraction: monitor.check(fraction, 1.0),
        check_cancelled=monitor.check, deadline=monitor.deadline,
        stopping_rounds=params["stopping_rounds"] or 0,
        stopping_metric="validation_mse" if validation is not None else "training_mse",
        stopping_tolerance=params["stopping_tolerance"], score_each_iteration=params["score_each_iteration"],
        duty_cycle=params["score_duty_cycle"], min_seconds_between=params["score_interval"] or 0.0)


def _score_sample(X, w, rows, seed):
    """(X, w) of at most ``rows`` rows (0: all), the same rows at every scoring."""
    if not rows or len(X) <= rows:
        return X, w
    pick = np.sort(np.random.default_rng(seed).choice(len(X), int(rows), replace=False))
    return X[pick], w[pick]


def _reconstruction_scores(prefix, predict, Z, w):
    mse = _reconstruction_mse(predict(Z), Z, w)
    return {f"{prefix}_rmse": math.sqrt(mse), f"{prefix}_mse": mse}


def _row_errors(reconstructed, Z):
    """Each row's mean squared error over the inputs (H2O's Reconstruction.MSE)."""
    return np.mean((np.asarray(reconstructed, dtype=np.float64) - Z) ** 2, axis=1)


def _reconstruction_mse(reconstructed, Z, w):
    """An autoencoder's MSE: its rows' reconstruction errors, averaged with the row weights."""
    w = np.asarray(w, dtype=np.float64)
    return float(np.sum(w * _row_errors(reconstructed, Z)) / w.sum()) if w.sum() > 0 else float("nan")


def _learn(net, params, s, X, target, row_weights, huber_delta, monitor, rng):
    """Back-propagation on minibatches of (X, target) rows for ``s.epochs``, reporting to
    ``monitor`` every ``s.samples_per_iteration`` rows; stops early when it says so, and with
    overwrite_with_best_model ends on the weights that scored best. Returns (optimizer, samples)."""
    n = X.shape[0]
    optimizer = Optimizer(s, params)
    trainer = _Backprop(net, s, rng, params.like())
    total = max(1, int(round(s.epochs * n)))
    samples, batches, best = 0, 0, None
    next_report, next_check = min(total, s.samples_per_iteration), time.monotonic()
    for rows in _minibatches(rng, n, s.batch_size, total):
        grads = trainer.gradients(X[rows], target[rows], row_weights[rows], huber_delta)
        optimizer.step(grads, samples)
        if s.max_w2 < MAX_FLOAT:
            _clip_incoming(net.weights, s.max_w2)
        samples += len(rows)
        batches += 1
        if samples >= next_report:
            _check_stable(net)
            go_on = monitor.iteration(samples / n, s.epochs, net.predict, unit="epochs")
            if monitor.last_was_best:
                best = params.flat.copy()
            if not go_on:
                break
            next_report = min(total, samples + s.samples_per_iteration)
        elif batches % 64 == 0 and time.monotonic() >= next_check:
            # Between scoring rounds (an epoch can take minutes), still answer a cancel or
            # the runtime limit within a fraction of a second; no scoring here.
            next_check = time.monotonic() + 0.2
            if not monitor.check(samples / n, s.epochs):
                break
    if s.overwrite_with_best_model and best is not None:
        params.flat[:] = best
    return optimizer, samples


def _minibatches(rng, n, batch_size, total):
    """Row indices of each minibatch: epochs over a new random order of the n rows, until
    ``total`` rows have been visited."""
    samples = 0
    while samples < total:
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            rows = order[start:start + min(batch_size, total - samples)]
            rows.sort()   # in-order gathers are faster and do not change the batch
            samples += len(rows)
            yield rows
            if samples >= total:
                return


def _huber_delta(s, y, w):
    """Residual size where the Huber loss turns linear: the huber_alpha quantile of |y - median|."""
    residual = np.abs(y - np.median(y))
    return float(np.quantile(residual, s.huber_alpha)) or 1.0


def _clip_incoming(weights, max_w2):
    for W in weights:
        norms = np.einsum("ij,ij->j", W, W)
        too_big = norms > max_w2
        if too_big.any():
            W[:, too_big] *= np.sqrt(max_w2 / norms[too_big]).astype(np.float32)


def _check_stable(net):
    for W, b in zip(net.weights, net.biases):
        if (not np.isfinite(W).all() or np.abs(W.mean()) > UNSTABLE_WEIGHT or W.std() > UNSTABLE_WEIGHT
                or np.abs(b.mean()) > UNSTABLE_BIAS or b.std() > UNSTABLE_BIAS):
            raise InvalidArgument(
                "activation", "Training became unstable (weights grew without bound); try Tanh, l1/l2, max_w2, "
                "or a smaller rate.")


class _Backprop:
    """Gradients of one minibatch's mean loss for every weight and bias."""

    def __init__(self, net, s, rng, grads):
        self.net, self.s, self.rng = net, s, rng
        self.grads = grads     # written in place each batch

    def _drop(self, a, ratio):
        if ratio <= 0:
            return a, None
        keep = (self.rng.random(a.shape, dtype=np.float32) >= ratio).astype(np.float32)
        keep /= 1.0 - ratio
        return a * keep, keep

    def gradients(self, X, y, w, huber_delta):
        net, s = self.net, self.s
        a = np.asarray(X, dtype=np.float32)
        a, _ = self._drop(a, s.input_dropout)
        inputs, masks, states = [a], [], []
        for layer, (W, b) in enumerate(zip(net.weights[:-1], net.biases[:-1])):
            z = a @ W
            z += b
            a, state = net.hidden(z)
            a, mask = self._drop(a, s.hidden_dropout[layer])
            inputs.append(a)
            masks.append(mask)
            states.append(state)
        z = a @ net.weights[-1] + net.biases[-1]
        delta = self._output_delta(z, y, huber_delta)
        delta *= (w / len(w))[:, None]
        grads = self.grads
        for layer in range(len(net.weights) - 1, -1, -1):
            W, gW = net.weights[layer], grads.weights[layer]
            np.dot(inputs[layer].T, delta, out=gW)
            np.sum(delta, axis=0, out=grads.biases[layer])
            if s.l1:
                gW += s.l1 * np.sign(W)
            if s.l2:
                gW += s.l2 * W
            if layer == 0:
                break
            back = delta @ W.T
            if masks[layer - 1] is not None:
                back *= masks[layer - 1]
            delta = self._hidden_delta(back, inputs[layer], states[layer - 1])
        return grads.flat

    def _hidden_delta(self, back, a, state):
        """Gradient at a hidden layer's pre-activations from the gradient at its outputs."""
        act = self.net.activation
        if act == "tanh":
            return back * (1.0 - state * state)
        if act == "rectifier":
            back[a <= 0] = 0.0
            return back
        n, units = back.shape
        full = np.zeros((n, units, MAXOUT_CHANNELS), dtype=np.float32)
        np.put_along_axis(full, state[..., None], back[..., None], axis=2)
        return full.reshape(n, units * MAXOUT_CHANNELS)

    def _output_delta(self, z, y, huber_delta):
        """d loss / d output pre-activation, per row."""
        s = self.s
        if s.link == "softmax":
            p = self.net.output(z)
            t = np.zeros_like(p)
            t[np.arange(len(y)), y] = 1.0
            if s.loss == "CrossEntropy":
                return p - t
            g = p - t    # Quadratic loss through the softmax
            return p * (g - (g * p).sum(axis=1, keepdims=True))
        if s.link == "activation":
            # An autoencoder: each output unit's loss gradient, through its activation.
            out, state = self.net.hidden(z)
            return self._hidden_delta(self._loss_gradient(out - y, huber_delta), out, state)
        f = z[:, 0]
        if s.link == "log":
            mu = np.exp(np.clip(f, -50, 50))
            if s.loss == "poisson":
                d = mu - y
            elif s.loss == "gamma":
                d = 1.0 - y / mu
            else:
                d = mu ** (2 - s.tweedie_power) - y * mu ** (1 - s.tweedie_power)
        else:
            d = self._loss_gradient(f - y, huber_delta)
        return d.astype(np.float32)[:, None]

    def _loss_gradient(self, r, huber_delta):
        """d loss / d prediction for residuals ``r`` (prediction minus target)."""
        s = self.s
        if s.loss == "Quadratic":
            return r
        if s.loss == "Absolute":
            return np.sign(r)
        if s.loss == "Huber":
            return np.clip(r, -huber_delta, huber_delta)
        return np.where(r >= 0, 1.0 - s.quantile_alpha, -s.quantile_alpha)   # Quantile (pinball) loss


# ---------------------------------------------------------------------------------------------
# The fitted model


def _layer_rates(optimizer, net):
    return [optimizer.layer_rates(i) for i in range(len(net.weights))]


class DeepLearningFit(Fitted):
    """A trained network with H2O's layer summary and Gedeon importances."""

    LAYER_TYPES = {"tanh": "Tanh", "rectifier": "Rectifier", "maxout": "Maxout"}

    def __init__(self, net, settings, optimizer_rates, samples, input_names, spec):
        self.net = net
        self.settings = settings
        self._rates = optimizer_rates
        self.samples = samples
        self.input_names = list(input_names)
        self.spec = spec
        self.distribution = settings.distribution

    def predict(self, X):
        return corrected(self, self.net.predict(X))

    def predict_columns(self, X, **options):
        """Of the special predictions, a supervised network gives only deep features."""
        layer = options.pop("deep_features_hidden_layer", None)
        refuse_options(options, "supervised Deep Learning models (only an autoencoder reconstructs its inputs)")
        return self.deep_features(X, layer)

    def deep_features(self, X, layer):
        """Hidden layer ``layer``'s activations, as H2O names them: DF.L<layer + 1>.C<unit>."""
        count = len(self.settings.hidden)
        if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)) or not 0 <= layer < count:
            raise InvalidArgument("deep_features_hidden_layer",
                                  f"deep_features_hidden_layer must be the index of a hidden layer, from 0 to "
                                  f"{count - 1}; got {layer}.")
        features = self.net.deep_features(self._network_inputs(X), int(layer))
        return {f"DF.L{layer + 1}.C{unit + 1}": features[:, unit] for unit in range(features.shape[1])}

    def _network_inputs(self, X):
        return X

    def check_contributions(self, request, with_background):
        from h2odash.engine.contributions import require_background

        require_background("DeepLearning", self.spec.category == MULTINOMIAL, with_background,
                           "multinomial Deep Learning models (H2O-3 3.46 fails on them)")

    def contributions(self, X, B, request):
        """DeepSHAP against the background rows (see algos/deep_shap.py), laid out as H2O-3 lays
        out a network's inputs: categorical columns first, one column per level and one for
        missing values (H2O-3's network has an input for them; this one has none, so 0), or one
        per column in the Compact format."""
        binomial = self.spec.category == BINOMIAL
        values, bias = deep_shap(self.net, X, B, binomial, request.output_per_reference)
        enums = [j for j, kind in enumerate(self.spec.kinds) if kind == "enum"]
        order = enums + [j for j, kind in enumerate(self.spec.kinds) if kind != "enum"]
        blocks = self._input_blocks()
        names, columns = [], []
        for j in order:
            block = values[:, blocks[j]]
            name = self.spec.names[j]
            if request.output_format == "Compact":
                names.append(name)
                columns.append(block.sum(axis=1, keepdims=True))
            elif j in enums:
                names += self.input_names[blocks[j]] + [f"{name}.missing(NA)"]
                columns += [block, np.zeros((len(values), 1))]
            else:
                names.append(name)
                columns.append(block)
        link = np.exp if self.settings.link == "log" else None   # binomial values are probabilities already
        return Contributions(names, np.concatenate(columns, axis=1)[None], bias[None], link)

    def _input_blocks(self):
        """Each predictor's slice of the network's inputs (its levels' columns for a categorical one)."""
        use_all = len(self.input_names) == len(self.spec.onehot_names(True))
        blocks, start = [], 0
        for name, kind in zip(self.spec.names, self.spec.kinds):
            width = len(self.spec.domains[name]) - (0 if use_all else 1) if kind == "enum" else 1
            blocks.append(slice(start, start + width))
            start += width
        return blocks

    def variable_importances(self):
        if not self.settings.variable_importances:
            return None
        return list(zip(self.input_names, gedeon_importances(self.net.weights[0], self.net.weights[1],
                                                             self.net.channels).tolist()))

    def output(self):
        return {"model_summary": self._layer_table()}

    def _purpose(self):
        """How H2O's layer summary starts: what the network learns."""
        classes = self.spec.nclasses
        what = (f"{classes}-class classification" if self.spec.category != REGRESSION else "regression")
        return f"predicting {self.spec.response}, {what}"

    def _output_type(self):
        """The output layer's type: an autoencoder's has the hidden layers' activation (as in H2O)."""
        link = self.settings.link
        if link == "activation":
            return self.LAYER_TYPES[self.settings.activation]
        return "Softmax" if link == "softmax" else "Linear"

    def _layer_table(self):
        s, net = self.settings, self.net
        n_params = sum(W.size + b.size for W, b in zip(net.weights, net.biases))
        description = (f"{self._purpose()}, {s.distribution} distribution, {s.loss} loss, "
                       f"{n_params:,} weights/biases, {_kb(n_params)}, {self.samples:,} training samples, "
                       f"mini-batch size {s.mini_batch_size}")
        table = Table("Status of Neuron Layers", [
            Column("", "string", "%s", ""), col("layer", "int", "Layer"), col("units", "int", "Units"),
            col("type", "string", "Type"), col("dropout", "double", "Dropout", "%2.2f %%"),
            col("l1", "double", "L1", "%5f"), col("l2", "double", "L2", "%5f"),
            col("mean_rate", "double", "Mean Rate", "%5f"), col("rate_rms", "double", "Rate RMS", "%5f"),
            col("momentum", "double", "Momentum", "%5f"), col("mean_weight", "double", "Mean Weight", "%5f"),
            col("weight_rms", "double", "Weight RMS", "%5f"), col("mean_bias", "double", "Mean Bias", "%5f"),
            col("bias_rms", "double", "Bias RMS", "%5f"),
        ], description=description)
        table.append(["", 1, net.weights[0].shape[0], "Input", 100.0 * s.input_dropout] + [None] * 9)
        hidden_type = self.LAYER_TYPES[s.activation] + ("Dropout" if any(s.hidden_dropout) else "")
        for layer, (W, b) in enumerate(zip(net.weights, net.biases)):
            last = layer == len(net.weights) - 1
            units = W.shape[1] // (1 if last else net.channels)
            kind = self._output_type() if last else hidden_type
            dropout = None if last else 100.0 * s.hidden_dropout[layer]
            rates = self._rates[layer]
            if rates is not None:
                mean_rate, rate_rms = float(rates.mean()), float(rates.std())
            else:
                mean_rate = s.rate / (1.0 + s.rate_annealing * self.samples) * s.rate_decay ** layer
                rate_rms = 0.0
            momentum = 0.0 if s.adaptive else _momentum(s, self.samples)
            table.append(["", layer + 2, units, kind, dropout, s.l1, s.l2, mean_rate, rate_rms, momentum,
                          float(W.mean()), float(W.std()), float(b.mean()), float(b.std())])
        return table


class AutoEncoderFit(DeepLearningFit):
    """A network that reconstructs its inputs; ``scaling`` normalizes them as in training."""

    def __init__(self, net, settings, optimizer_rates, samples, input_names, spec, scaling, never_missing=()):
        super().__init__(net, settings, optimizer_rates, samples, input_names, spec)
        self.scaling = scaling
        self.never_missing = set(never_missing)   # missing(NA) inputs that were never 1 in training

    def variable_importances(self):
        # As H2O does: a missing(NA) input the training rows never used has no importance.
        importances = super().variable_importances()
        if importances is None:
            return None
        return [(name, 0.0 if j in self.never_missing else value) for j, (name, value) in enumerate(importances)]

    def predict(self, X):
        raise InvalidArgument("model", "An autoencoder predicts reconstructions, not a response.")

    def predict_columns(self, X, **options):
        """The reconstruction in the inputs' units (H2O's default), the per-row mean squared
        error (reconstruction_error), the squared error of each input
        (reconstruction_error_per_feature, which wins over reconstruction_error, as in H2O), or
        a hidden layer's activations (deep_features_hidden_layer)."""
        layer = options.pop("deep_features_hidden_layer", None)
        per_input = options.pop("reconstruction_error_per_feature", False)
        per_row = options.pop("reconstruction_error", False)
        refuse_options(options, "Deep Learning autoencoders")
        if layer is not None:
            if per_row or per_input:
                raise InvalidArgument("deep_features_hidden_layer", "Ask for either the reconstruction error or "
                                                                    "deep features, not both at once.")
            return self.deep_features(X, layer)
        Z = self._network_inputs(X)
        reconstructed = self.net.predict(Z)
        if per_input:
            squared = (reconstructed - Z) ** 2
            return {f"reconstr_{name}.SE": squared[:, j] for j, name in enumerate(self.input_names)}
        if per_row:
            return {"Reconstruction.MSE": _row_errors(reconstructed, Z)}
        restored = self.scaling.restored(reconstructed)
        return {f"reconstr_{name}": restored[:, j] for j, name in enumerate(self.input_names)}

    def metrics(self, X, w):
        """ModelMetricsAutoEncoder: the mean over rows of each row's reconstruction MSE."""
        Z = self._network_inputs(X)
        mse = _reconstruction_mse(self.net.predict(Z), Z, w)
        return {"MSE": mse, "RMSE": math.sqrt(mse), "nobs": int(np.count_nonzero(np.asarray(w) > 0))}

    def _network_inputs(self, X):
        return self.scaling.normalized(X)

    def _purpose(self):
        return "auto-encoder"


def _momentum(s, samples):
    if s.momentum_ramp > 0 and samples < s.momentum_ramp:
        return s.momentum_start + (s.momentum_stable - s.momentum_start) * samples / s.momentum_ramp
    return s.momentum_stable


def _kb(n_params):
    size = n_params * 4 * 3   # weights plus two optimizer states, in float32
    return f"{size / 1024:.1f} KB" if size < 1024 ** 2 else f"{size / 1024 ** 2:.1f} MB"


def gedeon_importances(W1, W2, channels=1):
    """Gedeon's (1997) importance of each input, scaled so the largest is 1.

    Each input's share of every first-layer unit's absolute incoming weights, times that unit's
    share of each next-layer unit's, summed over the paths and normalised per next-layer unit.
    ``W1`` is (inputs, units * channels), ``W2`` (units, next * channels), as stored here.
    """
    a = np.abs(np.asarray(W1, dtype=np.float64)).T          # (units*channels, inputs)
    b = np.abs(np.asarray(W2, dtype=np.float64)).T          # (next*channels, units)
    if channels > 1 and b.shape[1] * channels == a.shape[0]:
        # Maxout: fold the channels of the first layer into their unit.
        a = a.reshape(-1, channels, a.shape[1]).sum(axis=1)
    share_in = a / a.sum(axis=1, keepdims=True)
    share_next = b / b.sum(axis=1, keepdims=True)
    q = share_in.T @ share_next.T                            # (inputs, next)
    q /= q.sum(axis=0, keepdims=True)
    importance = q.sum(axis=1)
    return importance / importance.max()


ALGORITHM = DeepLearning()
