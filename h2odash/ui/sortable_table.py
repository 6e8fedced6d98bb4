"""A table of models (or anything keyed by its first column) that sorts in the kernel and marks
the best value of each metric column.

An ``HTML`` widget runs no JavaScript in Voilà, so headers cannot be clicked: a "Sort by" picker
and an ascending/descending toggle re-render the table instead. Which value is "best" depends on
the metric: :func:`higher_is_better` knows H2O-3's metric names (``AUC``, ``logloss``,
``mean_per_class_error``...) and its leaderboard and grid column names (``auc``, ``aucpr``,
``rmse``...), with or without a ``training_``/``validation_``/``cross_validation_`` prefix.
"""
from __future__ import annotations

import html
import math
import numbers
from collections.abc import Callable

import ipywidgets as widgets
import numpy as np
import pandas as pd

from .metric_names import higher_is_better, metric_label

_BEST_STYLE = "font-weight:bold;background:#e3f4e1"
_STYLE = ("<style>.h2odash-sortable-table{border-collapse:collapse}"
          ".h2odash-sortable-table td,.h2odash-sortable-table th{padding:2px 8px;text-align:right;font-size:12px;"
          "border-bottom:1px solid #eee;white-space:nowrap}"
          ".h2odash-sortable-table th{border-bottom:1px solid #bbb}"
          ".h2odash-sortable-table td:first-child,.h2odash-sortable-table th:first-child{text-align:left}"
          f".h2odash-sortable-table td.best{{{_BEST_STYLE}}}</style>")


def best_rows(column: pd.Series, higher: bool) -> np.ndarray:
    """A mask of the rows holding the best value of a numeric column (every tie; none when all NaN)."""
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
    finite = np.isfinite(values)
    if not finite.any():
        return np.zeros(len(values), dtype=bool)
    best = values[finite].max() if higher else values[finite].min()
    return finite & (values == best)


def format_value(value) -> str:
    """A cell as text: floats to 4 significant digits, whole numbers in full, missing as blank."""
    if value is None or isinstance(value, bool):
        return "" if value is None else str(value).lower()
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        value = float(value)
        if math.isnan(value):
            return ""
        if value.is_integer() and abs(value) < 1e6:
            return str(int(value))
        return f"{value:.4g}"
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):  # lists and arrays are values, not missing
        pass
    return str(value)


def sort_frame(frame: pd.DataFrame, by: str | None, ascending: bool) -> pd.DataFrame:
    """``frame`` sorted by one column (stable, missing values last), or as given when ``by`` is None."""
    if by is None or by not in frame.columns or frame.empty:
        return frame.reset_index(drop=True)
    try:
        ordered = frame.sort_values(by, ascending=ascending, na_position="last", kind="mergesort")
    except TypeError:  # a column mixing numbers and text sorts as text
        ordered = frame.sort_values(by, ascending=ascending, na_position="last", kind="mergesort",
                                    key=lambda column: column.astype(str))
    return ordered.reset_index(drop=True)


def table_html(frame: pd.DataFrame, sort_by: str | None = None, ascending: bool = True,
               max_rows: int = 200) -> str:
    """A compact HTML table: an arrow on the sorted column's header, the best value of each metric
    column in bold on green. Only the first ``max_rows`` rows are written (the DOM stays small)."""
    if frame.empty:
        return "<i>(empty)</i>"
    shown = frame.head(max_rows)
    marks = {}
    for name in frame.columns:
        higher = higher_is_better(name)
        if higher is not None and pd.api.types.is_numeric_dtype(frame[name]):
            marks[name] = best_rows(frame[name], higher)[:len(shown)]
    arrow = {True: " ▲", False: " ▼"}[bool(ascending)]
    head = "".join(f"<th>{html.escape(shown_name(name))}{arrow if name == sort_by else ''}</th>" for name in frame.columns)
    columns = [(shown[name].tolist(), marks.get(name)) for name in frame.columns]
    rows = []
    for i in range(len(shown)):
        cells = "".join(f"<td class='best'>{html.escape(format_value(values[i]))}</td>"
                        if best is not None and best[i] else f"<td>{html.escape(format_value(values[i]))}</td>"
                        for values, best in columns)
        rows.append(f"<tr>{cells}</tr>")
    more = (f"<div style='font-size:11px;color:#777'>first {max_rows} of {len(frame)} rows</div>"
            if len(frame) > max_rows else "")
    return f"{_STYLE}<table class='h2odash-sortable-table'><tr>{head}</tr>{''.join(rows)}</table>{more}"


def shown_name(column) -> str:
    """A column heading: metrics as people write them (``logloss`` -> ``log loss``), others as named."""
    return metric_label(str(column)) if higher_is_better(str(column)) is not None else str(column)


