"""Transport unit tests against a real local HTTP server (no mocks of requests)."""
from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from h2odash.client import (H2OBadRequestError, H2OClient, H2OConnectionError, H2OJobError,
                            H2ONotFoundError, H2OServerError)
from h2odash.client.connection import Connection, build_path, encode_params
from h2odash.client.errors import H2OJobTimeoutError
from h2odash.client.jobs import job_id_of, wait_for_job

NOT_FOUND_BODY = {
    "__meta": {"schema_name": "H2OErrorV3"}, "http_status": 404,
    "msg": "\n\nERROR MESSAGE:\n\nObject 'nope' not found for argument: key\n\n",
    "dev_msg": "\n\nERROR MESSAGE:\n\nObject 'nope' not found for argument: key\n\n",
    "exception_type": "water.exceptions.H2OKeyNotFoundArgumentException", "values": {"name": "nope"},
}


class Recorder(BaseHTTPRequestHandler):
    """Answers by path; records every request it sees on the server object."""

    def log_message(self, *args):  # keep pytest output clean
        pass

    def _answer(self, status, body, content_type="application/json"):
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        parts = urlsplit(self.path)
        seen = {"method": self.command, "raw_path": parts.path, "query": parse_qs(parts.query),
                "form": parse_qs(body), "body": body, "headers": dict(self.headers)}
        self.server.seen.append(seen)
        route = parts.path
        if route == "/echo":
            return self._answer(200, seen)
        if route == "/flaky":
            self.server.flaky_calls += 1
            if self.server.flaky_calls <= self.server.flaky_failures:
                return self._answer(503, b"busy", "text/plain")
            return self._answer(200, {"ok": True, "calls": self.server.flaky_calls})
        if route == "/csv":
            return self._answer(200, b'"a","b"\n1,"x"\n', "text/csv")
        if route == "/missing":
            return self._answer(404, NOT_FOUND_BODY)
        if route == "/badtext":
            return self._answer(400, b"Content type must be multipart/form-data", "text/plain")
        if route == "/bad":
            return self._answer(400, dict(NOT_FOUND_BODY, http_status=400, msg="bad parameter"))
        if route == "/boom":
            return self._answer(500, dict(NOT_FOUND_BODY, http_status=500, msg="server exploded"))
        if route.startswith("/3/Jobs/"):
            return self._answer(200, {"jobs": [{"key": {"name": "x"}, "status": "DONE", "progress": 1.0,
                                                "seen_path": parts.path}]})
        return self._answer(200, {"path": route})

    do_GET = do_POST = do_DELETE = _handle


@pytest.fixture
def http_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    server.seen, server.flaky_calls, server.flaky_failures = [], 0, 2
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def url(http_server):
    return f"http://127.0.0.1:{http_server.server_address[1]}"


class PinnedConnection(Connection):
    """Jitter pinned to 1 and no real sleeping delay, so timings are deterministic."""

    def jitter(self) -> float:
        return 1.0


def unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- retry decision -------------------------------------------------------------------------
@pytest.mark.parametrize("method, error, status, expected", [
    ("GET", requests.ConnectionError("refused"), None, True),
    ("GET", requests.ReadTimeout("slow"), None, True),
    ("GET", None, 503, True),
    ("GET", None, 502, True),
    ("GET", None, 500, False),
    ("GET", None, 404, False),
    ("GET", None, 400, False),
    ("POST", requests.ConnectionError("refused"), None, False),
    ("POST", None, 503, False),
    ("DELETE", None, 503, False),
    ("GET", ValueError("not a transport error"), None, False),
])
def test_retry_decision(method, error, status, expected):
    assert Connection("http://x").should_retry(method, 1, error=error, status=status) is expected


def test_retry_stops_after_max_retries():
    conn = Connection("http://x", max_retries=2)
    assert conn.should_retry("GET", 2, status=503)
    assert not conn.should_retry("GET", 3, status=503)


def test_retry_delay_is_exponential_with_pinned_jitter():
    conn = PinnedConnection("http://x", backoff=0.1)
    assert [conn.retry_delay(a) for a in (1, 2, 3)] == pytest.approx([0.1, 0.2, 0.4])


def test_jitter_stays_in_its_band():
    conn = Connection("http://x")
    assert all(0.5 <= conn.jitter() < 1.0 for _ in range(200))


def test_flaky_get_is_retried_until_it_succeeds(url, http_server):
    conn = PinnedConnection(url, backoff=0.01)
    assert conn.get("/flaky") == {"ok": True, "calls": 3}
    assert http_server.flaky_calls == 3


def test_flaky_post_is_not_retried(url, http_server):
    conn = PinnedConnection(url, backoff=0.01)
    with pytest.raises(H2OServerError) as info:
        conn.post("/flaky")
    assert info.value.http_status == 503
    assert http_server.flaky_calls == 1


def test_refused_connection_raises_connection_error_after_retries():
    conn = PinnedConnection(f"http://127.0.0.1:{unused_port()}", backoff=0.01, max_retries=2)
    attempts = []
    original = conn.should_retry
    conn.should_retry = lambda *a, **k: attempts.append(a) or original(*a, **k)
    with pytest.raises(H2OConnectionError):
        conn.get("/3/Cloud")
    assert len(attempts) == 3  # two retries, then the decision to give up


# -- error typing ---------------------------------------------------------------------------
def test_404_becomes_not_found_error_with_server_fields(url):
    with pytest.raises(H2ONotFoundError) as info:
        Connection(url).get("/missing")
    err = info.value
    assert err.http_status == 404
    assert err.msg == "Object 'nope' not found for argument: key"
    assert err.exception_type == "water.exceptions.H2OKeyNotFoundArgumentException"
    assert err.body == NOT_FOUND_BODY  # the body arrives untouched, banner included
    assert "nope" in str(err)


