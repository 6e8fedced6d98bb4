"""A model's card: what it is, what it was trained on, how long it took, the parameters that
differ from the defaults, its metrics on every data set, the cross-validation summary and H2O's
model summary — HTML from the model's ``GET /3/Models/{id}`` answer alone, so it draws at once."""
from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pandas as pd

from .metric_names import metric_label
from .tables import METRIC_NAMES, scalar_metrics, to_html, two_dim_table

METRIC_SETS = (("validation", "validation_metrics"), ("cross-validation", "cross_validation_metrics"),
               ("training", "training_metrics"))
# Parameters the card states in its own words above the table, not again among the changes.
_STATED = ("model_id", "training_frame", "validation_frame", "response_column")


def metrics_table(models: dict[str, dict]) -> pd.DataFrame:
    """One row per metric, one column per model and metric set (``GBM_1 validation``...)."""
    columns = {}
    for model_id, model in models.items():
        output = model.get("output") or {}
        for label, key in METRIC_SETS:
            found = scalar_metrics(output.get(key))
            if found:
                columns[f"{model_id} {label}" if len(models) > 1 else label] = found
    table = pd.DataFrame(columns)
    if table.empty:
        return table
    # Models of different categories share few metrics: keep one order rather than pandas' sorted union.
    table = table.reindex([name for name in METRIC_NAMES if name in table.index])
    return table.rename_axis("metric").reset_index()  # H2O's names: the CSV download is for programs


def _shown(value: Any) -> str:
    """A parameter value as a person reads it: keys by name, lists joined."""
    if isinstance(value, dict):
        return str(value.get("name") or value.get("column_name") or "")
    if isinstance(value, (list, tuple)):
        return ", ".join(_shown(v) for v in value)
    return "" if value is None else str(value)


def changed_parameters(model: dict) -> pd.DataFrame:
    """The parameters the model was trained with that differ from the algorithm's defaults."""
    rows = []
    for parameter in model.get("parameters") or []:
        name = parameter.get("name")
        if name in _STATED:
            continue
        actual, default = parameter.get("actual_value"), parameter.get("default_value")
        if _shown(actual) != _shown(default):
            rows.append({"parameter": name, "value": _shown(actual), "default": _shown(default)})
    return pd.DataFrame(rows, columns=["parameter", "value", "default"])


def cross_validation_summary(output: dict) -> pd.DataFrame:
    """Each metric's mean ± sd over the folds, then the value on each fold."""
    table = two_dim_table(output.get("cross_validation_metrics_summary"))
    if table.empty:
        return table
    table = table.rename(columns={"": "metric"})
    table = table[pd.to_numeric(table["mean"], errors="coerce").notna()]  # H2O lists AIC as NaN for trees
    table["metric"] = table["metric"].map(metric_label)
    folds = [c for c in table.columns if c.startswith("cv_")]
    for column in ["mean", "sd", *folds]:
        table[column] = pd.to_numeric(table[column], errors="coerce")
    table.insert(1, "mean ± sd", [f"{m:.4g} ± {s:.2g}" for m, s in zip(table["mean"], table["sd"])])
    return table.drop(columns=["mean", "sd"]).rename(columns={f: f.replace("cv_", "fold ").replace("_valid", "")
                                                              for f in folds})


def _when(millis: Any) -> str:
    try:
        return dt.datetime.fromtimestamp(float(millis) / 1000).strftime("%Y-%m-%d %H:%M:%S")
    except (TypeError, ValueError, OverflowError, OSError):
        return ""


def _duration(millis: Any) -> str:
    try:
        seconds = float(millis) / 1000
    except (TypeError, ValueError):
        return ""
    return f"{seconds:.2f} s" if seconds < 60 else f"{int(seconds // 60)} min {seconds % 60:.0f} s"


def _parameter(model: dict, name: str) -> str:
    found = next((p for p in model.get("parameters") or [] if p.get("name") == name), None)
    return _shown(found.get("actual_value")) if found else ""


def facts(model: dict) -> list[tuple[str, str]]:
    """``(label, value)`` lines about the model: algorithm, response, frames, folds, timing."""
    output = model.get("output") or {}
    folds = _parameter(model, "nfolds")
    lines = [("algorithm", model.get("algo_full_name") or model.get("algo") or ""),
             ("model category", output.get("model_category") or ""),
             ("response", model.get("response_column_name") or _parameter(model, "response_column")),
             ("training frame", _parameter(model, "training_frame") or (model.get("data_frame") or {}).get("name", "")),
             ("validation frame", _parameter(model, "validation_frame")),
             ("cross-validation", f"{folds} folds" if folds not in ("", "0") else ""),
             ("run time", _duration(output.get("run_time"))),
             ("trained", _when(output.get("start_time") or model.get("timestamp")))]
    return [(label, value) for label, value in lines if value]


def _section(title: str, body: str) -> str:
    return f"<h5 style='margin:12px 0 4px'>{html.escape(title)}</h5>{body}"


def card_html(model: dict) -> str:
    """The whole card as one block of HTML."""
    output = model.get("output") or {}
    rows = "".join(f"<tr><th style='text-align:left;padding-right:12px'>{html.escape(k)}</th>"
                   f"<td>{html.escape(v)}</td></tr>" for k, v in facts(model))
    parts = [f"<table class='h2odash-model-facts'>{rows}</table>"]
    metrics = metrics_table({model.get("model_id", {}).get("name", ""): model})
    if not metrics.empty:
        metrics["metric"] = metrics["metric"].map(metric_label)
        parts.append(_section("Metrics", to_html(metrics)))
    summary = cross_validation_summary(output)
    if not summary.empty:
        parts.append(_section("Cross-validation: mean ± sd over the folds, and each fold", to_html(summary)))
    changed = changed_parameters(model)
    parts.append(_section("Parameters changed from the defaults",
                          to_html(changed) if not changed.empty else "<i>none: every parameter has its default</i>"))
    model_summary = two_dim_table(output.get("model_summary")).drop(columns=[""], errors="ignore")
    if not model_summary.empty:
        parts.append(_section("Model summary", to_html(model_summary)))
    return "<div class='h2odash-model-card'>" + "".join(parts) + "</div>"
