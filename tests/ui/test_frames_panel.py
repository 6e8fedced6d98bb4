"""The Frames panel's views of a frame and its parse setup (issue 13, items 8, 9, 12 and 1), on
both servers: every column in one table with a small histogram, types under the preview's headers,
histograms with a readable number of bins, a parse setup whose separator, header and types can
change, a split with a seed and train/test parts, skipped unreadable files said plainly."""
import os
import re

import numpy as np
import pytest

from h2odash.ui import FramesPanel
from h2odash.ui.column_overview import overview_rows, target_bins
from h2odash.ui.pickers import is_internal_frame

from .conftest import wait_until


@pytest.fixture
def panel(client):
    panel = FramesPanel(client)
    yield panel
    panel.close()


def _setup(panel, path):
    panel.path.value = str(path)
    seen = []
    panel.import_button.observe(lambda change: seen.append(change["new"]), names="description")
    panel.import_button.click()
    wait_until(lambda: panel.setup_box.layout.display == "flex" and not panel.import_button.disabled, 60,
               "the parse setup", panel)
    assert seen == ["Importing…", "Import"]   # busy while the import ran


def test_target_bins_follow_numpy_auto(prostate_df):
    for name in ("AGE", "PSA", "VOL", "ID"):
        values = prostate_df[name].dropna().to_numpy()
        q1, q3 = np.percentile(values, [25, 75])
        expected = len(np.histogram_bin_edges(values, bins="auto")) - 1
        assert target_bins(len(values), values.min(), values.max(), q1, q3) == min(max(expected, 5), 50), name


def test_every_column_in_one_table_with_histograms_that_add_up(client, panel, data_dir, frame_name, prostate_df):
    frame_id = client.import_frame(str(data_dir / "prostate.csv"), destination_frame=frame_name("cols"),
                                   column_types={"CAPSULE": "enum"})
    panel.refresh()
    panel.frame.value = frame_id
    wait_until(lambda: panel.state.summary, 30, "the frame view", panel)
    rows = overview_rows(panel.state.summary).set_index("column")
    assert list(rows.index) == list(prostate_df.columns)
    for name in ("AGE", "PSA", "VOL"):
        counts = rows.loc[name, "histogram"]
        assert sum(counts) == prostate_df[name].notna().sum()               # every row with a value, once
        assert 5 <= len(counts) <= 50
        assert rows.loc[name, "min"] == pytest.approx(prostate_df[name].min())
        assert rows.loc[name, "max"] == pytest.approx(prostate_df[name].max())
        assert rows.loc[name, "mean"] == pytest.approx(prostate_df[name].mean())
    assert rows.loc["CAPSULE", "distinct"] == 2 and rows.loc["CAPSULE", "type"] == "enum"
    assert rows.loc["GLEASON", "distinct"] == prostate_df["GLEASON"].nunique()
    assert panel.columns_overview.value.count("<svg class='h2odash-spark'") == 9
    # the preview's second header row holds each column's type
    header = panel.preview.value.split("</thead>")[0]
    assert "<th class='h2odash-type'>enum</th>" in header and "<th class='h2odash-type'>int</th>" in header
    # the column chart draws the same re-binned histogram
    panel.column.value = "VOL"
    assert sum(panel.column_chart.figure.data[0].y) == 380 and len(panel.column_chart.figure.data[0].y) <= 50


def test_parse_setup_previews_and_changes_separator_header_and_types(panel, make_csv, frame_name):
    path = make_csv("a;b;c\n1;x;2.5\n2;y;3.5\n3;x;4.5\n", name=f"semi_{frame_name()}.csv")
    _setup(panel, path)
    names, _ = panel.setup_edits
    panel.separator.value = 59                                    # semicolon
    names, types = panel.setup_edits
    assert names == ["a", "b", "c"] and types[1] == "Enum"
    assert "<td>x</td>" in panel.setup_preview.value and "<th class='h2odash-type'>Enum</th>" in panel.setup_preview.value
    panel.header.value = -1                                       # no header: "a", "b", "c" become data
    names, types = panel.setup_edits
    assert names == ["C1", "C2", "C3"] and "<td>a</td>" in panel.setup_preview.value
    panel.header.value = 1
    panel.setup_columns.children[0].children[1].value = "Enum"   # a: a class, not a number
    name = frame_name("semi")
    panel.destination.value = name
    panel.parse_button.click()
    wait_until(lambda: f"Parsed {name}" in panel.status.value, 60, "the parse", panel)
    wait_until(lambda: panel.state.summary and panel.frame.value == name, 30, "the frame view", panel)
    kinds = {c["label"]: c["type"] for c in panel.state.summary["columns"]}
    assert kinds == {"a": "enum", "b": "enum", "c": "real"} and panel.state.rows == 3
    assert panel.setup_box.layout.display == "none"


