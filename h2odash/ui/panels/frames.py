"""Frames: bring data in (server path, browser upload, bundled examples), check how it will be
parsed, then look at it: list, paged preview, per-column summary and chart; change a column's
type, split by ratios, delete."""
from __future__ import annotations

import html
from dataclasses import dataclass, field

import ipywidgets as widgets
import pandas as pd

from h2odash import data as examples
from h2odash.client import H2OClient, H2OJobError

from .. import charts
from ..chartbox import ChartBox
from ..confirm import ConfirmBox
from ..frame_changes import ColumnTypeControl, SplitControl
from ..tables import human_bytes, to_html
from .base import Panel, set_options

# Types a user can choose for a column before parsing (ParseSetup's own names).
COLUMN_TYPES = ["Numeric", "Enum", "String", "Time", "UUID"]
# Bundled examples: file and the column types that make them useful at once
# (prostate's CAPSULE is 0/1 but means "tumour penetrated the capsule": a class).
EXAMPLES = {"prostate": ("prostate.csv", {"CAPSULE": "Enum"}), "iris": ("iris.csv", {})}
PAGE_SIZE = 20


@dataclass
class FramesState:
    """What the Frames panel knows: the server's frames, the one being viewed, a pending parse."""

    frames: list[dict] = field(default_factory=list)
    selected: str | None = None
    rows: int = 0
    page: int = 0
    summary: dict | None = None
    raw_keys: list[str] = field(default_factory=list)
    setup: dict | None = None
    split_parts: list[str] = field(default_factory=list)

    @property
    def frame_ids(self) -> list[str]:
        return sorted(f["frame_id"]["name"] for f in self.frames if not f.get("is_text"))

    @property
    def pages(self) -> int:
        return max(1, -(-self.rows // PAGE_SIZE))


class FramesPanel(Panel):
    """List, import, upload, parse, preview, summarize and delete frames."""

    def __init__(self, client: H2OClient):
        self.state = FramesState()
        self.frames_table = widgets.HTML()
        self.refresh_button = widgets.Button(description="Refresh", icon="refresh")
        # bringing data in
        self.path = widgets.Text(placeholder="/path/on/the/server/data.csv", description="Server path",
                                 layout=widgets.Layout(width="420px"))
        self.import_button = widgets.Button(description="Import")
        self.upload = widgets.FileUpload(accept=".csv,.tsv,.txt,.gz,.zip,.xlsx", multiple=False,
                                         description="Choose file")
        self.upload_button = widgets.Button(description="Upload")
        self.example = widgets.Dropdown(options=list(EXAMPLES), description="Example")
        self.example_button = widgets.Button(description="Load example")
        # parse setup
        self.destination = widgets.Text(description="Frame name")
        self.setup_columns = widgets.VBox()
        self.parse_button = widgets.Button(description="Parse", button_style="primary")
        self.setup_box = widgets.VBox(layout=widgets.Layout(display="none", border="1px solid #ddd", padding="4px"))
        self.setup_box.children = [widgets.HTML("<b>Check the guessed names and types, then parse</b>"),
                                   self.destination, self.setup_columns, self.parse_button]
        # viewing a frame
        self.frame = widgets.Dropdown(description="Frame", options=[])
        self.delete_button = widgets.Button(description="Delete", button_style="danger", icon="trash")
        self.confirm_box = ConfirmBox(self._on_delete_confirmed)
        self.preview = widgets.HTML()
        self.previous_page = widgets.Button(description="◀ Previous", layout=widgets.Layout(width="110px"))
        self.next_page = widgets.Button(description="Next ▶", layout=widgets.Layout(width="110px"))
        self.page_label = widgets.Label()
        self.column = widgets.Dropdown(description="Column", options=[])
        self.column_summary = widgets.HTML()
        self.column_type = ColumnTypeControl()
        self.column_chart = ChartBox("column.csv")
        self.split = SplitControl()

        self.refresh_button.on_click(self._on_refresh)
        self.import_button.on_click(self._on_import)
        self.upload_button.on_click(self._on_upload)
        self.example_button.on_click(self._on_load_example)
        self.parse_button.on_click(self._on_parse)
        self.frame.observe(self._on_frame_selected, names="value")
        self.delete_button.on_click(self._on_delete)
        self.previous_page.on_click(lambda _: self._on_page(-1))
        self.next_page.on_click(lambda _: self._on_page(+1))
        self.column.observe(self._on_column_selected, names="value")
        self.column_type.button.on_click(self._on_change_type)
        self.split.button.on_click(self._on_split)

        super().__init__(client, [
            widgets.HBox([widgets.HTML("<h4 style='margin:4px'>Frames</h4>"), self.refresh_button]),
            self.frames_table,
            widgets.HTML("<h4 style='margin:4px'>Bring data in</h4>"),
            widgets.HBox([self.path, self.import_button]),
            widgets.HBox([self.upload, self.upload_button]),
            widgets.HBox([self.example, self.example_button]),
            self.setup_box,
            widgets.HTML("<h4 style='margin:4px'>Look at a frame</h4>"),
            widgets.HBox([self.frame, self.delete_button]), self.confirm_box, self.split,
            widgets.HBox([self.previous_page, self.page_label, self.next_page]), self.preview,
            self.column, self.column_summary, self.column_type, self.column_chart,
        ])
        self.refresh()

    # -- the list -------------------------------------------------------------------------
    def refresh(self) -> None:
        self.guarded(self._load_frames)

    def _load_frames(self, select: str | None = None) -> None:
        self.state.frames = self.client.frames()
        rows = [{"frame": f["frame_id"]["name"], "rows": f.get("rows"), "columns": f.get("columns"),
                 "size": human_bytes(f.get("byte_size"))}
                for f in self.state.frames if not f.get("is_text")]
        self.frames_table.value = to_html(pd.DataFrame(rows, columns=["frame", "rows", "columns", "size"]))
        set_options(self.frame, self.state.frame_ids)
        if select in self.state.frame_ids:
            self.frame.value = select

    def _on_refresh(self, _button) -> None:
        self.status.clear()
        self.refresh()

    # -- bringing data in -----------------------------------------------------------------
    def _on_import(self, _button) -> None:
        path = self.path.value.strip()
        if not path:
            self.status.error("Type a path the server can read.")
            return
        self.status.info(f"Importing {path}…")

        def work():
            answer = self.client.import_files(path)
            if answer.get("fails") or not answer.get("destination_frames"):
                raise ValueError(f"The server could not import {', '.join(map(str, answer.get('fails') or [path]))}")
            self._show_setup(answer["destination_frames"])
        self.in_background(work)

    def _on_upload(self, _button) -> None:
        if not self.upload.value:
            self.status.error("Choose a file first.")
            return
        upload = self.upload.value[0]
        self.status.info(f"Uploading {upload['name']}…")

        def work():
            raw = self.client.upload_file(bytes(upload["content"]), destination_frame=upload["name"])
            self._show_setup([raw])
        self.in_background(work)

    def _on_load_example(self, _button) -> None:
        filename, types = EXAMPLES[self.example.value]
        self.status.info(f"Loading {filename}…")

        def work():
            raw = self.client.upload_file(examples.path(filename), destination_frame=filename)
            self._start_parse([raw], column_types=types,
                              destination=f"{self.example.value}.hex")
        self.in_background(work)

    def _show_setup(self, raw_keys: list[str]) -> None:
        """Ask the server how it would parse the data, and let the user edit names and types."""
        setup = self.client.parse_setup(raw_keys)
        self.state.raw_keys, self.state.setup = list(raw_keys), setup
        self.destination.value = setup.get("destination_frame") or ""
        rows = []
        for name, kind in zip(setup.get("column_names") or [], setup.get("column_types") or []):
            options = COLUMN_TYPES if kind in COLUMN_TYPES else COLUMN_TYPES + [kind]
            rows.append(widgets.HBox([widgets.Text(value=name, layout=widgets.Layout(width="200px")),
                                      widgets.Dropdown(options=options, value=kind,
                                                       layout=widgets.Layout(width="140px"))]))
        self.setup_columns.children = rows
        self.setup_box.layout.display = "flex"
        self.status.info(f"{len(rows)} columns guessed; edit them if needed, then Parse.")

    @property
    def setup_edits(self) -> tuple[list[str], list[str]]:
        """Column names and types as the user left them in the setup step."""
        names = [row.children[0].value for row in self.setup_columns.children]
        types = [row.children[1].value for row in self.setup_columns.children]
        return names, types

    def _on_parse(self, _button) -> None:
        names, types = self.setup_edits
        self.setup_box.layout.display = "none"
        raw_keys, setup = self.state.raw_keys, self.state.setup
        self.in_background(lambda: self._start_parse(raw_keys, setup=setup, column_names=names,
                                                     column_types=types,
                                                     destination=self.destination.value.strip() or None))

    def _start_parse(self, raw_keys, setup=None, column_names=None, column_types=None, destination=None) -> None:
        job = self.client.parse(raw_keys, destination_frame=destination, setup=setup, column_names=column_names,
                                column_types=column_types, wait=False)
        self.status.info("Parsing…")

        def step() -> bool:
            current = self.client.job(job)
            if current["status"] in ("CREATED", "RUNNING"):
                return False
            if current["status"] != "DONE":
                raise H2OJobError(current)
            frame_id = (current.get("dest") or {}).get("name")
            self._load_frames(select=frame_id)
            self.status.info(f"Parsed {frame_id}.")
            return True
        self.poll(step, interval=0.2)

    # -- looking at a frame ---------------------------------------------------------------
    def _on_frame_selected(self, change) -> None:
        self.state.selected, self.state.page, self.state.summary = change["new"], 0, None
        self.confirm_box.hide()
        if change["new"] is None:
            self.preview.value, self.column_summary.value = "", ""
            self.column.options = []
            self.column_chart.clear()
            return
        self.guarded(self._load_frame)

    def _load_frame(self) -> None:
        frame_id = self.state.selected
        self.state.summary = self.client.frame_summary(frame_id)
        self.state.rows = int(self.state.summary.get("rows") or 0)
        self._load_page()
        self.column.options = [c["label"] for c in self.state.summary["columns"]]

    def _load_page(self) -> None:
        state = self.state
        offset = state.page * PAGE_SIZE
        rows = self.client.frame_preview(state.selected, row_offset=offset, row_count=PAGE_SIZE)
        self.preview.value = to_html(rows)
        last = min(offset + PAGE_SIZE, state.rows)
        self.page_label.value = f"rows {offset + 1}–{last} of {state.rows}" if state.rows else "no rows"
        self.previous_page.disabled = state.page == 0
        self.next_page.disabled = state.page + 1 >= state.pages

    def _on_page(self, step: int) -> None:
        if self.state.selected is None:
            return
        self.state.page = min(max(self.state.page + step, 0), self.state.pages - 1)
        self.guarded(self._load_page)

    def _on_column_selected(self, change) -> None:
        self._show_column(change["new"])

    def _show_column(self, label: str | None) -> None:
        summary = self.state.summary
        column = next((c for c in (summary or {}).get("columns", []) if c["label"] == label), None)
        if column is None:
            return
        facts = {"type": column.get("type"), "missing": column.get("missing_count"), "zeros": column.get("zero_count"),
                 "min": (column.get("mins") or [None])[0], "max": (column.get("maxs") or [None])[0],
                 "mean": column.get("mean"), "sigma": column.get("sigma"),
                 "levels": len(column.get("domain") or []) or None}
        self.column_summary.value = to_html(pd.DataFrame([facts]))
        self.column_type.show(column.get("type"))
        self.column_chart.show(charts.column_chart(column), filename=f"{self.state.selected}_{column['label']}.csv")

    # -- changing a frame -----------------------------------------------------------------
    def _on_change_type(self, _button) -> None:
        frame_id, label, kind = self.state.selected, self.column.value, self.column_type.kind.value
        if frame_id is None or label is None:
            self.status.error("Choose a frame and a column.")
            return

        def change():
            # One Rapids call that the server answers at once (no job), so it runs on the callback.
            self.client.change_column_type(frame_id, label, kind)
            self._load_frame()
            self._show_column(label)
            self.status.info(f"{label} is now {kind}.")
        self.guarded(change)

    def _on_split(self, _button) -> None:
        frame_id = self.state.selected
        if frame_id is None:
            self.status.error("Choose a frame to split.")
            return
        try:
            ratios, names = self.split.request()
        except ValueError as exc:
            self.status.error(str(exc))
            return
        self.status.info(f"Splitting {frame_id}…")

        def work():
            parts = self.client.split_frame(frame_id, ratios, names)
            self._load_frames(select=frame_id)
            self.state.split_parts = parts
            rows = {f["frame_id"]["name"]: f.get("rows") for f in self.state.frames}
            self.status.info(f"Split {frame_id} into " + ", ".join(f"{p} ({rows.get(p)} rows)" for p in parts) + ".")
        self.in_background(work)

    # -- deleting -------------------------------------------------------------------------
    def _on_delete(self, _button) -> None:
        if self.state.selected is None:
            return
        self.confirm_box.ask(f"Delete frame <b>{html.escape(self.state.selected)}</b>?")

    def _on_delete_confirmed(self, _button) -> None:
        frame_id = self.state.selected

        def delete():
            self.client.delete_frame(frame_id)
            self._load_frames()
            self.status.info(f"Deleted {frame_id}.")
        self.guarded(delete)

