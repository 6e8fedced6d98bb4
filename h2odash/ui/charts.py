"""Plotly figure factories: pure functions from H2O API dicts to plain ``go.Figure`` objects.

Nothing here talks to a server, so every chart can be unit-tested from a captured answer. A
factory's figure is drawn into a live widget that exists once per chart (:func:`redraw`, used
by :class:`~h2odash.ui.chartbox.ChartBox`): new widgets per view are what made model views slow.
Figures get explicit heights (a figure widget without one collapses inside an ipywidgets box)
and no width, so they fill their panel. Live charts are updated with :func:`set_series`, which
changes data inside ``batch_update()`` so that a background thread sends one message per refresh.
"""
from __future__ import annotations

import re
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .figure_widget import Figure, keep_page_state
from .metric_names import base_name, higher_is_better, metric_label
from .tables import components_table, two_dim_table

HEIGHT = 320
# Columns of a scoring history that count training progress, best first.
_PROGRESS_COLUMNS = ("number_of_trees", "epochs", "iterations", "iteration", "number_of_iterations")
_METRIC_PREFIXES = ("training_", "validation_")
# Numeric columns of a scoring history that describe the solver, not how well the model fits
# (GLRM's step size dwarfed by its objective would only flatten the chart).
_BOOKKEEPING_COLUMNS = ("samples", "step_size")
_HISTORY_COLOUR, _MARK_COLOUR, _BASELINE = "#1f77b4", "#d62728", dict(dash="dot", color="grey")


# plotly_white's look written out: a named template is validated again on every figure and every
# redraw, which was half the kernel's time of opening a model.
_AXIS = dict(gridcolor="#ebf0f8", zerolinecolor="#ebf0f8", linecolor="#ebf0f8", automargin=True)
PLAIN = dict(template=None, paper_bgcolor="white", plot_bgcolor="white", font=dict(color="#2a3f5f"),
             colorway=["#636efa", "#ef553b", "#00cc96", "#ab63fa", "#ffa15a", "#19d3f3", "#ff6692", "#b6e880"])


def _layout(title: str, x_title: str, y_title: str, height: int) -> dict:
    # The legend sits above the plot, right of the title, so it never covers an axis title.
    return dict(title=dict(text=title, font=dict(size=14), x=0.01, xanchor="left"), height=height,
                autosize=True, margin=dict(l=60, r=20, t=56, b=44),
                xaxis=dict(title=dict(text=x_title), **_AXIS), yaxis=dict(title=dict(text=y_title), **_AXIS),
                legend=dict(orientation="h", x=1, xanchor="right", y=1.02, yanchor="bottom"), **PLAIN)


def figure(title: str, x_title: str = "", y_title: str = "", height: int = HEIGHT) -> go.Figure:
    """An empty figure with the dashboard's layout."""
    return go.Figure(layout=_layout(title, x_title, y_title, height))


def live_figure(height: int = HEIGHT) -> Figure:
    """An empty figure widget to draw figures into with :func:`redraw`."""
    fig = Figure(layout=_layout("", "", "", height))
    return fig


def _kept(fig) -> None:
    """After changing a live figure, store what it shows for views drawn later."""
    if isinstance(fig, go.FigureWidget):
        keep_page_state(fig)


def redraw(target: go.FigureWidget, source: go.Figure) -> None:
    """Make the live figure ``target`` show ``source``: its traces and its layout, in one batch."""
    layout = source.layout.to_plotly_json()
    layout.pop("template", None)
    # Properties the new figure does not set go back to plotly's defaults. Assigning the whole
    # layout would do that too, but rebuilds its template each time (a third of an open's time).
    layout.update({key: None for key in target.layout.to_plotly_json() if key not in layout and key != "template"})
    with target.batch_update():
        target.data = ()
        target.add_traces(source.data)
        target.update_layout(layout, overwrite=True)
    _kept(target)


Series = Mapping[str, tuple[Sequence, Sequence]]


