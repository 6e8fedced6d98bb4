"""POST /3/Frames/{id}/export: a frame written to the server's disk as CSV (plain, gzip) or
Parquet, re-read equal; an existing file kept unless forced; a failed export leaves nothing."""
import gzip

import pandas as pd
import pytest
import requests

from .conftest import assert_h2o_error, import_and_parse, wait_job


@pytest.fixture
def prostate(url, data_dir):
    assert import_and_parse(url, data_dir / "prostate.csv", "export_prostate.hex")["status"] == "DONE"
    yield "export_prostate.hex"
    requests.delete(f"{url}/3/Frames/export_prostate.hex")


def export(url, frame, **form):
    answer = requests.post(f"{url}/3/Frames/{frame}/export", data=form)
    assert answer.status_code == 200, answer.text
    return wait_job(url, answer.json()["job"]["key"]["name"])


@pytest.mark.parametrize("fmt, compression, reader", [
    ("csv", None, pd.read_csv),
    ("csv", "gzip", lambda path: pd.read_csv(gzip.open(path))),
    ("parquet", None, pd.read_parquet),
])
def test_an_exported_frame_reads_back_equal(url, data_dir, prostate, tmp_path, fmt, compression, reader):
    path = tmp_path / f"out.{fmt}"
    form = {"path": str(path), "format": fmt, **({"compression": compression} if compression else {})}
    assert export(url, prostate, **form)["status"] == "DONE"
    pd.testing.assert_frame_equal(reader(path), pd.read_csv(data_dir / "prostate.csv"), check_dtype=False)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]      # no temporary left beside it


def test_an_existing_file_is_kept_unless_forced(url, prostate, tmp_path):
    path = tmp_path / "kept.csv"
    path.write_text("precious\n")
    refused = requests.post(f"{url}/3/Frames/{prostate}/export", data={"path": str(path)})
    assert_h2o_error(refused, 400, "already exists", "force")    # at the request, before any job
    assert path.read_text() == "precious\n"
    assert export(url, prostate, path=str(path), force="true")["status"] == "DONE"
    assert path.read_text().startswith('"ID","CAPSULE"')


def test_bad_exports_are_clear_400s(url, prostate, tmp_path):
    assert_h2o_error(requests.post(f"{url}/3/Frames/no_such_frame/export", data={"path": str(tmp_path / "x.csv")}),
                     404, "no_such_frame")
    assert_h2o_error(requests.post(f"{url}/3/Frames/{prostate}/export",
                                   data={"path": str(tmp_path / "x.csv"), "format": "xlsx"}), 400, "format")
    assert_h2o_error(requests.post(f"{url}/3/Frames/{prostate}/export",
                                   data={"path": str(tmp_path / "x.csv"), "num_parts": "4"}), 400, "num_parts")
    assert_h2o_error(requests.post(f"{url}/3/Frames/{prostate}/export",
                                   data={"path": str(tmp_path / "no" / "such" / "folder.csv")}), 400, "does not exist")
