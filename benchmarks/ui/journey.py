"""The dashboard in chromium: the user's actions, and when the page they lead to is ready.

Widgets are found by their h2odash-* classes and visible labels, as the browser tests find them.

**Ready** (what every timed figure waits for), measured on the page's own clock:

1. the kernel has finished: the model view carries ``h2odash-model-view-ready`` again after the
   action (when the view has that class at all), and the view's title names what was asked for
   (the model id, or "Comparing 3 models");
2. then every tab of the view's chart Tab is clicked in turn, and in each one every visible
   Plotly chart holds traces with points and the whole page has drawn nothing for
   :data:`QUIET_MS`;
3. the time is from just before the action to the last chart drawn (or the kernel's ready
   signal, if later) — not to the end of the quiet wait, which only proves nothing else came.

A view without that class (older code) counts the kernel done when it goes idle after the
action (the websocket's status messages). A figure whose JavaScript is still loading (an empty
widget element, or an ``h2odash-chart`` box without a plot) is not ready.

Tabs without charts (the model card, tables) count as ready once shown. A chart that the action
does not change (variable importance when the metric set changes) is not waited for: it drew
before and holds data.
"""
from __future__ import annotations

import re
import time

from .probe import Probe

QUIET_MS = 300
STEP_TIMEOUT_S = 60.0
READY_CLASS = "h2odash-model-view-ready"
METRIC_SET_LABELS = ("training", "validation", "cross-validation")

# Watches the Models panel for the kernel's "view filled" class and notes when it (re)appears.
ARM_JS = """
(readyClass) => {
  const bench = window.__bench;
  bench.readyAt = null;
  bench.titleAt = null;
  bench.actionAt = performance.now();
  bench.observer?.disconnect();
  const panel = document.querySelector(".h2odash-models");
  if (!panel) return bench.actionAt;
  bench.observer = new MutationObserver((records) => {
    for (const r of records) {
      if (r.target.classList && r.target.classList.contains(readyClass)
          && !(r.oldValue || "").split(" ").includes(readyClass)) bench.readyAt = performance.now();
    }
  });
  bench.observer.observe(panel, { subtree: true, attributes: true, attributeFilter: ["class"],
                                  attributeOldValue: true });
  return bench.actionAt;
}
"""

# Shared by the checks below: the view, its chart Tab, points of a trace, visibility.
HELPERS = """
const panel = document.querySelector(".h2odash-models");
const view = panel && (panel.querySelector(".h2odash-model-view") || panel);
const visible = (el) => !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
const points = (t) => Math.max(0, ...["x", "y", "z", "values", "dimensions", "cells"].map(
  (k) => (t[k] && t[k].length) || 0));
const charts = view ? [...view.querySelectorAll(".widget-tab")].filter(visible)[0] : null;
const lastDraw = (root) => Math.max(0, ...[...root.querySelectorAll(".js-plotly-plot")].map(
  (gd) => (gd.__benchDraws || []).at(-1) || 0));
"""

# The kernel has filled the view: ready class back after the action (if the view uses it) and
# the title names what was asked for. Returns the moment that happened, or false.
KERNEL_DONE_JS = "([readyClass, title]) => {" + HELPERS + """
  if (!view || !visible(view)) return false;
  const bench = window.__bench;
  const usesClass = view.classList.contains("h2odash-model-view");
  if (usesClass && !(bench.readyAt && view.classList.contains(readyClass))) return false;
  const heading = panel.querySelector(".h2odash-model-title") || panel.querySelector("h4");
  if (!heading || !heading.textContent.includes(title)) return false;
  bench.titleAt ??= performance.now();
  return usesClass ? bench.readyAt : bench.titleAt;
}
"""

# The Tab of charts: titles, and which one is selected.
TABS_JS = "() => {" + HELPERS + """
  if (!charts) return [];
  const bar = charts.querySelector(".lm-TabBar");
  return [...bar.querySelectorAll(".lm-TabBar-tab")].map(
    (t) => [t.textContent.trim(), t.classList.contains("lm-mod-current")]);
}
"""

