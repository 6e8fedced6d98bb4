"""Jobs: every job on the server, kept up to date: what it does (train GBM on prostate.hex, parse,
AutoML...), its status, when it started and how long it took, and its result, which a click opens
(a model in the Models panel); cancel a running one."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as widgets
import pandas as pd

from h2odash.client import H2OClient
from h2odash.client.jobs import job_id_of

from ..busy import local_status
from ..pickers import algorithm_name
from ..tables import to_html
from .base import OpenModel, Panel

RUNNING = ("CREATED", "RUNNING")
# Results longer than this are shortened in the table (the picker below it has them whole).
RESULT_CHARS = 48
# What H2O's job descriptions mean, for jobs that make a frame or something other than a model.
SUMMARY_WORK = "Compute percentiles (for a summary)"
_FRAME_WORK = {"Parse": "Parse", "SplitFrame": "Split", "Rapids": "Compute", "CreateFrame": "Create frame"}


def result_kind(job: dict) -> str | None:
    """``"model"``, ``"frame"``, ``"automl"``, ``"grid"``... from the type of the job's ``dest``."""
    kind = str((job.get("dest") or {}).get("type") or "")
    return kind.removeprefix("Key<").removesuffix(">").lower() or None


def describe_job(job: dict, models: dict[str, dict]) -> str:
    """What a job does in a user's words: ``Train GBM on prostate.hex``, ``Parse prostate.hex``,
    ``AutoML``... ``models`` maps model ids to their ``/3/Models`` entries (algorithm, training frame)."""
    description = str(job.get("description") or "")
    dest = (job.get("dest") or {}).get("name")
    kind = result_kind(job)
    if kind == "model":
        listed = models.get(dest) or {}
        algo = str(listed.get("algo") or description)
        frame = (listed.get("data_frame") or {}).get("name")
        if algo.upper().startswith("QUANTILES"):
            return SUMMARY_WORK
        return f"Train {algorithm_name(algo)}" + (f" on {frame}" if frame else "")
    if kind == "frame":
        verb = _FRAME_WORK.get(description, description)
        return f"{verb} {dest}" if verb in ("Parse", "Create frame") else verb
    if kind == "automl" or "automl" in description.lower():
        return f"AutoML {dest or ''}".strip()
    if kind == "grid" or "grid" in description.lower():
        return f"Grid search {dest or ''}".strip()
    return _FRAME_WORK.get(description, description) or "Job"


def _clock(millis: Any) -> str:
    try:
        moment = dt.datetime.fromtimestamp(float(millis) / 1000)
    except (TypeError, ValueError, OverflowError, OSError):
        return ""
    today = moment.date() == dt.date.today()
    return moment.strftime("%H:%M:%S" if today else "%b %d %H:%M:%S")


def duration(millis: Any) -> str:
    """``1877`` -> ``'1.9 s'``; minutes and hours for long jobs."""
    try:
        seconds = float(millis) / 1000
    except (TypeError, ValueError):
        return ""
    if seconds < 60:
        return f"{seconds:.1f} s"
    if seconds < 3600:
        return f"{int(seconds // 60)} min {seconds % 60:.0f} s"
    return f"{int(seconds // 3600)} h {int(seconds % 3600 // 60)} min"


def _short(name: str | None) -> str:
    if not name or len(name) <= RESULT_CHARS:
        return name or ""
    half = (RESULT_CHARS - 1) // 2
    return name[:half] + "…" + name[-half:]


def jobs_table(jobs: list[dict], models: dict[str, dict] | None = None) -> pd.DataFrame:
    """Newest first: what each job does, its status, when it started, how long it took (so far,
    while running) and what it made."""
    models = models or {}
    rows = []
    for job in jobs:
        status = str(job.get("status") or "")
        if status in RUNNING:
            status = f"{status.lower()} {100 * float(job.get('progress') or 0):.0f}%"
        what = describe_job(job, models)
        # A summary's percentiles are H2O-3's scratch model: nothing the user can open.
        result = "" if what == SUMMARY_WORK else _short((job.get("dest") or {}).get("name"))
        rows.append({"job": what, "status": status.lower(),
                     "started": _clock(job.get("start_time")), "took": duration(job.get("msec")),
                     "result": result,
                     "start_time": float(job.get("start_time") or 0)})
    table = pd.DataFrame(rows, columns=["job", "status", "started", "took", "result", "start_time"])
    return table.sort_values("start_time", ascending=False, kind="stable").drop(columns="start_time")


@dataclass
class JobsState:
    jobs: list[dict] = field(default_factory=list)
    # /3/Models entries by id, re-read only when a job names a model not seen yet (None: gone)
    models: dict[str, dict | None] = field(default_factory=dict)
    seen: set = field(default_factory=set)   # (model id, job status) pairs the models were read for

    @property
    def running(self) -> list[str]:
        return [job_id_of(j) for j in self.jobs if j.get("status") in RUNNING]

    @property
    def finished_models(self) -> list[str]:
        """Models made by finished jobs that still exist, newest first."""
        done = [j for j in self.jobs if j.get("status") == "DONE" and result_kind(j) == "model"]
        done.sort(key=lambda j: -float(j.get("start_time") or 0))
        names = [(j.get("dest") or {}).get("name") for j in done]
        return [n for n in dict.fromkeys(names) if n and self.models.get(n)]


