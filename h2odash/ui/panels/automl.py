"""AutoML: a form for a run (frame, response, ignored columns, folds, sort metric, leaderboard
frame, budget, seed, excluded algorithms); Start, then a progress bar, a leaderboard table and
chart that fill while models finish, and the run's event log; a leaderboard row opens that
model; Cancel keeps the models finished so far.

The response starts blank (never the first column, which is often an id) and Start stays
disabled until there is one; the frame's id-like columns are proposed as ignored. A line under
the form says what the leaderboard's metrics are measured on.

A server without AutoML (no ``POST /99/AutoMLBuilder``) gets a plain explanation instead of a
failing button.
"""
from __future__ import annotations

import html
from dataclasses import dataclass

import ipywidgets as widgets

from h2odash.client import H2OClient, H2OJobError
from h2odash.client.jobs import FINISHED

from ..leaderboard import LeaderboardView, leader_of
from ..tables import to_html, two_dim_table
from .base import OpenModel, Panel, frame_facts, frame_ids, set_options

ALGORITHMS = ("GLM", "DRF", "GBM", "XGBoost", "DeepLearning", "StackedEnsemble")
NO_AUTOML = ("This server has no AutoML (/99/AutoMLBuilder is not among its endpoints). "
             "Train models one by one in the Train panel, or connect to a server with AutoML.")
EVENTS_SHOWN = 20  # the latest events; the whole log is the server's
# H2O-3's sort metrics (AUTO: AUC for binary, mean per-class error for multiclass, deviance for regression).
SORT_METRICS = ("AUTO", "AUC", "AUCPR", "logloss", "mean_per_class_error", "RMSE", "MSE", "MAE", "RMSLE",
                "deviance")
_WIDE = dict(layout=widgets.Layout(width="420px"), style={"description_width": "130px"})


@dataclass
class AutoMLState:
    """The run being watched and what was seen of it."""

    available: bool = False
    job: dict | None = None
    automl_id: str | None = None
    job_status: str | None = None
    leader: str | None = None
    # The most leaderboard rows seen while the job was still running: proof that the
    # leaderboard filled live, not only once the run was over.
    rows_while_running: int = 0


