"""Explain: why a model (or a set: an AutoML leaderboard, models picked here or in Models)
predicts what it does.

Charts fill in as the server answers: variable importance across the models and the learning
curve at once from the models' own JSON; then the SHAP contributions of a sample of rows (a
beeswarm, the dependence of one feature coloured by another, one row's waterfall); then how
often the models agree; then partial dependence with ICE lines and every model overlaid, and a
2D partial dependence. Server work is followed as jobs with a progress bar and a Cancel button.
Where the server refuses a chart (H2O-3: contributions of multinomial models, GLM without a
background frame) its reason stands in that chart's place and the others still draw.
"""
from __future__ import annotations

import html
import threading
import time
from dataclasses import dataclass, field

import ipywidgets as widgets
import pandas as pd

from h2odash.client import H2OClient, H2OJobError
from h2odash.client.explain import PartialDependenceTable

from .. import charts, explain_charts, pickers
from ..busy import BusyButton
from ..explain_data import (RowSample, model_agreement, one_class, refusal_text, row_contributions, sample_rows, shap_long,
                            shap_model)
from ..leaderboard import leaderboard_of
from ..noted_chart import NotedChart
from ..tables import two_dim_table
from .base import Panel, set_options
from .predict import model_inputs, training_frame

PD_BINS = 20
PD2D_BINS = 8
ICE_ROWS = 6          # single rows drawn under the partial dependence, at spread-out predictions
PD_MODELS = 6         # models overlaid in partial dependence (one job each)
READY = "h2odash-explain-ready"  # on the panel once a run has finished (browser tests wait for it)


class Cancelled(Exception):
    """The user pressed Cancel (or started another explanation): stop drawing."""


@dataclass
class ExplainState:
    """What one explanation has read from the server so far."""

    models: dict[str, dict] = field(default_factory=dict)
    shap_model: str | None = None
    frame_id: str | None = None
    sample: RowSample | None = None
    rows: pd.DataFrame | None = None        # the sample's values
    contributions: pd.DataFrame | None = None
    long: pd.DataFrame | None = None        # shap_long of the two above
    predictions: dict[str, pd.Series] = field(default_factory=dict)   # each model's predicted class or value
    scores: dict[str, pd.Series] = field(default_factory=dict)        # ... and its last column (p1, a value)
    partial_dependence: dict[str, PartialDependenceTable] = field(default_factory=dict)
    ice: dict[str, PartialDependenceTable] = field(default_factory=dict)
    all_contributions: pd.DataFrame | None = None   # as the server answered (every class's columns)
    first_chart_at: float | None = None      # monotonic time the first chart was drawn (timing)


