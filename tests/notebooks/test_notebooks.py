"""Every notebook runs top to bottom in a fresh kernel against the embedded engine (each starts
its own through ``h2odash.init()``, or uses the server at localhost:54321)."""
from pathlib import Path

import nbformat
import pytest

from h2odash.app import DASHBOARD_CODE, dashboard_notebook

from .run_notebooks import execute, outputs

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
WIDGET = "application/vnd.jupyter.widget-view+json"


def sources(notebook) -> list[tuple[str, str]]:
    return [(cell.cell_type, cell.source) for cell in notebook.cells]


def test_the_repository_dashboard_is_the_one_the_app_serves():
    """``h2odash app`` generates its notebook; notebooks/dashboard.ipynb (Jupyter, Binder) must match."""
    on_disk = nbformat.read(NOTEBOOKS / "dashboard.ipynb", as_version=4)
    assert sources(on_disk) == sources(dashboard_notebook())


@pytest.mark.parametrize("name", sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")))
def test_notebook_runs_top_to_bottom(name):
    executed = execute(NOTEBOOKS / name)
    found = outputs(executed)
    assert not [o for o in found if o.get("output_type") == "error"]
    widgets = [o for o in found if WIDGET in o.get("data", {})]
    if name == "dashboard.ipynb":
        assert len(widgets) == 1, "the dashboard notebook shows exactly one widget: the dashboard"
        assert DASHBOARD_CODE in executed.cells[-1].source
    if name == "quickstart.ipynb":
        text = "".join(o.get("text", "") for o in found if o.get("output_type") == "stream")
        assert "training AUC" in text and "test AUC" in text
        assert len(widgets) >= 6  # frames, train, models, AutoML, predict panels and the dashboard
    if name == "h2o_client.ipynb":
        # h2o-py's models and AutoML run are in the dashboard opened on the same server
        text = "".join(o.get("text", "") for o in found if o.get("output_type") == "stream")
        assert "GBM test AUC" in text and "test AUC" in text.split("leader", 1)[-1]
        assert "Models panel lists the GBM: True · the AutoML leader: True" in text
        assert "AutoML panel lists the run: True" in text
        assert len(widgets) == 1
