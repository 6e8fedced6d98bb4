"""The charts of a model's metrics on one frame — ROC with a threshold slider and the confusion
matrix at that threshold, precision-recall and gains/lift (binomial), a confusion-matrix heatmap
and top-k hit ratios (multinomial), residuals (regression), cluster sizes (clustering).

The Models panel shows them for the data a model was trained and validated on, the Predict panel
for a frame it has just scored; both use :class:`MetricCharts`, so the two views cannot drift apart.
"""
from __future__ import annotations

from collections.abc import Mapping

import ipywidgets as widgets
import pandas as pd

from h2odash.client import H2OClient

from . import charts
from .chartbox import ChartBox
from .tables import confusion_at, to_html, two_dim_table

RESIDUAL_ROWS = 10_000  # enough points to see a pattern, few enough to draw quickly
# H2O's model categories of models trained without a response.
UNSUPERVISED_CATEGORIES = ("Clustering", "DimReduction", "AnomalyDetection", "AutoEncoder")

Tabs = list[tuple[str, widgets.Widget]]


def thresholds_of(metrics: dict | None) -> pd.DataFrame:
    """A binomial metrics dict's thresholds_and_metric_scores table (empty for other models)."""
    return two_dim_table((metrics or {}).get("thresholds_and_metric_scores"))


def residuals_table(client: H2OClient, predictions_frame: str, frame_id: str, response: str,
                    rows: int = RESIDUAL_ROWS) -> pd.DataFrame:
    """Actual, predicted and residual values for the first ``rows`` rows of a scored frame."""
    predicted = client.frame_preview(predictions_frame, row_count=rows)["predict"]
    actual = client.frame_preview(frame_id, row_count=rows)[response]
    return pd.DataFrame({"actual": actual, "predicted": predicted, "residual": actual - predicted})


class ChartTabs(widgets.Tab):
    """A Tab whose pages are replaced together with their titles."""

    def show(self, tabs: Tabs) -> None:
        self.children = [widget for _, widget in tabs]
        self.titles = tuple(title for title, _ in tabs)


def threshold_scores(thresholds: pd.DataFrame, threshold: float) -> dict[str, float]:
    """Accuracy, precision, recall and F1 of the hard labels at ``threshold``, from the same
    counts as :func:`~h2odash.ui.tables.confusion_at` (rows scoring at least ``threshold`` are
    predicted positive)."""
    matrix = confusion_at(thresholds, threshold)
    if matrix.empty:
        return {}
    (tn, fp), (fn, tp) = matrix.iloc[:, 1:3].to_numpy().tolist()
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else float("nan")
    return {"accuracy": (tp + tn) / max(tp + tn + fp + fn, 1), "precision": precision, "recall": recall, "F1": f1}


def _default_threshold_note(default_threshold: float | None) -> str:
    if default_threshold is None:
        return ""
    return (f"<div class='h2odash-threshold-note' style='color:#555;font-size:12px'>The default threshold, "
            f"{default_threshold:.3f}, is where F1 is highest on the model's validation data (its training "
            f"data when it has none): H2O turns probabilities into the predicted label with it.</div>")


