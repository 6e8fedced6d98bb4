"""Issue 13's clarity items in a real browser, once per server: ``h2odash app --h2o <server>`` in
headless chromium, models made through the REST client (the views are under test, not training),
then every item checked as a user sees it: where statuses land, which metric set a model opens
on, the model card, the threshold's scores, charts that read, the comparison, the grid view, the
forms' defaults and the pickers.
"""
from __future__ import annotations

import re

import pytest

from .conftest import running_app
from .test_journey import Journey

pytestmark = pytest.mark.timeout(900)


@pytest.fixture
def app_on(server_url, tmp_path):
    """``h2odash app`` on the server under test."""
    with running_app(tmp_path / "app.log", "--h2o", server_url) as started:
        yield started


@pytest.fixture
def models_made(client, data_dir, frame_name):
    """prostate split in train/test; a GBM with a validation frame and 3 folds, a GLM and a DRF."""
    prostate = client.import_frame(str(data_dir / "prostate.csv"), destination_frame=frame_name("prostate"),
                                   column_types={"CAPSULE": "enum"})
    train, test = frame_name("p_train"), frame_name("p_test")
    client.split_frame(prostate, [0.75], destination_frames=[train, test])
    common = dict(ignored_columns=["ID"], validation_frame=test)
    gbm = client.train("gbm", train, "CAPSULE", ntrees=20, seed=1, nfolds=3, model_id=frame_name("gbm"), **common)
    glm = client.train("glm", train, "CAPSULE", family="binomial", model_id=frame_name("glm"), **common)
    drf = client.train("drf", train, "CAPSULE", ntrees=20, seed=1, model_id=frame_name("drf"), **common)
    return dict(prostate=prostate, train=train, test=test, gbm=gbm, glm=glm, drf=drf)


def plots(view) -> list[dict]:
    """The traces of every drawn plotly figure inside ``view`` that is visible, with its size."""
    return view.evaluate("""(root) => [...root.querySelectorAll('.js-plotly-plot')]
        .filter((p) => p.offsetParent !== null)
        .map((p) => ({width: p.getBoundingClientRect().width, layout: {yaxis2: !!(p.layout && p.layout.yaxis2),
                      xrange: p.layout && p.layout.xaxis && p.layout.xaxis.range},
                      traces: (p.data || []).map((t) => ({name: t.name, type: t.type, yaxis: t.yaxis || 'y',
                                                           dash: t.line && t.line.dash, n: (t.x || []).length}))}))""")


def plots_when(view, condition: str, timeout: float = 30_000) -> list[dict]:
    """:func:`plots` once some visible figure's traces satisfy ``condition`` (a JavaScript
    expression over ``traces``, the figure's ``data``, and ``p``, its element): figure data
    reaches the page after the click that asked for it."""
    view.page.wait_for_function(f"""(v) => [...v.querySelectorAll('.js-plotly-plot')].some((p) => {{
        const traces = p.data || [];
        return p.offsetParent !== null && ({condition});
    }})""", arg=view.element_handle(), timeout=timeout)
    return plots(view)


def open_view_tab(view, title: str) -> None:
    view.locator(".lm-TabBar-tab", has_text=re.compile(f"^{re.escape(title)}$")).first.click()
    view.page.wait_for_timeout(300)


def pick_models(listed, *model_ids: str) -> None:
    """Select models in the Models list by the id its labels start with (``GBM_1 · GBM · 18:32``),
    once the list has settled (a pick against options being replaced sends indices the kernel
    reads in the new list)."""
    listed.page.wait_for_timeout(500)
    labels = listed.evaluate("(s) => [...s.options].map((o) => o.textContent)")
    # ipywidgets writes the labels' spaces as non-breaking ones
    listed.select_option(label=[next(l for l in labels if l.replace("\xa0", " ").split(" · ")[0] == m)
                                for m in model_ids])


def wait_ready(page, model_id: str) -> None:
    page.wait_for_function("""(id) => {
        const view = document.querySelector('.h2odash-model-view-ready');
        const title = view && view.querySelector('.h2odash-model-title');
        return !!title && title.textContent.includes(id);
    }""", arg=model_id, timeout=60_000)


