"""``(quantile fr [probs] 'method' 'weights'|'_')`` and the quantile rule that ``median`` shares.

H2O-3's rule (hex.quantile.Quantile): over the N present values in order, the probability p
falls at row p*(N-1). A whole row number gives that row's value; otherwise the values ``lo`` and
``hi`` of the rows on either side are combined: ``interpolate`` linearly, ``average`` their
mean, ``low``/``high`` one of them. With weights, each value stands for as many rows as its
weight (rows of weight 0 are left out).
"""
from __future__ import annotations

import numpy as np

from ..interpreter import Interpreter, RapidsError, prim
from .. import values as v

METHODS = ("interpolate", "average", "low", "high")


def combine(lo: float, hi: float, row: float, nrows: float, prob: float, method: str) -> float:
    if lo == hi:
        return lo
    if method == "average":
        return 0.5 * (hi + lo)
    if method == "low":
        return lo
    if method == "high":
        return hi
    plo = row / (nrows - 1)
    phi = (row + 1) / (nrows - 1)
    return lo + (hi - lo) * (prob - plo) / (phi - plo)


def quantile_of(x: np.ndarray, prob: float, method: str, weights: np.ndarray | None = None) -> float:
    """One quantile of the present values of ``x`` (NaN when there are none)."""
    present = ~np.isnan(x)
    if weights is not None:
        present &= weights != 0
    values = x[present]
    if not len(values):
        return float("nan")
    order = np.argsort(values, kind="stable")
    values = values[order]
    if weights is None:
        nrows = float(len(values))
        ends = np.arange(1, len(values) + 1, dtype=np.float64)
    else:
        w = weights[present][order]
        nrows = float(np.sum(weights[~np.isnan(x)]))
        ends = np.floor(np.cumsum(w))          # H2O-3 counts rows in whole numbers
    position = prob * (nrows - 1)
    row = float(int(position))

    def at(r: float) -> float:
        k = int(np.searchsorted(ends, np.floor(r), side="right"))
        return float(values[min(k, len(values) - 1)])

    lo = at(row)
    if row == position:
        return lo
    return float(combine(lo, at(row + 1), row, nrows, prob, method))


@prim("quantile")
def quantile(ix: Interpreter, value, probs, method, weights):
    """A frame: ``Probs``, then ``<col>Quantiles`` for each column but the weights (NaN for a
    column that is not int/real)."""
    fr = v.frame(value, "quantile")
    probabilities = v.numbers(probs, "quantile", "its probabilities")
    for p in probabilities:
        if not 0 <= p <= 1:
            raise RapidsError(f"Probability must be between 0 and 1: {p:g}")
    how = v.string(method, "quantile", "its combine method").lower()
    if how not in METHODS:
        raise RapidsError(f"'quantile' combines with one of {', '.join(METHODS)}, not '{how}'.")
    weights_name = v.string(weights, "quantile", "its weights column")
    w = None
    columns = list(range(fr.ncols))
    if weights_name != "_":
        if weights_name not in fr.names:
            raise RapidsError(f"'quantile': the weights column '{weights_name}' is not in the frame.")
        index = fr.names.index(weights_name)
        w = v.column_floats(fr, index)
        if np.isnan(w).any():
            raise RapidsError("'quantile': weights cannot have missing values.")
        columns.remove(index)
    names, arrays = ["Probs"], [np.array(probabilities, dtype=np.float64)]
    for i in columns:
        names.append(f"{fr.names[i]}Quantiles")
        if fr.types[i] not in ("int", "real"):
            arrays.append(np.full(len(probabilities), np.nan))
            continue
        x = v.column_floats(fr, i)
        arrays.append(np.array([quantile_of(x, p, how, w) for p in probabilities]))
    return v.numbers_frame(names, arrays)

