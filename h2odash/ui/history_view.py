"""A scoring history, one metric at a time: a metric picker over a chart of training (solid) and
validation (dashed) values, with the best iteration starred. The Train panel redraws it while a
model learns; the Models panel shows a finished model's."""
from __future__ import annotations

import ipywidgets as widgets

from . import charts
from .chartbox import ChartBox
from .metric_names import metric_label
from .tables import two_dim_table


class ScoringHistoryView(widgets.VBox):
    """The metric picker and its chart; :meth:`show` may run on a background thread."""

    def __init__(self, filename: str = "scoring_history.csv"):
        self.table: dict | None = None
        self.metric = widgets.Dropdown(description="Metric", options=[], layout=widgets.Layout(width="320px"))
        self.chart = ChartBox(filename)
        self._showing = False  # a new table resets the picker's options: not a user's choice
        self.metric.observe(self._on_metric, names="value")
        super().__init__([self.metric, self.chart])
        self.add_class("h2odash-scoring-history")

    @property
    def figure(self):
        return self.chart.figure

    def show(self, table: dict | None, filename: str | None = None, stopping_metric: str | None = None) -> int:
        """Draw ``table`` (a scoring history); keep the chosen metric when the new table has it.
        Returns the number of points of its longest series (how far a live model has come)."""
        self.table = table
        paired = charts.scoring_history_by_metric(table)
        chosen = self.metric.value if self.metric.value in paired else charts.default_history_metric(
            list(paired), stopping_metric)
        options = [(metric_label(m) if m else "value", m) for m in paired]
        self._showing = True
        try:
            if list(self.metric.options) != options:
                self.metric.options = options
            self.metric.value = chosen
        finally:
            self._showing = False
        self._draw(filename)
        return max((len(x) for parts in paired.values() for x, _ in parts.values()), default=0)

    def clear(self) -> None:
        self.show(None)

    def _draw(self, filename: str | None = None) -> None:
        self.chart.show(charts.scoring_history_chart(self.table, self.metric.value), filename=filename,
                        data=two_dim_table(self.table) if self.table else None)

    def _on_metric(self, change) -> None:
        if not self._showing and change["new"] is not None:
            self._draw()
