"""Changing frames through the client, on both servers: split by ratios, retype columns."""


def test_split_frame_by_ratios(client, data_dir, frame_name):
    frame = client.import_frame(str(data_dir / "prostate.csv"), destination_frame=frame_name("split_src"))
    parts = client.split_frame(frame, [0.75], [frame_name("train"), frame_name("test")])
    rows = [client.frame(p, row_count=0)["rows"] for p in parts]
    assert sum(rows) == 380
    assert 0.6 < rows[0] / 380 < 0.9


def test_change_column_type_both_ways(client, data_dir, frame_name):
    frame = client.import_frame(str(data_dir / "prostate.csv"), destination_frame=frame_name("retype"))
    client.change_column_type(frame, "CAPSULE", "enum")
    capsule = client.frame(frame, row_count=5)["columns"][1]
    assert capsule["type"] == "enum" and capsule["domain"] == ["0", "1"]
    client.change_column_type(frame, "CAPSULE", "numeric")
    capsule = client.frame(frame, row_count=5)["columns"][1]
    assert capsule["type"] == "int"
    assert capsule["data"] == [0.0, 0.0, 0.0, 0.0, 0.0]
