"""Predict: score a frame with a model, look at the predictions (a row number, the actual value when
the frame has the response, classes and probabilities, values, cluster numbers, PC1..k, anomaly
scores..., the input columns on request), see metrics and the Models panel's charts when the frame
has the response (any frame, for an unsupervised model), and download them in one click."""
from __future__ import annotations

import html
import os
from dataclasses import dataclass, field

import ipywidgets as widgets
import pandas as pd

from h2odash.client import H2OClient

from ..busy import BusyButton
from ..downloads import csv_link
from ..metric_charts import UNSUPERVISED_CATEGORIES, ChartTabs, MetricCharts, residuals_table
from ..metric_names import metric_label
from ..pickers import model_id as id_of_model
from ..pickers import is_internal_model, model_label, user_frames, user_models
from ..prediction_table import DOWNLOAD_ROWS, download_table, prediction_table
from ..tables import scalar_metrics, to_html
from .base import Panel

PREVIEW_ROWS = 20
# Models whose details (metrics, columns) the picker reads to label them; older ones get id and time.
LABELLED_MODELS = 25


@dataclass
class PredictionState:
    predictions_frame: str | None = None
    metrics: dict | None = None
    frame_id: str | None = None
    response: str | None = None
    preview: pd.DataFrame | None = None
    scored_preview: pd.DataFrame | None = None


@dataclass
class PickerCache:
    """What the pickers read once: finished models' details and frames' column names."""

    models: dict[str, dict] = field(default_factory=dict)
    frame_columns: dict[tuple, list[str]] = field(default_factory=dict)


def model_inputs(model: dict) -> tuple[list[str], str | None]:
    """The columns a model reads and its response (None without one), from ``client.model()``."""
    response = model.get("response_column_name")
    names = [n for n in (model.get("output") or {}).get("names") or [] if n != response]
    return names, response


def training_frame(model: dict) -> str | None:
    """The frame a model was trained on (``data_frame`` in H2O's model schema)."""
    name = (model.get("data_frame") or {}).get("name")
    if name:
        return name
    found = next((p for p in model.get("parameters") or [] if p.get("name") == "training_frame"), {})
    value = found.get("actual_value")
    return value.get("name") if isinstance(value, dict) else value


def rank_frames(model: dict, frames: dict[str, list[str]]) -> list[str]:
    """Frames that have every column ``model`` reads, best first: ones that also have its response
    (so metrics can be shown) and are not its training frame, a name saying test before valid,
    then the training frame's sibling from the same split (the longest shared name prefix); the
    training frame last."""
    inputs, response = model_inputs(model)
    training = training_frame(model)

    def rank(name: str) -> tuple:
        lowered = name.lower()
        sibling = len(os.path.commonprefix([name, training or ""]))
        return (name == training, bool(response) and response not in frames[name],
                "test" not in lowered, "valid" not in lowered, -sibling, name)

    return sorted((n for n, cols in frames.items() if set(inputs) <= set(cols)), key=rank)


