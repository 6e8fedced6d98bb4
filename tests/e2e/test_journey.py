"""The whole journey in a browser: ``h2odash app`` → load the example data → import a bigger
file → train a GBM while its scoring-history chart grows → AutoML → score a frame.

The embedded engine has no AutoML yet: then the AutoML step checks that the panel says so
plainly; on a server with AutoML it runs a small one and watches the leaderboard fill.
"""
from __future__ import annotations

import re
import time

import numpy as np
import pandas as pd
import pytest

# A guard, not the measurement: the bar for the first page load (5 s, kernel preheated) is
# measured by `python -m benchmarks.ui` on a quiet machine (about 3 s); here, with the suite's
# servers and other tests loading the same 2 cores, only a page three times slower fails.
FIRST_RENDER_LIMIT_S = 15.0
STEP_TIMEOUT_MS = 120_000

pytestmark = pytest.mark.timeout(900)


@pytest.fixture
def slow_csv(tmp_path):
    """A binary problem big enough that an 800-tree GBM takes ~15 s here, so its chart visibly
    grows even when a loaded machine makes each full-page screenshot take seconds."""
    rng = np.random.default_rng(7)
    n = 100_000
    x = rng.normal(size=(n, 8))
    frame = pd.DataFrame(x, columns=[f"x{i}" for i in range(8)])
    frame["label"] = np.where(x[:, 0] + x[:, 1] ** 2 - x[:, 2] * x[:, 3] + rng.normal(size=n) > 1, "yes", "no")
    path = tmp_path / "slow_training.csv"
    frame.to_csv(path, index=False)
    return path


class Journey:
    """Finds the dashboard's widgets in the page by their visible labels and h2odash-* classes."""

    def __init__(self, page, artifacts):
        self.page = page
        self.artifacts = artifacts
        self.shots = 0

    def screenshot(self, name: str) -> None:
        self.shots += 1
        self.page.screenshot(path=str(self.artifacts / f"{self.shots:02d}-{name}.png"), full_page=True)

    def panel(self, name: str):
        return self.page.locator(f".h2odash-{name}")

    def open_tab(self, title: str):
        self.page.locator(".lm-TabBar-tab", has_text=re.compile(f"^{re.escape(title)}$")).click()
        panel = self.panel(title.lower())
        panel.wait_for(state="visible")
        return panel

    @staticmethod
    def field(panel, label: str, element: str = "select"):
        """The input of the widget whose description is exactly ``label``."""
        exact = re.compile(f"^{re.escape(label)}$")
        return panel.locator(".widget-inline-hbox", has=panel.page.locator("label", has_text=exact)).locator(element)

    @staticmethod
    def button(panel, text: str):
        # By text content: an icon's glyph would be part of the accessible name.
        return panel.locator("button", has_text=re.compile(rf"^\s*{re.escape(text)}\s*$"))

    def select_when_offered(self, select, value: str) -> None:
        """Pick ``value`` in a dropdown once the dashboard has offered it (options arrive after
        the frame is chosen)."""
        self.page.wait_for_function("([select, value]) => [...select.options].some(o => o.textContent === value)",
                                    arg=[select.element_handle(), value])
        select.select_option(value)

    def start_automl(self, automl, frame: str, response: str, max_models: int = 3, seed: int = 1) -> None:
        """Fill the AutoML form (frame, response, max models, seed) and start the run."""
        self.field(automl, "Frame").select_option(frame)
        self.select_when_offered(self.field(automl, "Response"), response)
        for name, value in (("Max models", str(max_models)), ("Seed", str(seed))):
            box = self.field(automl, name, "input")
            box.fill(value)
            box.press("Tab")
        self.button(automl, "Start AutoML").click()

    def wait_status(self, panel, pattern: str, timeout: float = STEP_TIMEOUT_MS) -> str:
        """Wait for the panel's status line to match ``pattern``; fail at once on an error."""
        status = panel.locator(".h2odash-panel-status").first
        deadline = time.monotonic() + timeout / 1000
        while time.monotonic() < deadline:
            text = status.inner_text()
            if status.locator(".h2odash-error").count():
                self.screenshot("error")
                pytest.fail(f"the panel reported an error: {text}")
            if re.search(pattern, text):
                return text
            time.sleep(0.1)
        self.screenshot("timeout")
        pytest.fail(f"status never matched {pattern!r}; last: {text!r}")

    def chart_points(self, panel) -> int:
        """Points of the longest series drawn in the panel's scoring-history chart."""
        return self.page.evaluate(
            """(root) => {
                const plots = root.querySelectorAll('.js-plotly-plot');
                let most = 0;
                for (const plot of plots) for (const trace of (plot.data || [])) most = Math.max(most, (trace.x || []).length);
                return most;
            }""", panel.locator(".h2odash-scoring-history").element_handle())


