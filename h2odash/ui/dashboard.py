"""The dashboard: every panel in one Tab, under a line saying which server it talks to."""
from __future__ import annotations

import html

import ipywidgets as widgets

from h2odash.client import H2OClient

from .panels.automl import AutoMLPanel
from .panels.cluster import ClusterPanel
from .panels.explain import ExplainPanel
from .panels.frames import FramesPanel
from .panels.jobs import JobsPanel
from .panels.models import ModelsPanel
from .panels.predict import PredictPanel
from .panels.train import TrainPanel
from .scroll import ScrollAnchor

PANELS = (("Cluster", ClusterPanel), ("Frames", FramesPanel), ("Train", TrainPanel), ("Models", ModelsPanel),
          ("AutoML", AutoMLPanel), ("Predict", PredictPanel), ("Explain", ExplainPanel), ("Jobs", JobsPanel))
# Panels that show models they made or listed get the dashboard's way to open one.
OPENS_MODELS = (TrainPanel, AutoMLPanel, JobsPanel)


def status_line(client: H2OClient) -> str:
    """``server · version · engine kind``, as HTML."""
    cloud = client.cloud()
    return (f"<div class='h2odash-status'>Server <b>{html.escape(client.url)}</b> · H2O {html.escape(str(cloud.get('version')))}"
            f" · engine: <b>{html.escape(client.engine_kind(cloud))}</b></div>")


class Dashboard(widgets.VBox):
    """All of h2odash in one widget: ``h2odash.Dashboard()`` in a notebook cell or a Voilà app.

    Parameters
    ----------
    conn : H2OClient or str, optional
        A client, or a server URL. Without one, :func:`h2odash.init` connects to
        ``localhost:54321`` or starts the embedded engine.
    """

    def __init__(self, conn: H2OClient | str | None = None):
        from h2odash.embedded import connect, init  # the one place the UI may start the engine

        self.client = conn if isinstance(conn, H2OClient) else (connect(conn) if conn else init())
        self.status = widgets.HTML(status_line(self.client))
        self.panels = {title: self._panel(panel_class) for title, panel_class in PANELS}
        self.tabs = widgets.Tab(children=list(self.panels.values()), titles=tuple(self.panels))
        self.tabs.observe(self._on_tab_selected, names="selected_index")
        self.top = ScrollAnchor()
        super().__init__([self.status, self.top, self.tabs])

    def _panel(self, panel_class):
        """A panel, given the dashboard's ways to open a model or explain a row where it offers them."""
        if panel_class in OPENS_MODELS:
            return panel_class(self.client, open_model=self.open_model)
        if panel_class is PredictPanel:
            return panel_class(self.client, explain_row=self.explain_row)
        return panel_class(self.client)

    def __getitem__(self, title: str):
        """The panel with this tab title, e.g. ``dashboard["Frames"]``."""
        return self.panels[title]

    def open_model(self, model_id: str) -> None:
        """Show ``model_id`` in the Models panel and bring that tab to the front."""
        self.panels["Models"].open_model(model_id)
        self.tabs.selected_index = list(self.panels).index("Models")
        # opened from lower down another panel: show the model from its title
        self.top.bring_into_view()

    def explain_row(self, model_id: str, frame_id: str, row: int) -> None:
        """Explain ``model_id`` on ``frame_id`` with row ``row`` (1 = first) in the waterfall."""
        self.tabs.selected_index = list(self.panels).index("Explain")
        self.panels["Explain"].explain([model_id], frame_id, row=row)
        self.top.bring_into_view()

    def _on_tab_selected(self, change) -> None:
        # Panels read the server when shown, so frames and models made elsewhere appear.
        if change["new"] is not None:
            list(self.panels.values())[change["new"]].refresh()

    def close(self) -> None:
        for panel in self.panels.values():
            panel.close()
        super().close()
