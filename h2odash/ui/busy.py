"""Feedback beside the control that started some work: the button shows it is busy until the work
ends, and the work's errors go to the status line placed under that button's row."""
from __future__ import annotations

from typing import Callable

import ipywidgets as widgets

from .feedback import StatusLine
from .poller import Poller

# A field whose value cannot be used: a red border (see field_css), plus a message beside it.
INVALID_CLASS = "h2odash-invalid"
_FIELD_CSS = ("<style>.h2odash-invalid input,.h2odash-invalid select{border:1px solid #b00020 !important;"
              "background:#fff5f5}</style>")


def field_css() -> widgets.HTML:
    """The style that draws :data:`INVALID_CLASS` fields red; place one in each panel that marks fields."""
    return widgets.HTML(_FIELD_CSS, layout=widgets.Layout(display="none"))


def local_status() -> StatusLine:
    """A status line to place under a row of controls. It carries the panel status class too,
    so browser tests and custom CSS find it like the panel's own line."""
    line = StatusLine()
    line.add_class("h2odash-panel-status")
    return line


def mark_invalid(field: widgets.Widget, invalid: bool) -> None:
    """Give ``field`` a red border while its value cannot be used."""
    (field.add_class if invalid else field.remove_class)(INVALID_CLASS)


class BusyButton:
    """While work a button started runs: the button is disabled, reads e.g. ``"Parsing…"`` and
    shows a spinner; when the work ends it is restored, enabled again when ``ready()`` says so.

    Parameters
    ----------
    button : ipywidgets.Button
    busy_text : str
        What the button reads while busy.
    ready : callable, optional
        ``ready() -> bool``: whether the button can be used now (e.g. a model and a frame
        are chosen); consulted whenever the work ends and by :meth:`update`.
    """

    def __init__(self, button: widgets.Button, busy_text: str, ready: Callable[[], bool] | None = None):
        self.button = button
        self.busy_text = busy_text
        self.ready = ready or (lambda: True)
        self.idle_text, self.idle_icon = button.description, button.icon
        self.busy = False

    def start(self) -> None:
        self.busy = True
        self.button.disabled = True
        self.button.description, self.button.icon = self.busy_text, "spinner"

    def end(self) -> None:
        self.busy = False
        self.button.description, self.button.icon = self.idle_text, self.idle_icon
        self.update()

    def update(self) -> None:
        """Enable the button when it is not busy and ``ready()``."""
        self.button.disabled = self.busy or not self.ready()

    def run(self, panel, work: Callable[[], object], status: StatusLine) -> Poller:
        """Run ``work`` once in the background of ``panel`` with this button busy; errors go to ``status``."""
        def once() -> bool:
            work()
            return True
        return self.poll(panel, once, status, interval=0.5)

    def poll(self, panel, step: Callable[[], bool], status: StatusLine, interval: float = 0.5) -> Poller:
        """Call ``step`` in the background until it returns True, with this button busy meanwhile."""
        self.start()

        def watched() -> bool:
            try:
                finished = step()
            except Exception as exc:  # a thread has nobody to raise to: the status line shows it
                status.error(exc)
                finished = True
            if finished:
                self.end()
            return finished

        poller = Poller(watched, interval=interval).start()
        panel.pollers = [p for p in panel.pollers if p.running] + [poller]
        return poller
