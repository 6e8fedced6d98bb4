"""A chart with a line above it for what happened instead: still waiting, or the server's reason
for refusing (H2O-3 computes no contributions of multinomial models, for instance). The reason
stays where the chart would be, so the user reads it where they look, and the other charts of the
page still draw."""
from __future__ import annotations

import html

import ipywidgets as widgets
import pandas as pd

from .chartbox import ChartBox


class NotedChart(widgets.VBox):
    """A :class:`ChartBox` under a note.

    :meth:`prepare` makes the live figure (call it on a callback: widgets are made there, not on
    background threads); :meth:`show`, :meth:`refuse` and :meth:`wait` only assign traits and
    figure data, so background work may call them.
    """

    def __init__(self, filename: str, name: str):
        self.name = name
        self.note = widgets.HTML().add_class("h2odash-chart-note")
        self.chart = ChartBox(filename)
        self.refused = False
        super().__init__([self.note, self.chart])
        self.add_class("h2odash-explain-chart")

    def prepare(self, fig) -> None:
        self.chart.show(fig)
        self.wait(f"{self.name}: waiting for the server…")

    def wait(self, text: str) -> None:
        self.refused = False
        self.note.value = f"<small style='color:#555'>{html.escape(text)}</small>"

    def show(self, fig, data: pd.DataFrame | None = None, filename: str | None = None) -> None:
        self.refused = False
        self.note.value = ""
        self.chart.layout.display = ""
        self.chart.show(fig, data, filename)

    def refuse(self, text: str) -> None:
        """Show ``text`` (the server's words) instead of the chart."""
        self.refused = True
        self.chart.clear()
        self.chart.layout.display = "none"
        self.note.value = (f"<div class='h2odash-error h2odash-chart-refusal' style='color:#b00020;"
                           f"white-space:pre-wrap;border:1px solid #f3c1c1;background:#fff5f5;padding:8px;"
                           f"margin:4px 0'><b>{html.escape(self.name)}</b>: {html.escape(text)}</div>")