class PredictPanel(Panel):
    """Pick a model and a frame, score, preview, download."""

    def __init__(self, client: H2OClient, explain_row=None):
        self.state = PredictionState()
        self.cache = PickerCache()
        # the dashboard's way to open a row's contributions in the Explain panel
        self._explain_row = explain_row
        self._listed_frames: list[dict] = []
        self._frames: list[str] = []
        self._loading = False
        self._user_picked_model = False
        self.model = widgets.Dropdown(description="Model", layout=widgets.Layout(width="560px"))
        self.show_all = widgets.Checkbox(description="Show all (cross-validation models, internal frames)",
                                         indent=False, layout=widgets.Layout(width="auto"))
        self.frame = widgets.Dropdown(description="Frame", layout=widgets.Layout(width="560px"))
        self.frame_note = widgets.HTML()
        self.refresh_button = widgets.Button(description="Refresh", icon="refresh")
        self.with_inputs = widgets.Checkbox(description="Show input columns", indent=False,
                                            layout=widgets.Layout(width="auto"))
        self.score_button = widgets.Button(description="Score", button_style="primary", disabled=True)
        self.scoring = BusyButton(self.score_button, "Scoring…", ready=lambda: bool(self.model.value and self.frame.value))
        self.preview = widgets.HTML().add_class("h2odash-predictions")
        self.metrics = widgets.HTML()
        self.metric_charts = MetricCharts()
        self.charts = ChartTabs()
        self.download = widgets.HTML().add_class("h2odash-download-link")
        self.download_note = widgets.HTML()
        self.why_row = widgets.BoundedIntText(value=1, min=1, max=1, description="Row",
                                              layout=widgets.Layout(width="180px"), style={"description_width": "40px"})
        self.why_button = widgets.Button(description="Why this row?", icon="search",
                                         tooltip="The row's SHAP contributions, in the Explain panel")
        self.why = widgets.HBox([self.why_row, self.why_button], layout=widgets.Layout(display="none"))
        self.why_button.on_click(self._on_why)
        self.refresh_button.on_click(lambda _: self.refresh())
        self.score_button.on_click(self._on_score)
        self.model.observe(self._on_model_selected, names="value")
        self.frame.observe(self._on_frame_selected, names="value")
        self.show_all.observe(lambda _: self.refresh(), names="value")
        self.with_inputs.observe(self._on_with_inputs, names="value")
        super().__init__(client, [
            widgets.HBox([self.model, self.refresh_button]), self.show_all,
            widgets.HBox([self.frame, self.frame_note]),
            widgets.HBox([self.score_button, self.with_inputs]), self.status,
            # the download right under the button that made it: one click, in view
            widgets.HBox([self.download, self.download_note]),
            self.preview, self.why, self.metrics, self.charts])
        self.refresh()

    # -- pickers --------------------------------------------------------------------------
    def refresh(self) -> None:
        self.guarded(self._load_pickers)

    def _load_pickers(self) -> None:
        show_all = self.show_all.value
        models = user_models(self.client.models(), show_all)
        for listed in models[:LABELLED_MODELS]:
            self._model_details(id_of_model(listed))
        options = [(model_label(self.cache.models.get(id_of_model(m), m)), id_of_model(m)) for m in models]
        self._listed_frames = self.client.frames()
        self._frames = user_frames(self._listed_frames, show_all)
        # A model the user picked stays picked; a default moves on to the newest model.
        chosen = self.model.value if self._user_picked_model else None
        keep = chosen if chosen in [value for _, value in options] else None
        self._loading = True
        try:
            self.model.options = options
            # The newest model the user made by default (not a fold model), and a frame with its columns.
            ids = [value for _, value in options]
            self.model.value = keep or next((i for i in ids if not is_internal_model(i)), ids[0] if ids else None)
        finally:
            self._loading = False
        self._set_frames(self._frames_for(self.model.value))
        self.scoring.update()

    def _model_details(self, model_id: str) -> dict:
        """``client.model()``, kept once the model has metrics (a model in training has none yet)."""
        if model_id not in self.cache.models:
            model = self.client.model(model_id)
            if (model.get("output") or {}).get("training_metrics") is None:
                return model
            self.cache.models[model_id] = model
        return self.cache.models[model_id]

    def _columns(self, frame_id: str) -> list[str]:
        """A frame's column names, read once per frame shape."""
        listed = next((f for f in self._listed_frames if f["frame_id"]["name"] == frame_id), {})
        key = (frame_id, listed.get("rows"), listed.get("columns"))
        if key not in self.cache.frame_columns:
            self.cache.frame_columns[key] = [c["label"] for c in self.client.frame(frame_id, row_count=0)["columns"]]
        return self.cache.frame_columns[key]

    def _frames_for(self, model_id: str | None) -> tuple[list[str], str | None]:
        """The frames to offer and the one to choose for ``model_id``: one that has its columns."""
        if not model_id:
            return self._frames, None
        ranked = rank_frames(self._model_details(model_id), {f: self._columns(f) for f in self._frames})
        return self._frames, ranked[0] if ranked else None

    def _set_frames(self, offered: tuple[list[str], str | None]) -> None:
        frames, best = offered
        keep = self.frame.value if self.frame.value in frames else None
        self.frame.options = frames
        self.frame.value = best if best is not None else (keep or (frames[0] if frames else None))
        self._describe_frame()

    def _on_model_selected(self, change) -> None:
        if not self._loading:
            self._user_picked_model = change["new"] is not None
            self.guarded(lambda: self._set_frames(self._frames_for(change["new"])))
        self.scoring.update()

    def _on_frame_selected(self, _change) -> None:
        self.guarded(self._describe_frame)
        self.scoring.update()

    def _describe_frame(self) -> None:
        """Say beside the frame picker when the chosen frame lacks the model's columns or response."""
        model_id, frame_id = self.model.value, self.frame.value
        self.frame_note.value = ""
        self.frame.remove_class("h2odash-invalid")
        if not model_id or not frame_id or model_id not in self.cache.models:
            return
        inputs, response = model_inputs(self.cache.models[model_id])
        columns = set(self._columns(frame_id))
        missing = [c for c in inputs if c not in columns]
        if missing:
            self.frame.add_class("h2odash-invalid")
            shown = ", ".join(missing[:5]) + ("…" if len(missing) > 5 else "")
            self.frame_note.value = f"<span style='color:#b00020'>lacks {len(missing)} of the model's columns: {html.escape(shown)}</span>"
        elif response and response not in columns:
            self.frame_note.value = f"<span style='color:#555'>no {html.escape(response)} column: predictions without metrics</span>"

    # -- scoring --------------------------------------------------------------------------
    def _on_score(self, _button) -> None:
        model_id, frame_id = self.model.value, self.frame.value
        if not model_id or not frame_id:
            self.status.error("Choose a model and a frame.")
            return
        self.state = PredictionState()
        self.why.layout.display = "none"
        self.preview.value = self.metrics.value = self.download.value = self.download_note.value = ""
        self.charts.show([])
        self.metric_charts.prepare()  # figures are made here; the thread only fills them
        self.status.info(f"Scoring {frame_id} with {model_id}…")
        with_inputs = self.with_inputs.value

        def work():
            answer = self.client.predict(model_id, frame_id)
            scored = answer["predictions_frame"]["name"]
            response = model_inputs(self._model_details(model_id))[1]
            metrics = (answer.get("model_metrics") or [None])[0]
            self.state = PredictionState(scored, metrics, frame_id, response,
                                         self.client.frame_preview(scored, row_count=PREVIEW_ROWS),
                                         self.client.frame_preview(frame_id, row_count=PREVIEW_ROWS))
            self._show_preview()
            self._offer_why(model_id, frame_id)
            self._show_metrics(model_id, frame_id, metrics)
            self._build_download(with_inputs)
            self.status.info(f"Predictions in frame {scored}.")
        self.scoring.run(self, work, self.status)

    def _show_preview(self) -> None:
        state = self.state
        if state.preview is None:
            return
        table = prediction_table(state.preview, state.scored_preview, state.response, self.with_inputs.value)
        self.preview.value = to_html(table)

    def _offer_why(self, model_id: str, frame_id: str) -> None:
        """Under the table: any row's contributions, by its number in the table (1 = first)."""
        if self._explain_row is None:
            return
        self._why_of = (model_id, frame_id)
        rows = int(self.client.frame(frame_id, row_count=0).get("rows") or 1)
        self.why_row.max = max(rows, 1)
        self.why.layout.display = "flex"

    def _on_why(self, _button) -> None:
        model_id, frame_id = self._why_of
        self._explain_row(model_id, frame_id, int(self.why_row.value))

    def _on_with_inputs(self, _change) -> None:
        self._show_preview()
        if self.state.predictions_frame and not self.scoring.busy:
            self._rebuild_download()

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
            pd.DataFrame({"metric": [metric_label(name) for name in found], "value": list(found.values())}))
        model = self._model_details(model_id)
        output = model.get("output") or {}
        name = f"{model_id}_on_{frame_id}"
        tabs = self.metric_charts.show_metrics(name, metrics, output.get("default_threshold"))
        if output.get("model_category") == "Regression":
            table = residuals_table(self.client, self.state.predictions_frame, frame_id,
                                    model.get("response_column_name"))
            self.metric_charts.show_residuals(table, name)
            tabs.append(("Residuals", self.metric_charts.residuals))
        self.charts.show(tabs)

    # -- download -------------------------------------------------------------------------
    def _build_download(self, with_inputs: bool) -> None:
        """A link holding the predictions as CSV (with row number, actual and, when shown, the
        inputs): the whole frame up to DOWNLOAD_ROWS rows, else its first DOWNLOAD_ROWS rows."""
        state = self.state
        table, total = download_table(self.client, state.predictions_frame, state.frame_id, state.response,
                                      with_inputs)
        filename = f"{state.predictions_frame}.csv"
        self.download.value = csv_link(table, filename, f"⬇ Download {filename}")
        if total > len(table):
            self.download_note.value = (
                f"<span style='color:#555'>holds the first {len(table):,} of {total:,} rows; the whole frame: "
                f"<code>client.download_csv({state.predictions_frame!r})</code> in a notebook</span>")
        else:
            self.download_note.value = f"<span style='color:#555'>all {total:,} rows</span>"

    def _rebuild_download(self) -> None:
        """The columns shown changed: the link follows (said beside it while it is rebuilt)."""
        with_inputs = self.with_inputs.value
        self.download.value = ""
        self.download_note.value = "<span style='color:#555'>preparing the CSV with the columns shown…</span>"
        self.in_background(lambda: self._build_download(with_inputs))