def test_dashboard_items_in_a_browser(app_on, page, artifacts, client, models_made, server_kind):
    journey = Journey(page, artifacts)
    m = models_made
    page.goto(app_on.url, timeout=120_000)
    page.locator(".h2odash-status").wait_for(state="visible", timeout=120_000)

    # -- 7. pickers show what the user made: fold models hidden unless asked for ------------
    models = journey.open_tab("Models")
    listed = models.locator("select").first
    page.wait_for_function("(s) => s.options.length > 0", arg=listed.element_handle())
    names = listed.evaluate("(s) => [...s.options].map((o) => o.value || o.textContent)")
    assert m["gbm"] in " ".join(names) and not any("_cv_" in n for n in names), names
    models.get_by_text("show cross-validation models and metalearners").click()
    page.wait_for_function("(s) => [...s.options].some((o) => o.textContent.includes('_cv_'))",
                           arg=listed.element_handle(), timeout=30_000)
    models.get_by_text("show cross-validation models and metalearners").click()
    page.wait_for_function("(s) => ![...s.options].some((o) => o.textContent.includes('_cv_'))",
                           arg=listed.element_handle(), timeout=30_000)

    # -- 2. a model opens on validation metrics and says so; a missing set is greyed out ----
    pick_models(listed, m["gbm"])
    wait_ready(page, m["gbm"])
    view = models.locator(".h2odash-model-view")
    sets = view.locator(".h2odash-metric-sets")
    assert "validation data" in sets.locator(".h2odash-metric-set-caption").inner_text()
    card = view.locator(".h2odash-model-card")
    card_text = card.inner_text()
    for expected in ("run time", "training frame", "validation frame", "3 folds", "mean ± sd", "ntrees", "AUC"):
        assert expected in card_text, expected
    journey.screenshot("model-card")
    pick_models(listed, m["glm"])
    wait_ready(page, m["glm"])
    assert sets.locator("button", has_text="cross-validation").is_disabled()  # the GLM has no folds
    assert not sets.locator("button", has_text=re.compile("^validation$")).is_disabled()

    # -- 2. the threshold: scores and confusion matrix at the chosen threshold, and why -----
    pick_models(listed, m["gbm"])
    wait_ready(page, m["gbm"])
    open_view_tab(view, "ROC")
    confusion = view.locator(".h2odash-confusion")
    before = confusion.inner_text()
    for score in ("accuracy", "precision", "recall", "F1"):
        assert score in before
    assert "F1 is highest" in view.locator(".h2odash-threshold-note").inner_text()
    handle = view.locator(".noUi-handle, .slider-container input, .widget-slider .ui-slider-handle").first
    handle.focus()
    for _ in range(10):
        handle.press("ArrowRight")
    page.wait_for_function("([el, old]) => el.innerText !== old", arg=[confusion.element_handle(), before],
                           timeout=10_000)
    journey.screenshot("threshold")

    # -- 4. charts that read ---------------------------------------------------------------
    panel_width = view.evaluate("(v) => v.getBoundingClientRect().width")
    open_view_tab(view, "Scoring history")
    history = plots_when(view, "traces.some((t) => t.name === 'validation')")[0]
    by_name = {t["name"]: t for t in history["traces"]}
    assert {"training", "validation"} <= set(by_name), plots(view)
    assert by_name["training"]["dash"] == "solid" and by_name["validation"]["dash"] == "dash"
    assert any(name.startswith("best (validation)") for name in by_name)
    assert history["width"] > 0.8 * panel_width  # as wide as the panel, not plotly's 700 px
    open_view_tab(view, "Gains/lift")
    gains = plots_when(view, "traces.some((t) => t.yaxis === 'y2')")[0]
    assert gains["layout"]["yaxis2"] and {t["yaxis"] for t in gains["traces"]} == {"y", "y2"}
    open_view_tab(view, "Precision-recall")
    pr_names = [t["name"] for t in plots_when(view, "traces.some((t) => t.name === 'threshold')")[0]["traces"]]
    assert any(n.startswith("chance") for n in pr_names) and "threshold" in pr_names
    journey.screenshot("charts")

    # -- 5. comparison: one sortable row per model, best highlighted, curves overlaid -------
    pick_models(listed, m["gbm"], m["glm"], m["drf"])
    page.wait_for_function("() => !!document.querySelector('.h2odash-model-view-ready .h2odash-sortable')")
    table = view.locator(".h2odash-sortable table")
    assert table.locator("tr").count() == 1 + 3  # the header, then a row per model
    assert table.locator("td.best").count() >= 1
    for title in ("ROC", "Precision-recall", "Variable importance"):
        open_view_tab(view, title)
        names = {t["name"] for p in plots_when(view, f"traces.some((t) => t.name === {m['drf']!r})")
                 for t in p["traces"]}
        assert {m["gbm"], m["glm"], m["drf"]} <= names, (title, names)
    cut = view.locator(".lm-TabBar-tabLabel").evaluate_all(
        "(labels) => labels.filter((l) => l.scrollWidth > l.clientWidth + 1).map((l) => l.textContent)")
    assert not cut, f"tab titles cut short: {cut}"
    journey.screenshot("comparison")

    # -- 6. defaults: the Train form proposes id-like columns as ignored, waits for a response
    train = journey.open_tab("Train")
    journey.field(train, "training_frame").select_option(m["prostate"])
    ignored = journey.field(train, "ignored_columns")
    page.wait_for_function("(s) => [...s.selectedOptions].some((o) => o.textContent === 'ID')",
                           arg=ignored.element_handle(), timeout=30_000)
    assert journey.button(train, "Train").is_disabled()  # no response yet
    journey.field(train, "response_column").select_option("CAPSULE")
    page.wait_for_function("(s) => ![...s.options].some((o) => o.textContent === 'CAPSULE')",
                           arg=ignored.element_handle(), timeout=30_000)
    assert not journey.button(train, "Train").is_disabled()
    truncated = train.locator(".h2odash-parameter-form label").evaluate_all(
        "(labels) => labels.filter((l) => l.offsetParent !== null && l.scrollWidth > l.clientWidth + 1)"
        ".map((l) => l.textContent)")
    assert not truncated, truncated
    ntrees_help = next(p["help"] for p in client.model_builder("gbm")["parameters"] if p["name"] == "ntrees")
    assert ntrees_help in train.inner_text()  # the help is written beside the field, not only on hover

    # -- 1. feedback where the user looks: a server error lands next to the Train button ----
    box = journey.field(train, "ntrees", "input")
    box.fill("-5")
    box.press("Tab")
    journey.button(train, "Train").click()
    status = train.locator(".h2odash-panel-status").first
    status.locator(".h2odash-error").wait_for(timeout=60_000)
    button_box = journey.button(train, "Train").bounding_box()
    status_box = status.bounding_box()
    assert 0 <= status_box["y"] - (button_box["y"] + button_box["height"]) < 150, (button_box, status_box)
    journey.screenshot("train-error")
    box.fill("50")
    box.press("Tab")

    # -- 5. a grid search from the Train panel ---------------------------------------------
    train.get_by_text("Grid search").click()
    grid = train.locator(".h2odash-grid")
    grid.wait_for()
    journey.button(grid, "Start grid").click()
    page.wait_for_function("() => document.querySelectorAll('.h2odash-grid-results .h2odash-sortable tr').length >= 3",
                           timeout=300_000)
    try:
        plots_when(grid, "traces.some((t) => t.type === 'parcoords' && (t.dimensions || []).length >= 2)", 300_000)
    finally:
        journey.screenshot("grid")

    # -- 6. AutoML's form: blank response, id-like columns ignored, says what it measures ---
    automl = journey.open_tab("AutoML")
    if not automl.locator(".h2odash-no-automl").count():
        frame_picker = journey.field(automl, "Frame")
        # The tab's refresh replaces the options: pick once they are the server's (a pick made
        # against the old list sends an index the kernel reads in the new one).
        page.wait_for_function("(s) => [...s.options].some((o) => o.textContent === %r)" % m["prostate"],
                               arg=frame_picker.element_handle(), timeout=30_000)
        page.wait_for_timeout(500)
        frame_picker.select_option(m["prostate"])
        aml_ignored = journey.field(automl, "Ignored columns")
        try:
            page.wait_for_function("(s) => [...s.selectedOptions].some((o) => o.textContent === 'ID')",
                                   arg=aml_ignored.element_handle(), timeout=30_000)
        finally:
            journey.screenshot("automl-form")
        assert journey.field(automl, "Response").input_value() in ("", None)
        assert journey.button(automl, "Start AutoML").is_disabled()
        assert "cross-validated" in automl.locator(".h2odash-automl-metrics-note").inner_text()

    assert not page.errors, f"JavaScript errors in the page: {page.errors}"