# The shown tab page's charts all hold points, and nothing on the page drew for quietMs.
# Returns the moment its last chart drew, or false.
TAB_READY_JS = "([quietMs]) => {" + HELPERS + """
  if (!charts) return false;
  const pages = [...charts.querySelectorAll(":scope > .widget-tab-contents > *, :scope > .lm-StackedPanel > *")];
  const page = pages.find(visible);
  if (!page) return false;
  const plots = [...page.querySelectorAll(".js-plotly-plot")].filter(visible);
  for (const gd of plots) {
    if (!gd.__benchDraws || !(gd.data || []).some((t) => points(t) > 0)) return false;
  }
  // A figure still loading its JavaScript is an empty widget element, not a plot yet.
  if ([...page.querySelectorAll(".lm-Widget")].some((el) => el.className === "lm-Widget" && !el.childElementCount)) {
    return false;
  }
  const boxes = [...page.querySelectorAll(".h2odash-chart")].filter(visible);
  if (boxes.some((box) => !box.querySelector(".js-plotly-plot"))) {
    return false;
  }
  const now = performance.now();
  if (now - lastDraw(document) < quietMs) return false;
  return Math.max(window.__bench.actionAt, ...plots.map((gd) => gd.__benchDraws.at(-1)));
}
"""

DIAGNOSE_JS = "() => {" + HELPERS + """
  const pages = charts ? [...charts.querySelectorAll(":scope > .widget-tab-contents > *")] : [];
  const page = pages.find(visible);
  return {now: performance.now(), lastDraw: lastDraw(document), pages: pages.length,
          visiblePage: page ? page.className : null,
          plots: page ? [...page.querySelectorAll(".js-plotly-plot")].map((gd) => ({
            visible: visible(gd), points: (gd.data || []).map(points),
            draws: (gd.__benchDraws || []).slice(-3)})) : []};
}
"""


class StepTimeout(RuntimeError):
    pass


