"""Keeping work from the dashboard (issue 17): the Models panel saves, downloads and loads model
files, the Frames panel exports a frame, the Cluster panel shows the workspace — driven as a user
would on both servers, with what comes back checked against what went in."""
from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
import pytest

from h2odash.client import H2OClient
from h2odash.embedded import EmbeddedServer
from h2odash.engine.workspace import SUFFIX
from h2odash.ui import FramesPanel, ModelsPanel
from h2odash.ui.downloads import decode_link_bytes
from h2odash.ui.file_controls import path_for
from h2odash.ui.panels.cluster import ClusterPanel

from .conftest import wait_until


@pytest.fixture
def prostate(client, data_dir, frame_name):
    return client.import_frame(str(data_dir / "prostate.csv"), destination_frame=frame_name("prostate"),
                               column_types={"CAPSULE": "enum"})


@pytest.fixture
def gbm(client, prostate, frame_name):
    return client.train("gbm", prostate, "CAPSULE", ntrees=5, max_depth=3, seed=1, ignored_columns=["ID"],
                        model_id=frame_name("gbm"))


@pytest.fixture
def models_panel(client):
    panel = ModelsPanel(client)
    yield panel
    panel.close()


def metrics_of(client, model_id) -> dict:
    return client.model(model_id)["output"]["training_metrics"]


def busy_texts(button) -> list[str]:
    seen = []
    button.observe(lambda change: seen.append(change["new"]), names="description")
    return seen


def delete_through_panel(panel: ModelsPanel, model_id: str) -> None:
    panel.models.value = (model_id,)
    panel.delete_button.click()
    panel.confirm_box.yes.click()
    wait_until(lambda: model_id not in panel.state.model_ids, 30, "the model to go", panel)


def test_save_delete_and_load_back_from_the_models_panel(client, models_panel, gbm, tmp_path):
    before = metrics_of(client, gbm)
    panel, files = models_panel, models_panel.files
    panel.refresh()
    panel.models.value = (gbm,)
    assert not files.save_button.disabled and not files.download_button.disabled
    path = str(tmp_path / gbm)
    files.save_path.value = path
    seen = busy_texts(files.save_button)
    files.save_button.click()
    wait_until(lambda: "Saved" in files.file_status.value, 30, "the save", panel)
    assert seen == ["Saving…", "Save"]
    assert f"Saved {gbm} to {path}" in files.file_status.value

    delete_through_panel(panel, gbm)
    assert files.save_button.disabled    # nothing selected: nothing to save
    files.load_path.value = path
    files.load_button.click()
    wait_until(lambda: panel.models.value == (gbm,) and panel.view.layout.display == "", 30, "the loaded model", panel)
    assert gbm in panel.state.model_ids and f"Loaded {gbm}" in files.load_status.value
    assert metrics_of(client, gbm) == before
    assert gbm in panel.title.value       # opened, as if clicked in the list


def test_saving_reports_beside_the_save_button(models_panel, gbm, tmp_path):
    panel, files = models_panel, models_panel.files
    panel.refresh()
    panel.models.value = (gbm,)
    files.save_path.value = ""
    files.save_button.click()
    assert files.file_status.is_error and "h2odash-invalid" in files.save_path._dom_classes
    taken = tmp_path / "taken"
    taken.write_bytes(b"keep me")
    files.save_path.value = str(taken)
    files.save_button.click()
    wait_until(lambda: files.file_status.is_error and not files.save_button.disabled, 30, "the refusal")
    assert taken.read_bytes() == b"keep me" and not panel.status.is_error   # said beside the button
    files.overwrite.value = True
    files.save_button.click()
    wait_until(lambda: "Saved" in files.file_status.value, 30, "the overwrite", panel)
    assert taken.read_bytes() != b"keep me"


def test_selecting_another_model_keeps_the_folder_typed(models_panel, gbm, client, prostate, frame_name):
    other = client.train("glm", prostate, "CAPSULE", family="binomial", model_id=frame_name("glm"))
    panel, files = models_panel, models_panel.files
    panel.refresh()
    panel.models.value = (gbm,)
    files.save_path.value = "/srv/models/my_name"
    panel.models.value = (other,)
    assert files.save_path.value == f"/srv/models/{other}"
    panel.models.value = (gbm, other)   # two models: no file to save
    assert files.save_button.disabled and files.download_button.disabled
    assert path_for("", "x") == "" and path_for("/srv/", "x", ".csv") == "/srv/x.csv"