def test_split_with_seed_reports_both_parts(client, panel, data_dir, frame_name):
    frame_id = client.import_frame(str(data_dir / "prostate.csv"), destination_frame=frame_name("sp") + ".hex")
    assert panel.split.button.disabled == panel.delete_button.disabled == (panel.frame.value is None)
    panel.refresh()
    panel.frame.value = frame_id
    wait_until(lambda: panel.state.summary, 30, "the frame view", panel)
    assert not panel.split.button.disabled and not panel.delete_button.disabled
    assert frame_id.replace(".hex", "_train.hex") in panel.split.names.placeholder
    panel.split.ratios.value, panel.split.seed.value = "0.8, 0.2", "7"
    panel.split.button.click()
    wait_until(lambda: panel.state.split_parts, 60, "the split", panel)
    train, test = panel.state.split_parts
    assert (train, test) == (frame_id.replace(".hex", "_train.hex"), frame_id.replace(".hex", "_test.hex"))
    rows = {f["frame_id"]["name"]: f["rows"] for f in panel.state.frames}
    assert rows[train] + rows[test] == 380
    status = panel.frame_status.value
    assert f"{train} ({rows[train]} rows)" in status and f"{test} ({rows[test]} rows)" in status and "seed 7" in status
    again = client.split_frame(frame_id, [0.8], [frame_name("a"), frame_name("b")], seed=7)
    assert client.frame(again[0], row_count=0)["rows"] == rows[train]   # the seed makes it reproducible
    # three parts: train, valid, test
    panel.split.ratios.value = "0.6, 0.2, 0.2"
    panel.split.button.click()
    wait_until(lambda: len(panel.state.split_parts) == 3, 60, "the 3-way split", panel)
    assert [p.rsplit("_", 1)[1] for p in panel.state.split_parts] == ["train.hex", "valid.hex", "test.hex"]


def test_unreadable_files_of_a_folder_are_skipped_and_named(panel, make_csv, server_kind):
    folder = make_csv.folder / "with_unreadable"
    folder.mkdir(exist_ok=True)
    (folder / "good.csv").write_text("a,b\n1,2\n3,4\n")
    link = folder / "broken.csv"
    if not link.is_symlink():
        os.symlink(folder / "gone.csv", link)
    _setup(panel, folder)
    if server_kind == "embedded":   # H2O-3 leaves dangling links out of its listing silently
        assert re.search(r"Skipped 1 unreadable file\(s\): .*broken\.csv", panel.status.value)
    assert "columns guessed" in panel.status.value and not panel.status.is_error


def test_the_frame_just_made_heads_the_table_and_server_frames_come_last(client, panel, data_dir, frame_name):
    user = client.import_frame(str(data_dir / "iris.csv"), destination_frame=frame_name("zzz_user"))
    made = client.import_frame(str(data_dir / "iris.csv"), destination_frame=frame_name("made"))
    client.rapids(f"(assign rapids_0123456789ab (rows {made} [0:5]))")   # a frame the server made
    panel._load_frames(select=made)
    listed = re.findall(r"<tr>\s*<td>([^<]+)</td>", panel.frames_table.value)
    assert listed[0] == made
    internal = [is_internal_frame(name) for name in listed[1:]]
    assert internal == sorted(internal)                  # the user's frames, then the server's
    if "rapids_0123456789ab" in listed and user in listed:
        assert listed.index("rapids_0123456789ab") > listed.index(user)   # though "r" sorts before "z"
    client.delete_frame("rapids_0123456789ab")
