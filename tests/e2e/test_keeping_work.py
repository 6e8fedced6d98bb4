"""Keeping work, in a real browser (issue 17): ``h2odash app --workspace <tmp>`` → the Cluster panel
shows the workspace → load the example data and export it → train a GBM → save it to a server
path, download it through the page → delete it → load it back from the server path, and again
from the downloaded file through the upload button → the workspace now holds them."""
from __future__ import annotations

import re
import time

import pandas as pd
import pytest

from .conftest import running_app
from .test_dashboard_items import pick_models
from .test_journey import Journey

pytestmark = pytest.mark.timeout(900)
STEP_S = 120


@pytest.fixture
def app_with_workspace(tmp_path):
    with running_app(tmp_path / "app.log", "--workspace", str(tmp_path / "workspace")) as started:
        yield started


def wait_for_status(journey: Journey, panel, pattern: str, timeout: float = STEP_S) -> str:
    """Wait until one of the panel's status lines (each control row has its own) matches
    ``pattern``; fail at once when any of them shows an error."""
    statuses = panel.locator(".h2odash-panel-status")
    deadline = time.monotonic() + timeout
    texts = []
    while time.monotonic() < deadline:
        if panel.locator(".h2odash-panel-status .h2odash-error").count():
            journey.screenshot("error")
            pytest.fail(f"the panel reported an error: {panel.locator('.h2odash-error').first.inner_text()}")
        texts = statuses.all_inner_texts()
        for text in texts:
            if re.search(pattern, text):
                return text
        time.sleep(0.1)
    journey.screenshot("timeout")
    pytest.fail(f"no status matched {pattern!r}; last: {texts!r}")


def listed_models(models) -> list[str]:
    labels = models.locator("select").first.evaluate("(s) => [...s.options].map((o) => o.textContent)")
    return [label.replace("\xa0", " ").split(" · ")[0] for label in labels]


def delete_model(journey: Journey, models, model_id: str) -> None:
    pick_models(models.locator("select").first, model_id)
    journey.button(models, "Delete").click()
    journey.button(models, "Yes, delete").click()
    wait_for_status(journey, models, rf"Deleted {re.escape(model_id)}")
    assert model_id not in listed_models(models)


def test_save_delete_load_download_upload_export_and_the_workspace(app_with_workspace, page, artifacts, tmp_path):
    journey = Journey(page, artifacts)
    workspace = tmp_path / "workspace"
    kept = tmp_path / "kept"
    kept.mkdir()
    page.goto(app_with_workspace.url, timeout=60_000)
    page.locator(".h2odash-status").wait_for(state="visible", timeout=60_000)

    # -- the Cluster panel says where work is kept ----------------------------------------
    cluster = journey.open_tab("Cluster")
    shown = cluster.locator(".h2odash-workspace")
    shown.wait_for()
    assert str(workspace) in shown.inner_text() and "Nothing was set aside" in shown.inner_text()
    journey.screenshot("workspace-empty")

    # -- load the example data and export it ----------------------------------------------
    frames = journey.open_tab("Frames")
    journey.field(frames, "Example").select_option("prostate")
    journey.button(frames, "Load example").click()
    wait_for_status(journey, frames, r"Parsed prostate\.hex")
    exported = kept / "prostate.csv"
    journey.field(frames, "Export to", "input").fill(str(exported))
    journey.button(frames, "Export").click()
    wait_for_status(journey, frames, r"Exported prostate\.hex \(380 rows\)")
    assert pd.read_csv(exported).shape == (380, 9)
    frames.locator(".h2odash-frame-export").scroll_into_view_if_needed()
    journey.screenshot("frame-exported")

    # -- train a small GBM ----------------------------------------------------------------
    train = journey.open_tab("Train")
    journey.field(train, "training_frame").select_option("prostate.hex")
    journey.select_when_offered(journey.field(train, "response_column"), "CAPSULE")
    box = journey.field(train, "ntrees", "input")
    box.fill("5")
    box.press("Tab")
    page.wait_for_function("(b) => !b.disabled", arg=journey.button(train, "Train").element_handle(), timeout=30_000)
    journey.button(train, "Train").click()
    model_id = re.search(r"Trained (\S+)\.", wait_for_status(journey, train, r"Trained (\S+)\.")).group(1)

    # -- save it on the server and download it through the page --------------------------
    models = journey.open_tab("Models")
    pick_models(models.locator("select").first, model_id)
    models.locator(".h2odash-model-view-ready").wait_for(timeout=60_000)
    saved = kept / model_id
    journey.field(models, "Save to", "input").fill(str(saved))
    journey.button(models, "Save").click()
    wait_for_status(journey, models, rf"Saved {re.escape(model_id)} to {re.escape(str(saved))}")
    assert saved.stat().st_size > 0
    journey.button(models, "Download").click()
    link = models.locator(".h2odash-model-download a")
    link.wait_for(timeout=60_000)
    models.locator(".h2odash-model-files").scroll_into_view_if_needed()
    journey.screenshot("model-saved-and-download-ready")
    with page.expect_download() as arrival:
        link.click()
    downloaded = tmp_path / "downloaded_model"
    arrival.value.save_as(downloaded)
    assert arrival.value.suggested_filename == model_id and downloaded.stat().st_size > 0

    # -- delete it, then load it back from the server path --------------------------------
    delete_model(journey, models, model_id)
    journey.field(models, "Load from", "input").fill(str(saved))
    journey.button(models, "Load model").click()
    wait_for_status(journey, models, rf"Loaded {re.escape(model_id)} from")
    title = models.locator(".h2odash-model-view-ready .h2odash-model-title")
    title.wait_for(timeout=60_000)
    assert model_id in title.inner_text() and model_id in listed_models(models)
    journey.screenshot("model-loaded")

    # -- and again from the downloaded file, through the upload button ---------------------
    delete_model(journey, models, model_id)
    with page.expect_file_chooser() as chooser:   # ipywidgets' file input is not in the page
        models.locator(".h2odash-model-files .widget-upload").click()
    chooser.value.set_files(str(downloaded))
    upload = journey.button(models, "Upload model")
    page.wait_for_function("(b) => !b.disabled", arg=upload.element_handle(), timeout=30_000)
    upload.click()
    wait_for_status(journey, models, rf"Loaded {re.escape(model_id)} from")
    title.wait_for(timeout=60_000)
    assert model_id in listed_models(models)
    journey.screenshot("model-uploaded")

    # -- the workspace now keeps the frame and the model ----------------------------------
    cluster = journey.open_tab("Cluster")
    # the panel's HTML is replaced when it re-reads the server: look the element up each time
    page.wait_for_function(
        "() => [...document.querySelectorAll('.h2odash-workspace')].some(el => /objects kept\\s*[2-9]/.test(el.innerText))",
        timeout=30_000)
    assert "kB" in shown.inner_text() or "MB" in shown.inner_text()
    journey.screenshot("workspace-holding-work")
    assert not page.errors, f"JavaScript errors in the page: {page.errors}"
