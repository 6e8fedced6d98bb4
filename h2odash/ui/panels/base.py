"""What every panel shares: the client, a status line, background work and cleanup."""
from __future__ import annotations

import re
from typing import Callable

import ipywidgets as widgets

from h2odash.client import H2OClient

from ..feedback import StatusLine
from ..pickers import user_frames
from ..poller import Poller, run_in_background

# ``open_model(model_id)``: how a panel shows a model it made or listed. The Dashboard passes one
# that opens the Models panel, so panels stay independent of each other.
OpenModel = Callable[[str], None]


class Panel(widgets.VBox):
    """Base of the dashboard's panels (a VBox: usable alone in a cell, in Voilà or in a test).

    Subclasses lay out their widgets, then call ``super().__init__(client, children)``. A panel
    places ``self.status`` among its children right under the controls that report to it, so
    what a click caused shows where the user is looking; without a place it goes last.
    """

    def __init__(self, client: H2OClient, children=()):
        self.client = client
        self.pollers: list[Poller] = []
        children = list(children)
        super().__init__(children if self.status in children else children + [self.status])
        # Stable hooks for browser tests and custom CSS: h2odash-frames, h2odash-train...
        self.add_class("h2odash-" + type(self).__name__.removesuffix("Panel").lower())
        self.status.add_class("h2odash-panel-status")

    @property
    def status(self) -> StatusLine:
        # Created on first use so subclasses can report errors while building their widgets.
        if "_status" not in self.__dict__:
            self.__dict__["_status"] = StatusLine()
        return self.__dict__["_status"]

    def refresh(self) -> None:
        """Re-read what the panel shows from the server (the dashboard calls this on tab change)."""

    def poll(self, step: Callable[[], bool], interval: float = 0.5) -> Poller:
        """Run ``step`` in the background until it returns True; its errors go to the status line."""
        poller = Poller(step, interval=interval, on_error=self.status.error).start()
        self.pollers = [p for p in self.pollers if p.running] + [poller]
        return poller

    def in_background(self, work: Callable[[], object]) -> Poller:
        """Run ``work`` once in the background; its errors go to the status line."""
        poller = run_in_background(work, on_error=self.status.error)
        self.pollers = [p for p in self.pollers if p.running] + [poller]
        return poller

    def guarded(self, action: Callable[[], object]) -> None:
        """Run a quick server call from a callback, showing its error instead of raising it."""
        try:
            action()
        except Exception as exc:
            self.status.error(exc)

    def wait_idle(self, timeout: float = 60) -> bool:
        """Wait for this panel's background work (tests use it; callbacks never do)."""
        return all(p.join(timeout) for p in list(self.pollers))

    def close(self) -> None:
        for poller in self.pollers:
            poller.stop()
        super().close()


def frame_ids(client: H2OClient) -> list[str]:
    """The parsed frames a user made, by name: raw imported files and the frames the server made
    on the way (predictions, holdout predictions, leaderboards, temporaries) are left out."""
    return user_frames(client.frames())


def model_ids(client: H2OClient) -> list[str]:
    """Models on the server, by name."""
    return sorted(m["model_id"]["name"] for m in client.models())


def frame_columns(client: H2OClient, frame_id: str) -> tuple[list[tuple[str, str]], dict[str, int]]:
    """A frame's ``(name, type)`` columns and the number of levels of its categorical ones."""
    return frame_facts(client, frame_id)[:2]


# A column named like a row key: ID, row_id, customer_id, index, uuid...
_ID_NAME = re.compile(r"(?i)^(.*[_ ])?(id|ids|key|uuid|guid|index|row|rownum|row_?number)$")


def id_like_columns(columns: list[dict], rows: int) -> list[str]:
    """Columns that identify rows rather than describe them, so a model must not learn from them
    (or predict them): named like an id, of type uuid, integers that count the rows (no missing
    value, max - min + 1 = rows), or a category with a level per row. ``columns`` as
    ``GET /3/Frames/{id}`` lists them."""
    found = []
    for column in columns:
        name, kind = column.get("label", ""), column.get("type")
        missing = column.get("missing_count") or 0
        lo, hi = (column.get("mins") or [None])[0], (column.get("maxs") or [None])[0]
        counts_rows = (kind == "int" and not missing and rows > 20 and lo is not None and hi is not None
                       and float(hi) - float(lo) + 1 == rows)
        level_per_row = kind == "enum" and rows > 20 and len(column.get("domain") or []) == rows
        if kind == "uuid" or counts_rows or level_per_row or (_ID_NAME.match(name) and kind != "enum"):
            found.append(name)
    return found


def frame_facts(client: H2OClient, frame_id: str) -> tuple[list[tuple[str, str]], dict[str, int], list[str]]:
    """:func:`frame_columns` plus the frame's id-like columns (:func:`id_like_columns`)."""
    frame = client.frame(frame_id, row_count=0)
    columns = frame["columns"]
    return ([(c["label"], c.get("type")) for c in columns],
            {c["label"]: len(c["domain"]) for c in columns if c.get("domain")},
            id_like_columns(columns, int(frame.get("rows") or 0)))


def set_options(dropdown: widgets.Dropdown, options: list[str], blank: bool = False) -> None:
    """Replace a picker's options, keeping its choice when still offered."""
    keep = dropdown.value if dropdown.value in options else None
    dropdown.options = ([("", None)] if blank else []) + [(o, o) for o in options]
    if keep is None and not blank and options:
        keep = options[0]
    dropdown.value = keep