def set_series(fig: go.FigureWidget, series: Series, mode: str = "lines+markers") -> None:
    """Show ``series`` (``name -> (x, y)``) in ``fig``, reusing traces by name, so a figure made
    on a callback can be filled (or grown) by a background thread; other traces are left alone."""
    with fig.batch_update():
        existing = {trace.name: trace for trace in fig.data}
        for name, (x, y) in series.items():
            if name in existing:
                existing[name].x, existing[name].y = list(x), list(y)
            else:
                fig.add_scatter(x=list(x), y=list(y), name=name, mode=mode)
    _kept(fig)


# -- frames -------------------------------------------------------------------------------
def column_chart(column: dict, height: int = HEIGHT) -> go.Figure:
    """A histogram (numeric column) or a bar chart of level counts (categorical column).

    Reads the ``histogram_bins``/``histogram_base``/``histogram_stride`` that
    ``GET /3/Frames/{id}/summary`` returns for each column.
    """
    name = column.get("label", "")
    bins = [float(b) for b in column.get("histogram_bins") or []]
    if column.get("type") == "enum":
        domain = list(column.get("domain") or [])
        fig = figure(f"{name}: level counts", name, "rows", height)
        fig.add_bar(x=domain[:len(bins)], y=bins[:len(domain)], name=name)
        return fig
    fig = figure(f"{name}: histogram", name, "rows", height)
    base, stride = float(column.get("histogram_base") or 0), float(column.get("histogram_stride") or 1)
    centers = [base + stride * (i + 0.5) for i in range(len(bins))]
    fig.add_bar(x=centers, y=bins, width=[stride] * len(bins), name=name)
    fig.update_layout(bargap=0.02)
    return fig


# -- training -----------------------------------------------------------------------------
def _seconds(text) -> float:
    """H2O writes durations as ``' 1.294 sec'`` or ``'1 min 2.5 sec'``."""
    total, found = 0.0, False
    for amount, unit in re.findall(r"([\d.]+)\s*(ms|sec|min|h)", str(text)):
        total += float(amount) * {"ms": 0.001, "sec": 1, "min": 60, "h": 3600}[unit]
        found = True
    return total if found else np.nan


def _history_metrics(frame: pd.DataFrame) -> list[str]:
    """The columns of a scoring history worth plotting.

    Supervised models name their metrics ``training_*`` / ``validation_*``; unsupervised ones
    (k-means' within_cluster_sum_of_squares, isolation forest's mean_anomaly_score, GLRM's
    objective) have no prefix, so for them every numeric column that does not count progress is
    a metric.
    """
    prefixed = [c for c in frame.columns if c.startswith(_METRIC_PREFIXES)]
    if prefixed:
        return prefixed
    return [c for c in frame.columns
            if c not in _PROGRESS_COLUMNS and c not in _BOOKKEEPING_COLUMNS
            and pd.api.types.is_numeric_dtype(frame[c])]


def scoring_history_series(table: dict | None) -> dict[str, tuple[list, list]]:
    """``metric -> (x, y)`` from a scoring history table; x counts trees, epochs or iterations.

    Rows without a value (H2O's first row, before any tree) are left out of each series.
    """
    frame = two_dim_table(table)
    if frame.empty:
        return {}
    progress = next((c for c in _PROGRESS_COLUMNS if c in frame.columns), None)
    x = (pd.to_numeric(frame[progress], errors="coerce") if progress
         else frame["duration"].map(_seconds) if "duration" in frame.columns
         else pd.Series(np.arange(len(frame)), dtype=float))
    series = {}
    for column in _history_metrics(frame):
        y = pd.to_numeric(frame[column], errors="coerce")
        keep = y.notna() & x.notna()
        if keep.any():
            series[column] = (x[keep].tolist(), y[keep].tolist())
    return series


def scoring_history_x_title(table: dict | None) -> str:
    frame = two_dim_table(table)
    return next((c for c in _PROGRESS_COLUMNS if c in frame.columns), "duration (s)")


