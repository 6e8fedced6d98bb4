"""Parsing every supported format into typed frames, checked against pandas' reading."""

import math

import numpy as np
import pytest

from h2odash.engine.errors import InvalidArgument
from h2odash.engine.parse_setup import destination_name
from tests.engine.conftest import parse_file

FORMATS = ["csv", "tsv", "semicolon.txt", "noheader.csv", "csv.gz", "csv.bz2", "zip", "parquet", "xlsx"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_parses_to_the_same_typed_frame(engine, write_formats, sample_df, fmt):
    job, frame = parse_file(engine, write_formats(fmt), "sample")
    assert job.status == "DONE", job.exception
    assert frame.types == ["int", "real", "enum", "time", "string"]
    if fmt != "noheader.csv":
        assert frame.names == list(sample_df.columns)
    else:
        assert frame.names == ["C1", "C2", "C3", "C4", "C5"]
    assert frame.nrows == len(sample_df)
    a, _ = frame.preview(0, 0, 6)
    assert a == sample_df["a"].astype(float).tolist()
    b, _ = frame.preview(1, 0, 6)
    assert [x for x in b if not math.isnan(x)] == sample_df["b"].dropna().tolist()
    assert frame.domain(2) == ["x", "y", "z"]
    codes, _ = frame.preview(2, 0, 6)
    assert [frame.domain(2)[int(c)] for c in codes] == sample_df["c"].tolist()
    times, _ = frame.preview(3, 0, 6)
    expected_ms = sample_df["when"].dt.as_unit("ms").astype("int64").astype(float).tolist()
    assert times == expected_ms
    _, notes = frame.preview(4, 0, 6)
    assert notes == sample_df["note"].tolist()


def test_setup_guesses_separator_header_and_types(engine, write_formats):
    keys = engine.import_files(str(write_formats("tsv"))).destination_frames
    setup = engine.parse_setup(keys)
    assert setup.parse_type == "CSV"
    assert setup.separator == 9
    assert setup.check_header == 1
    assert setup.column_types == ["Numeric", "Numeric", "Enum", "Time", "String"]
    assert setup.destination_frame == "sample_tsv.hex"
    assert setup.data[0][:3] == ["1", "1.5", "x"]


def test_svmlight_is_dense_with_label_first(engine, tmp_path):
    path = tmp_path / "data.svm"
    path.write_text("1 1:0.5 3:1.2\n0 2:0.7 4:3.3\n1 1:1.5 2:2.0 5:0.1\n")
    job, frame = parse_file(engine, path)
    assert job.status == "DONE", job.exception
    assert frame.names == ["C1", "C2", "C3", "C4", "C5", "C6"]
    assert frame.preview(0, 0, 3)[0] == [1.0, 0.0, 1.0]
    assert frame.preview(3, 0, 3)[0] == [1.2, 0.0, 0.0]
    assert frame.preview(5, 0, 3)[0] == [0.0, 0.0, 0.1]


def test_edited_column_types_are_honoured(engine, data_dir):
    job, frame = parse_file(engine, data_dir / "prostate.csv", "prostate",
                            column_types=["Numeric", "Enum"] + ["Numeric"] * 7)
    assert job.status == "DONE", job.exception
    assert frame.types[1] == "enum"
    assert frame.domain(1) == ["0", "1"]


def test_numeric_column_with_junk_keeps_numbers_and_marks_the_rest_missing(engine, tmp_path):
    rows = "\n".join(f"{i},{i * 0.5}" for i in range(30))
    path = tmp_path / "junk.csv"
    path.write_text("x,y\n" + rows + "\n30,oops\n")
    job, frame = parse_file(engine, path)
    assert job.status == "DONE", job.exception
    assert frame.types == ["int", "real"]
    assert frame.stats(1).missing_count == 1


def test_names_types_and_skipped_columns_from_the_caller(engine, data_dir):
    job, frame = parse_file(engine, data_dir / "iris.csv", "iris", column_names=["sl", "sw", "pl", "pw", "species"],
                            skipped_columns=[1])
    assert job.status == "DONE", job.exception
    assert frame.names == ["sl", "pl", "pw", "species"]
    assert frame.types == ["real", "real", "real", "enum"]


def test_sources_are_deleted_after_parse_unless_asked_to_keep(engine, data_dir):
    keys = engine.import_files(str(data_dir / "iris.csv")).destination_frames
    job = engine.parse(keys, "kept", delete_on_done=False)
    job.wait(30)
    assert keys[0] in engine.store
    job = engine.parse(keys, "dropped")
    job.wait(30)
    assert job.status == "DONE"
    assert keys[0] not in engine.store


def test_folder_import_with_pattern_and_multi_file_parse(engine, tmp_path):
    folder = tmp_path / "parts"
    folder.mkdir()
    (folder / "part1.csv").write_text("x,y\n1,2\n3,4\n")
    (folder / "part2.csv").write_text("x,y\n5,6\n")
    (folder / "notes.txt").write_text("not data")
    result = engine.import_files(str(folder), pattern=r".*\.csv")
    assert [p.rsplit("/", 1)[1] for p in result.files] == ["part1.csv", "part2.csv"]
    job = engine.parse(result.destination_frames, "parts")
    job.wait(30)
    frame = engine.frame("parts")
    assert frame.nrows == 3
    assert frame.preview(0, 0, 3)[0] == [1.0, 3.0, 5.0]


@pytest.mark.parametrize("content, expected", [
    (b"", "is empty"),
    (bytes(np.random.default_rng(1).integers(0, 256, 4000, dtype=np.uint8)), "does not look like text"),
])
def test_unreadable_files_are_refused_with_a_reason(engine, tmp_path, content, expected):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    keys = engine.import_files(str(path)).destination_frames
    with pytest.raises(InvalidArgument, match=expected):
        engine.parse_setup(keys)


def test_ragged_rows_fail_the_job_naming_the_line(engine, tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("a,b,c\n1,2,3\n4,5\n6,7,8\n")
    job, frame = parse_file(engine, path, "ragged")
    assert job.status == "FAILED"
    assert "line 3 has 2 fields where 3 columns were expected" in job.exception
    assert frame is None and "ragged" not in engine.store


@pytest.mark.parametrize("filename, expected", [
    ("prostate.csv", "prostate.hex"), ("prostate.csv.gz", "prostate.hex"), ("tab.tsv", "tab_tsv.hex"),
    ("2012-my data.csv", "X2012_my_data.hex"), ("data.svm", "data.hex"),
])
def test_destination_names_follow_h2o(filename, expected):
    assert destination_name(filename) == expected


def test_an_enum_column_with_no_value_at_all_parses_as_all_missing(engine, tmp_path):
    path = tmp_path / "empty_enum.csv"
    path.write_text('"C1","C2"\n"",1\n,2\n')
    job, frame = parse_file(engine, path, column_types=["Enum", "Numeric"])
    assert job.status == "DONE", job.exception
    assert frame.types[0] == "enum" and frame.domain(0) == []
    assert frame.table.column(0).to_pylist() == [None, None]
