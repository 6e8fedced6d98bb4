"""Frames: bring data in (server path, browser upload, bundled examples), check how it will be
parsed, then look at it: list, paged preview, per-column summary and chart; change a column's
type, split by ratios, export to a file on the server, delete."""
from __future__ import annotations

import html
from dataclasses import dataclass, field

import ipywidgets as widgets
import pandas as pd

from h2odash import data as examples
from h2odash.client import H2OClient

from .. import charts
from ..chartbox import ChartBox
from ..confirm import ConfirmBox
from ..busy import BusyButton, field_css, local_status, mark_invalid
from ..column_overview import overview_html, rebinned
from ..file_controls import FrameExportControl, format_name, typed_path
from ..frame_changes import ColumnTypeControl, SplitControl
from ..pickers import is_internal_frame
from ..scroll import ScrollAnchor
from ..tables import human_bytes, to_html, to_html_with_types
from .base import Panel, set_options

# Types a user can choose for a column before parsing (ParseSetup's own names).
COLUMN_TYPES = ["Numeric", "Enum", "String", "Time", "UUID"]
# Bundled examples: file and the column types that make them useful at once
# (prostate's CAPSULE is 0/1 but means "tumour penetrated the capsule": a class).
EXAMPLES = {"prostate": ("prostate.csv", {"CAPSULE": "Enum"}), "iris": ("iris.csv", {})}
PAGE_SIZE = 20
# What the parse setup offers for the separator (None: the server's guess) and the header.
SEPARATORS = [("guessed", None), ("comma ,", 44), ("tab", 9), ("semicolon ;", 59), ("pipe |", 124), ("space", 32)]
SEPARATOR_CODES = {code for _, code in SEPARATORS if code is not None}
HEADER_CHOICES = [("guess", 0), ("first line is the header", 1), ("no header: data from line 1", -1)]
SETUP_PREVIEW_ROWS = 8
# Frames the table lists (a server used for weeks holds hundreds; the picker offers all of them)
FRAMES_LISTED = 100


def setup_names(setup: dict) -> list[str]:
    """The column names a parse setup proposes (H2O-3 sends none for a file without header: C1, C2...)."""
    names = list(setup.get("column_names") or [])
    count = len(setup.get("column_types") or []) or int(setup.get("number_columns") or 0)
    return names if len(names) == count else [f"C{i + 1}" for i in range(count)]


