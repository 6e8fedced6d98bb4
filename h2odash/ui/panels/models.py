"""Models: what a trained model learned and how well it does — its card (facts, metrics,
cross-validation summary, changed parameters), ROC and precision-recall with a threshold slider
and the confusion matrix and scores at that threshold, gains/lift, variable importance, scoring
history, residuals, GLM coefficients; for unsupervised models cluster sizes and centers, the
importance of components, variable splits — and several models compared side by side.

Every chart is made once when the panel is built and redrawn for each model: opening a model
changes data, never the set of widgets the page holds.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field

import ipywidgets as widgets
import pandas as pd

from h2odash.client import H2OClient

from .. import charts
from ..chartbox import ChartBox
from ..confirm import ConfirmBox
from ..busy import BusyButton, field_css
from ..downloads import csv_link, file_link, safe_filename
from ..file_controls import MAX_DOWNLOAD_BYTES, ModelFileControls, typed_path
from ..metric_charts import UNSUPERVISED_CATEGORIES, ChartTabs, MetricCharts, residuals_table, thresholds_of
from ..model_card import METRIC_SETS, card_html, metrics_table
from ..model_views import ModelOutputViews
from ..sortable_table import SortableTable
from ..tables import METRIC_NAMES, human_bytes, scalar_metrics
from .. import pickers
from .base import Panel

# What each metric set is measured on, for the line that says which one is shown.
_SET_WORDS = {"training_metrics": "training data", "validation_metrics": "validation data",
              "cross_validation_metrics": "cross-validation (each row scored by the model that did not see it)"}
READY = "h2odash-model-view-ready"  # on the view once the kernel has drawn a model (browser checks use it)
# Tab titles as wide as their words: a truncated "Variable importance (" names nothing.
_TAB_STYLE = ("<style>.h2odash-model-view .lm-TabBar-tab{flex:0 0 auto!important;min-width:90px;"
              "max-width:none!important}</style>")


def _response_of(model: dict, category: str) -> str:
    """``response CAPSULE``, or ``no response`` for what an unsupervised model is (H2O-3 keeps the
    response_column an autoencoder was given, although it was only one more input)."""
    response = model.get("response_column_name")
    if category in UNSUPERVISED_CATEGORIES or not response:
        return "no response"
    return f"response {response}"


def available_sets(model: dict) -> list[str]:
    """The metric sets a model has (output keys), in the order a view should prefer them."""
    output = model.get("output") or {}
    return [key for _, key in METRIC_SETS if output.get(key)]


def comparison_table(models: dict[str, dict], metric_set: str) -> pd.DataFrame:
    """One row per model: its algorithm and its single-number metrics on ``metric_set`` (each model
    falls back to the next set it has, and the ``metrics on`` column says which)."""
    rows = []
    for model_id, model in models.items():
        output = model.get("output") or {}
        sets = available_sets(model)
        used = metric_set if metric_set in sets else next(iter(sets), None)
        row = {"model_id": model_id, "algorithm": model.get("algo", ""),
               "metrics on": dict((key, label) for label, key in METRIC_SETS).get(used, "")}
        row.update(scalar_metrics(output.get(used)) if used else {})
        rows.append(row)
    table = pd.DataFrame(rows)
    order = [c for c in ("model_id", "algorithm", "metrics on") if c in table.columns]
    order += [name for name in METRIC_NAMES if name in table.columns and name != "nobs"]
    return table[order]


@dataclass
class ModelsState:
    """The server's models, the ones selected, and the full answer of each one opened."""

    model_ids: list[str] = field(default_factory=list)
    models: dict[str, dict] = field(default_factory=dict)
    metric_set: str = "training_metrics"


class MetricSetPicker(widgets.HBox):
    """Validation / cross-validation / training, as buttons; a set the model lacks is greyed out
    with a tooltip saying why, instead of vanishing."""

    def __init__(self, on_change):
        self.on_change = on_change
        self.value: str | None = None
        self.buttons = {key: widgets.Button(description=label, layout=widgets.Layout(width="auto"))
                        for label, key in METRIC_SETS}
        for key, button in self.buttons.items():
            button.on_click(lambda _b, key=key: self.choose(key))
        self.caption = widgets.HTML().add_class("h2odash-metric-set-caption")
        super().__init__([widgets.Label("Metrics on"), *self.buttons.values(), self.caption])
        self.add_class("h2odash-metric-sets")

    def offer(self, available: list[str], chosen: str | None) -> None:
        """Enable the sets in ``available``; select ``chosen`` without calling back."""
        for key, button in self.buttons.items():
            button.disabled = key not in available
            button.tooltip = "" if key in available else {
                "validation_metrics": "No validation metrics: train with a validation frame.",
                "cross_validation_metrics": "No cross-validation metrics: train with nfolds ≥ 2.",
                "training_metrics": "No training metrics."}[key]
        self._select(chosen)

    def choose(self, key: str) -> None:
        if key != self.value and not self.buttons[key].disabled:
            self._select(key)
            self.on_change(key)

    def _select(self, key: str | None) -> None:
        self.value = key
        for name, button in self.buttons.items():
            button.button_style = "info" if name == key else ""


