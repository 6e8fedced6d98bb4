"""Bringing a part of the page into view from the kernel: a user who opens the AutoML leader
from the bottom of a long leaderboard, or imports a file whose parse setup appears below the fold,
must see what their click produced without hunting for it.

A :class:`ScrollAnchor` is an invisible widget placed just above that part; ``bring_into_view()``
scrolls the page so the anchor is at the top, unless it is already in the upper part of the
window (so a click never makes the page jump needlessly).
"""
from __future__ import annotations

import anywidget
import traitlets

_ESM = """
export default {
  render({ model, el }) {
    el.style.height = "0px";
    model.on("change:requests", () => {
      // after the other widgets of the same message have been drawn
      requestAnimationFrame(() => {
        const top = el.getBoundingClientRect().top;
        if (top < 0 || top > window.innerHeight * 0.6) {
          el.scrollIntoView({ block: "start" });
        }
      });
    });
  },
};
"""


class ScrollAnchor(anywidget.AnyWidget):
    """An invisible point of the page that the kernel can scroll to."""

    _esm = traitlets.Unicode(_ESM).tag(sync=True)
    requests = traitlets.Int(0).tag(sync=True)

    def bring_into_view(self) -> None:
        self.requests += 1
