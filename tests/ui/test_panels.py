"""Panels driven as a user would — set values, click — against the embedded engine and a real
H2O-3 (the ``client`` fixture runs each test on both). Waits are bounded polls on widget state."""
from datetime import datetime, timezone

import pytest

from h2odash.ui import (
    AutoMLPanel,
    Dashboard,
    FramesPanel,
    JobsPanel,
    ModelsPanel,
    PredictPanel,
    TrainPanel,
)
from h2odash.ui.downloads import decode_link
from h2odash.ui.forms import ParameterForm

from .conftest import wait_until


def import_through_panel(panel: FramesPanel, path, name: str, types: dict) -> None:
    """Import a server-side file with the Frames panel, editing types in the setup step."""
    panel.path.value = str(path)
    panel.import_button.click()
    wait_until(lambda: panel.setup_box.layout.display == "flex", 60, "the parse setup", panel)
    for row in panel.setup_columns.children:
        if row.children[0].value in types:
            row.children[1].value = types[row.children[0].value]
    panel.destination.value = name
    panel.parse_button.click()
    wait_until(lambda: name in panel.state.frame_ids and panel.frame.value == name, 60, f"frame {name}", panel)


@pytest.fixture
def frames_panel(client):
    panel = FramesPanel(client)
    yield panel
    panel.close()


def test_frames_panel_imports_previews_summarizes_and_deletes(frames_panel, data_dir, frame_name):
    name = frame_name("prostate")
    import_through_panel(frames_panel, data_dir / "prostate.csv", name, {"CAPSULE": "Enum"})
    assert name in frames_panel.frames_table.value
    # Selecting the new frame loads its summary, first page and column list, in that order.
    wait_until(lambda: len(frames_panel.column.options) == 9, 30, "the frame view", frames_panel)
    assert len(frames_panel.state.summary["columns"]) == 9
    assert frames_panel.page_label.value == "rows 1–20 of 380"
    frames_panel.next_page.click()
    assert frames_panel.page_label.value == "rows 21–40 of 380"
    frames_panel.column.value = "CAPSULE"
    assert list(frames_panel.column_chart.figure.data[0].x) == ["0", "1"]
    frames_panel.column.value = "AGE"
    assert sum(frames_panel.column_chart.figure.data[0].y) == 380
    assert "AGE" in decode_link(frames_panel.column_chart.link.value) or "series" in decode_link(frames_panel.column_chart.link.value)
    frames_panel.delete_button.click()
    assert frames_panel.confirm_box.shown
    frames_panel.confirm_box.yes.click()
    assert name not in frames_panel.state.frame_ids


def test_frames_panel_loads_an_example_and_reports_bad_paths(frames_panel):
    frames_panel.example.value = "iris"
    frames_panel.example_button.click()
    wait_until(lambda: "Parsed iris.hex" in frames_panel.status.value, 60, "the iris example", frames_panel)
    assert "iris.hex" in frames_panel.state.frame_ids
    frames_panel.path.value = "/no/such/file.csv"
    frames_panel.import_button.click()
    wait_until(lambda: frames_panel.status.is_error, 30, "the import error")
    assert "file.csv" in frames_panel.status.value


def test_frames_panel_uploads_from_the_browser(frames_panel, data_dir, frame_name):
    """What a browser upload leaves in the kernel: ipywidgets 8 sets FileUpload.value to a tuple of
    file dicts, content as a memoryview and last_modified as a datetime (decoded from JS ms)."""
    content = (data_dir / "prostate.csv").read_bytes()
    frames_panel.upload.value = ({"name": "prostate.csv", "type": "text/csv", "size": len(content),
                                  "content": memoryview(content),
                                  "last_modified": datetime(2024, 5, 1, tzinfo=timezone.utc)},)
    frames_panel.upload_button.click()
    wait_until(lambda: frames_panel.setup_box.layout.display == "flex", 60, "the parse setup", frames_panel)
    names, types = frames_panel.setup_edits
    assert names[:2] == ["ID", "CAPSULE"] and len(types) == 9
    frames_panel.setup_columns.children[1].children[1].value = "Enum"  # CAPSULE is a class
    name = frame_name("uploaded")
    frames_panel.destination.value = name
    frames_panel.parse_button.click()
    wait_until(lambda: frames_panel.frame.value == name, 60, f"frame {name}", frames_panel)
    assert name in frames_panel.frames_table.value
    wait_until(lambda: frames_panel.state.summary, 30, "the frame view", frames_panel)
    capsule = next(c for c in frames_panel.state.summary["columns"] if c["label"] == "CAPSULE")
    assert capsule["type"] == "enum" and frames_panel.state.rows == 380


