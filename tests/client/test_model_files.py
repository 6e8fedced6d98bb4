"""Keeping work: model files (save/load on the server's disk, download/upload through this
machine), frame export, and the workspace report — against the embedded engine and real H2O-3.

Each server reads only its own kind of model file; what must hold on both is that a model read
back predicts and measures exactly as it did before, and an exported frame re-imports equal.
"""
from __future__ import annotations

import pandas as pd
import pytest

from h2odash.client import H2OServerError

# One supervised model per family of learner, and one unsupervised.
MODELS = {
    "gbm": dict(response="CAPSULE", ntrees=5, max_depth=3, seed=1),
    "drf": dict(response="CAPSULE", ntrees=5, max_depth=4, seed=1),
    "glm": dict(response="CAPSULE", family="binomial"),
    "kmeans": dict(response=None, k=3, seed=1, standardize=True),
}
METRIC_SETS = ("training_metrics", "validation_metrics", "cross_validation_metrics")


@pytest.fixture
def prostate(client, data_dir, frame_name):
    return client.import_frame(str(data_dir / "prostate.csv"), destination_frame=frame_name("prostate"),
                               column_types={"CAPSULE": "enum"})


@pytest.fixture
def server_dir(tmp_path):
    """A folder both servers (local processes of this user) can write to."""
    folder = tmp_path / "kept"
    folder.mkdir()
    return folder


def train(client, algo, frame, frame_name):
    spec = dict(MODELS[algo])
    response = spec.pop("response")
    return client.train(algo, frame, response, ignored_columns=["ID"], model_id=frame_name(algo), **spec)


def predictions(client, model_id, frame_id) -> pd.DataFrame:
    scored = client.predict(model_id, frame_id)["predictions_frame"]["name"]
    table = client.frame_to_pandas(scored)
    client.delete_frame(scored)
    return table


def metrics(model: dict) -> dict:
    output = model["output"]
    return {name: output.get(name) for name in METRIC_SETS}


def same_model_again(client, model_id, frame_id, read_back) -> None:
    """Delete the model, read it back with ``read_back()``, and check nothing changed."""
    before, scored_before = client.model(model_id), predictions(client, model_id, frame_id)
    client.delete_model(model_id)
    assert model_id not in {m["model_id"]["name"] for m in client.models()}
    assert read_back() == model_id
    after = client.model(model_id)
    assert after["algo"] == before["algo"]
    assert metrics(after) == metrics(before)
    assert after["parameters"] == before["parameters"]
    pd.testing.assert_frame_equal(predictions(client, model_id, frame_id), scored_before, check_exact=True)


@pytest.mark.parametrize("algo", sorted(MODELS))
def test_a_saved_model_loads_back_predicting_and_measuring_the_same(client, prostate, server_dir, frame_name, algo):
    model_id = train(client, algo, prostate, frame_name)
    path = str(server_dir / model_id)
    assert client.save_model(model_id, path) == path
    same_model_again(client, model_id, prostate, lambda: client.load_model(path))
    client.delete_model(model_id)


@pytest.mark.parametrize("algo", ["gbm", "glm"])
def test_a_downloaded_model_uploads_back_the_same(client, prostate, tmp_path, frame_name, algo):
    model_id = train(client, algo, prostate, frame_name)
    content = client.download_model(model_id)
    assert len(content) > 100
    # from bytes, and from a file on this machine (how a colleague's file arrives)
    same_model_again(client, model_id, prostate, lambda: client.upload_model(content))
    local = tmp_path / "model.bin"
    local.write_bytes(content)
    same_model_again(client, model_id, prostate, lambda: client.upload_model(local))
    client.delete_model(model_id)


def test_saving_over_a_file_needs_force(client, prostate, server_dir, frame_name):
    model_id = train(client, "glm", prostate, frame_name)
    path = server_dir / "kept_model"
    path.write_bytes(b"someone else's file")
    with pytest.raises(H2OServerError):
        client.save_model(model_id, str(path))
    assert path.read_bytes() == b"someone else's file"
    client.save_model(model_id, str(path), force=True)
    assert path.read_bytes() != b"someone else's file"
    client.delete_model(model_id)


def test_a_file_that_is_not_a_model_is_refused(client, server_dir):
    junk = server_dir / "junk"
    junk.write_bytes(b"not a model at all")
    with pytest.raises(H2OServerError):
        client.load_model(str(junk))
    with pytest.raises(H2OServerError):
        client.upload_model(b"not a model at all")
    with pytest.raises(H2OServerError):
        client.load_model(str(server_dir / "no_such_file"))


@pytest.mark.parametrize("file_format", ["csv", "parquet"])
def test_an_exported_frame_imports_back_equal(client, prostate, server_dir, frame_name, file_format):
    path = str(server_dir / f"prostate.{file_format}")
    seen = []
    assert client.export_frame(prostate, path, format=file_format, progress=seen.append) == path
    assert seen[-1]["status"] == "DONE"
    again = client.import_frame(path, destination_frame=frame_name("again"), column_types={"CAPSULE": "enum"})
    pd.testing.assert_frame_equal(client.frame_to_pandas(again), client.frame_to_pandas(prostate))


def test_exporting_over_a_file_needs_force(client, prostate, server_dir):
    path = server_dir / "taken.csv"
    path.write_text("keep me\n")
    # Both servers refuse the request itself: no job starts, the file is untouched.
    with pytest.raises(H2OServerError):
        client.export_frame(prostate, str(path))
    assert path.read_text() == "keep me\n"
    client.export_frame(prostate, str(path), force=True)
    assert path.read_text().count("\n") == 381  # header and 380 rows


def test_an_export_can_run_in_the_background(client, prostate, server_dir):
    path = str(server_dir / "later.csv")
    job = client.export_frame(prostate, path, wait=False)
    assert client.wait_job(job)["status"] == "DONE"
    assert pd.read_csv(path).shape == (380, 9)


def test_the_workspace_report_says_where_work_is_kept(client, server_kind):
    report = client.workspace()
    if server_kind == "h2o3":
        assert report is None          # H2O-3 keeps everything in memory and has no such endpoint
    else:
        assert report["folder"] is None  # the session's engine runs without --workspace
        assert report["objects"] == 0 and report["set_aside"] == []
