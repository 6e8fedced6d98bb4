"""Partial dependence and ICE: how a model's mean prediction moves with one or two columns.

For each grid value of a column, every row of the frame (or the one row ``row_index`` names,
for ICE) gets that value in the column and the model predicts them all in one batch; the
table holds the mean, the standard deviation (n - 1) and the standard error of those
predictions, as H2O-3's PartialDependence lays them out: a table per column (per target class
for multinomial models), then one per column pair for 2D.

The grid is H2O-3's: a numeric column from its min to its max in ``nbins`` even steps (every
integer when an integer column has fewer distinct values), a categorical column its levels,
or the user's own split points; ``add_missing_na`` appends a missing-value bin.
"""

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from h2odash.engine.errors import InvalidArgument
from h2odash.engine.frames import Frame, numeric_values
from h2odash.engine.model_data import BINOMIAL, MULTINOMIAL, REGRESSION
from h2odash.engine.tables import Table, col

MISSING_LEVEL = ".missing(NA)"


@dataclass
class Request:
    """A partial dependence request, with H2O-3's parameter names."""

    cols: list = None
    nbins: int = 20
    weight_column_index: int = -1
    add_missing_na: bool = False
    row_index: int = -1
    col_pairs_2dpdp: list = None
    user_splits: list = None
    user_cols: list = None
    num_user_splits: list = None
    targets: list = None
    splits_by_column: dict = field(default_factory=dict)


def check_request(model, frame, request):
    """Refuse a request before any work, naming what is wrong; fills in the columns when none
    are given (the ten most important, as H2O-3)."""
    if not model.supervised:
        raise InvalidArgument("model_id", "Partial dependence is only available for supervised models.")
    if request.nbins < 2:
        raise InvalidArgument("nbins", "nbins must be at least 2.")
    if model.category != MULTINOMIAL and request.targets:
        raise InvalidArgument("targets", "targets is only for multinomial models: it names the classes to plot.")
    if model.category == MULTINOMIAL:
        if not request.targets:
            raise InvalidArgument("targets", "A multinomial model needs targets: the classes whose probability "
                                             "to plot.")
        unknown = [t for t in request.targets if t not in model.spec.response_domain]
        if unknown:
            raise InvalidArgument("targets", f"Unknown target class {unknown[0]!r}; the classes are "
                                             f"{', '.join(model.spec.response_domain)}.")
    if not request.cols and not request.col_pairs_2dpdp:
        importances = model.variable_importances or []
        ranked = [name for name, _ in sorted(importances, key=lambda p: -p[1])][:10]
        request.cols = ranked or list(model.spec.names)
    for pair in request.col_pairs_2dpdp or []:
        if len(pair) != 2:
            raise InvalidArgument("col_pairs_2dpdp", "col_pairs_2dpdp takes pairs of column names.")
    used = list(request.cols or []) + [c for pair in request.col_pairs_2dpdp or [] for c in pair]
    for name in used:
        if name not in frame.names:
            raise InvalidArgument("cols", f"Column '{name}' is not in frame '{frame.key}'.")
        if name not in model.spec.names:
            raise InvalidArgument("cols", f"Column '{name}' is not a predictor of model '{model.key}'.")
    if not 0 <= request.weight_column_index < frame.ncols and request.weight_column_index != -1:
        raise InvalidArgument("weight_column_index", f"weight_column_index must be a column of frame '{frame.key}' "
                                                     f"(0 to {frame.ncols - 1}) or -1.")
    if request.weight_column_index >= 0 and frame.types[request.weight_column_index] not in ("int", "real"):
        raise InvalidArgument("weight_column_index", "The weight column must be numeric.")
    if request.row_index >= frame.nrows:
        raise InvalidArgument("row_index", f"row_index {request.row_index} is past the frame's last row "
                                           f"({frame.nrows - 1}).")
    request.splits_by_column = _user_splits(request, frame)
    for name in used:
        i = frame.names.index(name)
        if frame.types[i] == "enum" and name not in request.splits_by_column \
                and len(frame.domain(i)) > request.nbins:
            raise InvalidArgument("nbins", f"Column {name} has {len(frame.domain(i))} levels, more than nbins "
                                           f"({request.nbins}): raise nbins to plot it.")


def _user_splits(request, frame):
    """The user's split points by column (user_splits is flat; num_user_splits cuts it)."""
    if not request.user_splits:
        return {}
    cols, counts = list(request.user_cols or []), list(request.num_user_splits or [])
    if len(cols) != len(counts) or sum(counts) != len(request.user_splits):
        raise InvalidArgument("user_splits", "user_splits must hold num_user_splits values for each of user_cols.")
    found, start = {}, 0
    for name, count in zip(cols, counts):
        if name not in frame.names:
            raise InvalidArgument("user_cols", f"Column '{name}' is not in frame '{frame.key}'.")
        found[name] = [float(v) for v in request.user_splits[start:start + count]]
        start += count
    return found


