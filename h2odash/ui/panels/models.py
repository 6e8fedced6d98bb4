"""Models: what a trained model learned and how well it does — metrics, ROC and precision-recall
with a threshold slider and its confusion matrix, gains/lift, variable importance, scoring
history, residuals, GLM coefficients; for unsupervised models cluster sizes and centers, the
importance of components, variable splits — and several models compared side by side."""
from __future__ import annotations

import html
from dataclasses import dataclass, field

import ipywidgets as widgets
import pandas as pd

from h2odash.client import H2OClient

from ..confirm import ConfirmBox
from ..downloads import csv_link
from ..metric_charts import UNSUPERVISED_CATEGORIES, ChartTabs, MetricCharts, residuals_table, thresholds_of
from ..model_views import ModelOutputViews
from ..tables import METRIC_NAMES, scalar_metrics, to_html
from .base import Panel, model_ids

METRIC_SETS = (("training", "training_metrics"), ("validation", "validation_metrics"),
               ("cross-validation", "cross_validation_metrics"))


def metrics_table(models: dict[str, dict]) -> pd.DataFrame:
    """One row per metric, one column per model and metric set (``GBM_1 training``...)."""
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
    return table.rename_axis("metric").reset_index()


def _response_of(model: dict, category: str) -> str:
    """``response CAPSULE``, or ``no response`` for what an unsupervised model is (H2O-3 keeps the
    response_column an autoencoder was given, although it was only one more input)."""
    response = model.get("response_column_name")
    if category in UNSUPERVISED_CATEGORIES or not response:
        return "no response"
    return f"response {response}"


@dataclass
class ModelsState:
    """The server's models, the ones selected, and the full answer of each one opened."""

    model_ids: list[str] = field(default_factory=list)
    models: dict[str, dict] = field(default_factory=dict)
    metric_set: str = "training_metrics"


class ModelsPanel(Panel):
    """List models; view one; compare several; export each chart's data; delete."""

    def __init__(self, client: H2OClient):
        self.state = ModelsState()
        self.refresh_button = widgets.Button(description="Refresh", icon="refresh")
        self.models = widgets.SelectMultiple(description="Models", rows=6, layout=widgets.Layout(width="520px"))
        self.delete_button = widgets.Button(description="Delete", button_style="danger", icon="trash")
        self.confirm_box = ConfirmBox(self._on_delete_confirmed)
        self.metric_set = widgets.ToggleButtons(options=[(label, key) for label, key in METRIC_SETS],
                                                description="Metrics on")
        self.title = widgets.HTML()
        self.metrics = widgets.HTML()
        self.metrics_download = widgets.HTML()
        self.metric_charts = MetricCharts()
        self.output_views = ModelOutputViews()
        self.residuals_button = widgets.Button(description="Compute residuals")
        self.residuals_view = widgets.VBox([self.residuals_button, self.metric_charts.residuals])
        self.charts = ChartTabs()

        self.refresh_button.on_click(lambda _: self.refresh())
        self.models.observe(self._on_models_selected, names="value")
        self.metric_set.observe(self._on_metric_set, names="value")
        self.residuals_button.on_click(self._on_residuals)
        self.delete_button.on_click(self._on_delete)
        super().__init__(client, [
            widgets.HBox([self.models, widgets.VBox([self.refresh_button, self.delete_button])]),
            widgets.HTML("<small>Select one model to open it, several (Ctrl/Shift-click) to compare them.</small>"),
            self.confirm_box, self.title, self.metric_set, self.metrics, self.metrics_download, self.charts,
        ])
        self.refresh()

    def refresh(self) -> None:
        def load():
            self.state.model_ids = model_ids(self.client)
            keep = tuple(m for m in self.models.value if m in self.state.model_ids)
            self.models.options = self.state.model_ids
            self.models.value = keep
        self.guarded(load)

    # -- opening models -------------------------------------------------------------------
    def open_model(self, model_id: str) -> None:
        """Open one model's view, as clicking it in the list does (for links from other panels)."""
        if model_id not in self.models.options:
            self.refresh()
        self.models.value = (model_id,)

    def _on_models_selected(self, change) -> None:
        chosen = list(change["new"])
        self.confirm_box.hide()
        if not chosen:
            return
        self.status.clear()

        def load():
            self.state.models = {m: self.client.model(m) for m in chosen}
            self._show()
        self.guarded(load)

    def _on_metric_set(self, change) -> None:
        self.state.metric_set = change["new"]
        if self.state.models:
            self._show()

    def _show(self) -> None:
        models = self.state.models
        table = metrics_table(models)
        self.metrics.value = to_html(table)
        self.metrics_download.value = csv_link(table, "metrics.csv", "Download metrics (CSV)") if not table.empty else ""
        if len(models) == 1:
            self._show_one(*models.items())
        else:
            self._show_comparison(models)

    def _show_comparison(self, models: dict[str, dict]) -> None:
        self.title.value = f"<h4>Comparing {len(models)} models</h4>"
        curves = {m: thresholds_of((model.get("output") or {}).get(self.state.metric_set)) for m, model in models.items()}
        curves = {m: t for m, t in curves.items() if not t.empty}
        self.metric_charts.prepare()
        self.charts.show(self.metric_charts.show_comparison(curves))

    def _show_one(self, item: tuple[str, dict]) -> None:
        model_id, model = item
        output = model.get("output") or {}
        category = output.get("model_category", "")
        self.title.value = (f"<h4>{html.escape(model_id)} <small>{html.escape(model.get('algo_full_name') or '')}"
                            f" · {html.escape(category)} · {html.escape(_response_of(model, category))}"
                            f"</small></h4>")
        self.metric_charts.prepare()
        tabs = self.metric_charts.show_metrics(model_id, output.get(self.state.metric_set),
                                               output.get("default_threshold"))
        tabs += self.output_views.show(model_id, output)
        if category == "Regression":
            tabs.append(("Residuals", self.residuals_view))
        self.charts.show(tabs)

    @property
    def tab_titles(self) -> list[str]:
        return list(self.charts.titles)

    # -- residuals ------------------------------------------------------------------------
    def _on_residuals(self, _button) -> None:
        if len(self.state.models) != 1:
            return
        model_id, model = next(iter(self.state.models.items()))
        frame_id = (model.get("data_frame") or {}).get("name")
        response = model.get("response_column_name")
        self.status.info(f"Scoring {frame_id} to compute residuals…")

        def work():
            scored = self.client.predict(model_id, frame_id)["predictions_frame"]["name"]
            table = residuals_table(self.client, scored, frame_id, response)
            self.metric_charts.show_residuals(table, model_id)
            self.status.info(f"Residuals on {len(table)} rows of {frame_id}.")
        self.in_background(work)

    # -- deleting -------------------------------------------------------------------------
    def _on_delete(self, _button) -> None:
        if not self.models.value:
            return
        self.confirm_box.ask(f"Delete {', '.join(html.escape(m) for m in self.models.value)}?")

    def _on_delete_confirmed(self, _button) -> None:
        doomed = list(self.models.value)

        def delete():
            for model_id in doomed:
                self.client.delete_model(model_id)
            self.models.value = ()
            self.state.models = {}
            self.charts.show([])
            self.title.value = self.metrics.value = self.metrics_download.value = ""
            self.refresh()
            self.status.info(f"Deleted {', '.join(doomed)}.")
        self.guarded(delete)

