"""A workspace survives anything: a server killed with SIGKILL during a training, in the middle of
writing a large model or of an export comes back with every finished frame and model, equal,
nothing half-written, and the interrupted job reads as failed."""

import os
import signal
import threading
import time
from urllib.parse import quote

import numpy as np
import pandas as pd
import pytest
import requests

from h2odash.client.errors import H2OConnectionError
from h2odash.embedded import EmbeddedServer
from tests.server.conftest import assert_h2o_error, import_and_parse, wait_job

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROSTATE = os.path.join(ROOT, "h2odash", "data", "prostate.csv")


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory):
    """300,000 rows: its export takes a second or more, and a GBM on it trains for a while."""
    rng = np.random.default_rng(7)
    n = 300_000
    df = pd.DataFrame({f"x{i}": rng.normal(size=n) for i in range(8)})
    df["y"] = np.where(df["x0"] + df["x1"] * df["x2"] + rng.normal(size=n) > 0, "yes", "no")
    path = tmp_path_factory.mktemp("big") / "big.csv"
    df.to_csv(path, index=False)
    return path


class Server:
    """``h2odash serve --workspace DIR`` that a test can kill with SIGKILL and start again."""

    def __init__(self, folder, *more):
        from tools.h2o3 import free_port

        self.folder = folder
        self.args = ["--workspace", str(folder), "--log-level", "warning", *more]
        self.process = EmbeddedServer(port=free_port(), serve_args=self.args).start()
        self.url = self.process.url

    def kill(self):
        self.process.process.send_signal(signal.SIGKILL)
        self.process.process.wait(30)

    def restart(self):
        self.kill()
        return Server(self.folder, *self.args[4:])

    def stop(self):
        self.process.stop()   # nothing when already stopped or killed


@pytest.fixture
def servers():
    started = []
    yield started
    for server in started:
        server.stop()


def _start(servers, folder, *more):
    server = Server(folder, *more)
    servers.append(server)
    return server


def _csv(url, frame):
    answer = requests.get(f"{url}/3/DownloadDataset", params={"frame_id": frame}, timeout=120)
    assert answer.status_code == 200, answer.text
    return answer.content


def _predictions(url, model, frame):
    answer = requests.post(f"{url}/3/Predictions/models/{model}/frames/{frame}",
                           json={"predictions_frame": f"pred_{model}"}, timeout=120)
    assert answer.status_code == 200, answer.text
    return _csv(url, f"pred_{model}")


def _train(url, algo, wait=True, **body):
    answer = requests.post(f"{url}/3/ModelBuilders/{algo}", json=body, timeout=60)
    assert answer.status_code == 200, answer.text
    key = answer.json()["job"]["key"]["name"]
    if wait:
        assert wait_job(url, key, timeout=300)["status"] == "DONE"
    return key


def _job(url, key):
    return requests.get(f"{url}/3/Jobs/{quote(key, safe='')}", timeout=30).json()["jobs"][0]


def _finished_work(url):
    """prostate and two models on it, with what a client would compare after a restart."""
    assert import_and_parse(url, PROSTATE, "prostate")["status"] == "DONE"
    _train(url, "gbm", training_frame="prostate", response_column="CAPSULE", model_id="gbm_kept", ntrees=20,
           seed=1, ignored_columns=["ID"])
    _train(url, "glm", training_frame="prostate", response_column="CAPSULE", model_id="glm_kept", family="binomial")
    return {"frame": _csv(url, "prostate"), "gbm": _predictions(url, "gbm_kept", "prostate"),
            "glm": _predictions(url, "glm_kept", "prostate"),
            "metrics": requests.get(f"{url}/3/Models/gbm_kept").json()["models"][0]["output"]["training_metrics"]}


def _assert_back(url, before):
    assert _csv(url, "prostate") == before["frame"]
    assert _predictions(url, "gbm_kept", "prostate") == before["gbm"]
    assert _predictions(url, "glm_kept", "prostate") == before["glm"]
    metrics = requests.get(f"{url}/3/Models/gbm_kept").json()["models"][0]["output"]["training_metrics"]
    assert metrics == before["metrics"]


