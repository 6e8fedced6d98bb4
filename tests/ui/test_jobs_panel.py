"""The Jobs panel on both servers (issue 13, item 11): what each job is, when it started, how long
it took, and its result opened with one click; no raw job keys in the table."""
import re

from h2odash.ui import JobsPanel
from h2odash.ui.panels.jobs import describe_job, duration, jobs_table


def test_descriptions_and_durations_read_like_sentences():
    models = {"GBM_1": {"algo": "gbm", "data_frame": {"name": "prostate.hex"}}}
    train = {"description": "GBM", "dest": {"name": "GBM_1", "type": "Key<Model>"}, "status": "DONE",
             "start_time": 1_000, "msec": 1877}
    parse = {"description": "Parse", "dest": {"name": "prostate.hex", "type": "Key<Frame>"}, "status": "RUNNING",
             "progress": 0.4, "start_time": 2_000, "msec": 65_000}
    assert describe_job(train, models) == "Train GBM on prostate.hex"
    assert describe_job(parse, models) == "Parse prostate.hex"
    assert describe_job({"description": "AutoML build", "dest": {"name": "AutoML_1", "type": "Key<AutoML>"}}, {}) \
        == "AutoML AutoML_1"
    assert duration(1877) == "1.9 s" and duration(65_000) == "1 min 5 s"
    table = jobs_table([train, parse], models)
    assert list(table["job"]) == ["Parse prostate.hex", "Train GBM on prostate.hex"]   # newest first
    assert list(table["status"]) == ["running 40%", "done"] and list(table["took"]) == ["1 min 5 s", "1.9 s"]
    # H2O-3's percentiles for a frame summary: said in words, its scratch model not offered as a result
    quantiles = {"description": "Quantiles", "dest": {"name": "Quantiles_model_h_17964_216", "type": "Key<Model>"},
                 "status": "DONE", "start_time": 3_000, "msec": 10}
    row = jobs_table([quantiles], {}).iloc[0]
    assert row["job"] == "Compute percentiles (for a summary)" and row["result"] == ""


def test_jobs_panel_says_what_each_job_did_and_opens_its_model(client, data_dir, frame_name):
    frame = client.import_frame(str(data_dir / "prostate.csv"), destination_frame=frame_name("jobs") + ".hex",
                                column_types={"CAPSULE": "enum"})
    model = client.train("gbm", frame, "CAPSULE", ntrees=3, seed=1)
    opened = []
    panel = JobsPanel(client, open_model=opened.append)
    panel.live.value = False
    panel.refresh()
    html = panel.table.value
    assert f"Train GBM on {frame}" in html and f"Parse {frame}" in html and model in html
    assert "$" not in html and "<th>job</th>" in html and "<th>took</th>" in html
    job = next(j for j in client.jobs() if (j.get("dest") or {}).get("name") == model)
    row = re.search(rf"<td>Train GBM on {re.escape(frame)}</td>\s*<td>done</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>", html)
    assert row and row.group(2) == duration(job["msec"])   # how long, from the server's own msec
    assert panel.result.value == model and not panel.open_button.disabled   # the newest model made
    newer = client.train("glm", frame, "CAPSULE", family="binomial")
    panel.refresh()
    assert panel.result.value == newer      # a default follows the newest model...
    panel.result.value = model
    client.train("glm", frame, "CAPSULE", family="binomial")
    panel.refresh()
    assert panel.result.value == model      # ...a model the user picked stays
    panel.open_button.click()
    assert opened == [model] and "Opened" in panel.result_status.value
    panel.close()


def test_without_open_model_the_open_button_is_hidden(client):
    panel = JobsPanel(client)
    row = next(box for box in panel.children if panel.open_button in getattr(box, "children", ()))
    assert row.layout.display == "none" and panel.open_button.disabled
    panel.close()
