"""The seed's curl examples for Frames, Jobs and Metadata, run as shell commands.

The commands are the seed's, character for character, except that ``http://localhost:54321``
becomes the test server's address (the suite must not depend on port 54321 being free).
"""

import subprocess

import pytest
import requests

from tests.server.conftest import import_and_parse

SEED_BASE = "http://localhost:54321"


def run_seed(command, url, env=None):
    command = command.replace(SEED_BASE, url)
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def train_frame(url, data_dir):
    job = import_and_parse(url, data_dir / "prostate.csv", "train_frame")
    assert job["status"] == "DONE", job["exception"]
    yield "train_frame"
    requests.delete(f"{url}/3/Frames/train_frame")


def test_list_frames(url, train_frame):
    import json

    out = json.loads(run_seed("curl -s http://localhost:54321/3/Frames", url))
    assert "train_frame" in [f["frame_id"]["name"] for f in out["frames"]]


def test_get_frame_with_column_statistics(url, train_frame, prostate_df):
    import json

    out = json.loads(run_seed("curl -s http://localhost:54321/3/Frames/train_frame", url))
    frame = out["frames"][0]
    assert frame["rows"] == len(prostate_df)
    assert frame["row_count"] == 10  # the seed's default preview size
    age = next(c for c in frame["columns"] if c["label"] == "AGE")
    assert age["mean"] == pytest.approx(prostate_df["AGE"].mean())
    assert age["data"] == prostate_df["AGE"].head(10).astype(float).tolist()


def test_delete_frame(url, train_frame):
    run_seed("curl -s -X DELETE http://localhost:54321/3/Frames/train_frame", url)
    assert requests.get(f"{url}/3/Frames/train_frame").status_code == 404


def test_job_polling_loop(url, data_dir):
    imported = requests.post(f"{url}/3/ImportFiles", data={"path": str(data_dir / "iris.csv")}).json()
    started = requests.post(f"{url}/3/Parse", json={"source_frames": imported["destination_frames"],
                                                     "destination_frame": "iris_seed"}).json()
    # Job keys hold '$', which bash would expand inside the seed's double quotes: the key
    # goes in single quotes, as a user pasting one must do too.
    loop = f'''JOB_KEY='{started["job"]["key"]["name"]}'

while true; do
  RESPONSE=$(curl -s "http://localhost:54321/3/Jobs/$JOB_KEY")
  STATUS=$(echo "$RESPONSE" | python3 -c "import sys,json; print(json.load(sys.stdin)['jobs'][0]['status'])")
  PROGRESS=$(echo "$RESPONSE" | python3 -c "import sys,json; print(json.load(sys.stdin)['jobs'][0]['progress'])")
  echo "Status: $STATUS  Progress: $PROGRESS"
  [ "$STATUS" = "DONE" ] && break
  [ "$STATUS" = "FAILED" ] && echo "Error:" && echo "$RESPONSE" | python3 -c "import sys,json; print(json.load(sys.stdin)['jobs'][0]['exception'])" && break
  sleep 2
done'''
    out = run_seed(loop, url)
    assert "Status: " in out
    assert out.strip().splitlines()[-1] == "Status: DONE  Progress: 1.0"
    assert requests.get(f"{url}/3/Frames/iris_seed").json()["frames"][0]["rows"] == 150


def test_metadata_endpoints_lists_every_route(url):
    out = run_seed("curl -s http://localhost:54321/3/Metadata/endpoints | python3 -m json.tool", url)
    import json

    routes = json.loads(out)["routes"]
    listed = {(r["http_method"], r["url_pattern"]) for r in routes}
    from h2odash.server.app import endpoints

    assert listed == {(e.method, e.path) for e in endpoints()}
    for needed in [("GET", "/3/Cloud"), ("POST", "/3/ImportFiles"), ("POST", "/3/Parse"),
                   ("GET", "/3/Frames/{frame_id}"), ("GET", "/3/Jobs/{job_id}")]:
        assert needed in listed
    frame_route = next(r for r in routes if r["url_pattern"] == "/3/Frames/{frame_id}" and r["http_method"] == "GET")
    assert frame_route["path_params"] == ["frame_id"]
    assert frame_route["output_schema"] == "FramesV3"


def test_cloud(url):
    import json

    cloud = json.loads(run_seed("curl -s http://localhost:54321/3/Cloud", url))
    assert cloud["cloud_healthy"] is True and cloud["cloud_size"] == 1
    node = cloud["nodes"][0]
    assert node["num_cpus"] >= 1 and node["max_mem"] >= node["free_mem"] > 0