def scoring_history_by_metric(table: dict | None) -> dict[str, dict[str, tuple[list, list]]]:
    """``metric -> {"training"|"validation"|"": (x, y)}``: the scoring history's series paired by
    metric (``training_logloss`` and ``validation_logloss`` under ``logloss``); unsupervised
    histories' unprefixed metrics come under ``""``."""
    paired: dict[str, dict[str, tuple[list, list]]] = {}
    for column, points in scoring_history_series(table).items():
        part = next((p[:-1] for p in _METRIC_PREFIXES if column.startswith(p)), "")
        paired.setdefault(base_name(column), {})[part] = points
    return paired


# The metric a scoring history opens on, when the model has it: what training minimises.
_HISTORY_PREFERENCE = ("logloss", "deviance", "rmse", "objective", "within_cluster_sum_of_squares",
                       "mean_anomaly_score", "auc")


def default_history_metric(metrics: Sequence[str], stopping_metric: str | None = None) -> str | None:
    """The stopping metric when the history has it, else the first of what training minimises."""
    wanted = (stopping_metric or "").lower()
    for name in ((wanted,) if wanted and wanted != "auto" else ()) + _HISTORY_PREFERENCE:
        if name in metrics:
            return name
    return next(iter(metrics), None)


def best_iteration(points: tuple[list, list], metric: str) -> tuple[float, float] | None:
    """Where a series reaches its best value (the first time), by the metric's direction."""
    x, y = points
    better = higher_is_better(metric)
    if not y or better is None:
        return None
    values = np.asarray(y, dtype=float)
    if np.isnan(values).all():
        return None
    index = int(np.nanargmax(values) if better else np.nanargmin(values))
    return x[index], y[index]


def scoring_history_chart(table: dict | None = None, metric: str | None = None, height: int = HEIGHT) -> go.Figure:
    """One metric of a scoring history against training progress: training solid, validation
    dashed in the same colour, the best iteration (on validation data when there is some) starred."""
    paired = scoring_history_by_metric(table)
    metric = metric if metric in paired else default_history_metric(list(paired))
    label = metric_label(metric) if metric else "metric"
    fig = figure(f"Scoring history: {label}" if metric else "Scoring history", scoring_history_x_title(table),
                 label, height)
    parts = paired.get(metric, {})
    for part, (x, y) in parts.items():
        fig.add_scatter(x=x, y=y, name=part or label, mode="lines+markers", marker=dict(size=4),
                        line=dict(color=_HISTORY_COLOUR, dash="dash" if part == "validation" else "solid"))
    judged = "validation" if "validation" in parts else next(iter(parts), None)
    best = best_iteration(parts[judged], metric) if judged is not None else None
    if best is not None:
        fig.add_scatter(x=[best[0]], y=[best[1]], mode="markers", name=f"best ({judged or label}) at {best[0]:g}",
                        marker=dict(symbol="star", size=14, color=_MARK_COLOUR))
    return fig


# -- model metrics ------------------------------------------------------------------------
# Each metric chart is a series function (data -> ``name -> (x, y)``) and a figure that starts
# from it, so the same figure can be made empty on a callback and filled later.
def roc_series(curves: Mapping[str, pd.DataFrame]) -> dict[str, tuple[list, list]]:
    """ROC points per curve (``name -> thresholds_and_metric_scores table``), from (0, 0) to (1, 1)."""
    series = {}
    for name, table in curves.items():
        points = table.sort_values("fpr")
        series[name] = ([0.0, *points["fpr"], 1.0], [0.0, *points["tpr"], 1.0])
    return series


def roc_chart(curves: Mapping[str, pd.DataFrame] | None = None, height: int = HEIGHT) -> go.Figure:
    """ROC curves, overlaid, with the diagonal of a random guess."""
    fig = figure("ROC", "false positive rate", "true positive rate", height)
    fig.add_scatter(x=[0, 1], y=[0, 1], mode="lines", name="random", line=dict(dash="dot", color="grey"))
    set_series(fig, roc_series(curves or {}), mode="lines")
    return fig