class Dashboard:
    """One browser tab on ``h2odash app``."""

    def __init__(self, page, probe: Probe, timeout: float = STEP_TIMEOUT_S):
        self.page = page
        self.probe = probe
        self.timeout = timeout  # seconds a step may take before it counts as failed

    # -- finding things ------------------------------------------------------------------
    def panel(self, name: str):
        return self.page.locator(f".h2odash-{name}")

    def open_tab(self, title: str):
        self.page.locator(".lm-TabBar-tab", has_text=re.compile(f"^{re.escape(title)}$")).first.click()
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
        return panel.locator("button", has_text=re.compile(rf"^\s*{re.escape(text)}\s*$"))

    def wait_status(self, panel, pattern: str, timeout: float = STEP_TIMEOUT_S) -> str:
        status = panel.locator(".h2odash-panel-status").first
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = status.inner_text()
            if status.locator(".h2odash-error").count():
                raise RuntimeError(f"the panel reported an error: {text}")
            if re.search(pattern, text):
                return text
            time.sleep(0.1)
        raise StepTimeout(f"status never matched {pattern!r}; last: {text!r}")

    # -- the journey's set-up ------------------------------------------------------------
    def load(self, url: str) -> float:
        started = time.monotonic()
        self.page.goto(url, timeout=120_000)
        self.page.locator(".h2odash-status").wait_for(state="visible", timeout=120_000)
        return time.monotonic() - started

    def load_example(self, name: str = "prostate") -> None:
        frames = self.open_tab("Frames")
        self.field(frames, "Example").select_option(name)
        self.button(frames, "Load example").click()
        self.wait_status(frames, rf"Parsed {re.escape(name)}\.hex")

    def run_automl(self, frame: str, response: str, max_models: int = 3, seed: int = 1,
                   timeout: float = 900) -> list[str]:
        """Start AutoML in its panel and wait for it; returns the leaderboard's model ids."""
        automl = self.open_tab("AutoML")
        if automl.locator(".h2odash-no-automl").count():
            raise RuntimeError("this server has no AutoML")
        self.field(automl, "Frame").select_option(frame)
        response_field = self.field(automl, "Response")
        self.page.wait_for_function("([s, r]) => [...s.options].some(o => o.textContent === r)",
                                    arg=[response_field.element_handle(), response])
        response_field.select_option(response)
        for name, value in (("Max models", str(max_models)), ("Seed", str(seed))):
            box = self.field(automl, name, "input")
            box.fill(value)
            box.press("Tab")
        self.button(automl, "Start AutoML").click()
        self.wait_status(automl, r"AutoML (done|finished)", timeout=timeout)
        rows = automl.locator(".h2odash-leaderboard-rows select")
        rows.locator("option").first.wait_for(state="attached")
        return [value for value in rows.evaluate("(s) => [...s.options].map(o => o.textContent)")]

    # -- actions ---------------------------------------------------------------------------
    def arm(self) -> float:
        """Note the moment of the action (page clock, ms) and watch for the kernel's ready class."""
        self.armed_at = time.perf_counter()
        self.probe.traffic.idle_at.clear()
        return self.page.evaluate(ARM_JS, READY_CLASS)

    def _kernel_idle(self, start_ms: float, deadline: float) -> float:
        """For a view without the ready class: the page-clock moment the kernel went idle after
        handling the action (from the websocket's status messages)."""
        while time.monotonic() < deadline:
            idle = self.probe.traffic.idle_after(self.armed_at)
            if idle is not None:
                return start_ms + (idle - self.armed_at) * 1000
            self.page.wait_for_timeout(20)  # lets playwright deliver websocket events
        raise StepTimeout("the kernel never went idle after the action")

    def models_select(self):
        return self.panel("models").locator("select").first

    def choose_models(self, model_ids: list[str]) -> None:
        """Select exactly these models in the Models list (options whose text holds each id)."""
        found = self.models_select().evaluate(
            """(select, ids) => {
                let found = 0;
                for (const o of select.options) {
                  const text = o.textContent.trim();
                  o.selected = ids.some((id) => text === id || text.split(/\\s+/).includes(id));
                  found += o.selected;
                }
                select.dispatchEvent(new Event("change", { bubbles: true }));
                return found;
            }""", model_ids)
        if found != len(model_ids):
            raise RuntimeError(f"found {found} of {model_ids} in the Models list")

    def wait_models_listed(self, model_ids: list[str], timeout: float = 60) -> None:
        self.page.wait_for_function(
            "([select, ids]) => ids.every((id) => [...select.options].some((o) => o.textContent.includes(id)))",
            arg=[self.models_select().element_handle(), model_ids], timeout=timeout * 1000)

    def wait_view_ready(self, start_ms: float, title: str, all_tabs: bool = True,
                        timeout: float | None = None) -> dict:
        """Wait until the view is ready (see the module docstring); returns ``seconds`` (action to
        ready, page clock), ``kernel_s`` (action to the kernel's ready signal) and ``tabs``."""
        timeout = timeout or self.timeout
        ms = timeout * 1000
        uses_class = self.page.evaluate("() => !!document.querySelector('.h2odash-models .h2odash-model-view')")
        idle_at = None if uses_class else self._kernel_idle(start_ms, time.monotonic() + timeout)
        kernel_at = self.page.wait_for_function(KERNEL_DONE_JS, arg=[READY_CLASS, title], timeout=ms,
                                                polling=20).json_value()
        kernel_at = max(kernel_at, idle_at or 0)
        last = kernel_at
        tabs = self.page.evaluate(TABS_JS)
        titles = [t for t, _ in tabs]
        current = next((i for i, (_, on) in enumerate(tabs) if on), 0)
        order = [current] + [i for i in range(len(titles)) if i != current] if all_tabs else [current]
        for i in order:
            if i != current:
                self.chart_tab(titles[i]).click()
            try:
                done = self.page.wait_for_function(TAB_READY_JS, arg=[QUIET_MS], timeout=ms, polling=20).json_value()
            except Exception as exc:
                raise StepTimeout(f"tab {titles[i]!r} never ready: {self.page.evaluate(DIAGNOSE_JS)}") from exc
            last = max(last, done)
        if all_tabs and order[-1] != current:
            self.chart_tab(titles[current]).click()  # leave the view as the action left it
        return {"seconds": (last - start_ms) / 1000, "kernel_s": (kernel_at - start_ms) / 1000, "tabs": titles}

    def chart_tab(self, title: str):
        view = self.panel("models")
        return view.locator(".widget-tab .lm-TabBar-tab", has_text=re.compile(f"^{re.escape(title)}$")).last

    def open_model(self, model_id: str, all_tabs: bool = True) -> dict:
        start = self.arm()
        self.choose_models([model_id])
        return self.wait_view_ready(start, model_id, all_tabs)

    def compare(self, model_ids: list[str], all_tabs: bool = True) -> dict:
        start = self.arm()
        self.choose_models(model_ids)
        return self.wait_view_ready(start, f"Comparing {len(model_ids)} models", all_tabs)

    def next_metric_set(self) -> str:
        """The metric-set button after the one selected (cycling), skipping disabled ones."""
        states = self.panel("models").locator("button").evaluate_all(
            """(buttons, labels) => buttons.filter((b) => labels.includes(b.textContent.trim()) && b.offsetParent)
                 .map((b) => [b.textContent.trim(), b.disabled,
                              b.classList.contains("mod-info") || b.classList.contains("mod-active")])""",
            list(METRIC_SET_LABELS))
        enabled = [label for label, disabled, _ in states if not disabled]
        current = next((label for label, _, on in states if on), None)
        if len(enabled) < 2:
            raise RuntimeError(f"fewer than two metric sets to switch between: {states}")
        order = [label for label in METRIC_SET_LABELS if label in enabled]
        return order[(order.index(current) + 1) % len(order)] if current in order else order[0]

    def switch_metric_set(self, label: str, title: str, all_tabs: bool = True) -> dict:
        button = self.button(self.panel("models"), label).first
        start = self.arm()
        button.click()
        return self.wait_view_ready(start, title, all_tabs)

    def leaderboard_choice(self) -> str:
        """The model id of the row chosen in the AutoML panel's "Open model" list ("" if none)."""
        return self.panel("automl").locator(".h2odash-leaderboard-rows select").evaluate(
            """(select) => { const o = select.options[select.selectedIndex];
                             return o ? (o.textContent.split(/\s+/).find((w) => w.includes("_")) || "") : ""; }""")

    def open_from_leaderboard(self, model_id: str, all_tabs: bool = True) -> dict:
        automl = self.panel("automl")
        rows = automl.locator(".h2odash-leaderboard-rows select")
        start = self.arm()
        found = rows.evaluate(
            """(select, id) => {
                const option = [...select.options].find((o) => o.textContent.split(/\\s+/).includes(id));
                if (!option) return false;
                select.value = option.value;
                option.selected = true;
                select.dispatchEvent(new Event("change", { bubbles: true }));
                return true;
            }""", model_id)
        if not found:
            raise RuntimeError(f"{model_id} is not in the leaderboard list")
        return self.wait_view_ready(start, model_id, all_tabs)

    def move_threshold(self, key: str = "ArrowRight", timeout: float | None = None) -> dict:
        """Move the ROC tab's Threshold slider one step with the keyboard; ``seconds`` until the
        confusion matrix text changed, ``charts_s`` until the charts' threshold marks were drawn
        (page clock). The ROC tab must be shown."""
        timeout = timeout or self.timeout
        models = self.panel("models")
        slider = models.locator(".widget-slider", has=self.page.locator("label", has_text=re.compile("^Threshold$")))
        handle = slider.locator(".noUi-handle").first
        handle.focus()
        confusion = models.locator(".h2odash-confusion").first
        before = confusion.inner_text()
        start = self.page.evaluate("performance.now()")
        handle.press(key)
        changed = self.page.wait_for_function(
            """([el, before]) => el.innerText !== before && performance.now()""",
            arg=[confusion.element_handle(), before], timeout=timeout * 1000, polling="raf").json_value()
        drawn = self.page.wait_for_function("([quietMs]) => {" + HELPERS + """
            const last = lastDraw(document);
            return performance.now() - last >= quietMs && last; }""", arg=[QUIET_MS], timeout=timeout * 1000,
                                            polling=20).json_value()
        return {"seconds": (changed - start) / 1000, "charts_s": max(0.0, (drawn - start) / 1000)}