class ModelsPanel(Panel):
    """List models; view one; compare several; export each chart's data; delete; save, download
    and load model files."""

    def __init__(self, client: H2OClient):
        self.state = ModelsState()
        self.refresh_button = widgets.Button(description="Refresh", icon="refresh")
        self.models = widgets.SelectMultiple(description="Models", rows=8, layout=widgets.Layout(width="560px"))
        self.show_all = widgets.Checkbox(description="show cross-validation models and metalearners", value=False,
                                         indent=False, layout=widgets.Layout(width="480px"))
        self.delete_button = widgets.Button(description="Delete", button_style="danger", icon="trash", disabled=True)
        self.confirm_box = ConfirmBox(self._on_delete_confirmed)
        self.files = ModelFileControls()
        self.saving = BusyButton(self.files.save_button, "Saving…", ready=lambda: self.selected_model is not None)
        self.downloading = BusyButton(self.files.download_button, "Preparing…",
                                      ready=lambda: self.selected_model is not None)
        self.loading = BusyButton(self.files.load_button, "Loading…")
        self.uploading = BusyButton(self.files.upload_button, "Uploading…",
                                    ready=lambda: self.files.uploaded is not None)
        self.metric_set = MetricSetPicker(self._on_metric_set)
        self.title = widgets.HTML().add_class("h2odash-model-title")
        self.card = widgets.HTML().add_class("h2odash-model-card-view")
        self.metrics_download = widgets.HTML()
        self.metric_charts = MetricCharts()
        self.output_views = ModelOutputViews()
        self.residuals_button = widgets.Button(description="Compute residuals")
        self.residuals_view = widgets.VBox([self.residuals_button, self.metric_charts.residuals])
        self.comparison = SortableTable()
        self.importance_overlay = ChartBox("variable_importance_comparison.csv")
        self.summary = widgets.VBox([self.card, self.metrics_download])
        self.charts = ChartTabs()
        self.view = widgets.VBox([widgets.HTML(_TAB_STYLE), self.title, self.metric_set, self.charts])
        self.view.add_class("h2odash-model-view")
        self.view.layout.display = "none"

        self.refresh_button.on_click(lambda _: self.refresh())
        self.models.observe(self._on_models_selected, names="value")
        self.show_all.observe(lambda _: self.refresh(), names="value")
        self.residuals_button.on_click(self._on_residuals)
        self.delete_button.on_click(self._on_delete)
        self.files.save_button.on_click(self._on_save)
        self.files.download_button.on_click(self._on_download)
        self.files.load_button.on_click(self._on_load)
        self.files.upload_button.on_click(self._on_upload)
        self.files.upload.observe(lambda _: self.uploading.update(), names="value")
        super().__init__(client, [
            field_css(),
            widgets.HBox([self.models, widgets.VBox([self.refresh_button, self.delete_button])]),
            widgets.HTML("<small>Select one model to open it, several (Ctrl/Shift-click) to compare them.</small>"),
            self.show_all, self.status, self.confirm_box, self.files, self.view,
        ])
        self.refresh()

    def refresh(self) -> None:
        def load():
            # Newest first, each with its algorithm and when it was made.
            listed = pickers.user_models(self.client.models(), show_all=self.show_all.value)
            options = [(pickers.model_label(m), pickers.model_id(m)) for m in listed]
            self.state.model_ids = [value for _, value in options]
            keep = tuple(m for m in self.models.value if m in self.state.model_ids)
            if list(self.models.options) != options:
                self.models.options = options
            self.models.value = keep
        self.guarded(load)

    # -- opening models -------------------------------------------------------------------
    def open_model(self, model_id: str) -> None:
        """Open one model's view, as clicking it in the list does (for links from other panels)."""
        if model_id not in self.state.model_ids:
            if pickers.is_internal_model(model_id):
                self.show_all.value = True
            self.refresh()
        self.models.value = (model_id,)

    def _on_models_selected(self, change) -> None:
        chosen = list(change["new"])
        self.confirm_box.hide()
        self.delete_button.disabled = not chosen
        self.files.show_model(self.selected_model)
        self.saving.update()
        self.downloading.update()
        if not chosen:
            return
        self.status.clear()

        def load():
            self.view.remove_class(READY)
            self.state.models = {m: self.client.model(m) for m in chosen}
            sets = [available_sets(model) for model in self.state.models.values()]
            # One model: its best set. Several: the best set they all have, else the first of any.
            common = [s for _, s in METRIC_SETS if all(s in found for found in sets)]
            self.state.metric_set = next(iter(common), next((s for found in sets for s in found), "training_metrics"))
            self.metric_set.offer(sorted({s for found in sets for s in found}), self.state.metric_set)
            self._show()
            self.view.layout.display = ""
            self.view.add_class(READY)
        self.guarded(load)

    def _on_metric_set(self, key: str) -> None:
        self.state.metric_set = key
        if self.state.models:
            self.view.remove_class(READY)
            self.guarded(self._show_metric_set)
            self.view.add_class(READY)

    def _show(self) -> None:
        models = self.state.models
        table = metrics_table(models)
        self.metrics_download.value = csv_link(table, "metrics.csv", "Download metrics (CSV)") if not table.empty else ""
        if len(models) == 1:
            self._show_one(*models.items())
        else:
            self._show_comparison(models)

    def _show_metric_set(self) -> None:
        """Redraw only what depends on the metric set (the card and the other views stay)."""
        models = self.state.models
        if len(models) != 1:
            self._show_comparison(models)
            return
        (model_id, model), = models.items()
        output = model.get("output") or {}
        self._caption(output)
        self.metric_charts.prepare()
        tabs = self.metric_charts.show_metrics(model_id, output.get(self.state.metric_set),
                                               output.get("default_threshold"))
        titles = {title for title, _ in tabs}
        # The metric tabs come right after the card; the model's own views keep their places.
        kept = [(t, w) for t, w in zip(self.charts.titles[1:], self.charts.children[1:]) if t not in _METRIC_TABS]
        self.charts.show([("Summary", self.summary)] + tabs + [(t, w) for t, w in kept if t not in titles])

    def _caption(self, output: dict) -> None:
        metrics = output.get(self.state.metric_set) or {}
        description = metrics.get("description") or ""
        frame = (metrics.get("frame") or {}).get("name")
        words = _SET_WORDS.get(self.state.metric_set, "")
        if self.state.metric_set != "cross_validation_metrics" and frame:
            words += f" ({frame})"
        note = f" — {description}" if description and "Out-Of-Bag" in description else ""
        self.metric_set.caption.value = f"<small>showing metrics on {html.escape(words + note)}</small>"

    def _show_comparison(self, models: dict[str, dict]) -> None:
        self.title.value = f"<h4>Comparing {len(models)} models</h4>"
        self.metric_set.caption.value = f"<small>showing metrics on {html.escape(_SET_WORDS[self.state.metric_set])}</small>"
        table = comparison_table(models, self.state.metric_set)
        metrics = [c for c in table.columns if c not in ("model_id", "algorithm", "metrics on")]
        self.comparison.show(table, sort_by=next(iter(metrics), None))
        self.metrics_download.value = csv_link(table, "comparison.csv", "Download comparison (CSV)")
        curves = {m: thresholds_of((model.get("output") or {}).get(self.state.metric_set)) for m, model in models.items()}
        curves = {m: t for m, t in curves.items() if not t.empty}
        tabs = [("Summary", self._comparison_page())] + self.metric_charts.show_comparison(curves)
        importances = {m: (model.get("output") or {}).get("variable_importances") for m, model in models.items()}
        if any(importances.values()):
            self.importance_overlay.show(charts.variable_importance_overlay(importances),
                                         filename="variable_importance_comparison.csv")
            tabs.append(("Variable importance", self.importance_overlay))
        self.charts.show(tabs)

    def _comparison_page(self) -> widgets.VBox:
        if not hasattr(self, "_comparison_box"):
            self._comparison_box = widgets.VBox([self.comparison, self.metrics_download])
        return self._comparison_box

    def _show_one(self, item: tuple[str, dict]) -> None:
        model_id, model = item
        output = model.get("output") or {}
        category = output.get("model_category", "")
        self.title.value = (f"<h4>{html.escape(model_id)} <small>{html.escape(model.get('algo_full_name') or '')}"
                            f" · {html.escape(category)} · {html.escape(_response_of(model, category))}"
                            f"</small></h4>")
        self.card.value = card_html(model)
        self._caption(output)
        self.metric_charts.prepare()
        tabs = [("Summary", self.summary)]
        tabs += self.metric_charts.show_metrics(model_id, output.get(self.state.metric_set),
                                                output.get("default_threshold"))
        tabs += self.output_views.show(model_id, output)
        if category == "Regression":
            tabs.append(("Residuals", self.residuals_view))
        self.charts.show(tabs)

    @property
    def tab_titles(self) -> list[str]:
        return list(self.charts.titles)

    # -- model files ----------------------------------------------------------------------
    @property
    def selected_model(self) -> str | None:
        """The one model selected; None when none or several are."""
        chosen = self.models.value
        return chosen[0] if len(chosen) == 1 else None

    def _on_save(self, _button) -> None:
        model_id, status = self.selected_model, self.files.file_status
        path = typed_path(self.files.save_path, status, "the file to write on the server's disk")
        if model_id is None or path is None:
            return
        force = self.files.overwrite.value
        status.info(f"Saving {model_id}…")

        def work():
            saved = self.client.save_model(model_id, path, force=force)
            status.info(f"Saved {model_id} to {saved} on the server.")
        self.saving.run(self, work, status)

    def _on_download(self, _button) -> None:
        model_id, status = self.selected_model, self.files.file_status
        if model_id is None:
            return
        self.files.download_link.value = ""
        status.info(f"Fetching {model_id}'s file…")

        def work():
            content = self.client.download_model(model_id)
            size = human_bytes(len(content))
            if len(content) > MAX_DOWNLOAD_BYTES:
                raise ValueError(f"{model_id}'s file is {size}, too large to bring through the page: "
                                 "Save it to a path on the server instead.")
            self.files.download_link.value = file_link(content, safe_filename(model_id), f"⬇ {model_id} ({size})")
            status.info("Click the link to keep the model file on this computer.")
        self.downloading.run(self, work, status)

    def _on_load(self, _button) -> None:
        status = self.files.load_status
        path = typed_path(self.files.load_path, status, "the path of a model file on the server's disk")
        if path is None:
            return
        status.info(f"Loading {path}…")
        self.loading.run(self, lambda: self._show_loaded(self.client.load_model(path), path), status)

    def _on_upload(self, _button) -> None:
        status = self.files.load_status
        chosen = self.files.uploaded
        if chosen is None:
            status.error("Choose a model file first.")
            return
        name, content = chosen
        status.info(f"Uploading {name}…")

        def work():
            self._show_loaded(self.client.upload_model(content), name)
            self.files.upload.value = ()
        self.uploading.run(self, work, status)

    def _show_loaded(self, model_id: str, source: str) -> None:
        # A model that replaced one of the same id is opened afresh, not left as the old one showed.
        self.models.value = ()
        self.open_model(model_id)
        self.files.load_status.info(f"Loaded {model_id} from {source}.")

    # -- residuals ------------------------------------------------------------------------
    def _on_residuals(self, _button) -> None:
        if len(self.state.models) != 1:
            return
        model_id, model = next(iter(self.state.models.items()))
        frame_id = (model.get("data_frame") or {}).get("name")
        response = model.get("response_column_name")
        self.status.info(f"Scoring {frame_id} to compute residuals…")
        self.residuals_button.disabled = True

        def work():
            try:
                scored = self.client.predict(model_id, frame_id)["predictions_frame"]["name"]
                table = residuals_table(self.client, scored, frame_id, response)
                self.metric_charts.show_residuals(table, model_id)
                self.status.info(f"Residuals on {len(table)} rows of {frame_id}.")
            finally:
                self.residuals_button.disabled = False
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
            self.view.layout.display = "none"
            self.title.value = self.card.value = self.metrics_download.value = ""
            self.refresh()
            self.status.info(f"Deleted {', '.join(doomed)}.")
        self.guarded(delete)


# Tabs that show a metric set (redrawn when the set changes); the rest show what the model learned.
_METRIC_TABS = ("ROC", "Precision-recall", "Gains/lift", "Confusion matrix", "Hit ratios", "Cluster sizes")

