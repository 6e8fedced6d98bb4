"""A table with a link that downloads it as CSV (cluster centers, eigenvectors, archetypes...)."""
from __future__ import annotations

import html

import ipywidgets as widgets
import pandas as pd

from .downloads import csv_link
from .tables import to_html


class TableBox(widgets.VBox):
    """Shows one DataFrame as an HTML table under a caption, plus its CSV download link.

    Parameters
    ----------
    filename : str
        Name offered for the download, e.g. ``"centers.csv"``.
    """

    def __init__(self, filename: str = "table.csv"):
        self.filename = filename
        self.data: pd.DataFrame | None = None
        self.caption = widgets.HTML()
        self.table = widgets.HTML().add_class("h2odash-table-view")
        self.link = widgets.HTML()
        super().__init__([self.caption, self.table, self.link])

    def show(self, data: pd.DataFrame, filename: str | None = None, caption: str = "") -> None:
        self.data = data
        self.filename = filename or self.filename
        self.caption.value = f"<b>{html.escape(caption)}</b>" if caption else ""
        self.table.value = to_html(data)
        self.link.value = csv_link(data, self.filename, f"Download data (CSV): {self.filename}")