def test_download_then_upload_from_this_computer(client, models_panel, gbm):
    before = metrics_of(client, gbm)
    panel, files = models_panel, models_panel.files
    panel.refresh()
    panel.models.value = (gbm,)
    files.download_button.click()
    wait_until(lambda: files.download_link.value, 30, "the download link", panel)
    content = decode_link_bytes(files.download_link.value)
    assert content == client.download_model(gbm)
    assert f"download='{gbm}'" in files.download_link.value

    delete_through_panel(panel, gbm)
    files.upload_button.click()
    assert "Choose a model file" in files.load_status.value
    # what a browser upload leaves in the kernel (ipywidgets 8): a tuple of file dicts
    files.upload.value = ({"name": gbm, "type": "application/octet-stream", "size": len(content),
                           "content": memoryview(content), "last_modified": datetime(2026, 1, 1, tzinfo=timezone.utc)},)
    assert not files.upload_button.disabled
    files.upload_button.click()
    wait_until(lambda: panel.models.value == (gbm,) and "Loaded" in files.load_status.value, 30, "the upload", panel)
    assert metrics_of(client, gbm) == before
    assert files.upload.value == () and files.upload_button.disabled


def test_a_file_that_is_not_a_model_is_refused_beside_the_load_button(models_panel, tmp_path):
    files = models_panel.files
    junk = tmp_path / "junk"
    junk.write_bytes(b"not a model")
    files.load_path.value = str(junk)
    files.load_button.click()
    wait_until(lambda: files.load_status.is_error, 30, "the refusal")
    assert not models_panel.status.is_error and not files.load_button.disabled


def test_the_frames_panel_exports_a_frame_that_imports_back_equal(client, prostate, tmp_path, frame_name):
    panel = FramesPanel(client)
    try:
        panel.frame.value = prostate
        wait_until(lambda: panel.state.summary, 30, "the frame view", panel)
        assert not panel.export.button.disabled
        panel.export.path.value = str(tmp_path) + "/"
        panel.export.follow(prostate)
        expected = str(tmp_path / f"{prostate}.csv")
        assert panel.export.path.value == expected
        seen = busy_texts(panel.export.button)
        panel.export.button.click()
        wait_until(lambda: "Exported" in panel.frame_status.value, 60, "the export", panel)
        assert seen == ["Exporting…", "Export"]
        assert f"to {expected}" in panel.frame_status.value and "380 rows" in panel.frame_status.value
        again = client.import_frame(expected, destination_frame=frame_name("again"), column_types={"CAPSULE": "enum"})
        pd.testing.assert_frame_equal(client.frame_to_pandas(again), client.frame_to_pandas(prostate))

        panel.export.button.click()   # the file is there now, and overwrite is not ticked
        wait_until(lambda: panel.frame_status.is_error and not panel.export.button.disabled, 60, "the refusal")
        assert expected in panel.frame_status.value or "exist" in panel.frame_status.value

        panel.export.format.value = "parquet"
        assert panel.export.path.value == str(tmp_path / f"{prostate}.parquet")
        panel.export.button.click()
        wait_until(lambda: "as Parquet" in panel.frame_status.value, 60, "the Parquet export", panel)
        again = client.import_frame(panel.export.path.value, destination_frame=frame_name("pq"),
                                    column_types={"CAPSULE": "enum"})
        assert client.frame(again, row_count=0)["rows"] == 380
    finally:
        panel.close()


def test_the_cluster_panel_says_work_is_in_memory_without_a_workspace(client):
    panel = ClusterPanel(client)
    assert "kept in memory only" in panel.workspace.value and not panel.status.is_error
    panel.close()


def test_the_cluster_panel_shows_the_workspace_and_what_was_set_aside(tmp_path, data_dir):
    from tools.h2o3 import free_port

    folder = tmp_path / "workspace"
    first = EmbeddedServer(port=free_port(), serve_args=["--workspace", str(folder)]).start()
    try:
        H2OClient(first.url).import_frame(str(data_dir / "iris.csv"), destination_frame="iris.hex")
    finally:
        first.stop()
    (folder / "objects" / f"broken{SUFFIX}").write_bytes(b"half a file")
    again = EmbeddedServer(port=free_port(), serve_args=["--workspace", str(folder)]).start()
    try:
        client = H2OClient(again.url)
        report = client.workspace()
        panel = ClusterPanel(client)
        shown = panel.workspace.value
        assert str(folder) in shown and "1 frame" in shown
        assert f"broken{SUFFIX}" in shown and "Set aside at start-up (1)" in shown
        assert report["set_aside"][0]["reason"].split(":")[0] in shown
        assert str(report["objects"]) in shown
        panel.close()
    finally:
        again.stop()
