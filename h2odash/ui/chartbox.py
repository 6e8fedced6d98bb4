"""A chart with a link that downloads the data behind it as CSV."""
from __future__ import annotations

import ipywidgets as widgets
import pandas as pd

from . import charts
from .downloads import csv_link, figure_data


class ChartBox(widgets.VBox):
    """One live Plotly figure, made when first drawn and then redrawn in place, plus its CSV
    download link.

    A new figure widget per view costs the browser a new plot and the kernel a new comm; a box
    keeps its one figure for life, so showing another model only changes the figure's data. The
    figure is made on the first draw, not with the box, so a page that has not drawn a chart yet
    loads without plotly at all.

    Parameters
    ----------
    filename : str
        Name offered for the download, e.g. ``"roc.csv"``.
    """

    def __init__(self, filename: str = "chart.csv"):
        self.filename = filename
        self.figure = None
        self.data: pd.DataFrame | None = None
        self.link = widgets.HTML()
        super().__init__([self.link])
        self.add_class("h2odash-chart")

    def _live(self):
        if self.figure is None:
            self.figure = charts.live_figure()
            self.children = [self.figure, self.link]
        return self.figure

    def make_figure(self):
        """Make the live figure now (on a callback, ahead of the work that will fill it)."""
        return self._live()

    def show(self, fig, data: pd.DataFrame | None = None, filename: str | None = None) -> None:
        """Draw ``fig`` (a figure from :mod:`charts`) in this box's figure; ``data`` is the table
        behind it (default: the figure's own points)."""
        charts.redraw(self._live(), fig)
        self.filename = filename or self.filename
        self.refresh_link(data)

    def fill(self, series: charts.Series, data: pd.DataFrame | None = None, filename: str | None = None,
             mode: str = "lines+markers") -> None:
        """Put ``series`` into the figure already shown (from any thread) and renew the download."""
        charts.set_series(self._live(), series, mode=mode)
        self.filename = filename or self.filename
        self.refresh_link(data)

    def refresh_link(self, data: pd.DataFrame | None = None) -> None:
        """Rebuild the download after the figure's data changed (live charts call this)."""
        self.data = data if data is not None else figure_data(self._live())
        self.link.value = csv_link(self.data, self.filename, f"Download data (CSV): {self.filename}")

    def clear(self) -> None:
        if self.figure is not None:
            charts.redraw(self.figure, charts.figure(""))
        self.data = None
        self.link.value = ""
