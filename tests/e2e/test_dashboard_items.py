"""Issue 13's clarity items in a real browser, once per server: ``h2odash app --h2o <server>`` in
headless chromium, models made through the REST client (the views are under test, not training),
then every item checked as a user sees it: where statuses land, which metric set a model opens
on, the model card, the threshold's scores, charts that read, the comparison, the grid view, the
forms' defaults and the pickers.
"""
from __future__ import annotations

import re

import pandas as pd
import pytest

from .conftest import running_app
from .test_journey import Journey

pytestmark = pytest.mark.timeout(900)


@pytest.fixture
def app_on(server_url, tmp_path):
    """``h2odash app`` on the server under test."""
    with running_app(tmp_path / "app.log", "--h2o", server_url, "--no-workspace") as started:
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
    listed.select_option(label=[label_of(labels, m) for m in model_ids])


def label_of(labels: list[str], name: str) -> str:
    """The option label that is ``name`` or starts with it followed by `` · ``; ipywidgets writes
    the labels' spaces as non-breaking ones."""
    return next(l for l in labels if l.replace("\xa0", " ").split(" · ")[0] == name)


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

    # -- 3. a forest's training metrics are out-of-bag, and the caption says so ------------
    pick_models(listed, m["drf"])
    wait_ready(page, m["drf"])
    sets.locator("button", has_text=re.compile("^training$")).click()
    page.wait_for_function("(c) => c.innerText.includes('training data') && c.innerText.includes('Out-Of-Bag')",
                           arg=sets.locator(".h2odash-metric-set-caption").element_handle(), timeout=30_000)
    sets.locator("button", has_text=re.compile("^validation$")).click()

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
    # The options and the button are separate widget messages: wait for the second to arrive.
    journey.button(train, "Train").wait_for(state="visible")
    page.wait_for_function("(b) => !b.disabled", arg=journey.button(train, "Train").element_handle(),
                           timeout=30_000)
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


def settled_select(select, value: str) -> None:
    """Pick the option whose label is ``value`` or starts with it (``GBM_1 · GBM · AUC…``) once the
    picker offers it and its options have stopped changing."""
    select.page.wait_for_function(
        "([s, v]) => [...s.options].some((o) => o.textContent.replace(/\\u00a0/g, ' ').split(' · ')[0] === v)",
        arg=[select.element_handle(), value], timeout=60_000)
    select.page.wait_for_timeout(500)
    labels = select.evaluate("(s) => [...s.options].map((o) => o.textContent)")
    select.select_option(label=label_of(labels, value))


