"""Every column of a frame in one table (type, missing, min, max, mean, distinct values and a small
histogram drawn as inline SVG), and histograms re-binned to a number of bins people can read.

H2O sends each numeric column's histogram as up to ~1000 fine bins of equal width
(``histogram_base``, ``histogram_stride``, ``histogram_bins`` of ``GET /3/Frames/{id}/summary``);
merging neighbours keeps every count, so the re-binned bars still add up to the rows that have
a value.
"""
from __future__ import annotations

import html
import math
from typing import Any

import pandas as pd

from .tables import to_html

# Bounds on the number of bars a histogram is drawn with.
MIN_BINS, MAX_BINS = 5, 50
SPARK_WIDTH, SPARK_HEIGHT = 120, 22
# Levels drawn in a categorical column's sparkline (the rest are summed in the table's "distinct").
SPARK_LEVELS = 30


def _float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def target_bins(count: float, low: float | None, high: float | None, q1: float | None, q3: float | None) -> int:
    """How many bins a histogram of ``count`` values spread over [low, high] should have: the larger
    of Sturges' rule and the Freedman–Diaconis rule, the latter at most 2·√count (numpy 2's
    ``bins="auto"``), within [MIN_BINS, MAX_BINS]."""
    if count <= 0:
        return MIN_BINS
    sturges = math.ceil(math.log2(count)) + 1
    fd = 0
    if None not in (low, high, q1, q3) and q3 > q1 and high > low:
        width = 2 * (q3 - q1) / count ** (1 / 3)
        fd = min(math.ceil((high - low) / width), math.ceil(2 * math.sqrt(count)))
    return max(MIN_BINS, min(MAX_BINS, max(sturges, fd)))


def rebinned(column: dict, percentiles: list[float] | None = None) -> dict:
    """A copy of a summary column whose histogram has :func:`target_bins` bins (neighbouring fine
    bins merged; counts kept). Categorical columns and histograms already coarse enough are
    returned unchanged."""
    bins = [float(b) for b in column.get("histogram_bins") or []]
    if column.get("type") == "enum" or not bins:
        return column
    quartiles = dict(zip(percentiles or [], column.get("percentiles") or []))
    target = target_bins(sum(bins), _float((column.get("mins") or [None])[0]),
                         _float((column.get("maxs") or [None])[0]), _float(quartiles.get(0.25)),
                         _float(quartiles.get(0.75)))
    group = math.ceil(len(bins) / target)
    if group <= 1:
        return column
    merged = [sum(bins[i:i + group]) for i in range(0, len(bins), group)]
    stride = float(column.get("histogram_stride") or 1) * group
    return {**column, "histogram_bins": merged, "histogram_stride": stride}


def distinct_values(column: dict) -> int | None:
    """Levels of a categorical column; for an integer column whose histogram has one bin per
    integer, the bins that hold rows. None when the summary cannot tell."""
    if column.get("type") == "enum":
        return column.get("domain_cardinality") or len(column.get("domain") or [])
    bins = column.get("histogram_bins") or []
    if column.get("type") == "int" and bins and float(column.get("histogram_stride") or 0) == 1:
        return sum(1 for b in bins if float(b) > 0)
    return None


def sparkline(counts: list[float], title: str = "") -> str:
    """Bars of ``counts`` as a small inline SVG (no widget, no script: cheap for many rows)."""
    if not counts or max(counts) <= 0:
        return ""
    top, width = max(counts), SPARK_WIDTH / len(counts)
    bars = "".join(
        f"<rect x='{i * width:.2f}' y='{SPARK_HEIGHT * (1 - c / top):.2f}' width='{max(width - 0.5, 0.5):.2f}' "
        f"height='{SPARK_HEIGHT * c / top:.2f}'/>"
        for i, c in enumerate(counts) if c > 0)
    return (f"<svg class='h2odash-spark' width='{SPARK_WIDTH}' height='{SPARK_HEIGHT}' fill='#4c78a8'>"
            f"<title>{html.escape(title)}</title>{bars}</svg>")


def overview_rows(summary: dict) -> pd.DataFrame:
    """One row per column of a ``GET /3/Frames/{id}/summary`` frame: column, type, missing, min,
    max, mean, distinct; and its histogram counts (re-binned) under ``histogram``."""
    percentiles = summary.get("default_percentiles")
    rows = []
    for column in summary.get("columns") or []:
        numeric = column.get("type") in ("int", "real", "time")
        shown = rebinned(column, percentiles)
        counts = [float(b) for b in shown.get("histogram_bins") or []]
        rows.append({
            "column": column.get("label"), "type": column.get("type"),
            "missing": column.get("missing_count"),
            "min": _float((column.get("mins") or [None])[0]) if numeric else None,
            "max": _float((column.get("maxs") or [None])[0]) if numeric else None,
            "mean": _float(column.get("mean")) if numeric else None,
            "distinct": distinct_values(column),
            "histogram": counts[:SPARK_LEVELS] if column.get("type") == "enum" else counts,
        })
    return pd.DataFrame(rows, columns=["column", "type", "missing", "min", "max", "mean", "distinct", "histogram"])


def overview_html(summary: dict) -> str:
    """:func:`overview_rows` as an HTML table whose last column draws each histogram."""
    rows = overview_rows(summary)
    if rows.empty:
        return to_html(rows)
    marks = [f"@@spark{i}@@" for i in range(len(rows))]
    shown = rows.drop(columns="histogram").assign(
        distinct=rows["distinct"].map(lambda v: "" if v is None or pd.isna(v) else f"{int(v):,}"),
        histogram=marks)
    table = to_html(shown, max_rows=len(rows))
    for mark, counts, name in zip(marks, rows["histogram"], rows["column"]):
        table = table.replace(mark, sparkline(counts, f"{name}: {len(counts)} bins"), 1)
    return table
