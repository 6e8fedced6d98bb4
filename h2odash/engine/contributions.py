"""Feature contributions (SHAP values) of a model's predictions, in H2O-3's frame layout.

Each algorithm's Fitted computes the numbers (``Fitted.contributions``): the tree learners
through their libraries' TreeSHAP, or baseline SHAP against a background frame
(algos/tree_shap.py); GLM as coefficient times distance from the background; Deep Learning
by DeepSHAP's rescale rule (algos/deep_shap.py); a Stacked Ensemble by combining its base
models' and metalearner's answers (G-DeepSHAP, algos/stackedensemble.py). This module
checks the request, lays out the rows, converts to the output space when asked, sorts the
top and bottom contributions, and builds the frame: one column per feature, then
``BiasTerm``; each row adds up to the model's margin (its prediction before the inverse link).

Multinomial models: H2O-3 refuses them. The tree models here give one block of columns per
class, ``<class>:<feature>`` ... ``<class>:BiasTerm``, each block adding up to that class's
margin; the others are refused.
"""

from dataclasses import dataclass, replace

import numpy as np

from h2odash.engine.errors import InvalidArgument
from h2odash.engine.model_data import MULTINOMIAL, frame_from_columns

FORMATS = ("Original", "Compact")
# Rows scored per step: progress and cancel between steps, bounded scratch memory.
_ROWS_PER_STEP = 50_000


@dataclass
class Contributions:
    """SHAP values from a Fitted: ``values`` (margins, rows, features), ``bias`` (margins, rows),
    ``names`` of the features' columns, and the inverse link from margins to predictions (None:
    the margin is the prediction)."""

    names: list
    values: np.ndarray
    bias: np.ndarray
    inverse_link: object = None


@dataclass
class Request:
    """What a contributions request asks for, as H2O-3's Predictions parameters name it."""

    output_format: str = "Original"
    top_n: int = 0
    bottom_n: int = 0
    compare_abs: bool = False
    output_space: bool = False
    output_per_reference: bool = False


def check_format(request):
    if request.output_format not in FORMATS:
        raise InvalidArgument("predict_contributions_output_format",
                              f"predict_contributions_output_format must be one of {', '.join(FORMATS)}, "
                              f"not '{request.output_format}'.")


def check_request(model, request, background):
    """Refuse what the model cannot answer, before any work, saying why."""
    check_format(request)
    if not model.supervised or getattr(model.fitted, "contributions", None) is None:
        raise InvalidArgument("predict_contributions",
                              f"Contributions (SHAP) are not available for {model.algo_full_name} models on "
                              "this engine; GBM, DRF, XGBoost, GLM, Deep Learning and Stacked Ensemble models "
                              "have them.")
    if request.output_per_reference and background is None:
        raise InvalidArgument("output_per_reference", "output_per_reference needs a background_frame: "
                                                      "it gives each row's contributions against each background row.")
    if model.category == MULTINOMIAL and (request.top_n or request.bottom_n):
        raise InvalidArgument("top_n", "Sorting contributions (top_n, bottom_n) is not available for multinomial "
                                       "models, whose contributions come in one block per class.")
    model.fitted.check_contributions(request, background is not None)


def contributions_frame(model, frame, destination, request, background=None, progress=None):
    """The contributions frame of ``model`` on ``frame`` (a Frame, not stored here)."""
    check_request(model, request, background)
    found = explain(model, frame, request, background, progress)
    columns, types = {}, {}
    classes = model.spec.response_domain if model.category == MULTINOMIAL else [None]
    for k, label in enumerate(classes):
        prefix = "" if label is None else f"{label}:"
        if request.top_n or request.bottom_n:
            _add_sorted(columns, types, found.names, found.values[k], request)
        else:
            for j, name in enumerate(found.names):
                columns[prefix + name] = found.values[k][:, j]
                types[prefix + name] = _number_type(found.values[k][:, j])
        columns[prefix + "BiasTerm"] = found.bias[k]
        types[prefix + "BiasTerm"] = _number_type(found.bias[k])
    if request.output_per_reference:
        m = background.nrows
        columns["RowIdx"] = np.repeat(np.arange(frame.nrows, dtype=np.int64), m)
        columns["BackgroundRowIdx"] = np.tile(np.arange(m, dtype=np.int64), frame.nrows)
        types["RowIdx"] = types["BackgroundRowIdx"] = "int"
    return frame_from_columns(destination, columns, types)


