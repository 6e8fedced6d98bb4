"""The Explain panel in a browser, on the embedded engine: a GBM trained in the app, then an AutoML
leaderboard, each explained; the time from the Explain click to the first chart drawn in the page
is measured (the issue's bar: 2 s for a prostate GBM), and screenshots are kept for reading."""
from __future__ import annotations

import re
import time

import pytest

from .test_journey import Journey

pytestmark = pytest.mark.timeout(900)
# The bar for the first chart of a prostate GBM; a loaded CI machine gets some slack.
FIRST_CHART_LIMIT_S = 2.0
CHARTS = 8

_DRAWN = """(root) => [...root.querySelectorAll('.h2odash-explain-chart .js-plotly-plot')]
    .filter(plot => (plot.data || []).some(trace => (trace.x || trace.z || []).length > 0)).length"""


def pick_models(journey, panel, pattern: str) -> None:
    """Select, in the Models list, every option whose text matches ``pattern``."""
    models = journey.field(panel, "Models")
    journey.page.wait_for_function(
        "([s, p]) => [...s.options].some(o => new RegExp(p).test(o.textContent))",
        arg=[models.element_handle(), pattern], timeout=60_000)
    labels = models.evaluate("(s, p) => [...s.options].map(o => o.textContent).filter(t => new RegExp(p).test(t))",
                             pattern)
    models.select_option(label=labels)


def explain(journey, panel, name: str) -> tuple[float, float]:
    """Click Explain; return seconds to the first chart drawn and to the whole explanation."""
    page = journey.page
    root = panel.element_handle()
    page.wait_for_function("(b) => !b.disabled", arg=journey.button(panel, "Explain").element_handle())
    status = panel.locator(".h2odash-panel-status").first
    before = status.inner_text()
    clicked = time.monotonic()
    journey.button(panel, "Explain").click()
    page.wait_for_function(f"(root) => ({_DRAWN})(root) > 0", arg=root, timeout=60_000, polling=20)
    first = time.monotonic() - clicked
    # The ready mark and the charts may still be the previous explanation's until the kernel's
    # messages arrive; the new run's closing status comes after all of its figures' messages.
    page.wait_for_function("([s, before]) => s.innerText !== before && s.innerText.includes('Explained')",
                           arg=[status.element_handle(), before], timeout=300_000)
    page.locator(".h2odash-explain.h2odash-explain-ready").wait_for(timeout=300_000)
    page.wait_for_function(f"""(root) => ({_DRAWN})(root)
        + root.querySelectorAll('.h2odash-chart-refusal').length >= {CHARTS}""", arg=root, timeout=120_000)
    whole = time.monotonic() - clicked
    journey.screenshot(name)
    print(f"{name}: first chart {first:.2f} s after the click, all charts {whole:.1f} s", flush=True)
    return first, whole


def test_explain_a_gbm_and_an_automl_leaderboard(app, page, artifacts):
    journey = Journey(page, artifacts)
    page.goto(app.url, timeout=60_000)
    page.locator(".h2odash-status").wait_for(state="visible", timeout=60_000)

    frames = journey.open_tab("Frames")
    journey.field(frames, "Example").select_option("prostate")
    journey.button(frames, "Load example").click()
    journey.wait_status(frames, r"Parsed prostate\.hex")

    train = journey.open_tab("Train")
    journey.field(train, "training_frame").select_option("prostate.hex")
    journey.select_when_offered(journey.field(train, "response_column"), "CAPSULE")
    train.get_by_text(re.compile(r"Model: classification")).wait_for()
    journey.button(train, "Train").click()
    done = journey.wait_status(train, r"Trained (\S+)\.", timeout=300_000)
    gbm = re.search(r"Trained (\S+)\.", done).group(1)

    # -- one GBM ----------------------------------------------------------------------------
    panel = journey.open_tab("Explain")
    pick_models(journey, panel, re.escape(gbm))
    first, _whole = explain(journey, panel, "explain-gbm")
    drawn = page.evaluate(_DRAWN, panel.element_handle())
    refusals = panel.locator(".h2odash-chart-refusal").all_inner_texts()
    # One model: only the model-correlation chart has nothing to compare (and says so).
    assert drawn == CHARTS - 1 and len(refusals) == 1 and "two or more models" in refusals[0], refusals
    assert not panel.locator(".h2odash-panel-status .h2odash-error").count()
    assert panel.locator("a.h2odash-download").count() >= CHARTS - 1
    assert not page.errors, page.errors
    assert first <= FIRST_CHART_LIMIT_S, f"the first chart took {first:.2f} s"

    # -- an AutoML leaderboard -----------------------------------------------------------------
    automl = journey.open_tab("AutoML")
    journey.start_automl(automl, "prostate.hex", "CAPSULE")
    journey.wait_status(automl, r"AutoML (done|finished)", timeout=600_000)

    panel = journey.open_tab("Explain")
    run = journey.field(panel, "AutoML run")
    page.wait_for_function("(s) => s.options.length > 1", arg=run.element_handle(), timeout=60_000)
    run.select_option(index=run.evaluate("(s) => s.options.length - 1"))
    page.wait_for_function("(s) => [...s.options].filter(o => o.selected).length >= 2",
                           arg=journey.field(panel, "Models").element_handle(), timeout=60_000)
    explain(journey, panel, "explain-automl")
    drawn = page.evaluate(_DRAWN, panel.element_handle())
    refusals = panel.locator(".h2odash-chart-refusal").all_inner_texts()
    assert drawn + len(refusals) == CHARTS and drawn >= 5, (drawn, refusals)
    overlaid = page.evaluate("""(root) => {
        const plot = [...root.querySelectorAll('.h2odash-explain-chart .js-plotly-plot')]
            .find(p => (p.layout.title.text || '').startsWith('Partial dependence'));
        return plot ? plot.data.filter(t => t.line && t.line.width === 3).length : 0; }""", panel.element_handle())
    assert overlaid >= 2, "partial dependence should overlay the leaderboard's models"
    assert not page.errors, page.errors