class ExplainPanel(Panel):
    """Pick models (or an AutoML run) and a frame; Explain draws every chart as results arrive."""

    def __init__(self, client: H2OClient):
        self.state = ExplainState()
        self._run = 0                      # each explanation's number: older ones stop drawing
        self._cancel = threading.Event()
        self._job: dict | None = None      # the server job being followed, for Cancel
        wide = dict(layout=widgets.Layout(width="520px"), style={"description_width": "110px"})
        narrow = dict(layout=widgets.Layout(width="300px"), style={"description_width": "110px"})
        self.automl_run = widgets.Dropdown(description="AutoML run", options=[("", None)], **wide)
        self.models = widgets.SelectMultiple(description="Models", rows=6, **wide)
        self.frame = widgets.Dropdown(description="Frame", **wide)
        self.shap_of = widgets.Dropdown(description="SHAP of", **wide)
        self.background = widgets.Dropdown(description="Background", options=[("", None)], **wide)
        self.background.tooltip = ("Baseline SHAP against these rows; H2O-3 needs one for GLM, deep learning "
                                   "and stacked ensembles")
        self.feature = widgets.Dropdown(description="Feature", **narrow)
        self.colour_by = widgets.Dropdown(description="Colour by", **narrow)
        self.row = widgets.BoundedIntText(value=1, min=1, max=1, description="Row", **narrow)
        # models of more than two classes: whose probability the SHAP and PD charts follow
        self.target_class = widgets.Dropdown(description="Class", layout=widgets.Layout(width="300px", display="none"),
                                             style={"description_width": "110px"})
        self.explain_button = widgets.Button(description="Explain", button_style="primary", icon="search")
        self.cancel_button = widgets.Button(description="Cancel", icon="stop", disabled=True)
        self.explaining = BusyButton(self.explain_button, "Explaining…", ready=lambda: bool(self.models.value))
        self.progress = widgets.FloatProgress(min=0.0, max=1.0, description="Progress")
        self.step = widgets.HTML().add_class("h2odash-explain-step")
        self.importance = NotedChart("variable_importance_heatmap.csv", "Variable importance")
        self.learning = NotedChart("learning_curve.csv", "Learning curve")
        self.summary = NotedChart("shap_summary.csv", "SHAP summary")
        self.dependence = NotedChart("shap_dependence.csv", "SHAP dependence")
        self.waterfall = NotedChart("waterfall.csv", "Row contributions")
        self.pd = NotedChart("partial_dependence.csv", "Partial dependence")
        self.pd2d = NotedChart("partial_dependence_2d.csv", "2D partial dependence")
        self.agreement = NotedChart("model_correlation.csv", "Model correlation")
        self.charts = [self.importance, self.learning, self.summary, self.dependence, self.waterfall, self.pd,
                       self.pd2d, self.agreement]
        grid = widgets.GridBox(self.charts, layout=widgets.Layout(
            grid_template_columns="repeat(auto-fit, minmax(460px, 1fr))", grid_gap="8px", width="100%"))
        self.automl_run.observe(self._on_run_picked, names="value")
        self.models.observe(self._on_models_picked, names="value")
        self.feature.observe(self._on_feature, names="value")
        self.colour_by.observe(self._on_colour_by, names="value")
        self.row.observe(self._on_row, names="value")
        self.target_class.observe(self._on_class, names="value")
        self.explain_button.on_click(self._on_explain)
        self.cancel_button.on_click(self._on_cancel)
        super().__init__(client, [
            widgets.HTML("<small>Pick models, or an AutoML run for its leaderboard's models, and the frame whose "
                         "rows to explain (at most 1000 rows are sampled for SHAP).</small>"),
            self.automl_run, self.models, self.frame, self.shap_of, self.background,
            widgets.HBox([self.explain_button, self.cancel_button]), self.status,
            widgets.HBox([self.progress, self.step]),
            widgets.HBox([self.feature, self.colour_by, self.row, self.target_class]), grid])
        self.explaining.update()
        self._load_pickers()

    # -- pickers ----------------------------------------------------------------------------
    def refresh(self) -> None:
        """The tab is shown: make the charts' figures now, so the Explain click only fills them
        (eight new figure widgets on the click cost the first chart half a second in the page);
        not when the panel is built, so a page that never opens Explain needs no figures."""
        for chart in self.charts:
            chart.chart.make_figure()
        self._load_pickers()

    def _load_pickers(self) -> None:
        def load():
            listed = pickers.user_models(self.client.models())
            self._algos = {pickers.model_id(m): str(m.get("algo", "")) for m in listed}
            options = [(pickers.model_label(m), pickers.model_id(m)) for m in listed]
            keep = tuple(m for m in self.models.value if m in [value for _, value in options])
            if list(self.models.options) != options:
                self.models.options = options
            self.models.value = keep
            frames = pickers.user_frames(self.client.frames())
            set_options(self.frame, frames)
            set_options(self.background, frames, blank=True)
            if self.client.has_automl():
                set_options(self.automl_run, self.client.automl_runs(), blank=True)
        self.guarded(load)

    def explain(self, model_ids: list[str], frame_id: str | None = None, row: int | None = None) -> None:
        """Pick ``model_ids`` (and ``frame_id``) and start explaining them (for other panels' links);
        ``row`` (1 = first) is the one the waterfall shows."""
        self._wanted_row = row
        self.refresh()
        self.models.value = tuple(m for m in model_ids if m in _offered(self.models))
        if frame_id and frame_id in _offered(self.frame):
            self.frame.value = frame_id
        self._on_explain(None)

    def _on_run_picked(self, change) -> None:
        if not change["new"]:
            return

        def load():
            board = leaderboard_of(self.client.automl(change["new"]))
            ids = [m for m in board.get("model_id", []) if m in _offered(self.models)]
            self.models.value = tuple(ids)
        self.guarded(load)

    def _on_models_picked(self, change) -> None:
        chosen = list(change["new"])
        self.explaining.update()
        if not chosen:
            return

        def load():
            first = self.client.model(chosen[0])
            trained_on = training_frame(first)
            if trained_on in _offered(self.frame):
                self.frame.value = trained_on
            set_options(self.shap_of, chosen)
            # A set's SHAP opens on its first tree model: H2O-3 computes the others' only against
            # a background frame.
            self.shap_of.value = shap_model({m: {"algo": self._algos.get(m, "")} for m in chosen})
        self.guarded(load)

    # -- an explanation -----------------------------------------------------------------------
    def _on_explain(self, _button) -> None:
        chosen = list(self.models.value)
        if not chosen or not self.frame.value:
            self.status.error("Pick at least one model and a frame.")
            return
        self._stop_running()
        self._run += 1
        run = self._run
        self._cancel = threading.Event()
        previous = self.state.sample
        self.state = ExplainState(frame_id=self.frame.value)
        self.remove_class(READY)
        # Figures are made here, on the callback; the background work only fills them.
        for chart in self.charts:
            chart.prepare(charts.figure(chart.name))
        self.progress.value, self.progress.bar_style = 0.0, ""
        self.cancel_button.disabled = False
        self.status.info(f"Explaining {len(chosen)} model{'s' if len(chosen) > 1 else ''} on {self.frame.value}…")
        shap_of, background = self.shap_of.value, self.background.value
        self.explaining.run(self, lambda: self._explain(run, chosen, shap_of, background, previous), self.status)

    def _explain(self, run: int, chosen: list[str], shap_of: str | None, background: str | None,
                 previous: RowSample | None = None) -> None:
        try:
            self._step(run, 0, "reading the models")
            self.state.models = {m: self.client.model(m) for m in chosen}
            self._draw_from_models(run, shap_of)
            self._step(run, 1, "sampling rows")
            if previous is not None and not previous.is_whole_frame:   # never the user's own frame
                self.client.discard(previous.frame_id)
            self.state.sample = sample_rows(self.client, self.state.frame_id)
            self.state.rows = self.client.frame_to_pandas(self.state.sample.frame_id)
            self._quiet = True
            try:
                self.row.max = max(self.state.sample.total, 1)
                if self._wanted_row:
                    self.row.value = min(max(int(self._wanted_row), 1), self.row.max)
                    self._wanted_row = None
            finally:
                self._quiet = False
            self._contributions(run, background)
            self._agreement(run)
            self._partial_dependence(run)
            self.progress.value, self.progress.bar_style = 1.0, "success"
            self.status.info(f"Explained {', '.join(chosen)} on {self.state.sample.total} rows of "
                             f"{self.state.frame_id}" + ("" if self.state.sample.is_whole_frame else
                                                        f" (SHAP on a sample of {len(self.state.sample.rows)})") + ".")
        except Cancelled:
            if run == self._run:
                self.progress.bar_style = "warning"
                self.status.info("Cancelled: the charts drawn so far stay.")
        finally:
            if run == self._run:
                self.cancel_button.disabled = True
                self.step.value = ""
                self.add_class(READY)

    def _step(self, run: int, number: int, words: str, of: int = 6) -> None:
        if run != self._run or self._cancel.is_set():
            raise Cancelled()
        self.progress.value = number / of
        self.step.value = f"<small>{html.escape(words)}…</small>"

    def _follow(self, run: int, job: dict, number: int, words: str, of: int = 6) -> dict:
        """Wait for a server job, moving the bar within its step; Cancel cancels the job too."""
        self._job = job
        try:
            while True:
                current = self.client.job(job)
                if run != self._run or self._cancel.is_set():
                    self.client.cancel_job(job)
                    raise Cancelled()
                self.progress.value = (number + float(current.get("progress") or 0.0)) / of
                self.step.value = f"<small>{html.escape(words)}…</small>"
                if current.get("status") == "DONE":
                    return current
                if current.get("status") in ("FAILED", "CANCELLED"):
                    raise H2OJobError(current)
                self._cancel.wait(0.1)
        finally:
            self._job = None

    def _drew(self) -> None:
        if self.state.first_chart_at is None:
            self.state.first_chart_at = time.monotonic()

    def _draw_from_models(self, run: int, shap_of: str | None) -> None:
        models = self.state.models
        fig, data = explain_charts.importance_heatmap(
            {m: (model.get("output") or {}).get("variable_importances") for m, model in models.items()})
        if data.empty:
            self.importance.refuse("None of these models reports variable importances.")
        else:
            self.importance.show(fig, data)
        self.state.shap_model = shap_of if shap_of in models else shap_model(models)
        focus = models[self.state.shap_model]
        history = (focus.get("output") or {}).get("scoring_history")
        if history:
            self.learning.show(charts.scoring_history_chart(history), filename=f"{self.state.shap_model}_learning_curve.csv")
            self.learning.note.value = f"<small>{html.escape(self.state.shap_model)}</small>"
        else:
            self.learning.refuse(f"{self.state.shap_model} has no scoring history.")
        self._drew()
        self._set_classes(focus)
        features, _response = model_inputs(focus)
        varimp = two_dim_table((focus.get("output") or {}).get("variable_importances"))
        ranked = [v for v in varimp.get("variable", []) if v in features] if not varimp.empty else []
        ordered = ranked + [f for f in features if f not in ranked]
        self._set_features(ordered)

    def _set_classes(self, model: dict) -> None:
        output = model.get("output") or {}
        classes = ((output.get("domains") or [None])[-1] or []) if output.get("model_category") in (
            "Multinomial", "Ordinal") else []
        self._quiet = True
        try:
            self.target_class.options = classes
            self.target_class.value = classes[0] if classes else None
        finally:
            self._quiet = False
        self.target_class.layout.display = "flex" if classes else "none"

    def _set_features(self, features: list[str]) -> None:
        self._quiet = True
        try:
            self.feature.options = features
            self.colour_by.options = features
            self.feature.value = features[0] if features else None
            self.colour_by.value = features[1] if len(features) > 1 else (features[0] if features else None)
        finally:
            self._quiet = False

    # -- contributions -------------------------------------------------------------------------
    def _contributions(self, run: int, background: str | None) -> None:
        model = self.state.shap_model
        self._step(run, 1, f"SHAP contributions of {model}")
        try:
            job = self.client.start_contributions(model, self.state.sample.frame_id, background_frame=background)
            done = self._follow(run, job, 1, f"SHAP contributions of {model}")
            self.state.all_contributions = self.client.frame_to_pandas(done["dest"]["name"])
            self.client.discard(done["dest"]["name"])
            self._draw_contributions(run)
        except Cancelled:
            raise
        except Exception as exc:  # the server's refusal, in place of the charts that needed it
            self.state.contributions = self.state.long = self.state.all_contributions = None
            reason = refusal_text(exc)
            hint = "" if background or "background" not in reason.lower() else " Pick a background frame above."
            for chart in (self.summary, self.dependence, self.waterfall):
                chart.refuse(f"{model}: {reason}{hint}")

    def _draw_contributions(self, run: int) -> None:
        """The SHAP charts from the contributions already read, for the class picked."""
        model = self.state.shap_model
        contributions = one_class(self.state.all_contributions, (self._target(model) or [None])[0])
        self.state.contributions = contributions
        self.state.long = shap_long(contributions, self.state.rows, self.state.sample.rows)
        fig, data = explain_charts.shap_summary(self.state.long)
        self.summary.show(fig, data, filename=f"{model}_shap_summary.csv")
        self._draw_dependence()
        self._draw_waterfall(run)

    def _draw_dependence(self) -> None:
        if self.state.long is None:
            return
        fig, data = explain_charts.shap_dependence(self.state.long, self.feature.value, self.colour_by.value)
        self.dependence.show(fig, data, filename=f"{self.state.shap_model}_shap_dependence_{self.feature.value}.csv")

    def _draw_waterfall(self, run: int) -> None:
        row = int(self.row.value)
        sample = self.state.sample
        positions = list(sample.rows)
        if row - 1 in positions:
            table = row_contributions(self.state.contributions, self.state.rows, positions.index(row - 1))
        else:  # a row outside the sample: its contributions alone
            one = self.client.select_rows(self.state.frame_id, [row - 1])
            done = self._follow(run, self.client.start_contributions(self.state.shap_model, one,
                                                                     background_frame=self.background.value or None),
                                1, f"contributions of row {row}")
            mine = one_class(self.client.frame_to_pandas(done["dest"]["name"]),
                             (self._target(self.state.shap_model) or [None])[0])
            table = row_contributions(mine, self.client.frame_to_pandas(one), 0)
            self.client.discard(done["dest"]["name"], one)
        fig, data = explain_charts.waterfall(table, row)
        self.waterfall.show(fig, data, filename=f"{self.state.shap_model}_row_{row}_contributions.csv")

    # -- how often the models agree --------------------------------------------------------------
    def _agreement(self, run: int) -> None:
        models = list(self.state.models)
        if len(models) < 2:
            self.agreement.refuse("Pick two or more models to see how often they agree.")
            return
        for number, model in enumerate(models):
            self._step(run, 2, f"predictions of {model} ({number + 1} of {len(models)})")
            answer = self.client.predict(model, self.state.sample.frame_id)
            scored = self.client.frame_to_pandas(answer["predictions_frame"]["name"])
            self.client.discard(answer["predictions_frame"]["name"])
            self.state.predictions[model], self.state.scores[model] = scored.iloc[:, 0], scored.iloc[:, -1]
        agreement = model_agreement(self.state.predictions)
        numeric = all(pd.api.types.is_numeric_dtype(p) for p in self.state.predictions.values())
        fig, data = explain_charts.agreement_heatmap(agreement, numeric)
        self.agreement.show(fig, data)

    # -- partial dependence ------------------------------------------------------------------------
    def _partial_dependence(self, run: int) -> None:
        column = self.feature.value
        if column is None:
            return
        models = list(self.state.models)[:PD_MODELS]
        frame = self.state.sample.frame_id
        self.state.partial_dependence, self.state.ice = {}, {}
        for number, model in enumerate(models):
            words = f"partial dependence of {model} on {column}"
            try:
                target = self._target(model)
                job = self.client.start_partial_dependence(model, frame, cols=[column], nbins=PD_BINS, targets=target)
                done = self._follow(run, job, 3, words)
                name = model if target is None else f"{model} (class {target[0]})"
                self.state.partial_dependence[name] = self.client.partial_dependence_result(done["dest"]["name"])[0]
                self.client.discard(done["dest"]["name"])
            except Cancelled:
                raise
            except Exception as exc:
                self.pd.refuse(f"{model}: {refusal_text(exc)}")
                return
            self._draw_partial_dependence(column)
        focus = self.state.shap_model if self.state.shap_model in models else models[0]
        for number, position in enumerate(self._ice_positions(focus)):
            job = self.client.start_partial_dependence(focus, frame, cols=[column], nbins=PD_BINS,
                                                       row_index=int(position), targets=self._target(focus))
            done = self._follow(run, job, 4, f"ICE line {number + 1} of {ICE_ROWS}")
            name = f"{focus} row {int(self.state.sample.rows[position]) + 1}"
            self.state.ice[name] = self.client.partial_dependence_result(done["dest"]["name"])[0]
            self.client.discard(done["dest"]["name"])
            self._draw_partial_dependence(column)
        self._partial_dependence_2d(run, focus)

    def _target(self, model: str) -> list[str] | None:
        """The class whose probability partial dependence shows, for models of more than two classes
        (H2O-3 asks for one); None for the rest, whose PD is of the last class or the value."""
        output = self.state.models[model].get("output") or {}
        if output.get("model_category") not in ("Multinomial", "Ordinal"):
            return None
        classes = (output.get("domains") or [None])[-1] or []
        picked = self.target_class.value
        return [picked] if picked in classes else ([classes[0]] if classes else None)

    def _ice_positions(self, model: str) -> list[int]:
        """Rows of the sample spread over the model's predictions (else over the sample)."""
        n = len(self.state.sample.rows)
        scores = self.state.scores.get(model)
        if scores is not None and pd.api.types.is_numeric_dtype(scores):
            order = scores.reset_index(drop=True).sort_values(kind="stable").index.tolist()
        else:
            order = list(range(n))
        count = min(ICE_ROWS, n)
        return [order[int(i * (n - 1) / max(count - 1, 1))] for i in range(count)]

    def _draw_partial_dependence(self, column: str) -> None:
        fig, data = explain_charts.partial_dependence(self.state.partial_dependence, column, self.state.ice)
        self.pd.show(fig, data, filename=f"partial_dependence_{column}.csv")

    def _partial_dependence_2d(self, run: int, model: str) -> None:
        first, second = self.feature.value, self.colour_by.value
        if not second or second == first:
            self.pd2d.refuse("Pick a Colour by feature other than the Feature for a 2D partial dependence.")
            return
        try:
            job = self.client.start_partial_dependence(model, self.state.sample.frame_id, nbins=PD2D_BINS,
                                                       col_pairs_2dpdp=[[first, second]], targets=self._target(model))
            done = self._follow(run, job, 5, f"2D partial dependence of {model} on {first} × {second}")
            pair = next(t for t in self.client.partial_dependence_result(done["dest"]["name"]) if t.is_2d)
            self.client.discard(done["dest"]["name"])
        except Cancelled:
            raise
        except Exception as exc:
            self.pd2d.refuse(f"{model}: {refusal_text(exc)}")
            return
        fig, data = explain_charts.partial_dependence_2d(pair)
        self.pd2d.show(fig, data, filename=f"{model}_partial_dependence_{first}_{second}.csv")

    # -- controls after an explanation -----------------------------------------------------------
    _quiet = False
    _wanted_row: int | None = None
    _algos: dict[str, str] = {}

    def _on_feature(self, _change) -> None:
        if self._quiet or self.state.sample is None or self.explaining.busy:
            return
        self._draw_dependence()
        self._again(lambda run: self._partial_dependence(run))

    def _on_colour_by(self, _change) -> None:
        if self._quiet or self.state.sample is None or self.explaining.busy:
            return
        self._draw_dependence()
        self._again(lambda run: self._partial_dependence_2d(run, self.state.shap_model))

    def _on_class(self, _change) -> None:
        if self._quiet or self.state.sample is None or self.explaining.busy:
            return

        def redraw(run):
            if self.state.all_contributions is not None:
                self._draw_contributions(run)
            self._partial_dependence(run)
        self._again(redraw)

    def _on_row(self, _change) -> None:
        if self._quiet or self.state.contributions is None or self.explaining.busy:
            return
        self._again(self._draw_waterfall)

    def _again(self, work) -> None:
        """Redo one part of the explanation in the background, cancellable like the whole."""
        self._run += 1
        run = self._run
        self._cancel = threading.Event()
        self.cancel_button.disabled = False

        def redo():
            try:
                work(run)
            except Cancelled:
                pass
            finally:
                if run == self._run:
                    self.cancel_button.disabled = True
                    self.step.value = ""
        self.explaining.run(self, redo, self.status)

    def _on_cancel(self, _button) -> None:
        self._stop_running()

    def _stop_running(self) -> None:
        self._cancel.set()
        job = self._job
        if job is not None:
            self.guarded(lambda: self.client.cancel_job(job))


def _offered(picker: widgets.widget_selection._Selection) -> list:
    """The values a picker offers (its options may be plain values or (label, value) pairs)."""
    return [o[1] if isinstance(o, tuple) else o for o in picker.options]