def explain(model, frame, request, background=None, progress=None):
    """``model``'s contributions on ``frame`` as ``request`` asks (checked by the caller), before
    the layout: per (row, background row) pair or averaged over the background, in the output
    space when asked. Stacked ensembles combine their models' answers through this."""
    fitted = model.fitted
    B = model.layout(background) if background is not None else None
    # H2O-3 moves each (row, background row) pair to the output space, then averages the pairs.
    per_pair = request.output_space and background is not None and not request.output_per_reference
    asked = replace(request, output_per_reference=True) if per_pair else request
    parts = []
    for start in range(0, frame.nrows, _ROWS_PER_STEP):
        rows = np.arange(start, min(frame.nrows, start + _ROWS_PER_STEP))
        X = model.algorithm.layout(frame, model.spec, model.params, rows=rows)
        parts.append(fitted.contributions(X, B, asked))
        if progress is not None:
            progress(min(1.0, (start + len(rows)) / max(frame.nrows, 1)))
    if not parts:   # an empty frame: still the columns
        parts.append(fitted.contributions(model.algorithm.layout(frame, model.spec, model.params), B, asked))
    found = Contributions(parts[0].names, np.concatenate([p.values for p in parts], axis=1),
                          np.concatenate([p.bias for p in parts], axis=1), parts[0].inverse_link)
    if request.output_space:
        found = _in_output_space(found)
    if per_pair:
        k, m = found.values.shape[0], background.nrows
        found = Contributions(found.names, found.values.reshape(k, -1, m, found.values.shape[2]).mean(axis=2),
                              found.bias.reshape(k, -1, m).mean(axis=2))
    return found


def _number_type(values):
    """H2O-3 types a column of whole numbers int (e.g. a level's column that is 0 on every row)."""
    whole = len(values) and np.all(np.isfinite(values)) and np.all(values == np.round(values))
    return "int" if whole else "real"


def _in_output_space(found):
    """Scale each row's contributions so that they add up to the prediction itself, and the bias
    to the inverse link of the bias margin (H2O-3's ``output_space``: approximate SHAP)."""
    inverse = found.inverse_link
    if inverse is None:
        return found
    total = found.values.sum(axis=2) + found.bias
    moved = total - found.bias
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(np.abs(moved) < 1e-6, 0.0, (inverse(total) - inverse(found.bias)) / moved)
    return Contributions(found.names, found.values * ratio[..., None], inverse(found.bias))


def _add_sorted(columns, types, names, values, request):
    """H2O-3's sorted layout: top_feature_k/top_value_k then bottom_feature_k/bottom_value_k pairs.

    As H2O-3's ContributionComposer: top_n alone keeps the highest first, bottom_n alone the
    lowest first (all columns are then named bottom_...); both together keep the top_n highest
    then the bottom_n lowest, unless they are negative or cover more than every feature and the
    bias (top_n + bottom_n > number of features), when all features are kept highest first, the
    first top_n (or every one) named top_ and the rest bottom_.
    """
    p = len(names)
    top = p if request.top_n < 0 or request.top_n > p else request.top_n
    bottom = p if request.bottom_n < 0 or request.bottom_n > p else request.bottom_n
    keys = np.abs(values) if request.compare_abs else values
    descending = np.argsort(-keys, axis=1, kind="stable")
    ascending = np.argsort(keys, axis=1, kind="stable")
    if request.top_n != 0 and request.bottom_n == 0:
        chosen = descending
    elif request.top_n == 0 and request.bottom_n != 0:
        chosen = ascending
    elif request.top_n < 0 or request.bottom_n < 0 or request.top_n + request.bottom_n > p:
        chosen = descending
    else:
        chosen = np.concatenate([descending[:, :top], ascending[:, :bottom]], axis=1)
    size = min(top + bottom, p)
    labels = [f"top_{i}" for i in range(1, top + 1)] + [f"bottom_{i}" for i in range(1, size - top + 1)]
    rows = np.arange(len(values))
    domain = list(names) + ["BiasTerm"]
    for position, label in enumerate(labels[:size]):
        side, k = label.split("_")
        feature, value = f"{side}_feature_{k}", f"{side}_value_{k}"
        columns[feature] = chosen[:, position]
        types[feature] = ("enum", domain)
        columns[value] = values[rows, chosen[:, position]]
        types[value] = "real"


def require_background(algo, multinomial, with_background, multinomial_models):
    """H2O-3's two refusals for models explained only against a background frame (GLM, deep
    learning, stacked ensembles): none for more than two classes, none without the frame."""
    if multinomial:
        raise InvalidArgument("predict_contributions", f"Contributions are not available for {multinomial_models}.")
    if not with_background:
        raise InvalidArgument("background_frame", f"{algo} supports contribution calculation only with a background "
                              "frame (as H2O-3): give background_frame.")