class SortableTable(widgets.VBox):
    """A DataFrame as an HTML table, sorted in the kernel by a column the user picks.

    Parameters
    ----------
    frame : DataFrame, optional
        What to show; the first column holds the row keys (``model_id``).
    sort_by : str, optional
        Column to sort by; by default the rows keep their order.
    ascending : bool, optional
        Sort direction; by default the sort column's best-first direction (descending for ``auc``,
        ascending for ``logloss`` and for columns that are not metrics).
    on_open : callable, optional
        ``on_open(key)``: an "Open" picker of the row keys and a button calling it are shown.
    max_rows : int
        Rows written into the page (sorting always uses every row).

    Attributes
    ----------
    frame : DataFrame
        The table as shown, sorted.
    sort_by, ascending
        The current order.
    """

    def __init__(self, frame: pd.DataFrame | None = None, sort_by: str | None = None,
                 ascending: bool | None = None, on_open: Callable[[str], None] | None = None,
                 max_rows: int = 200, open_label: str = "Open"):
        self.on_open = on_open
        self.max_rows = max_rows
        self.source = pd.DataFrame()
        self.frame = pd.DataFrame()
        self.sort_by: str | None = None
        self.ascending = True
        self.sort_picker = widgets.Dropdown(description="Sort by", options=[("(as listed)", None)],
                                            layout=widgets.Layout(width="260px"), style={"description_width": "60px"})
        self.direction = widgets.ToggleButtons(options=[("▲ ascending", True), ("▼ descending", False)],
                                               style={"button_width": "110px"})
        self.table = widgets.HTML().add_class("h2odash-sortable")
        self.open_picker = widgets.Dropdown(description=open_label, options=[], layout=widgets.Layout(width="460px"))
        self.open_button = widgets.Button(description=open_label, icon="external-link", disabled=True,
                                          layout=widgets.Layout(width="auto"))
        open_row = widgets.HBox([self.open_picker, self.open_button],
                                layout=widgets.Layout(display="" if on_open else "none"))
        self._quiet = False  # True while the kernel, not the user, sets the pickers
        self.sort_picker.observe(self._on_sort_by, names="value")
        self.direction.observe(self._on_direction, names="value")
        self.open_button.on_click(self._on_open)
        super().__init__([widgets.HBox([self.sort_picker, self.direction]), self.table, open_row])
        self.add_class("h2odash-sortable-table-view")
        self.show(pd.DataFrame() if frame is None else frame, sort_by, ascending)

    def show(self, frame: pd.DataFrame, sort_by: str | None = None, ascending: bool | None = None) -> None:
        """Show ``frame``. Without ``sort_by`` the current sort column is kept when ``frame`` still
        has it (a live table refreshed by a poll keeps the user's order); ``ascending`` defaults to
        the current direction for that column, else its best-first direction.

        Only assigns traits, so a background thread may call it.
        """
        self.source = frame
        if sort_by is not None and sort_by not in frame.columns:
            raise ValueError(f"cannot sort by {sort_by!r}: the table has no such column")
        if sort_by is None and self.sort_by in frame.columns:
            sort_by = self.sort_by
            ascending = self.ascending if ascending is None else ascending
        self.sort_by = sort_by
        self.ascending = default_ascending(sort_by) if ascending is None else bool(ascending)
        self._quiet = True
        try:
            options = [("(as listed)", None)] + [(shown_name(c), c) for c in frame.columns]
            if list(self.sort_picker.options) != options:
                self.sort_picker.options = options
            self.sort_picker.value = self.sort_by
            self.direction.value = self.ascending
        finally:
            self._quiet = False
        self._render()

    def _render(self) -> None:
        self.frame = sort_frame(self.source, self.sort_by, self.ascending)
        self.table.value = table_html(self.frame, self.sort_by, self.ascending, self.max_rows)
        keys = [] if self.frame.empty else [str(k) for k in self.frame.iloc[:, 0]]
        if list(self.open_picker.options) != keys:
            chosen = self.open_picker.value
            self.open_picker.options = keys
            self.open_picker.value = chosen if chosen in keys else (keys[0] if keys else None)
        self.open_button.disabled = not keys

    @property
    def row_keys(self) -> list[str]:
        """The row keys (first column) in the order shown."""
        return [] if self.frame.empty else [str(k) for k in self.frame.iloc[:, 0]]

    def _on_sort_by(self, change) -> None:
        if self._quiet:
            return
        self.show(self.source, change["new"], default_ascending(change["new"]))

    def _on_direction(self, change) -> None:
        if self._quiet:
            return
        self.ascending = bool(change["new"])
        self._render()

    def _on_open(self, _button) -> None:
        if self.on_open is not None and self.open_picker.value:
            self.on_open(self.open_picker.value)


def default_ascending(column: str | None) -> bool:
    """The best-first direction of a column: descending when higher is better, else ascending."""
    return not higher_is_better(column) if column is not None else True
