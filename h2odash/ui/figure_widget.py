"""A Plotly FigureWidget whose JavaScript reaches the page once, not once per chart.

Plotly (6 and later) draws a ``FigureWidget`` through anywidget, and anywidget loads a widget's
JavaScript from the widget's own ``_esm`` trait: plotly's is a 5 MB bundle, sent over the
websocket with every new figure and evaluated again as a fresh module each time. A model view of
ten charts therefore moved 50 MB and evaluated plotly.js ten times, and the page's heap grew
with every view. Here every figure carries a few hundred bytes of JavaScript that waits for one
shared copy of plotly's module; that copy travels in :class:`PlotlyBundle`, a widget made once
per kernel before the first figure (so its comm opens first and nothing waits on a model the
page has not heard of yet).
"""
from __future__ import annotations

from copy import deepcopy
from pathlib import Path

import anywidget
import plotly
import plotly.graph_objects as go
import traitlets

_BUNDLE_PATH = Path(plotly.__file__).parent / "package_data" / "widgetbundle.js"

# Both sides meet on one promise on the page's global object: whichever runs first creates it.
_SHARED_PROMISE = ("const g = globalThis;\n"
                   "g.__h2odashPlotly ??= new Promise((resolve) => { g.__h2odashPlotlyResolve = resolve; });\n")

_BUNDLE_ESM = _SHARED_PROMISE + """
export default {
  initialize({ model }) {
    if (g.__h2odashPlotlyLoading) return;
    g.__h2odashPlotlyLoading = true;
    const url = URL.createObjectURL(new Blob([model.get("bundle")], { type: "text/javascript" }));
    // Not awaited: the model is ready at once; figures wait on the promise instead.
    import(url).then((module) => { URL.revokeObjectURL(url); g.__h2odashPlotlyResolve(module.default); });
  },
};
"""

# A figure's model must not wait for plotly at load: anywidget gives a model 2 s to load its
# module and initialize, and plotly's 5 MB takes longer on a busy machine (every figure then
# failed). So the module returns at once and queues plotly's own initialize and render on the
# shared promise; what Python changed meanwhile is in the synced state the render reads
# (:func:`keep_page_state`).
# Plotly's anywidget view also sizes a figure once, when drawn: one drawn in a hidden tab stayed at
# plotly's default 700 px. Figures are made "responsive" (they resize on the window's resize
# event), and a ResizeObserver raises that event when a figure's element changes width: a tab
# shown, a panel widened.
_FIGURE_ESM = _SHARED_PROMISE + """
export default () => {
  const ready = g.__h2odashPlotly.then((makeWidget) => makeWidget());
  let initialized = ready;
  return {
    initialize(context) {
      initialized = ready.then((widget) => { widget.initialize(context); return widget; });
    },
    render(context) {
      let cleanup = null;
      let disposed = false;
      let width = 0;
      const observer = new ResizeObserver(() => {
        const now = context.el.clientWidth;
        if (now > 0 && now !== width) {
          width = now;
          window.dispatchEvent(new Event("resize"));
        }
      });
      initialized.then((widget) => {
        if (disposed) return;
        cleanup = widget.render(context);
        width = context.el.clientWidth;
        observer.observe(context.el);
      });
      return () => { disposed = true; observer.disconnect(); if (cleanup) cleanup(); };
    },
  };
};
"""


class PlotlyBundle(anywidget.AnyWidget):
    """Carries plotly's widget JavaScript to the page once per kernel (never displayed)."""

    _esm = traitlets.Unicode(_BUNDLE_ESM).tag(sync=True)
    bundle = traitlets.Unicode().tag(sync=True)


_bundle: PlotlyBundle | None = None


def ensure_bundle() -> PlotlyBundle:
    """The kernel's :class:`PlotlyBundle`, made (again, if it was closed) before any figure."""
    global _bundle
    if _bundle is None or _bundle.comm is None:
        _bundle = PlotlyBundle(bundle=_BUNDLE_PATH.read_text(encoding="utf-8"))
    return _bundle


def keep_page_state(fig: go.FigureWidget) -> None:
    """Write the figure's traces and layout into its synced widget state.

    Plotly sends changes as one-off messages that only a page already showing the figure applies;
    the synced state is written when the figure is made or displayed on its own, never as the
    child of a box. A view drawn later (a tab opened after the change, a page loaded after the
    cell ran, plotly still loading) would otherwise show what the figure was when made.
    """
    fig._widget_data = deepcopy(fig._data)
    fig._widget_layout = deepcopy(fig._layout_obj._props)


class Figure(go.FigureWidget):
    """``go.FigureWidget`` with the shared JavaScript; otherwise the same object."""

    _esm = _FIGURE_ESM

    def __init__(self, *args, **kwargs):
        ensure_bundle()
        super().__init__(*args, **kwargs)
        self._config = {**self._config, "responsive": True, "displaylogo": False}
