"""Helpers for HTTP tests of the embedded server (started by the session fixture embedded_url)."""

import json
import time
from pathlib import Path

import pytest
import requests

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "h2o_reference"


def reference(name):
    """H2O-3's answer saved as tests/data/h2o_reference/<name>.json."""
    with open(REFERENCE / f"{name}.json") as f:
        return json.load(f)


def table_shape(table):
    """What of a TwoDimTableV3 must match H2O-3's: its name and its columns' names and types."""
    return table["name"], [(c["name"], c["type"]) for c in table["columns"]]


def wait_job(url, job_key, timeout=60):
    """Poll a job until it ends; returns the JobV3 dict."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = requests.get(f"{url}/3/Jobs/{requests.utils.quote(job_key, safe='')}").json()["jobs"][0]
        if job["status"] in ("DONE", "FAILED", "CANCELLED"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_key} did not finish in {timeout} s")


def train_model(url, algo, **body):
    """The seed's ModelBuilders flow: POST the build, wait for its job, GET the model (ModelSchemaV3)."""
    answer = requests.post(f"{url}/3/ModelBuilders/{algo}", json=body)
    assert answer.status_code == 200, answer.text
    job = wait_job(url, answer.json()["job"]["key"]["name"])
    assert job["status"] == "DONE", job["exception"]
    return requests.get(f"{url}/3/Models/{job['dest']['name']}").json()["models"][0]


def import_and_parse(url, path, destination):
    """The seed's one-step flow: ImportFiles then Parse with only source and destination."""
    imported = requests.post(f"{url}/3/ImportFiles", json={"path": str(path)})
    assert imported.status_code == 200, imported.text
    parsed = requests.post(f"{url}/3/Parse", json={
        "source_frames": imported.json()["destination_frames"], "destination_frame": destination})
    assert parsed.status_code == 200, parsed.text
    return wait_job(url, parsed.json()["job"]["key"]["name"])


@pytest.fixture
def url(embedded_url):
    return embedded_url


def assert_h2o_error(response, status, *fragments):
    """An H2OErrorV3 body with the given status whose message mentions every fragment."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["__meta"]["schema_name"] == "H2OErrorV3"
    assert body["http_status"] == status
    for fragment in fragments:
        assert fragment in body["msg"], body["msg"]
    return body


def assert_refused(url, answer, *fragments):
    """A training request refused with a message naming every fragment: at once (an
    H2OErrorV3, 400 or 404), or once its job has read the data (a FAILED job, no model left)."""
    if answer.status_code == 200:
        job = wait_job(url, answer.json()["job"]["key"]["name"])
        assert job["status"] == "FAILED" and all(f in job["exception"] for f in fragments), job
        assert requests.get(f"{url}/3/Models/{job['dest']['name']}").status_code == 404
    else:
        assert_h2o_error(answer, answer.status_code, *fragments)
        assert answer.status_code in (400, 404)