def test_frames_panel_asks_for_a_file_before_uploading(frames_panel):
    frames_panel.upload_button.click()
    assert "Choose a file" in frames_panel.status.value


def test_journey_train_watch_open_and_score(client, server_kind, slow_training_csv, data_dir, frame_name):
    """Import, train a GBM while its scoring history grows, open it, move the threshold, score."""
    frames = FramesPanel(client)
    train_name = frame_name("slow")
    import_through_panel(frames, slow_training_csv, train_name, {"label": "Enum"})

    train = TrainPanel(client)
    assert "gbm" in [value for _, value in train.algorithm.options]
    train.algorithm.value = "gbm"
    train.refresh()
    form = train.form
    form.set_value("training_frame", train_name)
    form.set_value("response_column", "label")
    assert "classification" in form.response_kind.value
    # Enough trees that the job lasts seconds on either server (the embedded one is the faster).
    form.set_value("ntrees", 600 if server_kind == "embedded" else 200)
    form.set_value("max_depth", 6)
    if server_kind == "h2o3":  # H2O-3 scores on a timer by default; ask for a point every 5 trees
        form.set_value("score_tree_interval", 5)
    train.train_button.click()
    wait_until(lambda: train.state.job_status in ("DONE", "FAILED", "CANCELLED"), 300, "training", train)
    assert train.state.job_status == "DONE", train.status.value
    assert train.state.points_while_running > 1, "the scoring history did not grow while the job ran"
    assert train.progress.value == pytest.approx(1.0)
    model_id = train.state.model_id

    models = ModelsPanel(client)
    assert model_id in models.state.model_ids
    models.models.value = (model_id,)
    assert "AUC" in models.card.value
    assert {"ROC", "Precision-recall", "Gains/lift", "Variable importance", "Scoring history"} <= set(models.tab_titles)
    view = models.metric_charts
    roc = next(t for t in view.roc.figure.data if t.name == model_id)
    assert len(roc.x) > 10
    before = view.confusion.value
    view.threshold.value = 0.9 if view.threshold.value < 0.8 else 0.1
    assert view.confusion.value != before
    assert "fpr" in decode_link(view.precision_recall.link.value)

    # several models: overlaid ROC curves
    second = client.train("gbm", train_name, "label", ntrees=5)
    models.refresh()
    models.models.value = (model_id, second)
    assert len([t for t in view.roc.figure.data if t.name in (model_id, second)]) == 2
    assert second in models.comparison.table.value

    predict = PredictPanel(client)
    predict.model.value = model_id
    predict.frame.value = train_name
    predict.score_button.click()
    wait_until(lambda: predict.download.value, 120, "predictions", predict)  # the link is made last
    assert "predict" in predict.preview.value
    assert "AUC" in predict.metrics.value
    assert {"ROC", "Precision-recall"} <= set(predict.charts.titles)
    assert decode_link(predict.download.value).splitlines()[0].replace('"', "").startswith("row,actual label,predict")

    jobs = JobsPanel(client)
    assert model_id in jobs.table.value
    for panel in (frames, train, models, predict, jobs):
        panel.close()


def test_training_error_shows_the_server_message(client, data_dir, frame_name):
    name = client.import_frame(str(data_dir / "prostate.csv"), destination_frame=frame_name("p"))
    train = TrainPanel(client)
    train.algorithm.value = "gbm"
    train.refresh()
    train.form.set_value("training_frame", name)
    # A column the frame lacks: the picker never offers one, so add it as a stale choice would be.
    response = train.form.fields["response_column"]
    response.options = list(response.options) + [("no_such_column", "no_such_column")]
    response.value = "no_such_column"
    train.train_button.click()
    wait_until(lambda: train.status.is_error, 60, "the server's error")
    assert "no_such_column" in train.status.value
    train.close()


