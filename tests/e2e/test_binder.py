"""The Binder environment, as mybinder.org builds it but without Docker: binder/requirements.txt
installs into a fresh virtual environment from this checkout, the notebooks run there, and
``h2odash app`` serves the dashboard from the installed (not editable) package."""
from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from .app_process import AppProcess

REPO_ROOT = Path(__file__).resolve().parents[2]
RUNNER = REPO_ROOT / "tests" / "notebooks" / "run_notebooks.py"

pytestmark = pytest.mark.timeout(1800)


def clean_env() -> dict:
    """This process's environment without anything that would import the checkout instead."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "H2ODASH_AUTH")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p)
    return env


@pytest.fixture(scope="module")
def binder_env(tmp_path_factory) -> Path:
    """A fresh virtual environment with binder/requirements.txt installed (pip runs from the
    repository root, as repo2docker does)."""
    venv = tmp_path_factory.mktemp("binder") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    install = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "-r",
                              "binder/requirements.txt"], check=False, cwd=REPO_ROOT, env=clean_env(),
                             capture_output=True, text=True, timeout=1500)
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    return venv


def test_the_binder_environment_is_light(binder_env):
    listed = subprocess.run([str(binder_env / "bin" / "python"), "-m", "pip", "list", "--format=freeze"],
                            capture_output=True, text=True, check=True, env=clean_env()).stdout.lower()
    names = {line.split("==")[0] for line in listed.splitlines()}
    assert {"h2odash", "voila", "xgboost-cpu"} <= names
    # Binder gives about 2 GB: no CUDA xgboost (700 MB of nvidia wheels), no torch.
    assert "xgboost" not in names and "torch" not in names
    assert not [name for name in names if name.startswith("nvidia-")]


def test_the_notebooks_run_in_the_binder_environment(binder_env, tmp_path):
    python = str(binder_env / "bin" / "python")
    where = subprocess.run([python, "-c", "import h2odash; print(h2odash.__file__)"], cwd=tmp_path,
                           env=clean_env(), capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(binder_env)), f"h2odash came from {where}, not the Binder environment"
    notebooks = sorted(str(p) for p in (REPO_ROOT / "notebooks").glob("*.ipynb"))
    ran = subprocess.run([python, str(RUNNER), *notebooks], check=False, cwd=tmp_path, env=clean_env(),
                         capture_output=True, text=True, timeout=900)
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-6000:]
    assert ran.stdout.count("ran ") == len(notebooks)


def test_h2odash_app_serves_from_the_binder_environment(binder_env, tmp_path):
    from tools.h2o3 import free_port

    # Binder's users get the per-user workspace; the test gets one of its own, never the real one.
    app = AppProcess([str(binder_env / "bin" / "h2odash"), "app", "--workspace", str(tmp_path / "workspace")],
                     free_port(), tmp_path / "app.log",
                     env=clean_env(), cwd=tmp_path)
    try:
        app.wait_listening()
        app.wait_ready()
        with urllib.request.urlopen(app.url, timeout=60) as answer:
            page = answer.read().decode()
        assert "application/vnd.jupyter.widget-view+json" in page, "the dashboard widget is not in the page"
        assert "Error at server while executing cell" not in app.log_text(100_000)
    finally:
        assert app.stop() == 0, app.log_text()
