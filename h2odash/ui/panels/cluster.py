"""Cluster: which server the dashboard talks to and how it is doing."""
from __future__ import annotations

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


class ClusterPanel(Panel):
    """Server facts, re-read with Refresh."""

    def __init__(self, client: H2OClient):
        self.cloud: dict = {}
        self.url = widgets.HTML()
        self.facts = widgets.HTML()
        self.refresh_button = widgets.Button(description="Refresh", icon="refresh")
        self.refresh_button.on_click(lambda _: self.refresh())
        super().__init__(client, [widgets.HBox([self.url, self.refresh_button]), self.facts])
        self.refresh()

    def refresh(self) -> None:
        def load():
            self.cloud = self.client.cloud()
            self.url.value = f"<b>{self.client.url}</b>"
            self.facts.value = to_html(cluster_facts(self.cloud, self.client.engine_kind(self.cloud)))
        self.guarded(load)
