"""Changing frames from the Frames panel, on both servers: split by ratios, change a column's type."""
import pytest

from h2odash.ui import FramesPanel
from h2odash.ui.frame_changes import part_names, split_ratios

from .conftest import wait_until


@pytest.mark.parametrize("text, ratios", [("0.8", [0.8]), ("0.7, 0.2", [0.7, 0.2]), (" 0.5 ;0.25 ", [0.5, 0.25]),
                                          ("0.8, 0.2", [0.8]), ("0.6, 0.4", [0.6])])
def test_split_ratios_read_what_users_type(text, ratios):
    assert split_ratios(text) == ratios


@pytest.mark.parametrize("text", ["", "abc", "0", "1.2", "0.6, 0.5", "-0.1", "1"])
def test_split_ratios_refuse_what_leaves_no_last_part(text):
    with pytest.raises(ValueError):
        split_ratios(text)


def test_part_names_all_or_none():
    assert part_names(" ", 2) is None
    assert part_names("train, test", 2) == ["train", "test"]
    with pytest.raises(ValueError):
        part_names("train", 2)


@pytest.fixture
def prostate_in_panel(client, data_dir, frame_name):
    """The Frames panel showing a freshly parsed prostate (CAPSULE numeric, as the file has it)."""
    frame_id = client.import_frame(str(data_dir / "prostate.csv"), destination_frame=frame_name("prostate"))
    panel = FramesPanel(client)
    panel.frame.value = frame_id
    wait_until(lambda: len(panel.column.options) == 9, 30, "the frame view", panel)
    yield panel
    panel.close()


def test_split_makes_parts_whose_rows_add_up(prostate_in_panel, frame_name):
    panel = prostate_in_panel
    names = [frame_name("train"), frame_name("test")]
    panel.split.ratios.value = "0.75"
    panel.split.names.value = ", ".join(names)
    panel.split.button.click()
    wait_until(lambda: panel.state.split_parts, 60, "the split", panel)
    assert panel.state.split_parts == names
    rows = {f["frame_id"]["name"]: f["rows"] for f in panel.state.frames}
    assert rows[names[0]] + rows[names[1]] == 380
    assert 0.6 < rows[names[0]] / 380 < 0.9
    assert all(name in panel.frames_table.value for name in names)  # the list was refreshed
    assert f"{names[0]} ({rows[names[0]]} rows)" in panel.frame_status.value


def test_split_with_bad_ratios_says_so_in_the_panel(prostate_in_panel):
    panel = prostate_in_panel
    panel.split.ratios.value = "0.6, 0.5"
    panel.split.button.click()
    assert panel.frame_status.is_error and "at most 1" in panel.frame_status.value
    assert "h2odash-invalid" in panel.split.ratios._dom_classes   # the field at fault is marked
    assert not panel.state.split_parts


def test_change_a_column_to_enum_and_back(prostate_in_panel):
    panel = prostate_in_panel
    panel.column.value = "CAPSULE"
    assert panel.column_type.kind.value == "numeric"
    panel.column_type.kind.value = "enum"
    panel.column_type.button.click()
    assert not panel.column_status.is_error, panel.column_status.value
    capsule = next(c for c in panel.state.summary["columns"] if c["label"] == "CAPSULE")
    assert capsule["type"] == "enum" and len(capsule["domain"]) == 2
    assert "<td>enum</td>" in panel.column_summary.value and "<td>2</td>" in panel.column_summary.value
    assert list(panel.column_chart.figure.data[0].x) == ["0", "1"]  # level counts, not a histogram
    assert sum(panel.column_chart.figure.data[0].y) == 380

    panel.column_type.kind.value = "numeric"
    panel.column_type.button.click()
    capsule = next(c for c in panel.state.summary["columns"] if c["label"] == "CAPSULE")
    assert capsule["type"] == "int" and panel.column_type.kind.value == "numeric"


def test_string_columns_cannot_be_retyped_here(client, make_csv, frame_name):
    import pandas as pd

    path = make_csv(pd.DataFrame({"name": ["a b", "c d", "e f"], "x": [1, 2, 3]}))
    frame_id = client.import_frame(str(path), destination_frame=frame_name("s"), column_types={"name": "string"})
    panel = FramesPanel(client)
    panel.frame.value = frame_id
    panel.column.value = "name"
    assert panel.column_type.button.disabled
    panel.column.value = "x"
    assert not panel.column_type.button.disabled
    panel.close()
