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

from .. import charts, rest
from ..chartbox import ChartBox
from ..tables import to_html, two_dim_table
from .base import Panel, frame_columns, frame_ids, set_options

ALGORITHMS = ("GLM", "DRF", "GBM", "XGBoost", "DeepLearning", "StackedEnsemble")
NO_AUTOML = ("This server has no AutoML (neither /99/AutoMLBuilder nor /3/AutoML is among its "
             "endpoints). Train models one by one in the Train panel, or connect to a server with AutoML.")


def automl_spec(frame: str, response: str, max_models: int, max_runtime_secs: float, seed: int,
                exclude_algos: list[str]) -> dict:
    """An AutoML build spec in H2O-3's shape (``POST /99/AutoMLBuilder``)."""
    return {
        "input_spec": {"training_frame": frame, "response_column": response},
        "build_control": {"stopping_criteria": {"max_models": max_models, "max_runtime_secs": max_runtime_secs,
                                                "seed": seed}},
        "build_models": {"exclude_algos": list(exclude_algos) or None},
    }


@dataclass
class AutoMLState:
    route: str | None = None
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
        self.leaderboard = widgets.HTML()
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
        return self.state.route is not None

    def refresh(self) -> None:
        def load():
            self.state.route = rest.automl_route(self.client)
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
        spec = automl_spec(self.frame.value, self.response.value, self.max_models.value,
                           self.max_runtime_secs.value, self.seed.value, list(self.exclude_algos.value))
        chart = charts.bar_chart("Leaderboard", [], [], "")
        self.leaderboard_chart.show(chart)
        self.status.info("Starting AutoML…")

        def start():
            answer = rest.start_automl(self.client, self.state.route, **spec)
            job = answer.get("job") or answer
            self.state.job = job
            self.state.automl_id = (job.get("dest") or {}).get("name")
            self.poll(lambda: self._watch(chart), interval=1.0)
        self.in_background(start)

    def _watch(self, chart) -> bool:
        job = self.client.job(self.state.job)
        self.progress.value = float(job.get("progress") or 0.0)
        run = rest.automl(self.client, self.state.automl_id)
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
