"""Property-based fuzzing of every route: hostile input never breaks the server.

Invariants, for thousands of generated requests: no 5xx; every error is an H2OErrorV3 JSON
body with a message; the server keeps serving; frames and models stored before are unchanged.
"""

import json
import string
from urllib.parse import quote

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from h2odash.embedded import EmbeddedServer
from h2odash.server.app import endpoints
from tests.server.conftest import import_and_parse, wait_job
from tools.h2o3 import free_port

ENDPOINTS = endpoints()
HOSTILE_TEXT = st.sampled_from([
    "../../../../etc/passwd", "/etc/shadow", "..\\..\\windows", "%2e%2e%2f", "\x00", "nfs://etc/passwd",
    "' OR 1=1 --", "__import__('os').system('true')", "{{7*7}}", "${jndi:ldap://x}", "💥" * 10, "NaN",
    "Infinity", "-1", "1e309", "[", "{", "null", "true", "A" * 5000, "$03017f00000132d4ffffffff$_x",
])
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-2**70, max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=40), HOSTILE_TEXT,
)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(string.ascii_letters, max_size=8), inner, max_size=3)),
    max_leaves=8)


def _names(endpoint):
    return [p.name for p in endpoint.input_schema.params]


@st.composite
def requests_for(draw, endpoint):
    path = endpoint.path
    keys = st.one_of(st.text(min_size=1, max_size=30), HOSTILE_TEXT)
    if endpoint.method != "DELETE":
        # Real keys too, so that hostile parameters reach the code behind the lookups.
        keys = st.one_of(keys, st.sampled_from(["guard_frame", "guard_model", "gbm", "glm", "deeplearning"]))
    for name in endpoint.path_params:
        path = path.replace("{" + name + "}", quote(draw(keys), safe=""), 1)
    names = st.one_of(st.sampled_from(_names(endpoint) or ["x"]), st.text(max_size=12))
    params = draw(st.dictionaries(names, VALUES, max_size=6))
    encoding = draw(st.sampled_from(["json", "form", "query", "garbage"]))
    return endpoint.method, path, params, encoding


def _send(url, method, path, params, encoding):
    if encoding == "json":
        return requests.request(method, url + path, data=json.dumps(params, allow_nan=True),
                                headers={"Content-Type": "application/json"}, timeout=30)
    flat = {k: v if isinstance(v, str) else json.dumps(v, allow_nan=True) for k, v in params.items()}
    if encoding == "query" or method in ("GET", "DELETE"):
        return requests.request(method, url + path, params=flat, timeout=30)
    if encoding == "form":
        return requests.request(method, url + path, data=flat, timeout=30)
    return requests.request(method, url + path, data=json.dumps(params, allow_nan=True)[:-1].encode() + b"\xff\xfe",
                            headers={"Content-Type": "application/json"}, timeout=30)


@pytest.fixture(scope="module")
def fuzz_url(tmp_path_factory, data_dir):
    root = tmp_path_factory.mktemp("fuzz_root")
    (root / "prostate.csv").write_bytes((data_dir / "prostate.csv").read_bytes())
    server = EmbeddedServer(port=free_port(), serve_args=["--data-root", str(root), "--log-level", "warning"]).start()
    url = server.url
    assert import_and_parse(url, root / "prostate.csv", "guard_frame")["status"] == "DONE"
    job = requests.post(f"{url}/3/ModelBuilders/gbm", json={
        "training_frame": "guard_frame", "response_column": "AGE", "ntrees": 3, "model_id": "guard_model"}).json()
    assert wait_job(url, job["job"]["key"]["name"])["status"] == "DONE"
    yield url
    server.stop()


def _state(url):
    frame = requests.get(f"{url}/3/Frames/guard_frame").json()["frames"][0]
    model = requests.get(f"{url}/3/Models/guard_model").json()["models"][0]
    return frame["checksum"], frame["rows"], model["output"]["training_metrics"]["RMSE"]


def _check(response):
    assert response.status_code < 500, (response.status_code, response.text[:500])
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/json"), response.text[:200]
        body = response.json()
        assert body["__meta"]["schema_name"] == "H2OErrorV3"
        assert isinstance(body["msg"], str) and body["msg"].strip()


# DELETE /3/DKV removes everything by design: any request to it, hostile or not, is legitimate work.
@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if not e.path.startswith("/3/Jobs/")
                                      and (e.method, e.path) != ("DELETE", "/3/DKV")],
                         ids=lambda e: f"{e.method} {e.path}")
def test_route_survives_hostile_requests(fuzz_url, endpoint):
    before = _state(fuzz_url)

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(requests_for(endpoint))
    def run(request):
        method, path, params, encoding = request
        if endpoint.path.startswith("/3/ModelBuilders/") and method == "POST":
            # Never let a generated request train on the guarded frame: that would be legitimate
            # work, not hostile input, and would take the fuzz run's time.
            params.pop("training_frame", None)
        _check(_send(fuzz_url, method, path, params, encoding))

    run()
    assert requests.get(f"{fuzz_url}/3/Cloud").status_code == 200
    assert _state(fuzz_url) == before


def test_job_routes_survive_hostile_keys(fuzz_url):
    @settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(st.one_of(st.text(min_size=1, max_size=50), HOSTILE_TEXT), st.sampled_from(["GET", "POST"]))
    def run(key, method):
        suffix = "/cancel" if method == "POST" else ""
        _check(requests.request(method, f"{fuzz_url}/3/Jobs/{quote(key, safe='')}{suffix}", timeout=30))

    run()
    assert requests.get(f"{fuzz_url}/3/Jobs").status_code == 200
