"""The protocol of a UI run (``python -m benchmarks.ui``), in one browser tab:

1. start an embedded engine and ``h2odash app --h2o <engine>``; open the page in headless
   chromium; load the prostate example in the Frames panel;
2. split it 80/20 and train three models through the REST client (GBM with 3 folds, GLM, DRF,
   all with the 20 % as validation frame, seed 1); run AutoML (max_models 3, seed 1) in the
   AutoML panel;
3. open a first model (its own row: the views are created then) and then, each ``repeat``
   times: open one model (cycling through the three), switch metric set, compare the three,
   leaderboard row → the leader's view, move the threshold slider; take the JavaScript heap;
4. open models until ``opens`` models have been opened in the tab, take the heap again and
   measure every figure again, to compare with the fresh tab.

Every sample also records what it cost: bytes over the websocket, widgets created, the kernel's
busy time, the browser's main-thread time and long tasks (see :mod:`benchmarks.ui.probe`).
"""
from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from .journey import Dashboard
from .probe import Probe, Span
from .processes import REPO_ROOT, App, Engine, export_commit, scratch_dir

CHROMIUM = os.environ.get("H2ODASH_CHROMIUM", "/usr/bin/chromium")
# As the browser tests launch it (tests/e2e/conftest.py): without these chromium stalls here.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1300, "height": 1500}
MODEL_IDS = ("bench_gbm", "bench_glm", "bench_drf")
# Issue 13's targets; after the long run, each figure and the heap within this of the fresh tab.
DEGRADATION_LIMIT = 1.20
# A page where this many steps in a row never got ready is broken (a chart that stopped taking
# updates stays empty): the rest of the run is recorded as skipped rather than timed out.
GIVE_UP_AFTER = 3


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    target_s: float | None


FIGURES = (
    Figure("first_open", "open the first model in the page (all tabs ready)", 1.5),
    Figure("open", "open one model (all tabs ready)", 1.5),
    Figure("metric_set", "switch metric set (all tabs ready)", 0.5),
    Figure("compare", "compare three models (all tabs ready)", 2.0),
    Figure("leaderboard", "leaderboard row → the leader's view (all tabs ready)", 2.0),
    Figure("threshold", "threshold slider → confusion matrix updated", 0.2),
)
REPEATED = ("open", "metric_set", "compare", "leaderboard", "threshold")


@dataclass
class Options:
    repeat: int = 5
    opens: int = 100
    quick: bool = False
    checkout: Path = REPO_ROOT
    commit: str | None = None   # measure this commit's tree (exported to a scratch folder) instead
    results_dir: Path = REPO_ROOT / "benchmarks" / "results"
    all_tabs: bool = True
    step_timeout: float = 60.0


