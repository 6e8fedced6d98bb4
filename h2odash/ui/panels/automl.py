"""AutoML: a form for a run (frame, response, budget, seed, excluded algorithms); Start, then a
progress bar, a leaderboard table and chart that fill while models finish, and the run's event
log; a leaderboard row opens that model; Cancel keeps the models finished so far.

A server without AutoML (no ``POST /99/AutoMLBuilder``) gets a plain explanation instead of a
failing button.
"""
from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets

from h2odash.client import H2OClient, H2OJobError
from h2odash.client.jobs import FINISHED

from ..leaderboard import LeaderboardView, leader_of
from ..tables import to_html, two_dim_table
from .base import OpenModel, Panel, frame_columns, frame_ids, set_options

ALGORITHMS = ("GLM", "DRF", "GBM", "XGBoost", "DeepLearning", "StackedEnsemble")
NO_AUTOML = ("This server has no AutoML (/99/AutoMLBuilder is not among its endpoints). "
             "Train models one by one in the Train panel, or connect to a server with AutoML.")
EVENTS_SHOWN = 20  # the latest events; the whole log is the server's


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
        self.frame = widgets.Dropdown(description="Frame")
        self.response = widgets.Dropdown(description="Response")
        self.max_models = widgets.IntText(value=10, description="Max models")
        self.max_runtime_secs = widgets.FloatText(value=0.0, description="Max runtime (s)")
        self.seed = widgets.IntText(value=-1, description="Seed")
        self.exclude_algos = widgets.SelectMultiple(options=ALGORITHMS, rows=6, description="Exclude")
        self.start_button = widgets.Button(description="Start AutoML", button_style="primary")
        self.cancel_button = widgets.Button(description="Cancel", icon="stop", disabled=True)
        self.progress = widgets.FloatProgress(min=0.0, max=1.0, description="Progress")
        self.availability = widgets.HTML()
        self.leaderboard = LeaderboardView(on_open=self._on_open_model)
        self.event_log = widgets.HTML().add_class("h2odash-event-log")
        self.frame.observe(self._on_frame_selected, names="value")
        self.start_button.on_click(self._on_start)
        self.cancel_button.on_click(self._on_cancel)
        super().__init__(client, [self.availability, self.frame, self.response, self.max_models,
                                  self.max_runtime_secs, self.seed, self.exclude_algos,
                                  widgets.HBox([self.start_button, self.cancel_button]), self.progress,
                                  self.leaderboard, widgets.HTML("<b>Event log</b>"), self.event_log])
        self.refresh()

    @property
    def available(self) -> bool:
        return self.state.available

    def refresh(self) -> None:
        def load():
            self.state.available = self.client.has_automl()
            self.availability.value = "" if self.available else f"<div class='h2odash-no-automl'><b>{NO_AUTOML}</b></div>"
            self.start_button.disabled = not self.available
            set_options(self.frame, frame_ids(self.client), blank=True)
        self.guarded(load)

    def _on_frame_selected(self, change) -> None:
        if change["new"]:
            self.guarded(lambda: set_options(self.response, [c for c, _ in frame_columns(self.client, change["new"])[0]]))

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
        self.start_button.disabled = True
        self.status.info("Starting AutoML…")

        def start():
            # The POST can take a while on a busy server: it too stays off the callback.
            try:
                job = self.client.start_automl(**spec)
            finally:
                self.start_button.disabled = False
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
        if status == "FAILED":
            self.progress.bar_style = "danger"
            self.status.error(H2OJobError(job))
        else:
            self.progress.bar_style = "success" if status == "DONE" else "warning"
            leader = f" Leader: {self.state.leader}." if self.state.leader else ""
            self.status.info(f"AutoML {status.lower()}.{leader}")
        return True

    def _on_cancel(self, _button) -> None:
        if self.state.job is not None:
            self.guarded(lambda: self.client.cancel_job(self.state.job))

    def _on_open_model(self, model_id: str) -> None:
        if self.open_model is None:  # the panel alone in a cell: no Models panel to switch to
            self.status.info(f"Open {model_id} in the Models panel.")
            return
        self.guarded(lambda: self.open_model(model_id))