class MetricCharts:
    """ROC, threshold and confusion matrix, precision-recall, gains/lift, multinomial confusion
    matrix and hit ratios, and residuals of one model.

    Each chart box keeps one figure for life; ``show_*`` draws into it, from any thread.
    """

    def __init__(self):
        self.roc = ChartBox("roc.csv")
        self.precision_recall = ChartBox("precision_recall.csv")
        self.gains_lift = ChartBox("gains_lift.csv")
        self.residuals = ChartBox("residuals.csv")
        self.confusion_matrix = ChartBox("confusion_matrix.csv")
        self.hit_ratios = ChartBox("hit_ratios.csv")
        self.cluster_sizes = ChartBox("cluster_sizes.csv")
        self.threshold = widgets.FloatSlider(min=0.0, max=1.0, step=0.01, value=0.5, description="Threshold",
                                             continuous_update=False, readout_format=".2f")
        self.confusion = widgets.HTML().add_class("h2odash-confusion")
        self.threshold_note = widgets.HTML()
        self.roc_view = widgets.VBox([self.threshold, self.threshold_note, self.confusion, self.roc])
        self.thresholds = pd.DataFrame()
        self.domain: list[str] | None = None
        self.threshold.observe(self._on_threshold, names="value")

    def prepare(self) -> None:
        """Forget the last model's thresholds (the figures themselves are redrawn when shown)."""
        self.thresholds, self.domain = pd.DataFrame(), None
        self.confusion.value = self.threshold_note.value = ""

    def show_metrics(self, name: str, metrics: dict | None, default_threshold: float | None = None) -> Tabs:
        """Fill every chart that a metrics dict has data for (binomial, multinomial or clustering);
        return their tabs. Other categories' metrics (PCA, anomaly detection, autoencoder) are
        single numbers, without charts."""
        return (self.show_binomial(name, metrics, default_threshold) + self.show_multinomial(name, metrics)
                + self.show_clustering(name, metrics))

    def show_binomial(self, name: str, metrics: dict | None, default_threshold: float | None = None) -> Tabs:
        """Draw the binomial charts from a ``ModelMetricsBinomialV3`` dict; return the tabs that have data.

        ``name`` names the ROC curve and the downloads (a model id, or ``model on frame``).
        """
        metrics = metrics or {}
        tabs: Tabs = []
        thresholds = thresholds_of(metrics)
        self.thresholds = pd.DataFrame()  # no threshold marks while the figures are redrawn
        if not thresholds.empty:
            self.domain = metrics.get("domain")
            self.roc.show(charts.roc_chart({name: thresholds}), filename=f"{name}_roc.csv")
            self.precision_recall.show(charts.precision_recall_chart(thresholds), data=thresholds,
                                       filename=f"{name}_thresholds.csv")
            self.thresholds = thresholds
            self.threshold_note.value = _default_threshold_note(default_threshold)
            self.threshold.value = float(default_threshold or 0.5)
            self._on_threshold({"new": self.threshold.value})  # also when the value did not change
            tabs += [("ROC", self.roc_view), ("Precision-recall", self.precision_recall)]
        gains = two_dim_table(metrics.get("gains_lift_table"))
        if not gains.empty:
            self.gains_lift.show(charts.gains_lift_chart(gains), data=gains, filename=f"{name}_gains_lift.csv")
            tabs.append(("Gains/lift", self.gains_lift))
        return tabs

    def show_multinomial(self, name: str, metrics: dict | None) -> Tabs:
        """Draw the confusion-matrix heatmap and the hit-ratio chart from a multinomial metrics dict
        (other models have no such tables); return the tabs that have data."""
        metrics = metrics or {}
        tabs: Tabs = []
        cells = charts.confusion_matrix_cells((metrics.get("cm") or {}).get("table"))
        # A binomial model has a cm too, but its ROC view already shows one at the chosen threshold.
        if not cells.empty and thresholds_of(metrics).empty:
            heatmap = charts.confusion_matrix_heatmap()
            charts.set_heatmap(heatmap, cells)
            self.confusion_matrix.show(heatmap, data=cells.reset_index(), filename=f"{name}_confusion_matrix.csv")
            tabs.append(("Confusion matrix", self.confusion_matrix))
        hit_ratios = metrics.get("hit_ratio_table")
        if hit_ratios:
            self.hit_ratios.show(charts.hit_ratio_chart(hit_ratios), data=two_dim_table(hit_ratios),
                                 filename=f"{name}_hit_ratios.csv")
            tabs.append(("Hit ratios", self.hit_ratios))
        return tabs

    def show_clustering(self, name: str, metrics: dict | None) -> Tabs:
        """Draw the cluster-sizes chart from a ``ModelMetricsClusteringV3``'s centroid_stats."""
        centroid_stats = (metrics or {}).get("centroid_stats")
        labels, sizes = charts.cluster_sizes(centroid_stats)
        if not labels:
            return []
        chart = charts.cluster_sizes_chart()
        charts.set_bars(chart, "rows", labels, sizes)
        self.cluster_sizes.show(chart, data=two_dim_table(centroid_stats).drop(columns=[""], errors="ignore"),
                                filename=f"{name}_cluster_sizes.csv")
        return [("Cluster sizes", self.cluster_sizes)]

    def show_comparison(self, curves: Mapping[str, pd.DataFrame]) -> Tabs:
        """Several models' ROC and precision-recall curves, each on one chart (no threshold: it
        belongs to one model)."""
        self.thresholds = pd.DataFrame()
        if not curves:
            return []
        self.roc.show(charts.roc_chart(curves), filename="roc_comparison.csv")
        self.precision_recall.show(charts.precision_recall_overlay(curves), filename="precision_recall_comparison.csv")
        return [("ROC", self.roc), ("Precision-recall", self.precision_recall)]

    def show_residuals(self, table: pd.DataFrame, name: str) -> None:
        """Draw the residuals chart from :func:`residuals_table`."""
        self.residuals.show(charts.residuals_chart(table["predicted"], table["actual"]), data=table,
                            filename=f"{name}_residuals.csv")

    def _on_threshold(self, change) -> None:
        table = self.thresholds
        if table.empty:
            return
        threshold = change["new"]
        matrix = confusion_at(table, threshold, self.domain)
        scores = " · ".join(f"{name} <b>{value:.3f}</b>" for name, value in threshold_scores(table, threshold).items())
        self.confusion.value = (f"<b>At threshold {threshold:.2f}</b>: {scores}"
                                f"<div style='margin-top:4px'>Confusion matrix (rows: actual, columns: predicted)"
                                f"</div>{to_html(matrix)}")
        # The row the confusion matrix counts: the lowest listed threshold at or above the chosen one.
        above = table[table["threshold"] >= threshold]
        row = above.loc[above["threshold"].idxmin()] if len(above) else table.loc[table["threshold"].idxmax()]
        charts.mark_point(self.roc.figure, "threshold", float(row["fpr"]), float(row["tpr"]))
        charts.mark_point(self.precision_recall.figure, "threshold", float(row["recall"]), float(row["precision"]))
