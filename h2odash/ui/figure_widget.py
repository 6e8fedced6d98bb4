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

# Plotly's anywidget view sizes a figure once, when drawn: one drawn in a hidden tab stays at
# plotly's default 700 px. Figures are made "responsive" (they resize on the window's resize
# event), and a ResizeObserver raises that event when a figure's element changes width: a tab
# shown, a panel widened.
_FIGURE_ESM = _SHARED_PROMISE + """
const plotlyWidget = await g.__h2odashPlotly;
export default () => {
  const widget = plotlyWidget();
  return {
    initialize: widget.initialize,
    render(context) {
      const cleanup = widget.render(context);
      let width = context.el.clientWidth;
      const observer = new ResizeObserver(() => {
        const now = context.el.clientWidth;
        if (now > 0 && now !== width) {
          width = now;
          window.dispatchEvent(new Event("resize"));
        }
      });
      observer.observe(context.el);
      return () => { observer.disconnect(); if (cleanup) cleanup(); };
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


class Figure(go.FigureWidget):
    """``go.FigureWidget`` with the shared JavaScript; otherwise the same object."""

    _esm = _FIGURE_ESM

    def __init__(self, *args, **kwargs):
        ensure_bundle()
        super().__init__(*args, **kwargs)
        self._config = {**self._config, "responsive": True, "displaylogo": False}
