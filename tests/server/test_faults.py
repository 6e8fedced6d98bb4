"""Faults: failing and cancelled work ends cleanly, locks hold, huge parses are refused up front."""

import os
import time
from urllib.parse import quote

import pytest
import requests

from tests.server.conftest import assert_h2o_error, import_and_parse, wait_job


@pytest.fixture(scope="module")
def big_frame(embedded_url, tmp_path_factory):
    """A frame big enough that training takes a while (for cancel and lock tests)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    n = 200_000
    df = pd.DataFrame({f"x{i}": rng.normal(size=n) for i in range(8)})
    df["y"] = np.where(df["x0"] + df["x1"] * df["x2"] + rng.normal(size=n) > 0, "yes", "no")
    path = tmp_path_factory.mktemp("big") / "big.csv"
    df.to_csv(path, index=False)
    assert import_and_parse(embedded_url, path, "big")["status"] == "DONE"
    return "big"


def _start(url, algo, **body):
    answer = requests.post(f"{url}/3/ModelBuilders/{algo}", json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()["job"]["key"]["name"]


def _job(url, key):
    return requests.get(f"{url}/3/Jobs/{quote(key, safe='')}").json()["jobs"][0]


@pytest.mark.parametrize("algo, settings", [
    ("gbm", {"ntrees": 100000, "max_depth": 8}),
    # XGBoost cannot stop inside a tree, so a DRF cancel waits for the tree being grown: depth
    # 12 keeps one tree well under a second here (a depth-20 tree on 200k rows takes ~3 s).
    ("drf", {"ntrees": 100000, "max_depth": 12}),
    ("xgboost", {"ntrees": 100000, "max_depth": 8}),
    ("deeplearning", {"hidden": [200, 200], "epochs": 100000}),
    ("glm", {"family": "binomial", "lambda_search": True, "nlambdas": 100000, "max_iterations": 100000}),
])
def test_cancel_stops_any_training_within_two_seconds(url, big_frame, algo, settings):
    key = _start(url, algo, training_frame=big_frame, response_column="y", model_id=f"cancel_{algo}", **settings)
    deadline = time.monotonic() + 60
    while _job(url, key)["progress"] <= 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    started = time.monotonic()
    requests.post(f"{url}/3/Jobs/{quote(key, safe='')}/cancel")
    job = wait_job(url, key, timeout=30)
    elapsed = time.monotonic() - started
    assert job["status"] == "CANCELLED", job
    assert elapsed < 2.0, f"{algo} took {elapsed:.2f} s to stop"
    assert requests.get(f"{url}/3/Models/cancel_{algo}").status_code == 404
    assert requests.get(f"{url}/3/Models").status_code == 200


def test_model_being_built_cannot_be_deleted(url, big_frame):
    key = _start(url, "deeplearning", training_frame=big_frame, response_column="y", model_id="busy_model",
                 hidden=[64], epochs=100000)
    assert_h2o_error(requests.delete(f"{url}/3/Models/busy_model"), 409, "in use")
    assert_h2o_error(requests.delete(f"{url}/3/Frames/{big_frame}"), 409, "in use")
    requests.post(f"{url}/3/Jobs/{quote(key, safe='')}/cancel")
    assert wait_job(url, key)["status"] == "CANCELLED"
    # Once the job has ended, the frame is free again (and the cancelled model is gone).
    assert requests.get(f"{url}/3/Frames/{big_frame}").status_code == 200


def test_training_that_fails_inside_ends_failed_with_a_reason(url, tmp_path):
    # Every predictor is missing: nothing to learn from.
    path = tmp_path / "empty_predictors.csv"
    path.write_text("x,z,y\n" + "".join(f",,{'a' if i % 2 else 'b'}\n" for i in range(50)))
    assert import_and_parse(url, path, "no_predictors")["status"] == "DONE"
    answer = requests.post(f"{url}/3/ModelBuilders/gbm", json={"training_frame": "no_predictors",
                                                               "response_column": "y"})
    assert_h2o_error(answer, 400, "No predictor")
    # A response whose rows are all missing in the validation frame still trains; a failure
    # inside the learner (a negative response for a gamma GLM) ends as FAILED with the reason.
    path = tmp_path / "negative.csv"
    path.write_text("x,y\n" + "".join(f"{i},{i - 25}\n" for i in range(50)))
    assert import_and_parse(url, path, "negative")["status"] == "DONE"
    answer = requests.post(f"{url}/3/ModelBuilders/glm", json={"training_frame": "negative", "response_column": "y",
                                                               "family": "gamma"})
    if answer.status_code == 200:
        job = wait_job(url, answer.json()["job"]["key"]["name"])
        assert job["status"] == "FAILED" and job["exception"]
    else:
        assert_h2o_error(answer, 400, "gamma")
    assert requests.get(f"{url}/3/Cloud").status_code == 200


def test_parse_that_cannot_fit_in_memory_is_refused_up_front(url, tmp_path):
    import psutil

    path = tmp_path / "huge.csv"
    with open(path, "wb") as handle:  # a sparse file: takes no disk, claims to be huge
        handle.write(b"a,b\n1,2\n")
        handle.truncate(psutil.virtual_memory().total * 2)
    keys = requests.post(f"{url}/3/ImportFiles", data={"path": str(path)}).json()["destination_frames"]
    answer = requests.post(f"{url}/3/Parse", json={"source_frames": keys, "destination_frame": "huge"})
    assert_h2o_error(answer, 400, "GiB of memory")
    assert requests.get(f"{url}/3/Frames/huge").status_code == 404
    os.remove(path)