def mark_point(fig: go.FigureWidget, name: str, x: float, y: float) -> None:
    """Place (or move) a single highlighted point, e.g. the chosen threshold on a ROC curve."""
    with fig.batch_update():
        marks = [t for t in fig.data if t.name == name]
        if marks:
            marks[0].x, marks[0].y = [x], [y]
        else:
            fig.add_scatter(x=[x], y=[y], name=name, mode="markers", marker=dict(size=12, symbol="x"))
    _kept(fig)


def precision_recall_series(table: pd.DataFrame) -> dict[str, tuple[list, list]]:
    """Precision against recall from a thresholds_and_metric_scores table."""
    if table.empty:
        return {}
    points = table.sort_values("recall")
    return {"precision": (points["recall"].tolist(), points["precision"].tolist())}


def positive_rate(table: pd.DataFrame) -> float | None:
    """The share of actual positives (a precision-recall curve's chance level), from the counts in
    a thresholds_and_metric_scores table."""
    if table.empty or not {"tps", "fns", "fps", "tns"} <= set(table.columns):
        return None
    row = table.iloc[0]
    total = float(row["tps"] + row["fns"] + row["fps"] + row["tns"])
    return float(row["tps"] + row["fns"]) / total if total else None


def precision_recall_chart(table: pd.DataFrame | None = None, height: int = HEIGHT) -> go.Figure:
    """Precision against recall, with the chance level (the share of positives) dotted."""
    table = pd.DataFrame() if table is None else table
    fig = figure("Precision-recall", "recall", "precision", height)
    fig.update_yaxes(range=[0, 1.02])
    baseline = positive_rate(table)
    if baseline is not None:
        fig.add_scatter(x=[0, 1], y=[baseline, baseline], mode="lines", name=f"chance ({baseline:.2f})",
                        line=_BASELINE)
    set_series(fig, precision_recall_series(table), mode="lines")
    return fig


def precision_recall_overlay(curves: Mapping[str, pd.DataFrame], height: int = HEIGHT) -> go.Figure:
    """Several models' precision-recall curves on one chart."""
    fig = figure("Precision-recall", "recall", "precision", height)
    fig.update_yaxes(range=[0, 1.02])
    for name, table in curves.items():
        (x, y), = precision_recall_series(table).values()
        fig.add_scatter(x=x, y=y, name=name, mode="lines")
    return fig


def gains_lift_series(table: pd.DataFrame) -> dict[str, tuple[list, list]]:
    """Cumulative lift and cumulative capture rate against the fraction of rows targeted."""
    if table.empty:
        return {}
    fraction = table["cumulative_data_fraction"].tolist()
    return {"cumulative lift": (fraction, table["cumulative_lift"].tolist()),
            "cumulative capture rate": (fraction, table["cumulative_capture_rate"].tolist())}


def gains_lift_chart(table: pd.DataFrame | None = None, height: int = HEIGHT) -> go.Figure:
    """Cumulative lift (left axis, 1 = no better than chance) and cumulative capture rate (right
    axis, 0 to 1) against the fraction of rows targeted, best-scored first."""
    fig = figure("Gains / lift", "fraction of rows targeted (highest scores first)", "cumulative lift", height)
    fig.update_layout(yaxis2=dict(title=dict(text="cumulative capture rate"), overlaying="y", side="right",
                                  range=[0, 1.02], showgrid=False), margin=dict(r=60))
    series = gains_lift_series(pd.DataFrame() if table is None else table)
    if series:
        x, lift = series["cumulative lift"]
        _, capture = series["cumulative capture rate"]
        fig.add_scatter(x=x, y=lift, name="cumulative lift", mode="lines+markers", line=dict(color=_HISTORY_COLOUR))
        fig.add_scatter(x=x, y=capture, name="capture rate", mode="lines+markers", yaxis="y2",
                        line=dict(color="#ff7f0e"))
        fig.add_scatter(x=[0, 1], y=[1, 1], name="chance", mode="lines", line=_BASELINE)
    return fig


