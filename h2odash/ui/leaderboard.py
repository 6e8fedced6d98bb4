"""An AutoML leaderboard that fills while the run goes on: the table of every metric, a list whose
rows open a model, and a bar chart of the metric the models are ranked by.

``GET /99/AutoML/{id}`` differs between servers: the embedded engine names a ``leader``, real
H2O-3 does not (its leader is ``leaderboard.models[0]``). :func:`leader_of` reads both.
"""
from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets
import pandas as pd

from . import charts
from .chartbox import ChartBox
from .figure_widget import keep_page_state
from .metric_names import metric_label
from .tables import to_html, two_dim_table


def leaderboard_of(run: dict) -> pd.DataFrame:
    """The leaderboard as a table: ``model_id`` then the metric columns, best model first."""
    board = two_dim_table(run.get("leaderboard_table"))
    return board.drop(columns=[""], errors="ignore")  # H2O's row numbers: the rank is the order


def sort_metric_of(run: dict, board: pd.DataFrame) -> str | None:
    """The metric the leaderboard is ranked by (H2O puts its column right after ``model_id``)."""
    named = (run.get("leaderboard") or {}).get("sort_metric") or run.get("sort_metric")
    if named in board.columns:
        return named
    metrics = [c for c in board.columns if c != "model_id"]
    return metrics[0] if metrics else None


def leader_of(run: dict) -> str | None:
    """The best model's id: the seed's ``leader``, else (H2O-3) the leaderboard's first model."""
    leader = (run.get("leader") or {}).get("name")
    models = (run.get("leaderboard") or {}).get("models") or []
    return leader or (models[0].get("name") if models else None)


class LeaderboardView(widgets.VBox):
    """The leaderboard of one AutoML run; rows chosen in the list go to ``on_open(model_id)``.

    :meth:`prepare` runs on a callback (it makes the empty chart); :meth:`fill` only assigns
    traits and figure data, so the panel's background poll may call it.
    """

    def __init__(self, on_open: Callable[[str], None] | None = None):
        self.on_open = on_open
        self.board = pd.DataFrame()
        self.table = widgets.HTML().add_class("h2odash-leaderboard")
        self.rows = widgets.Select(options=[], rows=8, description="Open model",
                                   layout=widgets.Layout(width="640px")).add_class("h2odash-leaderboard-rows")
        self.chart = ChartBox("leaderboard.csv")
        # Replacing a Select's options moves its value; that is the poll, not a user's click.
        self._filling = False
        self.rows.observe(self._on_row_selected, names="value")
        super().__init__([self.table, self.rows, self.chart])

    def prepare(self) -> None:
        self.board = pd.DataFrame()
        self.table.value = ""
        self._set_rows([])
        self.chart.show(charts.bar_chart("Leaderboard", [], []), filename="leaderboard.csv")

    def fill(self, run: dict, automl_id: str) -> None:
        """Show the run's leaderboard as it is now."""
        board = leaderboard_of(run)
        self.board = board
        self.table.value = to_html(board)
        metric = sort_metric_of(run, board)
        if board.empty or metric is None:
            return
        self._set_rows([(f"{rank}. {model_id}   {metric} {value:.4g}", model_id)
                        for rank, (model_id, value) in enumerate(zip(board["model_id"], board[metric]), start=1)])
        charts.set_bars(self.chart.figure, metric, board["model_id"], board[metric])
        # Bars from zero would all look alike (AUCs of 0.80 to 0.82): the axis spans the spread.
        values = pd.to_numeric(board[metric], errors="coerce").dropna()
        if len(values):
            low, high = float(values.min()), float(values.max())
            pad = (high - low) * 0.15 or abs(high) * 0.01 or 0.01
            self.chart.figure.layout.xaxis.range = [low - pad, high + pad]
        self.chart.figure.layout.xaxis.title.text = metric_label(metric)
        self.chart.figure.layout.height = max(charts.HEIGHT, 26 * len(board) + 90)
        keep_page_state(self.chart.figure)
        self.chart.filename = f"{automl_id}_leaderboard.csv"
        self.chart.refresh_link(board)

    @property
    def model_ids(self) -> list[str]:
        return [] if self.board.empty else list(self.board["model_id"])

    def _set_rows(self, options: list[tuple[str, str]]) -> None:
        chosen = self.rows.value
        self._filling = True
        try:
            self.rows.options = options
            self.rows.value = chosen if chosen in [value for _, value in options] else None
        finally:
            self._filling = False

    def _on_row_selected(self, change) -> None:
        if not self._filling and change["new"] and self.on_open is not None:
            self.on_open(change["new"])