def test_cancel_stops_training(client, slow_training_csv, frame_name):
    name = client.import_frame(str(slow_training_csv), destination_frame=frame_name("c"),
                               column_types={"label": "enum"})
    train = TrainPanel(client)
    train.algorithm.value = "gbm"
    train.refresh()
    train.form.set_value("training_frame", name)
    train.form.set_value("response_column", "label")
    train.form.set_value("ntrees", 2000)
    train.train_button.click()
    wait_until(lambda: train.state.job_status == "RUNNING", 60, "the job to run", train)
    train.cancel_button.click()
    wait_until(lambda: train.state.job_status in ("CANCELLED", "DONE", "FAILED"), 120, "the cancel")
    assert train.state.job_status == "CANCELLED"
    train.close()


def test_automl_panel_matches_the_server(client, data_dir, frame_name):
    prostate = client.import_frame(str(data_dir / "prostate.csv"), destination_frame=frame_name("aml_form"),
                                   column_types={"CAPSULE": "enum"})
    panel = AutoMLPanel(client)
    routes = {r["url_pattern"] for r in client.endpoints()}
    has_automl = "/99/AutoMLBuilder" in routes
    assert panel.available == has_automl
    assert panel.start_button.disabled  # nothing chosen yet
    panel.frame.value = prostate
    # the response starts blank, never the first column (prostate's is its row id), and ID is ignored
    assert panel.response.value is None and panel.start_button.disabled
    assert panel.ignored_columns.value == ("ID",)
    panel.response.value = "CAPSULE"
    assert "CAPSULE" not in panel.ignored_columns.options
    assert panel.start_button.disabled == (not has_automl)
    assert "cross-validated (5-fold)" in panel.metrics_note.value
    panel.leaderboard_frame.value = prostate
    assert prostate in panel.metrics_note.value
    if not has_automl:
        assert "no AutoML" in panel.availability.value
        panel.start_button.disabled = False  # even if clicked, it explains instead of failing
        panel.start_button.click()
        assert "no AutoML" in panel.status.value
    panel.close()


def test_dashboard_tabs_and_status_line(client, server_kind):
    dashboard = Dashboard(client)
    assert dashboard.tabs.titles == ("Cluster", "Frames", "Train", "Models", "AutoML", "Predict", "Explain", "Jobs")
    expected = "embedded" if server_kind == "embedded" else "H2O-3"
    assert f"engine: <b>{expected}</b>" in dashboard.status.value
    assert client.url in dashboard.status.value
    assert expected in dashboard["Cluster"].facts.value
    dashboard.tabs.selected_index = 3  # showing a tab re-reads the server
    dashboard.close()


def test_glm_form_shows_tweedie_powers_only_for_the_tweedie_family(client):
    builder = client.model_builder("glm")
    form = ParameterForm(builder)
    hidden = [n for n in ("tweedie_variance_power", "tweedie_link_power", "theta") if n in form.rows]
    assert hidden and all(form.rows[n].layout.display == "none" for n in hidden)
    form.set_value("family", "tweedie")
    assert form.rows["tweedie_variance_power"].layout.display == ""
    assert form.rows["theta"].layout.display == "none"
    form.set_value("family", "binomial")
    assert form.rows["tweedie_variance_power"].layout.display == "none"


def test_a_refused_parameter_is_outlined_and_its_error_shown_under_train(client, data_dir, frame_name):
    prostate = client.import_frame(str(data_dir / "prostate.csv"), destination_frame=frame_name("refused"),
                                   column_types={"CAPSULE": "enum"})
    train = TrainPanel(client)
    form = train.form
    assert train.train_button.disabled  # no frame, no response yet
    form.set_value("training_frame", prostate)
    wait_until(lambda: form.fields["ignored_columns"].value == ("ID",), 30, "ID proposed as ignored", train)
    assert train.train_button.disabled
    form.set_value("response_column", "CAPSULE")
    assert not train.train_button.disabled
    form.set_value("ntrees", -5)
    train.train_button.click()
    wait_until(lambda: train.status.is_error, 60, "the server's refusal")
    assert "ntrees" in form.invalid(), (form.invalid(), train.status.value)
    children = list(train.children)
    buttons = next(c for c in children if train.train_button in getattr(c, "children", ()))
    assert children.index(train.status) == children.index(buttons) + 1  # right under the Train button
    form.set_value("ntrees", 5)  # editing the field clears its mark
    assert "ntrees" not in form.invalid()
    wait_until(lambda: not train.train_button.disabled, 30, "Train enabled again", train)
    train.close()
