"""AutoML: a form for a run (frame, response, budget, excluded algorithms); Start, then a
leaderboard table and chart that fill while models finish, and the run's event log.

The embedded engine has no AutoML yet: the panel then says so instead of failing, and
starts working as soon as the server lists an AutoML route.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import ipywidgets as widgets
import pandas as pd

from h2odash.client import H2OClient

from .. import charts
from ..chartbox import ChartBox
from ..tables import to_html, two_dim_table
from .base import Panel, frame_columns, frame_ids, set_options

ALGORITHMS = ("GLM", "DRF", "GBM", "XGBoost", "DeepLearning", "StackedEnsemble")
NO_AUTOML = ("This server has no AutoML (/99/AutoMLBuilder is not among its endpoints). "
             "Train models one by one in the Train panel, or connect to a server with AutoML.")


@dataclass
class AutoMLState:
    available: bool = False
    job: dict | None = None
    automl_id: str | None = None
    leaderboard: pd.DataFrame = field(default_factory=pd.DataFrame)


class AutoMLPanel(Panel):
    """Start an AutoML run and watch its leaderboard fill."""

    def __init__(self, client: H2OClient):
        self.state = AutoMLState()
        self.frame = widgets.Dropdown(description="Frame")
        self.response = widgets.Dropdown(description="Response")
        self.max_models = widgets.IntText(value=10, description="Max models")
        self.max_runtime_secs = widgets.FloatText(value=0.0, description="Max runtime (s)")
        self.seed = widgets.IntText(value=-1, description="Seed")
        self.exclude_algos = widgets.SelectMultiple(options=ALGORITHMS, rows=6, description="Exclude")
        self.start_button = widgets.Button(description="Start AutoML", button_style="primary")
        self.progress = widgets.FloatProgress(min=0.0, max=1.0, description="Progress")
        self.availability = widgets.HTML()
        self.leaderboard = widgets.HTML().add_class("h2odash-leaderboard")
        self.leaderboard_chart = ChartBox("leaderboard.csv")
        self.event_log = widgets.HTML()
        self.frame.observe(self._on_frame_selected, names="value")
        self.start_button.on_click(self._on_start)
        super().__init__(client, [self.availability, self.frame, self.response, self.max_models,
                                  self.max_runtime_secs, self.seed, self.exclude_algos, self.start_button,
                                  self.progress, self.leaderboard, self.leaderboard_chart, self.event_log])
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
        chart = charts.bar_chart("Leaderboard", [], [], "")
        self.leaderboard_chart.show(chart)
        self.status.info("Starting AutoML…")

        def start():
            job = self.client.start_automl(**spec)
            self.state.job = job
            self.state.automl_id = (job.get("dest") or {}).get("name")
            self.poll(lambda: self._watch(chart), interval=1.0)
        self.in_background(start)

    def _watch(self, chart) -> bool:
        job = self.client.job(self.state.job)
        self.progress.value = float(job.get("progress") or 0.0)
        run = self.client.automl(self.state.automl_id)
        board = two_dim_table(run.get("leaderboard_table"))
        self.state.leaderboard = board
        self.leaderboard.value = to_html(board)
        if not board.empty and len(board.columns) > 2:
            metric = board.columns[2]  # model_id first (after the row label), then the sort metric
            with chart.batch_update():
                chart.data = []
                chart.add_bar(x=list(board[metric])[::-1], y=list(board["model_id"])[::-1], orientation="h",
                              name=metric)
            self.leaderboard_chart.refresh_link(board)
        self.event_log.value = to_html(two_dim_table(run.get("event_log_table")).tail(20))
        if job.get("status") in ("CREATED", "RUNNING"):
            return False
        self.status.info(f"AutoML {job.get('status', '').lower()}.")
        return True
