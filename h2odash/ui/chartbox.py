"""A chart with a link that downloads the data behind it as CSV."""
from __future__ import annotations

import ipywidgets as widgets
import pandas as pd

from . import charts
from .downloads import csv_link, figure_data


class ChartBox(widgets.VBox):
    """Holds one Plotly FigureWidget at a time, plus its CSV download link.

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

    def show(self, fig, data: pd.DataFrame | None = None, filename: str | None = None) -> None:
        """Show ``fig``; ``data`` is the table behind it (default: the figure's own points)."""
        self.figure = fig
        self.filename = filename or self.filename
        self.children = [fig, self.link]
        self.refresh_link(data)

    def fill(self, series: charts.Series, data: pd.DataFrame | None = None, filename: str | None = None,
             mode: str = "lines+markers") -> None:
        """Put ``series`` into the figure already shown (from any thread) and renew the download."""
        charts.set_series(self.figure, series, mode=mode)
        self.filename = filename or self.filename
        self.refresh_link(data)

    def refresh_link(self, data: pd.DataFrame | None = None) -> None:
        """Rebuild the download after the figure's data changed (live charts call this)."""
        self.data = data if data is not None else figure_data(self.figure)
        self.link.value = csv_link(self.data, self.filename, f"Download data (CSV): {self.filename}")

    def clear(self) -> None:
        self.figure, self.data = None, None
        self.link.value = ""
        self.children = [self.link]
