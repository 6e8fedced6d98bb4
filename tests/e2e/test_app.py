"""``h2odash app``'s settings and refusals, and its token on a non-local interface."""
from __future__ import annotations

import os
import sys
import urllib.request
from pathlib import Path

import pytest

from h2odash.app import client_auth, run, voila_config

from .app_process import AppProcess

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_localhost_settings_cull_preheat_and_skip_the_xsrf_check():
    config = voila_config("127.0.0.1", 8866, token=None)
    assert config.Voila.tornado_settings == {"disable_check_xsrf": True}
    assert config.Voila.token is None and config.Voila.ip == "127.0.0.1"
    assert config.VoilaConfiguration.preheat_kernel is True and config.VoilaConfiguration.default_pool_size == 1
    assert config.MappingKernelManager.cull_idle_timeout == 600
    assert config.MappingKernelManager.cull_connected is False


def test_other_interfaces_keep_the_xsrf_check_and_take_a_token():
    config = voila_config("0.0.0.0", 8866, token="s3cret")
    assert "tornado_settings" not in config.Voila
    assert config.Voila.token == "s3cret"
    assert "show_tracebacks" not in config.VoilaConfiguration


@pytest.mark.parametrize("auth, message", [(None, "set --auth"), ("basic:user:pw", "token:<secret>")])
def test_a_public_interface_needs_a_token(auth, message, capsys):
    assert run(host="0.0.0.0", auth=auth) == 2
    assert message in capsys.readouterr().err


def test_an_unreachable_h2o_url_is_reported(capsys):
    from tools.h2o3 import free_port

    assert run(h2o=f"http://127.0.0.1:{free_port()}") == 1
    assert "127.0.0.1" in capsys.readouterr().err


def test_client_auth_reads_the_server_credential_format():
    assert client_auth("token:abc") == "abc"
    assert client_auth("basic:ann:pw:with:colons") == ("ann", "pw:with:colons")
    assert client_auth(None) is None
    with pytest.raises(ValueError):
        client_auth("token:")


def test_on_a_public_interface_the_page_needs_the_token(tmp_path):
    from tools.h2o3 import free_port

    # The secret travels in the environment, never on the command line.
    env = dict(os.environ, H2ODASH_AUTH="token:s3cret-token", XDG_DATA_HOME=str(tmp_path / "data-home"),
               PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])))
    app = AppProcess([sys.executable, "-m", "h2odash", "app", "--host", "0.0.0.0", "--pool-size", "0",
                      "--no-workspace"],
                     free_port(), tmp_path / "app.log", env=env)
    try:
        app.wait_listening()
        with urllib.request.urlopen(app.url, timeout=60) as refused:  # sent on to the login page
            assert "/login" in refused.url
            assert "application/vnd.jupyter.widget-view+json" not in refused.read().decode()
        with urllib.request.urlopen(app.url + "?token=s3cret-token", timeout=120) as answer:
            assert "application/vnd.jupyter.widget-view+json" in answer.read().decode()
        assert "s3cret-token" not in " ".join(app.process.args)
    finally:
        assert app.stop() == 0, app.log_text()