def bar_chart(title: str, labels: Sequence, values: Sequence, value_title: str = "",
              height: int = HEIGHT) -> go.Figure:
    """Horizontal bars, largest on top (variable importance, coefficients, leaderboards)."""
    fig = figure(title, value_title, "", height)
    fig.add_bar(x=list(values)[::-1], y=[str(v) for v in labels][::-1], orientation="h", name=value_title)
    fig.update_yaxes(automargin=True)  # long model ids push the plot right instead of being cut
    return fig


def variable_importance_chart(table: dict | None, top: int = 20, height: int = HEIGHT) -> go.Figure:
    """Scaled variable importances, top ``top`` variables."""
    frame = two_dim_table(table).head(top)
    if frame.empty:
        return bar_chart("Variable importance", [], [], "scaled importance", height)
    return bar_chart("Variable importance", frame["variable"], frame["scaled_importance"], "scaled importance", height)


def variable_importance_overlay(tables: Mapping[str, dict | None], top: int = 15,
                                height: int = HEIGHT) -> go.Figure:
    """Scaled variable importances of several models side by side: the ``top`` variables by their
    mean importance across the models, most important on top."""
    frames = {name: two_dim_table(table) for name, table in tables.items()}
    frames = {name: frame.set_index("variable")["scaled_importance"] for name, frame in frames.items() if not frame.empty}
    fig = figure("Variable importance", "scaled importance", "", max(height, 24 * top + 90))
    if not frames:
        return fig
    joined = pd.DataFrame(frames).fillna(0.0)
    joined = joined.loc[joined.mean(axis=1).sort_values(ascending=False).index[:top]]
    for name in joined.columns:
        fig.add_bar(y=[str(v) for v in joined.index[::-1]], x=joined[name].tolist()[::-1], name=name, orientation="h")
    fig.update_layout(barmode="group")
    return fig


def coefficients_chart(table: dict | None, height: int = HEIGHT) -> go.Figure:
    """GLM standardized coefficients (or raw ones when not standardized), by magnitude."""
    frame = two_dim_table(table)
    if frame.empty:
        return bar_chart("Coefficients", [], [], "coefficient", height)
    column = "standardized_coefficients" if "standardized_coefficients" in frame.columns else "coefficients"
    frame = frame[frame["names"] != "Intercept"].reindex(frame[column].abs().sort_values(ascending=False).index)
    frame = frame.dropna(subset=[column])
    return bar_chart("Coefficients", frame["names"], frame[column], column.replace("_", " "), height)


def residual_series(predicted: Sequence[float], actual: Sequence[float]) -> dict[str, tuple[list, list]]:
    """Residuals (actual - predicted) against predicted values."""
    predicted, actual = np.asarray(predicted, float), np.asarray(actual, float)
    return {"residual": (predicted.tolist(), (actual - predicted).tolist())}


def residuals_chart(predicted: Sequence[float] = (), actual: Sequence[float] = (),
                    height: int = HEIGHT) -> go.Figure:
    fig = figure("Residuals", "predicted", "actual - predicted", height)
    # The trace exists from the start so its marker style survives being filled by set_series.
    fig.add_scatter(x=[], y=[], mode="markers", name="residual", marker=dict(size=4, opacity=0.6))
    fig.add_hline(y=0, line=dict(dash="dot", color="grey"))
    set_series(fig, residual_series(predicted, actual), mode="markers")
    return fig


def set_bars(fig: go.FigureWidget, name: str, labels: Sequence, values: Sequence) -> None:
    """Show horizontal bars (first label on top) in the figure's first trace, renamed ``name``;
    made for a figure from :func:`bar_chart` that a background thread refills as data grows."""
    with fig.batch_update():
        bars = fig.data[0]
        bars.name = name
        bars.x, bars.y = list(values)[::-1], [str(v) for v in labels][::-1]
        fig.layout.xaxis.title.text = name
    _kept(fig)


