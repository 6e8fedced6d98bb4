"""Access control: authentication on every route, data roots, upload limit, no CORS."""

import os
import time
import subprocess
import sys

import pytest
import requests

from h2odash.embedded import EmbeddedServer
from tests.server.conftest import assert_h2o_error
from tools.h2o3 import free_port


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    """A server with token auth, one data root and a 1 MB upload limit."""
    root = tmp_path_factory.mktemp("data_root")
    (root / "inside.csv").write_text("a,b\n1,2\n")
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret.csv").write_text("a,b\n3,4\n")
    os.symlink(outside / "secret.csv", root / "link.csv")
    server = EmbeddedServer(port=free_port(), auth="s3cret",
                            serve_args=["--data-root", str(root), "--max-upload-mb", "1"]).start()
    yield server.url, root, outside
    server.stop()


AUTH = {"Authorization": "Bearer s3cret"}


def test_every_route_refuses_a_request_without_the_token(guarded):
    url, _, _ = guarded
    from h2odash.server.app import endpoints

    for endpoint in endpoints():
        path = endpoint.path.replace("{", "").replace("}", "")
        response = requests.request(endpoint.method, url + path)
        assert_h2o_error(response, 401, "Authentication required")
    assert_h2o_error(requests.get(f"{url}/3/Cloud", headers={"Authorization": "Bearer wrong"}), 401, "Authentication")
    assert requests.get(f"{url}/3/Cloud", headers=AUTH).status_code == 200


def test_the_client_passes_the_token(guarded):
    from h2odash.client import H2OClient

    assert H2OClient(guarded[0], auth="s3cret").cloud()["cloud_healthy"]


def test_imports_stay_inside_the_data_root(guarded):
    url, root, outside = guarded
    ok = requests.post(f"{url}/3/ImportFiles", data={"path": str(root / "inside.csv")}, headers=AUTH)
    assert ok.status_code == 200
    for path in [outside / "secret.csv", root / ".." / outside.name / "secret.csv", root / "link.csv", "/etc/passwd"]:
        response = requests.post(f"{url}/3/ImportFiles", data={"path": str(path)}, headers=AUTH)
        assert_h2o_error(response, 403, "only reads files inside its data directories")
    # A folder import must not pull in the symlink that leads outside either.
    assert_h2o_error(requests.post(f"{url}/3/ImportFiles", data={"path": str(root)}, headers=AUTH), 403, "data directories")


def test_exports_stay_inside_the_data_root(guarded):
    url, root, outside = guarded
    imported = requests.post(f"{url}/3/ImportFiles", data={"path": str(root / "inside.csv")}, headers=AUTH).json()
    parsed = requests.post(f"{url}/3/Parse", data={"source_frames": f'["{imported["destination_frames"][0]}"]',
                                                   "destination_frame": "inside.hex"}, headers=AUTH)
    assert parsed.status_code == 200, parsed.text
    for _ in range(100):
        if requests.get(f"{url}/3/Frames/inside.hex", headers=AUTH).status_code == 200:
            break
        time.sleep(0.1)
    for path in [outside / "written.csv", root / ".." / outside.name / "written.csv", "/tmp/h2odash-escape.csv"]:
        response = requests.post(f"{url}/3/Frames/inside.hex/export", data={"path": str(path)}, headers=AUTH)
        assert_h2o_error(response, 403, "only writes files inside its data directories")
    assert not (outside / "written.csv").exists()


def test_upload_limit(guarded):
    url = guarded[0]
    response = requests.post(f"{url}/3/PostFile", data=b"a,b\n" + b"1,2\n" * 400_000, headers=AUTH)
    assert_h2o_error(response, 400, "larger than the limit")
    assert requests.get(f"{url}/3/Cloud", headers=AUTH).status_code == 200


def test_no_cors_headers(guarded):
    url = guarded[0]
    response = requests.get(f"{url}/3/Cloud", headers={**AUTH, "Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in {k.lower() for k in response.headers}


def test_public_interface_needs_auth():
    done = subprocess.run([sys.executable, "-m", "h2odash", "serve", "--host", "0.0.0.0", "--port", str(free_port())],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "--auth" in done.stderr


def test_basic_credentials():
    import base64

    from h2odash.server.security import Credentials

    creds = Credentials.parse("basic:ana:pa:ss")
    good = "Basic " + base64.b64encode(b"ana:pa:ss").decode()
    assert creds.accepts(good)
    assert not creds.accepts("Basic " + base64.b64encode(b"ana:nope").decode())
    assert not creds.accepts("Bearer pa:ss")
    assert not creds.accepts("Basic !!!")
    with pytest.raises(ValueError):
        Credentials.parse("basic:onlyuser")
