"""Predict: score a frame with a model, look at the predictions (classes and probabilities, values,
cluster numbers, PC1..k, anomaly scores...), see metrics and the Models panel's charts when the
frame has the response (any frame, for an unsupervised model), and download the predictions as CSV."""
from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets
import pandas as pd

from h2odash.client import H2OClient

from ..downloads import csv_link
from ..metric_charts import UNSUPERVISED_CATEGORIES, ChartTabs, MetricCharts, residuals_table
from ..tables import scalar_metrics, to_html
from .base import Panel, frame_ids, model_ids, set_options

PREVIEW_ROWS = 20


@dataclass
class PredictionState:
    predictions_frame: str | None = None
    metrics: dict | None = None


class PredictPanel(Panel):
    """Pick a model and a frame, score, preview, download."""

    def __init__(self, client: H2OClient):
        self.state = PredictionState()
        self.model = widgets.Dropdown(description="Model", layout=widgets.Layout(width="460px"))
        self.frame = widgets.Dropdown(description="Frame", layout=widgets.Layout(width="460px"))
        self.refresh_button = widgets.Button(description="Refresh", icon="refresh")
        self.score_button = widgets.Button(description="Score", button_style="primary")
        self.preview = widgets.HTML().add_class("h2odash-predictions")
        self.metrics = widgets.HTML()
        self.metric_charts = MetricCharts()
        self.charts = ChartTabs()
        self.download_button = widgets.Button(description="Prepare CSV download", disabled=True)
        self.download = widgets.HTML()
        self.refresh_button.on_click(lambda _: self.refresh())
        self.score_button.on_click(self._on_score)
        self.download_button.on_click(self._on_download)
        super().__init__(client, [widgets.HBox([self.model, self.refresh_button]), self.frame, self.score_button,
                                  self.preview, widgets.HBox([self.download_button, self.download]),
                                  self.metrics, self.charts])
        self.refresh()

    def refresh(self) -> None:
        def load():
            set_options(self.model, model_ids(self.client))
            # Earlier predictions are frames too, but scoring them again is rarely wanted.
            set_options(self.frame, [f for f in frame_ids(self.client) if not f.startswith("predictions")])
        self.guarded(load)

    def _on_score(self, _button) -> None:
        model_id, frame_id = self.model.value, self.frame.value
        if not model_id or not frame_id:
            self.status.error("Choose a model and a frame.")
            return
        self.state = PredictionState()
        self.preview.value = self.metrics.value = self.download.value = ""
        self.download_button.disabled = True
        self.charts.show([])
        self.metric_charts.prepare()  # figures are made here; the thread only fills them
        self.status.info(f"Scoring {frame_id} with {model_id}…")

        def work():
            answer = self.client.predict(model_id, frame_id)
            scored = answer["predictions_frame"]["name"]
            self.preview.value = to_html(self.client.frame_preview(scored, row_count=PREVIEW_ROWS))
            metrics = (answer.get("model_metrics") or [None])[0]
            self.state = PredictionState(scored, metrics)
            self._show_metrics(model_id, frame_id, metrics)
            self.download_button.disabled = False
            self.status.info(f"Predictions in frame {scored}.")
        self.in_background(work)

    def _show_metrics(self, model_id: str, frame_id: str, metrics: dict | None) -> None:
        """A supervised model has metrics only when the scored frame has the response column;
        an unsupervised one has its category's (tot_withinss, mean_score...) on any frame."""
        found = scalar_metrics(metrics)
        if not found:
            category = (metrics or {}).get("model_category")
            self.metrics.value = (f"<i>The server reports no metrics for this {category} model.</i>"
                                  if category in UNSUPERVISED_CATEGORIES
                                  else "<i>No metrics: the frame has no response column.</i>")
            return
        self.metrics.value = "<b>Metrics on this frame</b>" + to_html(
            pd.DataFrame({"metric": list(found), "value": list(found.values())}))
        model = self.client.model(model_id)
        output = model.get("output") or {}
        name = f"{model_id}_on_{frame_id}"
        tabs = self.metric_charts.show_metrics(name, metrics, output.get("default_threshold"))
        if output.get("model_category") == "Regression":
            table = residuals_table(self.client, self.state.predictions_frame, frame_id,
                                    model.get("response_column_name"))
            self.metric_charts.show_residuals(table, name)
            tabs.append(("Residuals", self.metric_charts.residuals))
        self.charts.show(tabs)

    def _on_download(self, _button) -> None:
        scored = self.state.predictions_frame
        if not scored:
            return
        self.status.info("Fetching the predictions…")

        def work():
            text = self.client.download_csv(scored)
            self.download.value = csv_link(text, f"{scored}.csv", f"Download {scored}.csv")
            self.status.info(f"{scored}.csv is ready.")
        self.in_background(work)