# -- multinomial models -------------------------------------------------------------------
def confusion_matrix_cells(table: dict | None) -> pd.DataFrame:
    """The counts of a ``cm.table`` (actual class per row, predicted class per column).

    H2O's table has no row labels: its rows are the classes in column order, then a totals row;
    its last two columns are Error and Rate. Both are left out here.
    """
    frame = two_dim_table(table)
    classes = [c for c in frame.columns if c not in ("Error", "Rate")]
    if frame.empty or not classes:
        return pd.DataFrame()
    cells = frame[classes].head(len(classes)).astype(float)
    cells.index = pd.Index(classes, name="actual")
    return cells


def confusion_matrix_heatmap(height: int = HEIGHT) -> go.Figure:
    """An empty heatmap of actual (rows) against predicted (columns) class; see :func:`set_heatmap`."""
    fig = figure("Confusion matrix", "predicted", "actual", height)
    fig.add_heatmap(z=[], x=[], y=[], colorscale="Blues", texttemplate="%{z}", name="count")
    fig.update_yaxes(autorange="reversed")  # first class on top, as the table reads
    return fig


def set_heatmap(fig: go.FigureWidget, cells: pd.DataFrame) -> None:
    """Fill a :func:`confusion_matrix_heatmap` from :func:`confusion_matrix_cells`."""
    with fig.batch_update():
        heatmap = fig.data[0]
        heatmap.z = cells.to_numpy().tolist()
        heatmap.x, heatmap.y = [str(c) for c in cells.columns], [str(r) for r in cells.index]
    _kept(fig)


def hit_ratio_series(table: dict | None) -> dict[str, tuple[list, list]]:
    """Top-k hit ratio against k, from a ``hit_ratio_table``."""
    frame = two_dim_table(table)
    if frame.empty:
        return {}
    return {"hit ratio": (pd.to_numeric(frame["k"]).tolist(), pd.to_numeric(frame["hit_ratio"]).tolist())}


def hit_ratio_chart(table: dict | None = None, height: int = HEIGHT) -> go.Figure:
    """How often the actual class is among the model's k most likely classes."""
    fig = figure("Top-k hit ratios", "k", "hit ratio", height)
    set_series(fig, hit_ratio_series(table))
    return fig


# -- unsupervised models ------------------------------------------------------------------
def cluster_sizes(centroid_stats: dict | None) -> tuple[list[str], list[float]]:
    """Cluster names and their numbers of rows, from a clustering metrics' ``centroid_stats``."""
    frame = two_dim_table(centroid_stats)
    if frame.empty or "size" not in frame.columns:
        return [], []
    names = frame["centroid"] if "centroid" in frame.columns else pd.Series(range(1, len(frame) + 1))
    return [f"cluster {name}" for name in names], pd.to_numeric(frame["size"]).tolist()


def cluster_sizes_chart(height: int = HEIGHT) -> go.Figure:
    """An empty bar chart of rows per cluster; fill it with :func:`set_bars` and :func:`cluster_sizes`."""
    return bar_chart("Cluster sizes", [], [], "rows", height)


def scree_chart(importance: dict | None, height: int = HEIGHT) -> go.Figure:
    """The proportion of variance of each component (bars) and their cumulative proportion (line),
    from H2O's importance of components (PCA, GLRM)."""
    fig = figure("Importance of components", "component", "proportion of variance", height)
    components = components_table(importance)
    if components.empty:
        return fig
    names = components["component"].astype(str).tolist()
    fig.add_bar(x=names, y=components["proportion_of_variance"].tolist(), name="proportion of variance")
    fig.add_scatter(x=names, y=components["cumulative_proportion"].tolist(), mode="lines+markers",
                    name="cumulative proportion")
    fig.update_yaxes(range=[0, 1.05])
    return fig


def variable_splits_chart(table: dict | None, top: int = 20, height: int = HEIGHT) -> go.Figure:
    """How often an isolation forest split on each variable, most split on top."""
    frame = two_dim_table(table)
    if frame.empty:
        return bar_chart("Variable splits", [], [], "splits", height)
    frame = frame.sort_values("count", ascending=False, kind="stable").head(top)
    return bar_chart("Variable splits", frame["variable"], frame["count"], "splits", height)