@dataclass
class Samples:
    """A figure's samples in one phase (fresh tab, or after the long run)."""

    seconds: list[float] = field(default_factory=list)
    details: list[dict] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def median(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds else None

    def to_json(self) -> dict:
        return {"median": self.median, "samples": [round(s, 3) for s in self.seconds],
                "failures": self.failures, "details": self.details}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Run:
    """One tab on the app, the models it opens, and everything measured."""

    def __init__(self, options: Options, page, probe: Probe, client, app: App, work: Path):
        self.options = options
        self.page = page
        self.probe = probe
        self.dash = Dashboard(page, probe, options.step_timeout)
        self.client = client
        self.app = app
        self.work = work
        self.phases: dict[str, dict[str, Samples]] = {"fresh": {}, "after": {}}
        self.heap: dict[str, dict] = {}
        self.opens = 0          # model views opened in this tab so far (any kind)
        self.failures_in_a_row = 0
        self.automl_ids: list[str] = []
        self.info: dict = {}

    # -- set-up ------------------------------------------------------------------------
    def set_up(self) -> None:
        before = {k.pid for k in self.app.kernels()}  # the preheated kernel is the page's
        self.info["first_render_s"] = round(self.dash.load(self.app.url), 2)
        self.probe.kernel = next((k for k in self.app.kernels() if k.pid in before), None)
        self.info["kernel_pid"] = self.probe.kernel.pid if self.probe.kernel else None
        log(f"page rendered in {self.info['first_render_s']} s")
        self.heap["page_loaded"] = self.heap_now()
        self.dash.load_example("prostate")
        train, valid = self.client.split_frame("prostate.hex", [0.8], ["bench_train.hex", "bench_valid.hex"])
        common = dict(ignored_columns=["ID"], validation_frame=valid, seed=1)
        gbm, glm, drf = MODEL_IDS
        started = time.monotonic()
        self.client.train("gbm", train, "CAPSULE", model_id=gbm, ntrees=50, nfolds=3, **common)
        self.client.train("glm", train, "CAPSULE", model_id=glm, family="binomial", **common)
        self.client.train("drf", train, "CAPSULE", model_id=drf, ntrees=50, **common)
        log(f"trained {', '.join(MODEL_IDS)} in {time.monotonic() - started:.1f} s")
        started = time.monotonic()
        rows = self.dash.run_automl("prostate.hex", "CAPSULE", max_models=3, seed=1)
        self.automl_ids = [next(part for part in text.split() if "_" in part) for text in rows]
        log(f"AutoML in {time.monotonic() - started:.1f} s: {self.automl_ids}")
        models = self.dash.open_tab("Models")
        self.dash.button(models, "Refresh").click()
        self.dash.wait_models_listed(list(MODEL_IDS))
        self.heap["before_opens"] = self.heap_now()

    def heap_now(self) -> dict:
        heap = self.probe.heap_mb()
        metrics = self.probe.metrics()
        return {"js_heap_used_mb": round(heap, 1), "dom_nodes": int(metrics.get("Nodes", 0)),
                "js_event_listeners": int(metrics.get("JSEventListeners", 0)), "views_opened": self.opens}

    # -- measuring ---------------------------------------------------------------------
    def sample(self, phase: str, key: str) -> None:
        """Prepare the page for figure ``key`` (untimed), then time its action inside a
        :class:`Span`; keep the result, or the failure with a screenshot."""
        samples = self.phases.setdefault(phase, {}).setdefault(key, Samples())
        if self.failures_in_a_row >= GIVE_UP_AFTER:
            samples.failures.append(f"skipped: {GIVE_UP_AFTER} steps in a row failed (the page looks broken)")
            return
        try:
            getattr(self, f"prepare_{key}")()
            self.page.wait_for_timeout(200)  # let the preparation's last draws pass
            with Span(self.probe) as span:
                outcome = getattr(self, key)()
        except Exception as exc:  # noqa: BLE001 - a step that never gets ready is a result
            reason = f"{type(exc).__name__}: {str(exc)[:600]}"
            samples.failures.append(reason)
            shot = self.work / f"failed-{phase}-{key}-{len(samples.failures)}.png"
            try:
                self.page.screenshot(path=str(shot), full_page=True)
            except Exception:  # noqa: BLE001
                pass
            log(f"{phase} {key}: FAILED {reason} (screenshot {shot})")
            self.failures_in_a_row += 1
            self.recover()
            return
        self.failures_in_a_row = 0
        seconds = outcome.pop("seconds")
        samples.seconds.append(seconds)
        samples.details.append({"seconds": round(seconds, 3), **outcome, **span.summary()})
        extra = f"ready signal {outcome['kernel_s']:.2f} s, " if "kernel_s" in outcome else ""
        log(f"{phase} {key}: {seconds:.3f} s ({extra}kernel busy {span.traffic['kernel_busy_s']:.2f} s, "
            f"{span.traffic['received_bytes'] / 1e3:.0f} kB in, {span.traffic['widgets_created']} new widgets, "
            f"browser busy {span.cpu['TaskDuration']:.2f} s)")

    def recover(self) -> None:
        """After a failed step: back to the Models panel, so the next step starts from it."""
        try:
            self.dash.open_tab("Models")
        except Exception:  # noqa: BLE001
            pass

    def current_title(self) -> str:
        """The model id the view shows, or its "Comparing n models" title, or ""."""
        text = self.page.evaluate(
            "() => (document.querySelector('.h2odash-models .h2odash-model-title')"
            " || document.querySelector('.h2odash-models h4') || {}).textContent || ''").strip()
        if text.startswith("Comparing"):
            return text
        return text.split()[0] if text.split() else ""

    def show_model(self, model_id: str) -> None:
        """Untimed: the Models panel showing ``model_id`` (its first tab ready)."""
        self.dash.open_tab("Models")
        if self.current_title() != model_id:
            self.dash.open_model(model_id, all_tabs=False)
            self.opens += 1

    # Each figure: prepare_<key> puts the page where the action starts (untimed); <key> acts
    # and waits until ready, returning at least "seconds".
    def prepare_open(self) -> None:
        self.dash.open_tab("Models")
        shown = self.current_title()
        choices = [m for m in MODEL_IDS if m != shown]
        self._next = choices[self.opens % len(choices)]

    def open(self) -> dict:
        outcome = self.dash.open_model(self._next, self.options.all_tabs)
        self.opens += 1
        return {**outcome, "model": self._next}

    prepare_first_open = prepare_open
    first_open = open

    def prepare_metric_set(self) -> None:
        self.show_model(MODEL_IDS[0])
        self._next = self.dash.next_metric_set()

    def metric_set(self) -> dict:
        return {**self.dash.switch_metric_set(self._next, MODEL_IDS[0], self.options.all_tabs), "to": self._next}

    def prepare_compare(self) -> None:
        if self.current_title().startswith("Comparing"):
            self.show_model(MODEL_IDS[0])
        self.dash.open_tab("Models")

    def compare(self) -> dict:
        outcome = self.dash.compare(list(MODEL_IDS), self.options.all_tabs)
        self.opens += 1
        return outcome

    def prepare_leaderboard(self) -> None:
        # Always the leader. A row already chosen in the list opens nothing when chosen again,
        # and a model already shown would not change the view: then another row is opened first.
        self._next = self.automl_ids[0]
        self.dash.open_tab("AutoML")
        if self._next in (self.current_title(), self.dash.leaderboard_choice()):
            self.dash.open_from_leaderboard(self.automl_ids[1], all_tabs=False)
            self.opens += 1
            self.dash.open_tab("AutoML")

    def leaderboard(self) -> dict:
        outcome = self.dash.open_from_leaderboard(self._next, self.options.all_tabs)
        self.opens += 1
        return {**outcome, "model": self._next}

    def prepare_threshold(self) -> None:
        if self.current_title() not in MODEL_IDS:
            self.show_model(MODEL_IDS[0])
        self.dash.open_tab("Models")
        self.dash.chart_tab("ROC").click()
        self._key = "ArrowLeft" if self._key == "ArrowRight" else "ArrowRight"

    _key = "ArrowLeft"

    def threshold(self) -> dict:
        return {**self.dash.move_threshold(self._key), "key": self._key}

    def measure_figures(self, phase: str) -> None:
        for key in REPEATED:
            for _ in range(self.options.repeat):
                self.sample(phase, key)

    def run(self) -> None:
        self.set_up()
        self.sample("fresh", "first_open")
        self.measure_figures("fresh")
        self.heap["fresh"] = self.heap_now()
        log(f"heap after the fresh figures ({self.opens} views): {self.heap['fresh']}")
        if self.options.quick:
            return
        while self.opens < self.options.opens and self.failures_in_a_row < GIVE_UP_AFTER:
            self.sample("long", "open")
            if self.opens % 10 == 0:
                self.heap[f"after_{self.opens}"] = self.heap_now()
                log(f"{self.opens} views opened; heap {self.heap[f'after_{self.opens}']}")
        self.heap["after_opens"] = self.heap_now()
        self.measure_figures("after")
        self.heap["after"] = self.heap_now()


# -- report ------------------------------------------------------------------------------------
def _ratio(after: float | None, fresh: float | None) -> float | None:
    return after / fresh if after is not None and fresh else None


def results_of(run: Run) -> list[dict]:
    rows = []
    for figure in FIGURES:
        fresh = run.phases["fresh"].get(figure.key, Samples())
        after = run.phases["after"].get(figure.key)
        ratio = _ratio(after.median if after else None, fresh.median)
        met = None if fresh.median is None or figure.target_s is None else fresh.median <= figure.target_s
        rows.append({"key": figure.key, "label": figure.label, "unit": "s", "target_s": figure.target_s,
                     "fresh": fresh.to_json(), "after": after.to_json() if after else None,
                     "after_over_fresh": ratio, "meets_target": met and not fresh.failures,
                     "meets_degradation": None if ratio is None else ratio <= DEGRADATION_LIMIT})
    return rows


def _cost(samples: Samples) -> str:
    """Medians of what a sample cost: websocket bytes in, widgets created, the browser's main
    thread, the kernel's CPU time (its busy time when the CPU time is unknown)."""
    if not samples.details:
        return "—"

    def median(values):
        values = [v for v in values if v is not None]
        return statistics.median(values) if values else None

    kb = median(d["received_bytes"] for d in samples.details) / 1e3
    widgets = median(d["widgets_created"] for d in samples.details)
    browser = median(d["browser_main_thread_s"]["TaskDuration"] for d in samples.details)
    cpu = median(d.get("kernel_cpu_s") for d in samples.details)
    kernel = (f"kernel CPU {cpu:.2f} s" if cpu is not None
              else f"kernel busy {median(d['kernel_busy_s'] for d in samples.details):.2f} s")
    return f"{kb:,.0f} kB, {widgets:g} widgets, browser {browser:.2f} s, {kernel}"


def markdown_table(run: Run, results: list[dict]) -> str:
    after_opens = run.heap.get("after_opens", {}).get("views_opened")
    lines = ["| figure | median | samples | target | met | after {} views | per sample (median): websocket in, "
             "new widgets, browser main thread, kernel CPU |".format(after_opens or "N"),
             "|---|---|---|---|---|---|---|"]
    for row, figure in zip(results, FIGURES):
        fresh = run.phases["fresh"].get(figure.key, Samples())
        after = run.phases["after"].get(figure.key)
        median = "failed" if fresh.median is None and fresh.failures else (
            "—" if fresh.median is None else f"{fresh.median:.2f} s")
        samples = ", ".join(f"{s:.2f}" for s in fresh.seconds) or "—"
        if fresh.failures:
            samples += f" ({len(fresh.failures)} failed)"
        met = {True: "✓", False: "✗", None: "—"}[row["meets_target"]]
        later = "—"
        if after is not None and after.median is not None:
            ok = "✓" if row["meets_degradation"] else "✗"
            later = f"{after.median:.2f} s (×{row['after_over_fresh']:.2f} {ok})"
        elif after is not None and after.failures:
            later = f"failed ({len(after.failures)})"
        lines.append(f"| {figure.label} | {median} | {samples} | ≤ {figure.target_s:g} s | {met} | {later} | "
                     f"{_cost(fresh)} |")
    fresh_heap = run.heap.get("fresh", {}).get("js_heap_used_mb")
    after_heap = run.heap.get("after", {}).get("js_heap_used_mb")
    if fresh_heap is not None:
        later = "—"
        if after_heap is not None:
            ratio = after_heap / fresh_heap
            later = f"{after_heap:.0f} MB (×{ratio:.2f} {'✓' if ratio <= DEGRADATION_LIMIT else '✗'})"
        lines.append(f"| page JavaScript heap after GC (after the fresh figures, {run.heap['fresh']['views_opened']} "
                     f"views) | {fresh_heap:.0f} MB | — | within ×{DEGRADATION_LIMIT:g} | — | {later} | "
                     f"DOM nodes {run.heap['fresh']['dom_nodes']:,} |")
    return "\n".join(lines)


def code_version(root: Path) -> dict:
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""
    return {"checkout": str(root), "commit": git("rev-parse", "HEAD") or None,
            "uncommitted_changes": git("status", "--porcelain", "--", "h2odash").splitlines()}


def write_json(payload: dict, results_dir: Path) -> Path:
    results_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = results_dir / f"ui-{stamp}.json"
    n = 1
    while path.exists():
        path = results_dir / f"ui-{stamp}-{n}.json"
        n += 1
    path.write_text(json.dumps(payload, indent=2, default=str))
    return path


def _load() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def run(options: Options) -> dict:
    """Run the journey and return the payload (also written as JSON)."""
    from playwright.sync_api import sync_playwright

    started = datetime.now(timezone.utc)
    load_before = _load()
    work = scratch_dir()
    log(f"scratch folder (app and engine logs, screenshots of failed steps): {work}")
    checkout, code = options.checkout, None
    if options.commit:
        checkout = work / "checkout"
        full = export_commit(options.commit, checkout)
        code = {"checkout": f"git archive {full}", "commit": full, "uncommitted_changes": []}
        log(f"measuring commit {full} (exported to {checkout})")
    code = code or code_version(checkout)
    engine = Engine(work, code_root=checkout)
    app = None
    errors: list[str] = []
    console: list[str] = []
    try:
        app = App(engine.url, engine.token, work, code_root=checkout)
        app.wait_ready()
        client = engine.client()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
            try:
                context = browser.new_context(viewport=VIEWPORT)
                page = context.new_page()
                page.on("pageerror", lambda error: errors.append(str(error)))
                page.on("console", lambda message: console.append(f"{message.type}: {message.text}"[:500])
                        if message.type in ("error", "warning") and len(console) < 200 else None)
                probe = Probe(page)
                bench = Run(options, page, probe, client, app, work)
                try:
                    bench.run()
                except Exception:
                    page.screenshot(path=str(work / "crashed.png"), full_page=True)
                    log(traceback.format_exc())
                    raise
                finally:
                    page.goto("about:blank")  # Voilà sees the tab go and shuts its kernel down
                    context.close()
            finally:
                browser.close()
    finally:
        if app is not None:
            app.stop()
        engine.stop()

    results = results_of(bench)
    table = markdown_table(bench, results)
    payload = {
        "created": started.isoformat(timespec="seconds"),
        "options": {k: str(v) if isinstance(v, Path) else v for k, v in options.__dict__.items()},
        "command": [sys.executable, *sys.argv],
        "code": code,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "load_before": load_before,
                    "load_after": _load(), "chromium": CHROMIUM},
        "readiness": "see benchmarks/ui/journey.py: kernel's ready class and title, then every tab clicked and "
                     "every visible chart holding points, nothing drawn for 300 ms; time = action to last draw",
        "info": bench.info,
        "views_opened": bench.opens,
        "heap": bench.heap,
        "results": results,
        "long_run": bench.phases.get("long", {}).get("open", Samples()).to_json(),
        "page_errors": errors,
        "console_errors": console,
        "scratch": str(work),
        "table": table,
    }
    payload["results_file"] = str(write_json(payload, Path(options.results_dir)))
    return payload
