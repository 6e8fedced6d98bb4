"""SortableTable: sorting in the kernel, the best value of each metric marked, fast enough for
the Models comparison and grid views. No server needed."""
import re
import time
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from h2odash.ui.sortable_table import SortableTable, format_value, higher_is_better, shown_name


@pytest.mark.parametrize("metric, higher", [
    ("auc", True), ("AUC", True), ("aucpr", True), ("pr_auc", True), ("r2", True), ("accuracy", True),
    ("f1", True), ("mean_per_class_accuracy", True), ("Gini", True), ("validation_auc", True),
    ("logloss", False), ("mean_per_class_error", False), ("RMSE", False), ("mse", False), ("mae", False),
    ("rmsle", False), ("mean_residual_deviance", False), ("residual_deviance", False), ("err", False),
    ("training_rmse", False), ("cross_validation_logloss", False), ("training_classification_error", False),
    ("tot_withinss", False),
    ("model_id", None), ("max_depth", None), ("learn_rate", None), ("training_time_ms", None), ("nobs", None),
])
def test_higher_is_better_knows_h2os_metric_names(metric, higher):
    assert higher_is_better(metric) is higher


def models_frame(rows=30, seed=0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "model_id": [f"GBM_{i}" for i in range(rows)],
        "max_depth": rng.integers(2, 8, rows),
        "histogram_type": rng.choice(["AUTO", "Random", "UniformAdaptive"], rows),
        "auc": rng.random(rows).round(3),      # rounding makes ties
        "logloss": rng.random(rows),
        "rmse": rng.random(rows),
    })
    frame.loc[[3, rows - 1], "auc"] = np.nan
    frame.loc[rows // 2, "logloss"] = np.nan
    return frame


class _Cells(HTMLParser):
    """The table's header and body cells, with whether each is marked best."""

    def __init__(self):
        super().__init__()
        self.header, self.rows, self._cell = [], [], None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        if tag in ("td", "th"):
            self._cell = [tag, "best" in (dict(attrs).get("class") or ""), ""]

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[2] += data

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(self._cell)
            self._cell = None


def cells(table: SortableTable):
    parser = _Cells()
    parser.feed(table.table.value)
    header = [text.replace(" ▲", "").replace(" ▼", "") for _, _, text in parser.rows[0]]
    return header, parser.rows[1:]


@pytest.mark.parametrize("column", ["model_id", "max_depth", "histogram_type", "auc", "logloss", "rmse"])
@pytest.mark.parametrize("ascending", [True, False])
def test_sorting_matches_pandas(column, ascending):
    frame = models_frame()
    table = SortableTable(frame, sort_by=column, ascending=ascending)
    expected = frame.sort_values(column, ascending=ascending, na_position="last", kind="mergesort")
    pd.testing.assert_frame_equal(table.frame, expected.reset_index(drop=True))
    header, rows = cells(table)
    assert [row[0][2] for row in rows] == list(expected["model_id"])  # the page shows that order
    assert header == [shown_name(c) for c in frame.columns]  # metrics as people write them
    assert "AUC" in header and "log loss" in header and "model_id" in header


def test_the_pickers_sort_best_first_by_default():
    frame = models_frame()
    table = SortableTable(frame)
    assert table.sort_by is None and list(table.frame["model_id"]) == list(frame["model_id"])
    table.sort_picker.value = "auc"  # higher is better: descending
    assert table.ascending is False and table.direction.value is False
    assert table.frame["auc"].iloc[0] == frame["auc"].max()
    table.sort_picker.value = "logloss"  # lower is better: ascending
    assert table.ascending is True and table.frame["logloss"].iloc[0] == frame["logloss"].min()
    table.direction.value = False
    assert table.frame["logloss"].iloc[0] == frame["logloss"].max()
    assert table.frame["logloss"].isna().iloc[-1]  # missing values stay last either way
    assert "log loss ▼" in table.table.value
    # A refresh (a poll showing new rows) keeps the user's order.
    table.show(models_frame(seed=1))
    assert table.sort_by == "logloss" and table.ascending is False
    assert SortableTable(frame, sort_by="auc").ascending is False


def test_the_best_value_of_each_metric_is_marked():
    frame = models_frame()
    table = SortableTable(frame, sort_by="max_depth")
    _, rows = cells(table)
    shown = table.frame
    header = list(shown.columns)
    for name in header:
        marked = {i for i, row in enumerate(rows) if row[header.index(name)][1]}
        if name not in ("auc", "logloss", "rmse"):
            assert not marked, name
            continue
        values = [v for v in shown[name].tolist() if v == v]  # without NaN
        best = max(values) if name == "auc" else min(values)
        assert marked == {i for i, v in enumerate(shown[name].tolist()) if v == best}, name
        assert all(row[header.index(name)][2] == format_value(best) for i, row in enumerate(rows) if i in marked)
    assert "h2odash-sortable-table td.best{font-weight:bold;background:" in table.table.value


def test_numbers_are_shown_to_four_significant_digits():
    assert [format_value(v) for v in (0.123456, 3.0, 12345.678, 7, np.nan, None, "Random", 1.5e-7)] == \
        ["0.1235", "3", "1.235e+04", "7", "", "", "Random", "1.5e-07"]
    table = SortableTable(pd.DataFrame({"model_id": ["a<b"], "auc": [0.876543]}))
    assert "a&lt;b" in table.table.value and ">0.8765<" in table.table.value


def test_open_lists_the_row_keys_in_the_order_shown():
    opened = []
    frame = models_frame(5)
    table = SortableTable(frame, sort_by="rmse", on_open=opened.append)
    assert list(table.open_picker.options) == list(table.frame["model_id"]) == table.row_keys
    table.open_picker.value = table.row_keys[2]
    table.open_button.click()
    assert opened == [table.row_keys[2]]
    assert SortableTable(frame).children[-1].layout.display == "none"  # no on_open: no picker
    empty = SortableTable()
    assert empty.open_button.disabled and "(empty)" in empty.table.value


def test_a_hundred_rows_render_fast():
    frame = models_frame(100)
    table = SortableTable(frame)
    timings = {}
    for column in ("auc", "logloss", "max_depth", "model_id", "rmse"):
        runs = []
        for ascending in (True, False, True):  # the best of three: a busy machine only adds noise
            started = time.perf_counter()
            table.show(frame, sort_by=column, ascending=ascending)
            runs.append(time.perf_counter() - started)
        timings[column] = min(runs)
    assert max(timings.values()) < 0.05, timings  # measured: about 2 ms
    assert len(re.findall("<tr>", table.table.value)) == 101
    assert len(table.table.value) < 40_000  # a small DOM: one cell per value, no per-cell styles


def test_max_rows_limits_the_page_not_the_sort():
    frame = models_frame(30)
    table = SortableTable(frame, sort_by="rmse", max_rows=10)
    assert len(table.frame) == 30 and table.table.value.count("<tr>") == 11
    assert "first 10 of 30 rows" in table.table.value
    with pytest.raises(ValueError, match="no such column"):
        table.show(frame, sort_by="nope")


def test_its_whole_state_reaches_the_page():
    # A widget attribute named like an ipywidgets internal (``keys``) once emptied the state sent to
    # the page, and Voilà refused the notebook.
    state = SortableTable(models_frame(5), on_open=print).get_state()
    assert state["_model_module"] == "@jupyter-widgets/controls" and len(state["children"]) == 3