class AutoMLPanel(Panel):
    """Start an AutoML run and watch its leaderboard fill.

    Parameters
    ----------
    client : H2OClient
    open_model : callable, optional
        ``open_model(model_id)``, called when the user picks a leaderboard row; the Dashboard
        passes one that shows the model in its Models panel.
    """

    def __init__(self, client: H2OClient, open_model: OpenModel | None = None):
        self.state = AutoMLState()
        self.open_model = open_model
        self.columns: list[str] = []  # of the chosen frame
        self.frame = widgets.Dropdown(description="Frame", **_WIDE)
        self.response = widgets.Dropdown(description="Response", options=[("", None)], **_WIDE)
        self.ignored_columns = widgets.SelectMultiple(description="Ignored columns", rows=5, **_WIDE)
        self.nfolds = widgets.IntText(value=5, description="Folds (nfolds)", **_WIDE)
        self.sort_metric = widgets.Dropdown(options=SORT_METRICS, value="AUTO", description="Sort metric", **_WIDE)
        self.leaderboard_frame = widgets.Dropdown(description="Leaderboard frame", options=[("", None)], **_WIDE)
        self.max_models = widgets.IntText(value=10, description="Max models", **_WIDE)
        self.max_runtime_secs = widgets.FloatText(value=0.0, description="Max runtime (s)", **_WIDE)
        self.seed = widgets.IntText(value=-1, description="Seed", **_WIDE)
        self.exclude_algos = widgets.SelectMultiple(options=ALGORITHMS, rows=6, description="Exclude", **_WIDE)
        self.metrics_note = widgets.HTML().add_class("h2odash-automl-metrics-note")
        self.start_button = widgets.Button(description="Start AutoML", button_style="primary", disabled=True)
        self.cancel_button = widgets.Button(description="Cancel", icon="stop", disabled=True)
        self.progress = widgets.FloatProgress(min=0.0, max=1.0, description="Progress")
        self.availability = widgets.HTML()
        # Runs already on the server (started from h2o-py, another tab, an earlier session).
        self.runs = widgets.Dropdown(description="Show run", options=[("", None)], **_WIDE)
        self.leaderboard = LeaderboardView(on_open=self._on_open_model)
        self.event_log = widgets.HTML().add_class("h2odash-event-log")
        self.frame.observe(self._on_frame_selected, names="value")
        self.response.observe(self._on_response_selected, names="value")
        for field in (self.nfolds, self.leaderboard_frame):
            field.observe(lambda _change: self._update_form(), names="value")
        self.runs.observe(self._on_run_picked, names="value")
        self.start_button.on_click(self._on_start)
        self.cancel_button.on_click(self._on_cancel)
        super().__init__(client, [self.availability, self.frame, self.response, self.ignored_columns, self.nfolds,
                                  self.sort_metric, self.leaderboard_frame, self.max_models,
                                  self.max_runtime_secs, self.seed, self.exclude_algos, self.metrics_note,
                                  widgets.HBox([self.start_button, self.cancel_button]), self.status, self.progress,
                                  self.runs, self.leaderboard, widgets.HTML("<b>Event log</b>"), self.event_log])
        self.refresh()

    @property
    def available(self) -> bool:
        return self.state.available

    def refresh(self) -> None:
        def load():
            self.state.available = self.client.has_automl()
            self.availability.value = "" if self.available else f"<div class='h2odash-no-automl'><b>{NO_AUTOML}</b></div>"
            frames = frame_ids(self.client)
            set_options(self.frame, frames, blank=True)
            set_options(self.leaderboard_frame, frames, blank=True)
            if self.available:
                set_options(self.runs, self.client.automl_runs(), blank=True)
            self._update_form()
        self.guarded(load)

    def _on_run_picked(self, change) -> None:
        """Show a run's leaderboard and event log as the server has them now."""
        if not change["new"] or change["new"] == self.state.automl_id:
            return
        if self.state.job is not None and self.state.job_status not in FINISHED:
            self.status.info("The run started here is still shown while it goes on; pick another when it ends.")
            return

        def load():
            run = self.client.automl(change["new"])
            self.leaderboard.prepare()
            self.leaderboard.fill(run, change["new"])
            self.event_log.value = to_html(two_dim_table(run.get("event_log_table")).tail(EVENTS_SHOWN))
            self.state.leader = leader_of(run)
        self.guarded(load)

    def _on_frame_selected(self, change) -> None:
        if not change["new"]:
            set_options(self.response, [], blank=True)
            self.ignored_columns.options = []
            self._update_form()
            return

        def load():
            columns, _levels, id_like = frame_facts(self.client, change["new"])
            self.columns = [c for c, _ in columns]
            # Blank, not the first column: that is often an id, and a model of it is meaningless.
            set_options(self.response, self.columns, blank=True)
            self.ignored_columns.options = self.columns
            self.ignored_columns.value = tuple(c for c in id_like if c in self.columns)
            if id_like:
                self.status.info(f"Ignoring {', '.join(id_like)}: id-like columns identify rows and would only "
                                 "teach the models noise.")
            self._update_form()
        self.guarded(load)

    def _on_response_selected(self, change) -> None:
        # The response is what the models predict: not a column to ignore.
        columns = self.columns
        if columns:
            keep = tuple(c for c in self.ignored_columns.value if c != change["new"])
            self.ignored_columns.options = [c for c in columns if c != change["new"]]
            self.ignored_columns.value = keep
        self._update_form()

    def _update_form(self) -> None:
        """Start only when it can work; say what the leaderboard's metrics will be measured on."""
        running = self.state.job is not None and self.state.job_status not in FINISHED
        ready = self.available and bool(self.frame.value) and bool(self.response.value)
        self.start_button.disabled = running or not ready
        self.start_button.tooltip = "" if ready else "Choose a frame and a response column first."
        if self.leaderboard_frame.value:
            note = f"The leaderboard ranks models by their metrics on {self.leaderboard_frame.value}."
        elif self.nfolds.value >= 2:
            note = (f"The leaderboard's metrics are cross-validated ({self.nfolds.value}-fold): each row is scored "
                    "by a model that did not see it.")
        else:
            note = "Without folds or a leaderboard frame, the leaderboard ranks models on their training metrics."
        self.metrics_note.value = f"<small style='color:#555'>{html.escape(note)}</small>"

    # -- a run ----------------------------------------------------------------------------
    def _on_start(self, _button) -> None:
        if not self.available:
            self.status.error(NO_AUTOML)
            return
        if not self.frame.value or not self.response.value:
            self.status.error("Choose a frame and a response column.")
            return
        # 0 s and no exclusions mean "no limit" and "every algorithm": left out, the server's defaults apply.
        spec = {"training_frame": self.frame.value, "response_column": self.response.value,
                "ignored_columns": list(self.ignored_columns.value) or None, "nfolds": self.nfolds.value,
                "sort_metric": self.sort_metric.value if self.sort_metric.value != "AUTO" else None,
                "leaderboard_frame": self.leaderboard_frame.value or None,
                "max_models": self.max_models.value, "max_runtime_secs": int(self.max_runtime_secs.value) or None,
                "seed": self.seed.value, "exclude_algos": list(self.exclude_algos.value) or None}
        # One run at a time on screen: an earlier run goes on on the server (see the Jobs panel)
        # but its poll would otherwise write into this run's leaderboard.
        for poller in self.pollers:
            poller.stop()
        self.state = AutoMLState(available=True)
        self.leaderboard.prepare()  # the chart is made here; the poll only fills it
        self.event_log.value = ""
        self.progress.value, self.progress.bar_style = 0.0, ""
        self._busy(True)
        self.status.info("Starting AutoML…")

        def start():
            # The POST can take a while on a busy server: it too stays off the callback.
            try:
                job = self.client.start_automl(**spec)
            except Exception:
                self._busy(False)
                raise
            self.state.job, self.state.automl_id = job, (job.get("dest") or {}).get("name")
            self.cancel_button.disabled = False
            self.status.info(f"AutoML {self.state.automl_id} running…")
            self.poll(self._watch, interval=0.3)
        self.in_background(start)

    def _watch(self) -> bool:
        """One look at the job and the run; True once the job has ended."""
        # The job first: rows read after a RUNNING job were there before the run ended.
        job = self.client.job(self.state.job)
        status = job.get("status")
        run = self.client.automl(self.state.automl_id)
        self.progress.value = float(job.get("progress") or 0.0)
        self.leaderboard.fill(run, self.state.automl_id)
        self.event_log.value = to_html(two_dim_table(run.get("event_log_table")).tail(EVENTS_SHOWN))
        self.state.leader = leader_of(run)
        # Not FINISHED rather than RUNNING: H2O-3 says CANCEL_PENDING while a cancelled run winds down.
        running = status not in FINISHED
        if running:
            self.state.rows_while_running = max(self.state.rows_while_running, len(self.leaderboard.model_ids))
        self.state.job_status = status
        if running:
            return False
        self.cancel_button.disabled = True
        self._busy(False)
        if status == "FAILED":
            self.progress.bar_style = "danger"
            self.status.error(H2OJobError(job))
        else:
            self.progress.bar_style = "success" if status == "DONE" else "warning"
            leader = f" Leader: {self.state.leader}." if self.state.leader else ""
            self.status.info(f"AutoML {status.lower()}.{leader}")
        return True

    def _busy(self, busy: bool) -> None:
        self.start_button.description = "AutoML running…" if busy else "Start AutoML"
        self.start_button.icon = "spinner" if busy else ""
        if busy:
            self.start_button.disabled = True
        else:
            self._update_form()

    def _on_cancel(self, _button) -> None:
        if self.state.job is not None:
            self.guarded(lambda: self.client.cancel_job(self.state.job))

    def _on_open_model(self, model_id: str) -> None:
        if self.open_model is None:  # the panel alone in a cell: no Models panel to switch to
            self.status.info(f"Open {model_id} in the Models panel.")
            return
        self.guarded(lambda: self.open_model(model_id))
