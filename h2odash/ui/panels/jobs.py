"""Jobs: every job on the server with its status and progress, kept up to date; cancel one."""
from __future__ import annotations

from dataclasses import dataclass, field

import ipywidgets as widgets
import pandas as pd

from h2odash.client import H2OClient
from h2odash.client.jobs import job_id_of

from ..tables import to_html
from .base import Panel

RUNNING = ("CREATED", "RUNNING")


def jobs_table(jobs: list[dict]) -> pd.DataFrame:
    """Newest first: what each job does, its status and progress, and what it produces."""
    rows = [{"job": job_id_of(j), "description": j.get("description"), "status": j.get("status"),
             "progress": f"{100 * float(j.get('progress') or 0):.0f}%",
             "result": (j.get("dest") or {}).get("name"), "start_time": j.get("start_time") or 0}
            for j in jobs]
    table = pd.DataFrame(rows, columns=["job", "description", "status", "progress", "result", "start_time"])
    return table.sort_values("start_time", ascending=False).drop(columns="start_time")


@dataclass
class JobsState:
    jobs: list[dict] = field(default_factory=list)

    @property
    def running(self) -> list[str]:
        return [job_id_of(j) for j in self.jobs if j.get("status") in RUNNING]


class JobsPanel(Panel):
    """All jobs, refreshed every ``interval`` seconds while ``live`` is ticked."""

    def __init__(self, client: H2OClient, interval: float = 1.0):
        self.state = JobsState()
        self.interval = interval
        self.table = widgets.HTML()
        self.live = widgets.Checkbox(value=True, description="Update live", indent=False)
        self.refresh_button = widgets.Button(description="Refresh", icon="refresh")
        self.running = widgets.Dropdown(description="Running", options=[], layout=widgets.Layout(width="460px"))
        self.cancel_button = widgets.Button(description="Cancel job", icon="stop")
        self.refresh_button.on_click(lambda _: self.refresh())
        self.cancel_button.on_click(self._on_cancel)
        self.live.observe(self._on_live, names="value")
        super().__init__(client, [widgets.HBox([self.refresh_button, self.live]),
                                  widgets.HBox([self.running, self.cancel_button]), self.table])
        self.refresh()
        self._live_poller = self.poll(self._update, interval=self.interval)

    def refresh(self) -> None:
        self.guarded(self._update)

    def _update(self) -> bool:
        """Re-read the jobs; False keeps the live poller going (until 'Update live' is unticked)."""
        self.state.jobs = self.client.jobs()
        self.table.value = to_html(jobs_table(self.state.jobs))
        running = self.state.running
        keep = self.running.value if self.running.value in running else None
        self.running.options = running
        self.running.value = keep if keep else (running[0] if running else None)
        self.cancel_button.disabled = not running
        return not self.live.value

    def _on_live(self, change) -> None:
        if change["new"] and not self._live_poller.running:
            self._live_poller = self.poll(self._update, interval=self.interval)

    def _on_cancel(self, _button) -> None:
        if self.running.value:
            job = self.running.value
            self.guarded(lambda: (self.client.cancel_job(job), self.status.info(f"Asked {job} to stop.")))