class JobsPanel(Panel):
    """All jobs, refreshed every ``interval`` seconds while ``live`` is ticked.

    Parameters
    ----------
    client : H2OClient
    interval : float
        Seconds between two refreshes while "Update live" is ticked.
    open_model : callable, optional
        ``open_model(model_id)``: how the result of a training job is opened (the Dashboard
        passes one that shows the Models panel). Without it, the Open button stays hidden.
    """

    def __init__(self, client: H2OClient, interval: float = 1.0, open_model: OpenModel | None = None):
        self.state = JobsState()
        self.interval = interval
        self.open_model = open_model
        self._updating = self._picked_result = False
        self.table = widgets.HTML().add_class("h2odash-jobs-table")
        self.live = widgets.Checkbox(value=True, description="Update live", indent=False)
        self.refresh_button = widgets.Button(description="Refresh", icon="refresh")
        self.running = widgets.Dropdown(description="Running", options=[], layout=widgets.Layout(width="460px"))
        self.cancel_button = widgets.Button(description="Cancel job", icon="stop", disabled=True)
        self.result = widgets.Dropdown(description="Model made", options=[], layout=widgets.Layout(width="460px"),
                                       style={"description_width": "initial"})
        self.open_button = widgets.Button(description="Open in Models", icon="external-link", disabled=True)
        self.result_status = local_status()
        self.refresh_button.on_click(lambda _: self.refresh())
        self.cancel_button.on_click(self._on_cancel)
        self.open_button.on_click(self._on_open)
        self.result.observe(self._on_result_picked, names="value")
        self.live.observe(self._on_live, names="value")
        super().__init__(client, [widgets.HBox([self.refresh_button, self.live]),
                                  widgets.HBox([self.running, self.cancel_button]), self.status,
                                  # without a way to open models, the table's result column says it all
                                  widgets.HBox([self.result, self.open_button],
                                               layout=widgets.Layout(display="" if open_model else "none")),
                                  self.result_status,
                                  self.table])
        self.refresh()
        self._live_poller = self.poll(self._update, interval=self.interval)

    def refresh(self) -> None:
        self.guarded(self._update)

    def _update(self) -> bool:
        """Re-read the jobs; False keeps the live poller going (until 'Update live' is unticked)."""
        jobs = self.client.jobs()
        # The model list is read again only when a training job starts or ends, not every second.
        made = {((j.get("dest") or {}).get("name"), j.get("status")) for j in jobs if result_kind(j) == "model"}
        if made - self.state.seen:
            listed = {m["model_id"]["name"]: m for m in self.client.models()}
            self.state.models.update({name: listed.get(name) for name, _ in made})
            self.state.seen |= made
        self.state.jobs = jobs
        self.table.value = to_html(jobs_table(jobs, {k: v for k, v in self.state.models.items() if v}))
        running = self.state.running
        labels = {job_id_of(j): describe_job(j, {k: v for k, v in self.state.models.items() if v})
                  for j in jobs}
        keep = self.running.value if self.running.value in running else None
        self.running.options = [(f"{labels.get(r)} ({r[-8:]})", r) for r in running]
        self.running.value = keep if keep else (running[0] if running else None)
        self.cancel_button.disabled = not running
        results = self.state.finished_models
        if list(results) != [value for _, value in self.result.options]:
            # A model the user picked stays picked; otherwise the newest one is offered.
            keep = self.result.value if self._picked_result and self.result.value in results else None
            self._updating = True
            try:
                self.result.options = [(name, name) for name in results]
                self.result.value = keep or (results[0] if results else None)
            finally:
                self._updating = False
        self._update_open_button()
        return not self.live.value

    def _on_result_picked(self, change) -> None:
        if not self._updating:
            self._picked_result = change["new"] is not None
        self._update_open_button()

    def _update_open_button(self) -> None:
        self.open_button.disabled = self.open_model is None or not self.result.value

    def _on_live(self, change) -> None:
        if change["new"] and not self._live_poller.running:
            self._live_poller = self.poll(self._update, interval=self.interval)

    def _on_cancel(self, _button) -> None:
        if self.running.value:
            job = self.running.value
            self.guarded(lambda: (self.client.cancel_job(job), self.status.info(f"Asked {job} to stop.")))

    def _on_open(self, _button) -> None:
        if self.open_model is None or not self.result.value:
            return
        try:
            self.open_model(self.result.value)
            self.result_status.info(f"Opened {self.result.value} in the Models panel.")
        except Exception as exc:
            self.result_status.error(exc)