def test_journey_from_example_data_to_predictions(app, page, artifacts, slow_csv):
    journey = Journey(page, artifacts)

    # -- first render: the app is up and its kernel preheated (the app fixture waits) ------
    started = time.monotonic()
    page.goto(app.url, timeout=60_000)
    page.locator(".h2odash-status").wait_for(state="visible", timeout=60_000)
    first_render = time.monotonic() - started
    print(f"first render: {first_render:.1f} s", flush=True)
    assert "engine: embedded" in page.locator(".h2odash-status").inner_text()
    journey.screenshot("dashboard")

    # -- load the example data and import a bigger file ------------------------------------
    frames = journey.open_tab("Frames")
    journey.field(frames, "Example").select_option("prostate")
    journey.button(frames, "Load example").click()
    journey.wait_status(frames, r"Parsed prostate\.hex")
    frames.locator("table", has_text="CAPSULE").first.wait_for()
    journey.screenshot("example-loaded")

    journey.field(frames, "Server path", "input").fill(str(slow_csv))
    journey.button(frames, "Import").click()
    journey.wait_status(frames, r"columns guessed")
    journey.field(frames, "Frame name", "input").fill("slow.hex")
    journey.button(frames, "Parse").click()
    journey.wait_status(frames, r"Parsed slow\.hex")
    journey.screenshot("frame-imported")

    # -- train a GBM and watch the scoring history grow ------------------------------------
    train = journey.open_tab("Train")
    journey.field(train, "training_frame").select_option("slow.hex")
    journey.select_when_offered(journey.field(train, "response_column"), "label")
    train.get_by_text(re.compile(r"Model: classification")).wait_for()
    for name, value in (("ntrees", "800"), ("max_depth", "6")):
        box = journey.field(train, name, "input")
        box.fill(value)
        box.press("Tab")
    journey.button(train, "Train").click()
    journey.wait_status(train, r"Training \S+…")
    counts = []
    deadline = time.monotonic() + 240
    while len(counts) < 2 and time.monotonic() < deadline:
        points = journey.chart_points(train)
        still_training = "Training" in train.locator(".h2odash-panel-status").inner_text()
        if not still_training:
            break
        if points and (not counts or points > counts[-1]):
            counts.append(points)
            journey.screenshot(f"training-{len(counts)}")
        time.sleep(0.2)
    print(f"scoring-history points seen while training: {counts}", flush=True)
    assert len(counts) == 2 and counts[1] > counts[0], (
        f"the scoring-history chart did not grow while training (points seen: {counts})")
    done = journey.wait_status(train, r"Trained (\S+)\.", timeout=300_000)
    model_id = re.search(r"Trained (\S+)\.", done).group(1)
    assert journey.chart_points(train) >= counts[-1]
    journey.screenshot("trained")

    # -- AutoML: run it where the server has it, else the panel must say so ----------------
    automl = journey.open_tab("AutoML")
    if automl.locator(".h2odash-no-automl").count():
        assert "This server has no AutoML" in automl.locator(".h2odash-no-automl").inner_text()
        assert journey.button(automl, "Start AutoML").is_disabled()
        journey.screenshot("automl-unavailable")
    else:
        journey.start_automl(automl, "prostate.hex", "CAPSULE")
        rows = automl.locator(".h2odash-leaderboard tbody tr")
        rows.first.wait_for(timeout=300_000)
        journey.screenshot("automl-running")
        journey.wait_status(automl, r"AutoML (done|finished)", timeout=600_000)
        assert rows.count() >= 3, "the leaderboard should list at least the 3 models asked for"
        journey.screenshot("automl-done")
        # the leader, opened from the bottom of the page, shows from its title (the page scrolls);
        # on a laptop-sized window, where the leaderboard runs past the fold
        tall = page.viewport_size
        page.set_viewport_size({"width": 1300, "height": 700})
        opener = automl.locator(".h2odash-leaderboard-rows select")
        page.mouse.move(650, 350)
        page.mouse.wheel(0, 5000)  # to the bottom, as a user reading the leaderboard would
        page.wait_for_timeout(300)
        leader = opener.evaluate("(s) => s.options[0].textContent").replace("\xa0", " ").split()[1]  # "1. id  AUC …"
        opener.select_option(index=0)
        models = journey.panel("models")
        title = models.locator(".h2odash-model-view-ready .h2odash-model-title")
        title.wait_for(timeout=60_000)
        assert leader in title.inner_text()
        page.wait_for_function("(t) => { const r = t.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }",
                               arg=title.element_handle(), timeout=10_000)
        journey.screenshot("leader-opened")
        page.set_viewport_size(tall)

    # -- score a frame and see the predictions --------------------------------------------
    predict = journey.open_tab("Predict")
    # models are listed as "id · algorithm · metric · time", the newest first
    model_picker = journey.field(predict, "Model")
    model_picker.select_option(label=model_picker.locator("option", has_text=model_id).first.inner_text())
    journey.field(predict, "Frame").select_option("slow.hex")
    journey.button(predict, "Score").click()
    journey.wait_status(predict, r"Predictions in frame")
    table = predict.locator(".h2odash-predictions table")
    table.wait_for()
    assert "predict" in table.locator("thead").inner_text()
    assert table.locator("tbody tr").count() == 20
    assert "AUC" in predict.inner_text()
    journey.screenshot("predictions")

    assert not page.errors, f"JavaScript errors in the page: {page.errors}"
    assert first_render <= FIRST_RENDER_LIMIT_S, f"first render took {first_render:.1f} s"
