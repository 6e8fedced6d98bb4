"""``(quantile fr [probs] 'method' 'weights'|'_')`` and the quantile rule that ``median`` shares.

H2O-3's rule (hex.quantile.Quantile): over the N present values in order, the probability p
falls at row p*(N-1). A whole row number gives that row's value; otherwise the values ``lo`` and
``hi`` of the rows on either side are combined: ``interpolate`` linearly, ``average`` their
mean, ``low``/``high`` one of them. With weights, each value stands for as many rows as its
weight (rows of weight 0 are left out).
"""
from __future__ import annotations

import math

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


def quantiles_of(x: np.ndarray, probs: list[float], method: str, weights: np.ndarray | None = None,
                 whole: bool = False) -> list[float]:
    """Quantiles of the present values of ``x`` (NaN when there are none), found as H2O-3 finds
    them: histograms of 1024 bins (one per value for whole numbers spanning less than 1024),
    refined around the wanted row until it is pinned down. The histogram decides close cases:
    a wanted row that is exactly a row number but shares its first bin with other values is
    combined with the next row (so ``high`` can give the next value)."""
    present = ~np.isnan(x)
    nrows = float(np.sum(weights[present])) if weights is not None else float(np.sum(present))
    if weights is not None:
        present &= weights != 0
    if weights is None:
        values = np.sort(x[present])
        w = np.ones(len(values))
    else:
        order = np.argsort(x[present], kind="stable")
        values, w = x[present][order], weights[present][order]
    if not len(values):
        return [float("nan")] * len(probs)
    first = _Histogram(values, w, values[0], values[-1], 0.0, nrows, whole)
    out = []
    for prob in probs:
        histogram = first
        for _ in range(200):    # each pass narrows the range ~1024 times; 200 is never reached
            found = histogram.find(prob, method)
            if not np.isnan(found):
                break
            histogram = histogram.refined(prob)
        out.append(found)
    return out


def _running_whole_sum(start: float, counts: np.ndarray) -> np.ndarray:
    """Cumulative (weighted) row counts as H2O-3 keeps them, in a ``long`` truncated after every
    bin. Whole counts add up exactly; fractional weights need the bin-by-bin truncation (a loop
    over at most 1024 bins, not over rows)."""
    if np.all(counts == np.trunc(counts)):
        return float(int(start)) + np.cumsum(counts)
    ends = np.empty(len(counts))
    total = float(int(start))
    for i, count in enumerate(counts):
        total = float(math.trunc(total + count))
        ends[i] = total
    return ends


class _Histogram:
    """One pass of H2O-3's quantile histogram over sorted values (``hex.quantile.Quantile.Histo``)."""

    BINS = 1024

    def __init__(self, values, weights, lb, ub, start_row, nrows, whole):
        self.values, self.weights, self.whole = values, weights, whole
        exact = whole and (ub - lb < self.BINS)
        self.nbins = int(ub - lb + 1) if exact else self.BINS
        self.lb, self.start_row, self.nrows = lb, start_row, nrows
        self.step = 1.0 if exact else (ub + np.spacing(max(abs(lb), abs(ub))) - lb) / self.nbins
        with np.errstate(all="ignore"):
            index = (values - lb) / self.step
        inside = (index >= 0) & (index < self.nbins)
        bins = index[inside].astype(np.int64)
        self.counts = np.bincount(bins, weights=weights[inside], minlength=self.nbins)
        self.mins = np.full(self.nbins, np.nan)
        self.maxs = np.full(self.nbins, np.nan)
        if len(bins):   # values are sorted, so bins come in runs: a run's first value is its least
            first = np.r_[0, np.flatnonzero(np.diff(bins)) + 1]
            used = bins[first]
            last = np.r_[first[1:], len(bins)] - 1
            kept = values[inside]
            self.mins[used], self.maxs[used] = kept[first], kept[last]
        self.ends = _running_whole_sum(start_row, self.counts)

    def edge(self, i: int) -> float:
        return self.lb + self.step * i

    def bin_of(self, row: float) -> int:
        return int(np.searchsorted(self.ends, float(int(row)), side="right"))

    def find(self, prob: float, method: str) -> float:
        position = prob * (self.nrows - 1)
        row = float(int(position))
        lo_bin = self.bin_of(row)
        lo = self.edge(self.nbins) if lo_bin == self.nbins else self.maxs[lo_bin]
        if lo_bin < self.nbins and row == position and self.mins[lo_bin] == lo:
            return float(lo)
        hi_bin = self.bin_of(row + 1)
        hi = self.edge(self.nbins) if hi_bin == self.nbins else self.mins[hi_bin]
        if lo_bin == hi_bin:
            return float(lo) if lo == hi else float("nan")
        return float(combine(lo, hi, row, self.nrows, prob, method))

    def refined(self, prob: float) -> "_Histogram":
        position = prob * (self.nrows - 1)
        lo_row = float(int(position))
        lo_bin = self.bin_of(lo_row)
        hi_bin = self.bin_of(lo_row if lo_row == position else lo_row + 1)
        lo = self.mins[lo_bin]
        hi = self.edge(self.nbins) if hi_bin == self.nbins else self.maxs[hi_bin]
        start = float(_running_whole_sum(self.start_row, self.counts[:lo_bin])[-1]) if lo_bin else float(int(self.start_row))
        # only values in [lo, hi] (and a hair above) can fall in the refined bins
        first = np.searchsorted(self.values, lo, side="left")
        last = np.searchsorted(self.values, hi + np.spacing(max(abs(lo), abs(hi))), side="right")
        return _Histogram(self.values[first:last], self.weights[first:last], lo, hi, start, self.nrows, self.whole)


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
        arrays.append(np.array(quantiles_of(x, probabilities, how, w, whole=fr.types[i] == "int")))
    return v.numbers_frame(names, arrays)