def grid_of(frame, name, request):
    """The values a column takes in the plot (level codes for a categorical; NaN: missing)."""
    i = frame.names.index(name)
    if name in request.splits_by_column:
        values = list(request.splits_by_column[name])
    elif frame.types[i] == "enum":
        values = list(range(len(frame.domain(i))))
    else:
        finite = numeric_values(frame.table.column(i), frame.types[i])
        finite = finite[np.isfinite(finite)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (np.nan, np.nan)
        bins = request.nbins
        is_int = frame.types[i] == "int" or (finite.size and np.all(finite == np.round(finite)))
        if is_int and finite.size and hi - lo + 1 < bins:
            bins = int(hi - lo + 1)
        step = (hi - lo) / (bins - 1) if bins > 1 else 0.0
        values = [lo + j * step for j in range(bins)]
    if request.add_missing_na:
        values.append(np.nan)
    return values


def _with_value(frame, name, value):
    """The frame with every row's ``name`` set to ``value`` (NaN: missing)."""
    i = frame.names.index(name)
    n = frame.nrows
    missing = np.isnan(value)
    if frame.types[i] == "enum":
        codes = pa.array(np.full(n, 0 if missing else int(value), dtype=np.int32),
                         mask=np.full(n, missing))
        column = pa.DictionaryArray.from_arrays(codes, pa.array(frame.domain(i), pa.string()))
        kind = "enum"
    else:
        column = pa.array(np.full(n, 0.0 if missing else value), mask=np.full(n, missing))
        kind = "real"
    table = frame.table.set_column(i, pa.field(name, column.type), column)
    types = list(frame.types)
    types[i] = kind
    return Frame(frame.key, table, types)


def _label(frame, name, value):
    i = frame.names.index(name)
    if frame.types[i] == "enum":
        return MISSING_LEVEL if np.isnan(value) else frame.domain(i)[int(value)]
    return float(value)


def partial_dependence(model, frame, request, progress=None, check_cancelled=None):
    """H2O-3's partial dependence tables for a checked request (see check_request)."""
    # The grid comes from the whole frame; ICE predicts its one row.
    rows = frame if request.row_index < 0 else Frame(frame.key, frame.table.slice(request.row_index, 1), frame.types)
    weights = None
    if request.weight_column_index >= 0:
        weights = numeric_values(rows.table.column(request.weight_column_index),
                                 rows.types[request.weight_column_index])
    targets = request.targets or [None]
    jobs = [(name, None, target) for name in request.cols or [] for target in targets]
    jobs += [(a, b, target) for a, b in request.col_pairs_2dpdp or [] for target in targets]
    tables = []
    for done, (first, second, target) in enumerate(jobs):
        tables.append(_table(model, frame, rows, request, first, second, target, weights, check_cancelled))
        if progress is not None:
            progress((done + 1) / len(jobs))
    return tables


def _table(model, frame, rows, request, first, second, target, weights, check_cancelled):
    grid_1 = grid_of(frame, first, request)
    grid_2 = grid_of(frame, second, request) if second is not None else [None]
    column = _response_column(model, target)
    kinds = {name: ("string" if frame.types[frame.names.index(name)] == "enum" else "double")
             for name in filter(None, (first, second))}
    if second is None:
        title = f"Partial Dependence Plot of model {model.key} on column '{first}'"
        name = "PartialDependence"
    else:
        title = f"2D Partial Dependence Plot of model {model.key} on 1st column '{first}' and 2nd column '{second}'"
        name = "2D-PartialDependence"
    if target is not None:
        title += f" and class {target}"
    if request.row_index >= 0:
        title += f" for row index {request.row_index}"
    columns = [col(first.lower(), kinds[first], first, "%s" if kinds[first] == "string" else "%5f")]
    if second is not None:
        columns.append(col(second.lower(), kinds[second], second, "%s" if kinds[second] == "string" else "%5f"))
    columns += [col(c, "double", c, "%5f") for c in ("mean_response", "stddev_response", "std_error_mean_response")]
    table = Table(name, columns, description=title)
    for v1 in grid_1:
        changed = _with_value(rows, first, v1)
        for v2 in grid_2:
            if check_cancelled is not None:
                check_cancelled()
            scored = changed if v2 is None else _with_value(changed, second, v2)
            predictions = np.asarray(model.predict_raw(scored))
            values = predictions if column is None else predictions[:, column]
            labels = [_label(frame, first, v1)] + ([] if v2 is None else [_label(frame, second, v2)])
            table.append(labels + list(_stats(values, weights)))
    return table


def _response_column(model, target):
    """Which prediction the plot follows: the value (regression), p1 (binomial) or a class's."""
    if model.category == REGRESSION:
        return None
    if model.category == BINOMIAL:
        return 1
    return list(model.spec.response_domain).index(target)


def _stats(values, weights):
    """(mean, standard deviation with n - 1, standard error of the mean), as H2O-3 computes them."""
    values = np.asarray(values, dtype=np.float64)
    n = len(values)
    if weights is None:
        finite = values[np.isfinite(values)]
        if not finite.size:
            return np.nan, np.nan, np.nan
        mean = float(finite.mean())
        sd = float(finite.std(ddof=1)) if finite.size > 1 else 0.0
    else:
        keep = np.isfinite(values) & (np.abs(weights) > 0) & np.isfinite(weights)
        v, w = values[keep], weights[keep]
        if w.sum() == 0:
            return np.nan, np.nan, np.nan
        mean = float((v * w).sum() / w.sum())
        count = keep.sum()
        scaling = count / (count - 1.0 if count != 1 else 1.0)
        sd = float(np.sqrt(max(((v * v * w).sum() / w.sum() - mean * mean) * scaling, 0.0)))
    return mean, sd, sd / np.sqrt(n)


class PartialDependenceResult:
    """A finished (or running) partial dependence computation, kept under its key for
    ``GET /3/PartialDependence/{key}``."""

    def __init__(self, key, model_key, frame_key, request):
        self.key, self.model_key, self.frame_key, self.request = key, model_key, frame_key, request
        self.tables = []