def _kill_when_partial(server, folder, timeout=120):
    """SIGKILL the server the moment a file is being written in ``folder``; True when the kill
    landed while the partial file was still there (the write was cut in the middle)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(n.startswith(".partial-") for n in os.listdir(folder)):
            server.kill()
            return any(n.startswith(".partial-") for n in os.listdir(folder))
        time.sleep(0.001)
    pytest.fail(f"nothing was written in {folder} within {timeout} s")


def test_a_kill_during_training_keeps_finished_work_and_fails_the_job(servers, tmp_path, big_csv):
    server = _start(servers, tmp_path / "ws")
    before = _finished_work(server.url)
    assert import_and_parse(server.url, big_csv, "big")["status"] == "DONE"
    big = _csv(server.url, "big")
    job = _train(server.url, "gbm", wait=False, training_frame="big", response_column="y", model_id="gbm_cut",
                 ntrees=100000, max_depth=8)
    deadline = time.monotonic() + 60
    while _job(server.url, job)["progress"] <= 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    server = server.restart()
    servers.append(server)
    _assert_back(server.url, before)
    assert _csv(server.url, "big") == big
    interrupted = _job(server.url, job)
    assert interrupted["status"] == "FAILED" and "interrupted by a restart" in interrupted["exception"].lower()
    assert requests.get(f"{server.url}/3/Models/gbm_cut").status_code == 404
    # the restarted server trains and keeps new work as before
    _train(server.url, "glm", training_frame="prostate", response_column="CAPSULE", model_id="after_restart")


def test_a_kill_while_a_large_model_is_written_leaves_no_half_file(servers, tmp_path):
    folder = tmp_path / "ws"
    server = _start(servers, folder)
    before = _finished_work(server.url)
    # A large model (9 million weights, 72 MB) trained in a moment: its file takes a while to
    # write into the workspace when its job ends.
    big_model = dict(training_frame="prostate", response_column="CAPSULE", model_id="dl_big", hidden=[3000, 3000],
                     epochs=0.01, seed=1)
    _train(server.url, "deeplearning", wait=False, **big_model)
    assert _kill_when_partial(server, folder / "objects"), "the kill came after the write finished"
    server = Server(folder)
    servers.append(server)
    _assert_back(server.url, before)
    assert requests.get(f"{server.url}/3/Models/dl_big").status_code == 404
    assert not [n for n in os.listdir(folder / "objects") if n.startswith(".partial-")]
    assert requests.get(f"{server.url}/3/Workspace").json()["set_aside"] == []

    # Saving to a file of the user's: cut in the middle, the file is simply not there.
    _train(server.url, "deeplearning", **big_model)
    target = tmp_path / "saved" / "dl_big.model"
    os.makedirs(target.parent)
    saving = threading.Thread(target=lambda: _quietly(requests.get, f"{server.url}/99/Models.bin/dl_big",
                                                      params={"dir": str(target)}, timeout=120))
    saving.start()
    assert _kill_when_partial(server, target.parent), "the kill came after the save finished"
    saving.join()
    assert not target.exists()
    server = Server(folder)
    servers.append(server)
    _assert_back(server.url, before)
    assert_h2o_error(requests.post(f"{server.url}/99/Models.bin/", data={"dir": str(target)}), 400, "no model file")
    # the model finished before the kill, so it is back, and saving it again works
    saved = requests.get(f"{server.url}/99/Models.bin/dl_big", params={"dir": str(target)}, timeout=120)
    assert saved.status_code == 200 and saved.json()["dir"] == str(target)


def _quietly(call, *args, **kwargs):
    try:
        call(*args, **kwargs)
    except requests.RequestException:
        pass   # the server was killed under the request: that is the point


def test_a_kill_during_an_export_leaves_no_half_file_and_the_frame_intact(servers, tmp_path, big_csv):
    folder = tmp_path / "ws"
    server = _start(servers, folder)
    before = _finished_work(server.url)
    assert import_and_parse(server.url, big_csv, "big")["status"] == "DONE"
    big = _csv(server.url, "big")
    out = tmp_path / "out"
    os.makedirs(out)
    answer = requests.post(f"{server.url}/3/Frames/big/export", data={"path": str(out / "big.csv")})
    assert answer.status_code == 200, answer.text
    job = answer.json()["job"]["key"]["name"]
    assert _kill_when_partial(server, out), "the kill came after the export finished"
    server = Server(folder)
    servers.append(server)
    assert not (out / "big.csv").exists()
    _assert_back(server.url, before)
    assert _csv(server.url, "big") == big
    assert _job(server.url, job)["status"] == "FAILED"


def test_a_damaged_file_is_set_aside_and_reported_and_the_rest_loads(servers, tmp_path):
    folder = tmp_path / "ws"
    server = _start(servers, folder)
    before = _finished_work(server.url)
    _train(server.url, "glm", training_frame="prostate", response_column="CAPSULE", model_id="glm_damaged")
    server.stop()
    from h2odash.engine.workspace import Workspace

    damaged = Workspace.__new__(Workspace)
    damaged.folder = str(folder)
    path = damaged._path("glm_damaged")
    data = bytearray(open(path, "rb").read())
    data[len(data) // 2] ^= 0xFF
    open(path, "wb").write(bytes(data))
    server = _start(servers, folder)
    _assert_back(server.url, before)
    assert requests.get(f"{server.url}/3/Models/glm_damaged").status_code == 404
    report = requests.get(f"{server.url}/3/Workspace").json()
    assert len(report["set_aside"]) == 1 and report["set_aside"][0]["reason"]
    assert os.listdir(folder / "set-aside")


def test_deleting_deletes_on_disk_and_a_second_server_is_refused(servers, tmp_path):
    folder = tmp_path / "ws"
    server = _start(servers, folder)
    _finished_work(server.url)
    assert requests.delete(f"{server.url}/3/Models/glm_kept").status_code == 200
    assert requests.delete(f"{server.url}/3/Frames/pred_glm_kept").status_code == 200
    with pytest.raises(H2OConnectionError, match="in use by another h2odash server"):
        Server(folder)   # the folder is held by the running server
    server.stop()
    server = _start(servers, folder)
    assert requests.get(f"{server.url}/3/Models/glm_kept").status_code == 404
    assert requests.get(f"{server.url}/3/Frames/pred_glm_kept").status_code == 404
    assert requests.get(f"{server.url}/3/Models/gbm_kept").status_code == 200


def test_past_the_size_limit_new_work_is_refused_with_a_reason(servers, tmp_path, big_csv):
    server = _start(servers, tmp_path / "ws", "--workspace-limit-gb", "0.01")
    assert import_and_parse(server.url, PROSTATE, "prostate")["status"] == "DONE"
    job = import_and_parse(server.url, big_csv, "big")
    assert job["status"] == "FAILED" and "limit" in job["exception"] and "--workspace-limit-gb" in job["exception"]
    assert requests.get(f"{server.url}/3/Frames/big").status_code == 404
    assert requests.get(f"{server.url}/3/Frames/prostate").status_code == 200
    report = requests.get(f"{server.url}/3/Workspace").json()
    assert report["size_bytes"] <= report["limit_bytes"]


def test_an_automl_run_and_its_leaderboard_come_back(servers, tmp_path):
    folder = tmp_path / "ws"
    server = _start(servers, folder)
    assert import_and_parse(server.url, PROSTATE, "prostate")["status"] == "DONE"
    answer = requests.post(f"{server.url}/99/AutoMLBuilder", json={
        "input_spec": {"training_frame": "prostate", "response_column": "CAPSULE", "ignored_columns": ["ID"]},
        "build_control": {"project_name": "kept", "stopping_criteria": {"max_models": 3, "seed": 1}},
        "build_models": {"include_algos": ["GLM", "GBM", "StackedEnsemble"]}})
    assert answer.status_code == 200, answer.text
    assert wait_job(server.url, answer.json()["job"]["key"]["name"], timeout=300)["status"] == "DONE"
    before = requests.get(f"{server.url}/99/AutoML/kept").json()["leaderboard_table"]
    server = server.restart()
    servers.append(server)
    after = requests.get(f"{server.url}/99/AutoML/kept")
    assert after.status_code == 200, after.text
    assert after.json()["leaderboard_table"] == before
    names = [c["name"] for c in before["columns"]]
    for model_id in before["data"][names.index("model_id")]:
        assert requests.get(f"{server.url}/3/Models/{model_id}").status_code == 200
