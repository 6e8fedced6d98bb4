"""Bad input gets a clear H2OErrorV3, changes nothing stored, and the server keeps serving."""

import numpy as np
import pytest
import requests

from tests.server.conftest import assert_h2o_error, import_and_parse, wait_job


@pytest.fixture
def stored(url, data_dir):
    """A parsed frame whose checksum must survive every bad request."""
    job = import_and_parse(url, data_dir / "iris.csv", "iris_guard")
    assert job["status"] == "DONE"
    return requests.get(f"{url}/3/Frames/iris_guard").json()["frames"][0]["checksum"]


@pytest.fixture(autouse=True)
def still_serving(url, stored):
    yield
    assert requests.get(f"{url}/3/Cloud").status_code == 200
    frame = requests.get(f"{url}/3/Frames/iris_guard").json()["frames"][0]
    assert frame["checksum"] == stored and frame["rows"] == 150


def _parse_job(url, path):
    keys = requests.post(f"{url}/3/ImportFiles", data={"path": str(path)}).json()["destination_frames"]
    return requests.post(f"{url}/3/Parse", data={"source_frames": str(keys).replace("'", '"'),
                                                 "destination_frame": "bad_frame"})


def test_empty_file(url, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert_h2o_error(_parse_job(url, path), 400, "is empty")


def test_binary_garbage(url, tmp_path):
    path = tmp_path / "garbage.csv"
    path.write_bytes(np.random.default_rng(3).integers(0, 256, 6000, dtype=np.uint8).tobytes())
    assert_h2o_error(_parse_job(url, path), 400, "does not look like text")


def test_ragged_rows_fail_the_job_with_the_line(url, tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("a,b,c\n1,2,3\n4,5\n6,7,8\n")
    response = _parse_job(url, path)
    assert response.status_code == 200
    job = wait_job(url, response.json()["job"]["key"]["name"])
    assert job["status"] == "FAILED"
    assert "line 3 has 2 fields where 3 columns were expected" in job["exception"]
    assert requests.get(f"{url}/3/Frames/bad_frame").status_code == 404


def test_path_that_does_not_exist(url, tmp_path):
    missing = tmp_path / "nope.csv"
    assert_h2o_error(requests.post(f"{url}/3/ImportFiles", data={"path": str(missing)}), 404, "does not exist")


def test_folder_with_no_match_imports_nothing(url, tmp_path):
    (tmp_path / "a.txt").write_text("x\n1\n")
    body = requests.post(f"{url}/3/ImportFiles", data={"path": str(tmp_path), "pattern": r".*\.csv"}).json()
    assert body["files"] == [] and body["destination_frames"] == []
    assert_h2o_error(requests.post(f"{url}/3/Parse", json={"source_frames": []}), 400, "source")


def test_unknown_frame(url):
    body = assert_h2o_error(requests.get(f"{url}/3/Frames/no_such_frame"), 404, "no_such_frame")
    assert body["values"]["name"] == "no_such_frame"
    assert_h2o_error(requests.delete(f"{url}/3/Frames/no_such_frame"), 404, "no_such_frame")


def test_unknown_job(url):
    assert_h2o_error(requests.get(f"{url}/3/Jobs/nope"), 404, "nope")
    assert_h2o_error(requests.post(f"{url}/3/Jobs/nope/cancel"), 404, "nope")


def test_malformed_json(url):
    response = requests.post(f"{url}/3/Parse", data='{"source_frames": [', headers={"Content-Type": "application/json"})
    assert_h2o_error(response, 400, "not valid JSON")
    response = requests.post(f"{url}/3/ParseSetup", data="[1, 2]", headers={"Content-Type": "application/json"})
    assert_h2o_error(response, 400, "must be an object")


def test_parameter_of_the_wrong_type(url):
    body = assert_h2o_error(requests.get(f"{url}/3/Frames/iris_guard", params={"row_count": "abc"}),
                            400, "row_count", "integer")
    assert body["values"]["argument"] == "row_count"
    assert_h2o_error(requests.get(f"{url}/3/Frames/iris_guard", params={"row_offset": -3}), 400, "row_offset")
    assert_h2o_error(requests.post(f"{url}/3/Parse", json={"source_frames": ["x"], "delete_on_done": "maybe"}),
                     400, "delete_on_done")


def test_unknown_parameter_is_named(url):
    assert_h2o_error(requests.post(f"{url}/3/ImportFiles", data={"path": "/tmp", "bogus": "1"}), 400, "bogus")


def test_unsupported_h2o_option_is_refused_not_ignored(url, data_dir):
    keys = requests.post(f"{url}/3/ImportFiles", data={"path": str(data_dir / "prostate.csv")}).json()["destination_frames"]
    response = requests.post(f"{url}/3/ParseSetup", json={"source_frames": keys, "partition_by": ["RACE"]})
    assert_h2o_error(response, 400, "partition_by", "not supported")


def test_unknown_route_and_wrong_method(url):
    assert_h2o_error(requests.get(f"{url}/3/NoSuchThing"), 404, "/3/NoSuchThing")
    assert_h2o_error(requests.put(f"{url}/3/Frames"), 405, "PUT")


def test_client_disconnecting_mid_upload_leaves_server_serving(url):
    import socket

    host, port = url.replace("http://", "").split(":")
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(b"POST /3/PostFile?destination_frame=half HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Length: 100000\r\n\r\n" + b"a,b\n1,2\n" * 100)
    assert requests.get(f"{url}/3/Frames/half").status_code == 404
