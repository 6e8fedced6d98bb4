"""Cluster: which server the dashboard talks to, how it is doing, and where it keeps its work."""
from __future__ import annotations

import html

import ipywidgets as widgets
import pandas as pd

from h2odash.client import H2OClient

from ..tables import human_bytes, to_html
from .base import Panel


def cluster_facts(cloud: dict, engine: str) -> pd.DataFrame:
    """What a user wants to know about the server, from ``GET /3/Cloud``."""
    nodes = cloud.get("nodes") or []
    facts = {
        "server": cloud.get("cloud_name"),
        "engine": engine,
        "version": cloud.get("version"),
        "healthy": cloud.get("cloud_healthy"),
        "nodes": cloud.get("cloud_size") or len(nodes),
        "cores": sum(int(n.get("num_cpus") or 0) for n in nodes) or None,
        "free memory": human_bytes(sum(float(n.get("free_mem") or 0) for n in nodes)) if nodes else None,
        "uptime": f"{(cloud.get('cloud_uptime_millis') or 0) / 1000:.0f} s",
    }
    return pd.DataFrame({"": list(facts), "value": [str(v) for v in facts.values()]})


# What start-up brings back, in the words of the workspace's kinds (GET /3/Workspace "restored").
_RESTORED_WORDS = (("frame", "frame"), ("model", "model"), ("grid", "grid"), ("automl", "AutoML run"))


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def restored_text(restored: dict | None) -> str:
    """``3 frames, 2 models; 1 interrupted job marked failed (0.12 s)`` from the start-up summary."""
    parts = [_count(restored[kind], word) for kind, word in _RESTORED_WORDS if restored and restored.get(kind)]
    text = ", ".join(parts) or "nothing: the workspace was empty"
    if not restored:
        return text
    if restored.get("jobs"):
        text += f"; {_count(restored['jobs'], 'job')} that a restart interrupted, shown as failed"
    if restored.get("seconds") is not None:
        text += f" ({float(restored['seconds']):.2f} s)"
    return text


def workspace_html(report: dict | None, engine: str) -> str:
    """Where the server keeps its work (``GET /3/Workspace``), or that it keeps it in memory only."""
    if not report or not report.get("folder"):
        how = ("start it with <code>h2odash serve --workspace DIR</code> (h2odash app keeps one unless told "
               "<code>--no-workspace</code>) to keep work across restarts"
               if report is not None else f"{html.escape(engine)} has no workspace")
        return ("<div class='h2odash-workspace h2odash-no-workspace'><b>Work is kept in memory only</b>: frames "
                "and models end when the server stops. Save models (Models panel) or export frames (Frames "
                f"panel) to keep them; {how}.</div>")
    size = human_bytes(report.get("size_bytes"))
    if report.get("limit_bytes"):
        size += f" of {human_bytes(report['limit_bytes'])} allowed"
    facts = pd.DataFrame({"": ["folder", "size", "objects kept", "restored at start-up"],
                          "value": [report["folder"], size, str(report.get("objects") or 0),
                                    restored_text(report.get("restored"))]})
    set_aside = report.get("set_aside") or []
    if set_aside:
        aside = (f"<b style='color:#b00020'>Set aside at start-up ({len(set_aside)})</b> — these files failed "
                 "their checks and were not loaded:" + to_html(pd.DataFrame(set_aside, columns=["file", "reason"])))
    else:
        aside = "<small>Nothing was set aside at start-up: every file passed its checks.</small>"
    # words and paths read from the left (the shared table style right-aligns numbers)
    left = "<style>.h2odash-workspace .h2odash-table td,.h2odash-workspace .h2odash-table th{text-align:left}</style>"
    return (f"{left}<div class='h2odash-workspace'>Frames, models, grids and AutoML runs are kept in this folder as "
            f"they are made, and come back after a restart.{to_html(facts)}{aside}</div>")


class ClusterPanel(Panel):
    """Server facts and its workspace, re-read with Refresh."""

    def __init__(self, client: H2OClient):
        self.cloud: dict = {}
        self.url = widgets.HTML()
        self.facts = widgets.HTML()
        self.workspace = widgets.HTML()
        self.report: dict | None = None
        self.refresh_button = widgets.Button(description="Refresh", icon="refresh")
        self.refresh_button.on_click(lambda _: self.refresh())
        super().__init__(client, [widgets.HBox([self.url, self.refresh_button]), self.facts,
                                  widgets.HTML("<h4 style='margin:8px 4px 4px'>Workspace</h4>"), self.workspace])
        self.refresh()

    def refresh(self) -> None:
        def load():
            self.cloud = self.client.cloud()
            engine = self.client.engine_kind(self.cloud)
            self.url.value = f"<b>{self.client.url}</b>"
            self.facts.value = to_html(cluster_facts(self.cloud, engine))
            self.report = self.client.workspace()
            self.workspace.value = workspace_html(self.report, engine)
        self.guarded(load)
