"""The AutoML panel: the leaderboard view from captured H2O-3 answers (no server), and Cancel on
both servers. The full run, watched live and opened from its leaderboard, is in test_journey.py."""
from h2odash.ui import AutoMLPanel
from h2odash.ui.downloads import decode_link
from h2odash.ui.leaderboard import LeaderboardView, leader_of, sort_metric_of

from .conftest import wait_until
from .test_charts import reference

FINISHED = ("DONE", "FAILED", "CANCELLED")


def test_leaderboard_fills_from_h2o3s_answer_and_rows_open_models():
    run = reference("automl_binomial_in_progress.json")  # H2O-3: no "leader" field
    opened = []
    view = LeaderboardView(on_open=opened.append)
    view.prepare()
    view.fill(run, "aml_1")
    assert view.model_ids == [m["name"] for m in run["leaderboard"]["models"]]
    assert leader_of(run) == view.model_ids[0]
    assert sort_metric_of(run, view.board) == "auc"
    bars = view.chart.figure.data[0]
    assert bars.name == "auc" and list(bars.y)[::-1] == view.model_ids  # the leader's bar on top
    assert decode_link(view.chart.link.value).splitlines()[0].startswith("model_id,auc")
    assert len(view.rows.options) == 3 and "<td>" in view.table.value
    assert not opened  # filling is not clicking
    view.rows.value = view.model_ids[1]
    assert opened == [view.model_ids[1]]
    view.fill(run, "aml_1")  # a refill keeps the row chosen and opens nothing
    assert view.rows.value == view.model_ids[1] and opened == [view.model_ids[1]]


def test_the_seeds_leader_field_wins():
    assert leader_of({"leader": {"name": "GBM_2"}, "leaderboard": {"models": [{"name": "GLM_1"}]}}) == "GBM_2"
    assert leader_of({"leaderboard": {"models": []}}) is None


def test_cancel_stops_the_run(client, data_dir, frame_name):
    prostate = client.import_frame(str(data_dir / "prostate.csv"), destination_frame=frame_name("aml_cancel"),
                                   column_types={"CAPSULE": "enum"})
    panel = AutoMLPanel(client)  # alone: no Models panel to open rows in
    panel.frame.value = prostate
    panel.response.value = "CAPSULE"
    panel.max_models.value = 50
    panel.start_button.click()
    wait_until(lambda: panel.state.job_status == "RUNNING", 120, "the run to start", panel)
    panel.cancel_button.click()
    wait_until(lambda: panel.state.job_status in FINISHED, 120, "the cancel", panel)
    assert panel.state.job_status == "CANCELLED"
    assert "cancelled" in panel.status.value and panel.cancel_button.disabled
    if panel.leaderboard.model_ids:  # models finished before the cancel stay listed, and say where to look
        panel.leaderboard.rows.value = panel.leaderboard.model_ids[0]
        assert "Models panel" in panel.status.value
    panel.close()


def test_a_run_started_elsewhere_is_listed_and_shown(client, data_dir, frame_name):
    """A run started outside the dashboard (h2o-py, another tab) is in the panel's run list, and
    picking it shows its leaderboard and event log as the server has them."""
    prostate = client.import_frame(str(data_dir / "prostate.csv"), destination_frame=frame_name("aml_elsewhere"),
                                   column_types={"CAPSULE": "enum"})
    run_id = client.start_automl(prostate, "CAPSULE", wait=True, timeout=600, max_models=2, seed=1, nfolds=3,
                                 project_name=frame_name("elsewhere"), exclude_algos=["DeepLearning",
                                                                                      "StackedEnsemble"])
    expected = [m["name"] for m in client.automl(run_id)["leaderboard"]["models"]]
    panel = AutoMLPanel(client)
    wait_until(lambda: run_id in [value for _, value in panel.runs.options], 60, "the run to be listed", panel)
    panel.runs.value = run_id
    wait_until(lambda: panel.leaderboard.model_ids == expected, 60, "the run's leaderboard", panel)
    assert len(expected) == 2 and panel.state.leader == expected[0]
    assert "<td>" in panel.event_log.value
    panel.close()