def setup_preview_html(setup: dict) -> str:
    """The first lines as the server would read them, under the proposed names and types."""
    names, kinds = setup_names(setup), list(setup.get("column_types") or [])
    rows = [list(row)[:len(names)] + [""] * (len(names) - len(row)) for row in (setup.get("data") or [])]
    preview = pd.DataFrame(rows[:SETUP_PREVIEW_ROWS], columns=names)
    return to_html_with_types(preview, dict(zip(names, kinds)))


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
        """Every parsed frame, the user's first (so the default is one of theirs), then the
        frames the server made (predictions, leaderboards...), which can still be looked at."""
        every = sorted(f["frame_id"]["name"] for f in self.frames if not f.get("is_text"))
        return sorted(every, key=is_internal_frame)

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
        self.upload_button = widgets.Button(description="Upload", disabled=True)
        self.example = widgets.Dropdown(options=list(EXAMPLES), description="Example")
        self.example_button = widgets.Button(description="Load example")
        self.importing = BusyButton(self.import_button, "Importing…")
        self.uploading = BusyButton(self.upload_button, "Uploading…", ready=lambda: bool(self.upload.value))
        self.loading_example = BusyButton(self.example_button, "Loading…")
        # parse setup: how the file will be read, a preview, names and types
        self.separator = widgets.Dropdown(options=SEPARATORS, description="Separator",
                                          layout=widgets.Layout(width="240px"))
        self.header = widgets.Dropdown(options=HEADER_CHOICES, description="Header",
                                       layout=widgets.Layout(width="300px"))
        self.setup_preview = widgets.HTML().add_class("h2odash-setup-preview")
        self.destination = widgets.Text(description="Frame name", style={"description_width": "initial"})
        self.setup_columns = widgets.Box(layout=widgets.Layout(flex_flow="row wrap"))
        self.parse_button = widgets.Button(description="Parse", button_style="primary")
        self.parsing = BusyButton(self.parse_button, "Parsing…")
        self.setup_box = widgets.VBox(layout=widgets.Layout(display="none", border="1px solid #ddd", padding="4px"))
        self.setup_anchor = ScrollAnchor()
        self.setup_box.children = [widgets.HTML("<b>Check how the file will be read, then parse</b>"),
                                   widgets.HBox([self.separator, self.header]), self.setup_preview,
                                   self.destination, widgets.HTML("<i>Column names and types</i>"),
                                   self.setup_columns, self.parse_button]
        # viewing a frame
        self.frame = widgets.Dropdown(description="Frame", options=[])
        self.delete_button = widgets.Button(description="Delete", button_style="danger", icon="trash", disabled=True)
        self.confirm_box = ConfirmBox(self._on_delete_confirmed)
        self.split = SplitControl()
        self.splitting = BusyButton(self.split.button, "Splitting…", ready=lambda: self.state.selected is not None)
        self.export = FrameExportControl()
        self.exporting = BusyButton(self.export.button, "Exporting…", ready=lambda: self.state.selected is not None)
        self.frame_status = local_status()
        self.columns_overview = widgets.HTML().add_class("h2odash-columns")
        self.preview = widgets.HTML().add_class("h2odash-frame-preview")
        self.previous_page = widgets.Button(description="◀ Previous", layout=widgets.Layout(width="110px"))
        self.next_page = widgets.Button(description="Next ▶", layout=widgets.Layout(width="110px"))
        self.page_label = widgets.Label()
        self.column = widgets.Dropdown(description="Column", options=[])
        self.column_summary = widgets.HTML()
        self.column_type = ColumnTypeControl()
        self.column_status = local_status()
        self.column_chart = ChartBox("column.csv")

        self.refresh_button.on_click(self._on_refresh)
        self.import_button.on_click(self._on_import)
        self.upload_button.on_click(self._on_upload)
        self.upload.observe(lambda _: self.uploading.update(), names="value")
        self.example_button.on_click(self._on_load_example)
        self.separator.observe(self._on_setup_hint, names="value")
        self.header.observe(self._on_setup_hint, names="value")
        self.parse_button.on_click(self._on_parse)
        self.frame.observe(self._on_frame_selected, names="value")
        self.delete_button.on_click(self._on_delete)
        self.previous_page.on_click(lambda _: self._on_page(-1))
        self.next_page.on_click(lambda _: self._on_page(+1))
        self.column.observe(self._on_column_selected, names="value")
        self.column_type.button.on_click(self._on_change_type)
        self.split.button.on_click(self._on_split)
        self.export.button.on_click(self._on_export)
        self.split.ratios.observe(lambda _: self.split.suggest_names(self.state.selected), names="value")
        self._guessing = False

        super().__init__(client, [
            field_css(),
            widgets.HBox([widgets.HTML("<h4 style='margin:4px'>Frames</h4>"), self.refresh_button]),
            self.frames_table,
            widgets.HTML("<h4 style='margin:4px'>Bring data in</h4>"),
            widgets.HBox([self.path, self.import_button]),
            widgets.HBox([self.upload, self.upload_button]),
            widgets.HBox([self.example, self.example_button]),
            # under the setup while it is shown (its Parse button), else under the rows above
            self.setup_anchor, self.setup_box, self.status,
            widgets.HTML("<h4 style='margin:4px'>Look at a frame</h4>"),
            widgets.HBox([self.frame, self.delete_button]), self.confirm_box, self.split, self.export,
            self.frame_status,
            widgets.HTML("<b>Columns</b>"), self.columns_overview,
            widgets.HBox([self.previous_page, self.page_label, self.next_page]), self.preview,
            self.column, self.column_summary, self.column_type, self.column_status, self.column_chart,
        ])
        self.refresh()

    # -- the list -------------------------------------------------------------------------
    def refresh(self) -> None:
        self.guarded(self._load_frames)

    def _load_frames(self, select: str | None = None, made: tuple = ()) -> None:
        self.state.frames = self.client.frames()
        rows = [{"frame": f["frame_id"]["name"], "rows": f.get("rows"), "columns": f.get("columns"),
                 "size": human_bytes(f.get("byte_size"))}
                for f in self.state.frames if not f.get("is_text")]
        # the frames just made first, then the user's frames, then those the server made
        fresh = {select, *made}
        rows.sort(key=lambda r: (r["frame"] not in fresh, is_internal_frame(r["frame"]), r["frame"]))
        table = to_html(pd.DataFrame(rows, columns=["frame", "rows", "columns", "size"]), max_rows=FRAMES_LISTED)
        if len(rows) > FRAMES_LISTED:
            table += (f"<small>{FRAMES_LISTED} of {len(rows)} frames listed; "
                      "every frame can be picked under Look at a frame.</small>")
        self.frames_table.value = table
        set_options(self.frame, self.state.frame_ids)
        if select in self.state.frame_ids:
            self.frame.value = select

    def _on_refresh(self, _button) -> None:
        self.status.clear()
        self.refresh()

    # -- bringing data in -----------------------------------------------------------------
    def _on_import(self, _button) -> None:
        path = self.path.value.strip()
        mark_invalid(self.path, not path)
        if not path:
            self.status.error("Type a path the server can read.")
            return
        self.status.info(f"Importing {path}…")

        def work():
            answer = self.client.import_files(path)
            fails = [str(f) for f in answer.get("fails") or []]
            if not answer.get("destination_frames"):
                raise ValueError(f"The server could not import {', '.join(fails or [path])}")
            self._show_setup(answer["destination_frames"], skipped=fails)
        self.importing.run(self, work, self.status)

    def _on_upload(self, _button) -> None:
        if not self.upload.value:
            self.status.error("Choose a file first.")
            return
        upload = self.upload.value[0]
        self.status.info(f"Uploading {upload['name']}…")

        def work():
            raw = self.client.upload_file(bytes(upload["content"]), destination_frame=upload["name"])
            self._show_setup([raw])
        self.uploading.run(self, work, self.status)

    def _on_load_example(self, _button) -> None:
        filename, types = EXAMPLES[self.example.value]
        self.status.info(f"Loading {filename}…")
        destination = f"{self.example.value}.hex"

        def work():
            raw = self.client.upload_file(examples.path(filename), destination_frame=filename)
            self._parse([raw], column_types=types, destination=destination)
        self.loading_example.run(self, work, self.status)

    def _show_setup(self, raw_keys: list[str], skipped: list[str] | None = None, **hints) -> None:
        """Ask the server how it would parse the data; show a preview and let the user change the
        separator, the header, names and types."""
        setup = self.client.parse_setup(raw_keys, **hints)
        self.state.raw_keys, self.state.setup = list(raw_keys), setup
        if not hints:
            self.destination.value = setup.get("destination_frame") or ""
        self._guessing = True
        try:
            self.separator.value = setup.get("separator") if setup.get("separator") in SEPARATOR_CODES else None
            self.header.value = setup.get("check_header") if setup.get("check_header") in (1, -1) else 0
        finally:
            self._guessing = False
        kinds = setup.get("column_types") or []
        names = setup_names(setup)
        rows = []
        for name, kind in zip(names, kinds):
            options = COLUMN_TYPES if kind in COLUMN_TYPES else COLUMN_TYPES + [kind]
            rows.append(widgets.HBox([widgets.Text(value=name, layout=widgets.Layout(width="160px")),
                                      widgets.Dropdown(options=options, value=kind,
                                                       layout=widgets.Layout(width="110px"))],
                                     layout=widgets.Layout(margin="0 12px 2px 0")))
        self.setup_columns.children = rows
        self.setup_preview.value = setup_preview_html(setup)
        self.setup_box.layout.display = "flex"
        self.setup_anchor.bring_into_view()  # the next step, with its Parse button, in view
        note = f"{len(rows)} columns guessed; edit them if needed, then Parse."
        if skipped:
            shown = ", ".join(skipped[:5]) + (f" and {len(skipped) - 5} more" if len(skipped) > 5 else "")
            note += f" Skipped {len(skipped)} unreadable file(s): {shown}."
        self.status.info(note)

    def _on_setup_hint(self, _change) -> None:
        """The separator or header changed: ask the server to guess again with it."""
        if self._guessing or not self.state.raw_keys:
            return
        hints = {"separator": self.separator.value, "check_header": self.header.value}
        self.guarded(lambda: self._show_setup(self.state.raw_keys, **{k: v for k, v in hints.items() if v}))

    @property
    def setup_edits(self) -> tuple[list[str], list[str]]:
        """Column names and types as the user left them in the setup step."""
        names = [row.children[0].value for row in self.setup_columns.children]
        types = [row.children[1].value for row in self.setup_columns.children]
        return names, types

    def _on_parse(self, _button) -> None:
        names, types = self.setup_edits
        raw_keys, setup = self.state.raw_keys, self.state.setup
        destination = self.destination.value.strip() or None
        self.status.info("Parsing…")

        def work():
            self._parse(raw_keys, setup=setup, column_names=names, column_types=types, destination=destination)
            self.setup_box.layout.display = "none"
        self.parsing.run(self, work, self.status)

    def _parse(self, raw_keys, setup=None, column_names=None, column_types=None, destination=None) -> None:
        """Parse on the calling (background) thread, reporting progress; then show the frame."""
        def progress(job: dict) -> None:
            self.status.info(f"Parsing… {100 * float(job.get('progress') or 0):.0f}%")
        frame_id = self.client.parse(raw_keys, destination_frame=destination, setup=setup, column_names=column_names,
                                     column_types=column_types, progress=progress)
        self._load_frames(select=frame_id)
        self.status.info(f"Parsed {frame_id}.")

    # -- looking at a frame ---------------------------------------------------------------
    def _on_frame_selected(self, change) -> None:
        self.state.selected, self.state.page, self.state.summary = change["new"], 0, None
        self.confirm_box.hide()
        self.delete_button.disabled = change["new"] is None
        self.splitting.update()
        self.exporting.update()
        self.split.suggest_names(change["new"])
        self.export.follow(change["new"])
        if change["new"] is None:
            self.preview.value = self.column_summary.value = self.columns_overview.value = ""
            self.column.options = []
            self.column_chart.clear()
            return
        self.guarded(self._load_frame)

    def _load_frame(self) -> None:
        frame_id = self.state.selected
        self.state.summary = self.client.frame_summary(frame_id)
        self.state.rows = int(self.state.summary.get("rows") or 0)
        self.columns_overview.value = overview_html(self.state.summary)
        self._load_page()
        self.column.options = [c["label"] for c in self.state.summary["columns"]]

    def _load_page(self) -> None:
        state = self.state
        offset = state.page * PAGE_SIZE
        rows = self.client.frame_preview(state.selected, row_offset=offset, row_count=PAGE_SIZE)
        types = {c["label"]: c.get("type") for c in (state.summary or {}).get("columns", [])}
        self.preview.value = to_html_with_types(rows, types)
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
        # only the facts that apply (a numeric column has no levels, a categorical no mean)
        shown = {k: v for k, v in facts.items() if v is not None and not (isinstance(v, float) and v != v)}
        self.column_summary.value = to_html(pd.DataFrame([shown]))
        self.column_type.show(column.get("type"))
        shown = rebinned(column, summary.get("default_percentiles"))
        self.column_chart.show(charts.column_chart(shown), filename=f"{self.state.selected}_{column['label']}.csv")

    # -- changing a frame -----------------------------------------------------------------
    def _on_change_type(self, _button) -> None:
        frame_id, label, kind = self.state.selected, self.column.value, self.column_type.kind.value
        if frame_id is None or label is None:
            self.column_status.error("Choose a frame and a column.")
            return

        def change():
            # One Rapids call that the server answers at once (no job), so it runs on the callback.
            self.client.change_column_type(frame_id, label, kind)
            self._load_frame()
            self._show_column(label)
            self.column_status.info(f"{label} is now {kind}.")
        try:
            change()
        except Exception as exc:
            self.column_status.error(exc)

    def _on_split(self, _button) -> None:
        frame_id = self.state.selected
        if frame_id is None:
            self.frame_status.error("Choose a frame to split.")
            return
        try:
            ratios, names, seed = self.split.request()
        except ValueError as exc:
            self.frame_status.error(str(exc))
            return
        self.frame_status.info(f"Splitting {frame_id}…")

        def work():
            parts = self.client.split_frame(frame_id, ratios, names, seed=seed)
            self._load_frames(select=frame_id, made=tuple(parts))
            self.state.split_parts = parts
            rows = {f["frame_id"]["name"]: f.get("rows") for f in self.state.frames}
            described = [f"{p} ({rows.get(p)} rows)" for p in parts]
            self.frame_status.info(f"Split {frame_id} ({self.state.rows} rows) into "
                                   + ", ".join(described[:-1]) + f" and {described[-1]}"
                                   + (f", seed {seed}." if seed is not None else ", no seed."))
        self.splitting.run(self, work, self.frame_status)

    def _on_export(self, _button) -> None:
        frame_id, rows, status = self.state.selected, self.state.rows, self.frame_status
        path = typed_path(self.export.path, status, "the file to write on the server's disk")
        if frame_id is None or path is None:
            return
        file_format, force = self.export.format.value, self.export.overwrite.value
        status.info(f"Exporting {frame_id}…")

        def progress(job: dict) -> None:
            status.info(f"Exporting {frame_id}… {100 * float(job.get('progress') or 0):.0f}%")

        def work():
            self.client.export_frame(frame_id, path, force=force, format=file_format, progress=progress)
            status.info(f"Exported {frame_id} ({rows} rows) to {path} on the server as {format_name(file_format)}.")
        self.exporting.run(self, work, status)

    # -- deleting -------------------------------------------------------------------------
    def _on_delete(self, _button) -> None:
        if self.state.selected is None:
            return
        self.confirm_box.ask(f"Delete frame <b>{html.escape(self.state.selected)}</b>?")

    def _on_delete_confirmed(self, _button) -> None:
        frame_id = self.state.selected
        try:
            self.client.delete_frame(frame_id)
            self._load_frames()
            self.frame_status.info(f"Deleted {frame_id}.")
        except Exception as exc:
            self.frame_status.error(exc)