def test_400_becomes_bad_request_error(url):
    with pytest.raises(H2OBadRequestError) as info:
        Connection(url).post("/bad")
    assert info.value.msg == "bad parameter"


def test_non_json_error_body_keeps_the_text(url):
    with pytest.raises(H2OBadRequestError) as info:
        Connection(url).post("/badtext")
    assert info.value.msg == "Content type must be multipart/form-data"
    assert info.value.body == "Content type must be multipart/form-data"


def test_500_is_a_plain_server_error(url):
    with pytest.raises(H2OServerError) as info:
        Connection(url).get("/boom")
    assert type(info.value) is H2OServerError and info.value.http_status == 500


# -- encoding and auth ----------------------------------------------------------------------
def test_params_drop_none_and_encode_lists_as_json():
    assert encode_params({"a": None, "b": [1, "x"], "c": True, "d": 3, "e": {"k": [1]}}) == {
        "b": '[1, "x"]', "c": "true", "d": "3", "e": '{"k": [1]}'}


def test_text_answers_come_back_as_text(url):
    assert Connection(url).get_text("/csv") == '"a","b"\n1,"x"\n'


def test_text_requests_still_raise_typed_errors(url):
    with pytest.raises(H2ONotFoundError) as info:
        Connection(url).get_text("/missing")
    assert info.value.msg == "Object 'nope' not found for argument: key"


def test_post_json_sends_a_json_body_without_none(url):
    seen = Connection(url).post_json("/echo", {"spec": {"max_models": 3, "seed": None}, "algos": ["GBM"], "x": None})
    assert seen["headers"]["Content-Type"] == "application/json"
    assert json.loads(seen["body"]) == {"spec": {"max_models": 3}, "algos": ["GBM"]}


def test_post_is_form_encoded(url):
    seen = Connection(url).post("/echo", source_frames=["nfs://a/b.csv"], header=1, skip=None)
    assert seen["form"] == {"source_frames": ['["nfs://a/b.csv"]'], "header": ["1"]}
    assert seen["headers"]["Content-Type"] == "application/x-www-form-urlencoded"


def test_get_params_go_in_the_query(url):
    seen = Connection(url).get("/echo", row_count=5, column_count=None)
    assert seen["query"] == {"row_count": ["5"]}


def test_job_keys_are_url_encoded_in_paths(url, http_server):
    key = "$03017f0000011cd5ffffffff$_b63166bb"
    job = H2OClient(url).job(key)
    assert job["seen_path"] == "/3/Jobs/%2403017f0000011cd5ffffffff%24_b63166bb"
    assert build_path("/3/Frames", "nfs://tmp/x.csv") == "/3/Frames/nfs%3A%2F%2Ftmp%2Fx.csv"


def test_bearer_token_auth(url):
    seen = Connection(url, auth="s3cret").get("/echo")
    assert seen["headers"]["Authorization"] == "Bearer s3cret"


def test_basic_auth(url):
    seen = Connection(url, auth=("ann", "pw")).get("/echo")
    assert seen["headers"]["Authorization"].startswith("Basic ")


def test_no_auth_header_by_default(url):
    assert "Authorization" not in Connection(url).get("/echo")["headers"]


def test_each_call_returns_a_fresh_object(url):
    conn = Connection(url)
    first = conn.get("/echo")
    first["method"] = "changed"
    assert conn.get("/echo")["method"] == "GET"


# -- job waiting ----------------------------------------------------------------------------
def scripted_jobs(*statuses, exception=None):
    """A fetch_job function that walks through ``statuses`` (a job-server stand-in)."""
    states = list(statuses)
    calls = []

    def fetch(job_id):
        status = states.pop(0) if len(states) > 1 else states[0]
        calls.append(job_id)
        return {"key": {"name": job_id}, "description": "Parse", "status": status,
                "progress": 1.0 if status == "DONE" else 0.5,
                "exception": exception if status == "FAILED" else None}
    fetch.calls = calls
    return fetch


def test_wait_reports_progress_until_done():
    seen = []
    job = wait_for_job(scripted_jobs("RUNNING", "RUNNING", "DONE"), "$j$1", progress=seen.append,
                       poll_interval=0.01)
    assert job["status"] == "DONE"
    assert [j["status"] for j in seen] == ["RUNNING", "RUNNING", "DONE"]


def test_failed_job_raises_with_exception_text():
    with pytest.raises(H2OJobError) as info:
        wait_for_job(scripted_jobs("RUNNING", "FAILED", exception="Missing training frame"), "$j$2",
                     poll_interval=0.01)
    assert info.value.status == "FAILED"
    assert "Missing training frame" in str(info.value)
    assert info.value.job["key"]["name"] == "$j$2"


def test_cancelled_job_raises():
    with pytest.raises(H2OJobError) as info:
        wait_for_job(scripted_jobs("CANCELLED"), "$j$3")
    assert info.value.status == "CANCELLED"


def test_wait_times_out_and_is_a_timeout_error():
    with pytest.raises(TimeoutError) as info:
        wait_for_job(scripted_jobs("RUNNING"), "$j$4", poll_interval=0.01, timeout=0.1)
    assert isinstance(info.value, H2OJobTimeoutError)


def test_job_id_of_accepts_keys_jobs_and_answers():
    job = {"key": {"name": "$a$"}}
    assert job_id_of("$a$") == job_id_of(job) == job_id_of({"job": job}) == "$a$"
    with pytest.raises(ValueError):
        job_id_of({"nothing": 1})
