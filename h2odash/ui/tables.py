"""H2O tables as pandas DataFrames, and DataFrames as HTML for the panels."""
from __future__ import annotations

import html
import math
from typing import Any

import numpy as np
import pandas as pd


def _number(value: Any) -> Any:
    # H2O writes non-finite numbers as strings ("NaN", "Infinity").
    if isinstance(value, str) and value in ("NaN", "Infinity", "-Infinity"):
        return float(value.replace("Infinity", "inf"))
    return value


def two_dim_table(table: dict | None) -> pd.DataFrame:
    """A ``TwoDimTableV3`` (data stored column by column) as a DataFrame.

    H2O's first column often has an empty name and holds row labels; it is kept as is.
    An absent table gives an empty DataFrame.
    """
    if not table or not table.get("columns"):
        return pd.DataFrame()
    names = [column["name"] or "" for column in table["columns"]]
    data = table.get("data") or [[] for _ in names]
    frame = pd.DataFrame({name: [_number(v) for v in values] for name, values in zip(names, data)})
    for column, spec in zip(frame.columns, table["columns"]):
        if spec.get("type") in ("double", "float", "long", "int"):
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
    return frame


def to_html(frame: pd.DataFrame, max_rows: int = 200) -> str:
    """Render a DataFrame compactly for an ``HTML`` widget (numbers to 4 significant digits)."""
    if frame.empty:
        return "<i>(empty)</i>"
    style = ("<style>.h2odash-table td,.h2odash-table th{padding:2px 8px;text-align:right;"
             "font-size:12px}.h2odash-table{border-collapse:collapse}</style>")
    body = frame.head(max_rows).to_html(index=False, classes="h2odash-table", border=0, na_rep="",
                                        float_format=lambda v: f"{v:.4g}")
    return style + body


def human_bytes(size: Any) -> str:
    """``123456`` -> ``'121 kB'``."""
    try:
        size = float(size)
    except (TypeError, ValueError):
        return ""
    if not math.isfinite(size) or size < 0:
        return ""
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""


# The single-number metrics, in the order tables list them: a supervised model's, then
# clustering, anomaly detection and GLRM ones. Each model has only its own category's.
METRIC_NAMES = ("AUC", "pr_auc", "Gini", "logloss", "mean_per_class_error", "MSE", "RMSE", "r2",
                "mae", "rmsle", "mean_residual_deviance", "residual_deviance", "null_deviance", "AIC",
                "tot_withinss", "betweenss", "totss", "mean_score", "mean_normalized_score",
                "numerr", "caterr", "numcnt", "catcnt", "nobs")


def scalar_metrics(metrics: dict | None) -> dict[str, float]:
    """The single-number metrics (:data:`METRIC_NAMES`) of a ``ModelMetrics*V3`` dict: AUC, RMSE,
    logloss... of a supervised model; tot_withinss, mean_score, numerr... of an unsupervised one."""
    found = {}
    for name in METRIC_NAMES:
        value = (metrics or {}).get(name)
        value = _number(value)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and not np.isnan(value):
            found[name] = value
    return found


def confusion_at(thresholds: pd.DataFrame, threshold: float, domain: list[str] | None = None) -> pd.DataFrame:
    """The binomial confusion matrix at ``threshold``, from a thresholds_and_metric_scores table.

    Rows with a probability of at least ``threshold`` are predicted positive. H2O lists its
    thresholds at the predicted values themselves, so the row that counts is the lowest listed
    threshold at or above ``threshold``.
    """
    labels = list(domain or ["0", "1"])
    if thresholds.empty:
        return pd.DataFrame()
    ordered = thresholds.sort_values("threshold")
    above = ordered[ordered["threshold"] >= threshold]
    row = above.iloc[0] if len(above) else ordered.iloc[-1]
    tn, fp, fn, tp = (int(row[k]) for k in ("tns", "fps", "fns", "tps"))
    return pd.DataFrame({
        "actual \\ predicted": labels,
        labels[0]: [tn, fn],
        labels[1]: [fp, tp],
        "error": [fp / max(tn + fp, 1), fn / max(fn + tp, 1)],
    })


def components_table(importance: dict | None) -> pd.DataFrame:
    """H2O's importance of components (a row per statistic, a column per component: PCA, GLRM)
    as a row per component: ``component, standard_deviation, proportion_of_variance,
    cumulative_proportion``."""
    frame = two_dim_table(importance)
    if frame.empty:
        return frame
    by_component = frame.set_index(frame.columns[0]).T.apply(pd.to_numeric, errors="coerce")
    by_component.columns = [str(name).strip().lower().replace(" ", "_") for name in by_component.columns]
    return by_component.rename_axis("component").reset_index()


def to_html_with_types(frame: pd.DataFrame, types: dict[str, str], max_rows: int = 200) -> str:
    """:func:`to_html` with each column's type (``int``, ``enum``...) in a second header row."""
    table = to_html(frame, max_rows)
    if frame.empty or "</thead>" not in table:
        return table
    cells = "".join(f"<th class='h2odash-type'>{html.escape(str(types.get(name, '')))}</th>" for name in frame.columns)
    row = f"<tr style='color:#777;font-weight:normal;font-style:italic'>{cells}</tr>"
    return table.replace("</thead>", row + "</thead>", 1)
