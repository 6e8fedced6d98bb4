"""Issue 4's "Done when", headless, once per server: a new user imports a CSV, trains a GBM while
watching its scoring history grow, runs AutoML and sees the leaderboard fill, opens the leader,
and scores a test frame — all by setting widget values and clicking in one Dashboard. Plus: every
chart of the Models view downloads its data, and a server error shows in the panel that caused it.

Waits are bounded polls on widget state; the panels record what they saw while a job still ran
(``points_while_running``, ``rows_while_running``), so "live" is asserted without sleeps.
"""
import pandas as pd
import pytest

from h2odash.ui import Dashboard
from h2odash.ui.downloads import decode_link

from .conftest import wait_until
from .test_metric_charts import chart_boxes, csv_rows
from .test_panels import import_through_panel

FINISHED = ("DONE", "FAILED", "CANCELLED")


def assert_every_chart_downloads(models) -> None:
    """Each chart tab of the Models view offers a CSV with the chart's data."""
    boxes = chart_boxes(models.charts)
    # a chart per tab but the model card (binomial: no residuals to compute)
    assert len(boxes) == len(models.tab_titles) - 1 > 0 and models.tab_titles[0] == "Summary"
    for box in boxes:
        assert csv_rows(box) > 0, f"{box.filename}: the download has no data"


@pytest.fixture
def dashboard(client):
    board = Dashboard(client)
    yield board
    board.close()


def test_journey_import_train_automl_open_leader_and_score(dashboard, client, data_dir, frame_name):
    frames, train, models, automl, predict = (dashboard[t] for t in ("Frames", "Train", "Models", "AutoML", "Predict"))

    # -- import prostate, CAPSULE as a class, and split off a test frame -------------------
    prostate = frame_name("prostate")
    import_through_panel(frames, data_dir / "prostate.csv", prostate, {"CAPSULE": "Enum"})
    train_frame, test_frame = f"{prostate}_train", f"{prostate}_test"
    frames.split.ratios.value = "0.8"
    frames.split.names.value = f"{train_frame}, {test_frame}"
    frames.split.button.click()
    wait_until(lambda: frames.state.split_parts == [train_frame, test_frame], 60, "the split", frames)

    # -- train a GBM and watch its scoring history grow -----------------------------------
    dashboard.tabs.selected_index = 2  # Train: showing it re-reads the frames
    train.algorithm.value = "gbm"
    train.form.set_value("training_frame", train_frame)
    train.form.set_value("response_column", "CAPSULE")
    # A point per tree, and enough trees that the job lasts seconds: prostate is small, and the
    # live history adds only each new tree's margins, so 150 trees ended before a second poll.
    train.form.set_value("ntrees", 3000)
    train.form.set_value("score_tree_interval", 1)
    train.train_button.click()
    wait_until(lambda: train.state.job_status in FINISHED, 300, "training", train)
    assert train.state.job_status == "DONE", train.status.value
    assert train.state.points_while_running > 1, "the scoring history did not grow while the job ran"
    gbm = train.state.model_id

    train.open_button.click()  # the dashboard's hook: the Models tab with the new model
    assert dashboard.tabs.selected_index == 3 and models.models.value == (gbm,)
    assert {"ROC", "Variable importance", "Scoring history"} <= set(models.tab_titles)
    assert_every_chart_downloads(models)

    # -- AutoML: the leaderboard fills while the run goes on ------------------------------
    dashboard.tabs.selected_index = 4
    automl.frame.value = train_frame
    automl.response.value = "CAPSULE"
    automl.max_models.value = 3
    automl.seed.value = 1
    automl.exclude_algos.value = ("DeepLearning",)  # the slowest family, and the least useful here
    automl.start_button.click()
    wait_until(lambda: automl.state.rows_while_running or automl.state.job_status in FINISHED, 600,
               "leaderboard rows while AutoML runs", automl)
    assert automl.state.rows_while_running > 0, "the leaderboard had no rows before AutoML finished"
    assert automl.leaderboard.rows.options and "<td>" in automl.leaderboard.table.value
    wait_until(lambda: automl.state.job_status in FINISHED, 600, "AutoML", automl)
    assert automl.state.job_status == "DONE", automl.status.value
    board = automl.leaderboard.board
    assert len(board) >= 3 and "auc" in board.columns
    assert automl.state.leader == board["model_id"].iloc[0]
    chart = automl.leaderboard.chart
    assert list(chart.figure.data[0].y)[::-1] == list(board["model_id"])  # the best bar on top
    assert pd.read_csv(pd.io.common.StringIO(decode_link(chart.link.value)))["model_id"].tolist() == list(board["model_id"])
    assert "<td>" in automl.event_log.value

    # -- open the leader from its leaderboard row ------------------------------------------
    automl.leaderboard.rows.value = automl.state.leader
    assert dashboard.tabs.selected_index == 3 and models.models.value == (automl.state.leader,)
    assert "AUC" in models.card.value
    assert_every_chart_downloads(models)

    # -- score the test frame with the leader ---------------------------------------------
    dashboard.tabs.selected_index = 5
    predict.model.value = automl.state.leader
    predict.frame.value = test_frame
    predict.score_button.click()
    wait_until(lambda: predict.download.value, 120, "predictions", predict)
    assert "predict" in predict.preview.value and "AUC" in predict.metrics.value

    # -- a server error lands in the panel that caused it ---------------------------------
    dashboard.tabs.selected_index = 4
    automl.response.options = list(automl.response.options) + [("no_such_column", "no_such_column")]
    automl.response.value = "no_such_column"  # a stale choice: the picker only offers real columns
    automl.start_button.click()
    wait_until(lambda: automl.status.is_error, 60, "the server's AutoML error")
    assert "no_such_column" in automl.status.value
    assert not predict.status.is_error and not train.status.is_error