def test_data_items_in_a_browser(app_on, page, artifacts, client, models_made, tmp_path, server_kind):
    """Items 8–12: frames, split, predictions, jobs and a folder with unreadable entries."""
    journey = Journey(page, artifacts)
    m = models_made
    page.goto(app_on.url, timeout=120_000)
    page.locator(".h2odash-status").wait_for(state="visible", timeout=120_000)
    frames = journey.open_tab("Frames")

    # -- 12. a folder with an unreadable entry: the rest is offered, the skipped one named ---
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "good.csv").write_text("colour;size\nred;1\nblue;2\nred;3\n")
    (folder / "dangling.csv").symlink_to(folder / "gone.csv")
    journey.field(frames, "Server path", "input").fill(str(folder))
    journey.button(frames, "Import").click()
    said = journey.wait_status(frames, "columns guessed")
    if server_kind == "embedded":  # H2O-3 passes over a dangling link without listing it in fails
        assert "Skipped 1 unreadable file(s)" in said and "dangling.csv" in said, said

    # -- 8. the parse setup: a preview under the proposed types; the separator can change ----
    preview = frames.locator(".h2odash-setup-preview")
    types = preview.locator("th.h2odash-type")
    page.wait_for_function("(p) => p.querySelectorAll('th.h2odash-type').length > 0", arg=preview.element_handle())
    if types.count() != 2:  # not guessed: the user says it is a semicolon
        journey.field(frames, "Separator").select_option(label="semicolon ;")
        page.wait_for_function("(p) => p.querySelectorAll('th.h2odash-type').length === 2",
                               arg=preview.element_handle(), timeout=30_000)
    assert [t.strip().lower() for t in types.all_inner_texts()] == ["enum", "numeric"]
    journey.screenshot("parse-setup")
    journey.button(frames, "Parse").click()
    journey.wait_status(frames, r"Parsed ")

    # -- 8. every column in one table with a small histogram; types in the preview --------
    settled_select(journey.field(frames, "Frame"), m["prostate"])
    overview = frames.locator(".h2odash-columns")
    page.wait_for_function("(o) => o.querySelectorAll('tbody tr').length === 9", arg=overview.element_handle(),
                           timeout=60_000)
    text = overview.inner_text()
    for heading in ("type", "missing", "min", "max", "mean", "distinct"):
        assert heading in text, heading
    assert overview.locator("svg.h2odash-spark").count() >= 8
    assert "enum" in frames.locator(".h2odash-frame-preview th.h2odash-type").all_inner_texts()
    journey.field(frames, "Column").select_option("AGE")
    bars = plots_when(frames, "traces.some((t) => t.type === 'bar')")[0]["traces"][0]["n"]
    assert 5 <= bars <= 50, bars   # re-binned from H2O's fine histogram

    # -- 9. split with a seed: both parts named train/test and reported -------------------
    split_status = frames.locator(".h2odash-panel-status").nth(1)
    journey.field(frames, "Split ratios", "input").fill("0.8, 0.2")
    journey.field(frames, "Split ratios", "input").press("Tab")
    journey.button(frames, "Split").click()
    page.wait_for_function("(s) => /Split .* into /.test(s.innerText)", arg=split_status.element_handle(),
                           timeout=120_000)
    said = split_status.inner_text()
    assert "_train" in said and "_test" in said and "seed 42" in said, said
    rows = [int(n) for n in re.findall(r"\((\d+) rows\)", said)]
    assert len(rows) == 3 and rows[1] + rows[2] == rows[0] == 380, said
    journey.screenshot("split")

    # -- 10. predictions: row number, the actual value, inputs on request, a download -----
    predict = journey.open_tab("Predict")
    settled_select(journey.field(predict, "Model"), m["gbm"])
    settled_select(journey.field(predict, "Frame"), m["test"])
    journey.button(predict, "Score").click()
    journey.wait_status(predict, "Predictions in frame")
    table = predict.locator(".h2odash-predictions")
    header = table.locator("thead").first.inner_text()
    assert "row" in header and "actual CAPSULE" in header and "AGE" not in header, header
    predict.get_by_text("Show input columns").click()
    page.wait_for_function("(t) => t.querySelector('thead').innerText.includes('AGE')", arg=table.element_handle())
    link = predict.locator(".h2odash-download-link a")
    # the link is rebuilt with the inputs once they are shown
    page.wait_for_function("""(box) => { const a = box.querySelector('a');
        return !!a && atob(a.href.split(',')[1]).split('\\n')[0].includes('AGE'); }""",
                           arg=predict.locator(".h2odash-download-link").element_handle(), timeout=60_000)
    assert link.bounding_box()["y"] < page.viewport_size["height"]   # one click, in view
    with page.expect_download() as download:
        link.click()
    saved = tmp_path / "predictions.csv"
    download.value.save_as(saved)
    downloaded = pd.read_csv(saved)
    assert {"row", "actual CAPSULE", "predict", "AGE"} <= set(downloaded.columns)
    assert len(downloaded) == client.frame(m["test"], row_count=0)["rows"]
    journey.screenshot("predict")

    # -- 11. jobs: what each did, when, how long, and its result; no raw key the widest ---
    jobs = journey.open_tab("Jobs")
    listed = jobs.locator(".h2odash-jobs-table table")
    page.wait_for_function("(t) => t.innerText.includes('Train GBM')", arg=listed.element_handle(), timeout=60_000)
    assert [h.strip() for h in listed.locator("thead th").all_inner_texts() if h.strip()][:5] == \
        ["job", "status", "started", "took", "result"]
    assert f"Train GBM on {m['train']}" in listed.inner_text()
    journey.screenshot("jobs")
    widths = listed.locator("thead th").evaluate_all("(ths) => ths.map((th) => th.getBoundingClientRect().width)")
    headings = [h.strip() for h in listed.locator("thead th").all_inner_texts()]
    assert max(widths) == widths[headings.index("job")], (dict(zip(headings, widths)), listed.inner_text())
    assert not page.errors, f"JavaScript errors in the page: {page.errors}"
