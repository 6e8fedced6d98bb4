"""Controls that keep work in files: save, download and load model files (Models panel) and
export a frame (Frames panel). The widgets and what they read live here; the panels' callbacks
do the work."""
from __future__ import annotations

import posixpath

import ipywidgets as widgets

from .busy import local_status, mark_invalid

# A downloaded model travels inside the page (base64 in a data: link); past this size the page
# would choke, so the user is told to save it on the server instead.
MAX_DOWNLOAD_BYTES = 64 * 2**20
EXPORT_FORMATS = (("CSV", "csv"), ("Parquet", "parquet"))
_EXTENSIONS = {"csv": ".csv", "parquet": ".parquet"}


def format_name(file_format: str) -> str:
    """``csv`` -> ``CSV``, as the format picker names it."""
    return {value: label for label, value in EXPORT_FORMATS}.get(file_format, file_format)


def path_for(current: str, name: str, extension: str = "") -> str:
    """The path ``name`` (plus ``extension``) would get in the folder of the path already typed;
    empty when nothing is typed (the placeholder then says what to type). Paths are the server's,
    so they are POSIX paths whatever machine the browser runs on."""
    current = current.strip()
    if not current:
        return ""
    folder = current if current.endswith("/") else posixpath.dirname(current)
    return posixpath.join(folder, name + extension)


def typed_path(field: widgets.Text, status, what: str) -> str | None:
    """The path typed in ``field``; when it is empty the field turns red and ``status`` says
    what to type."""
    path = field.value.strip()
    mark_invalid(field, not path)
    if not path:
        status.error(f"Type {what}.")
        return None
    return path


class ModelFileControls(widgets.VBox):
    """Save the open model to a file on the server or download it; load a model from a file on
    the server or from this computer. Each row reports under itself."""

    def __init__(self):
        wide = widgets.Layout(width="460px")
        self.save_path = widgets.Text(description="Save to", placeholder="/path/on/the/server/model_file",
                                      layout=wide)
        self.overwrite = widgets.Checkbox(description="overwrite", value=False, indent=False,
                                          layout=widgets.Layout(width="100px"))
        self.save_button = widgets.Button(description="Save", icon="save", disabled=True,
                                          tooltip="Write the model to this file on the server's disk")
        self.download_button = widgets.Button(description="Download", icon="download", disabled=True,
                                              tooltip="Bring the model file to this computer")
        self.download_link = widgets.HTML().add_class("h2odash-model-download")
        self.file_status = local_status()
        self.load_path = widgets.Text(description="Load from", placeholder="/path/on/the/server/model_file",
                                      layout=wide)
        self.load_button = widgets.Button(description="Load model", icon="folder-open",
                                          tooltip="Read a model file on the server's disk")
        self.upload = widgets.FileUpload(multiple=False, description="Choose model file",
                                         layout=widgets.Layout(width="auto"))
        self.upload_button = widgets.Button(description="Upload model", icon="upload", disabled=True,
                                            tooltip="Send the chosen file to the server and load it")
        self.load_status = local_status()
        super().__init__([
            widgets.HTML("<b>Model file</b> <small>of the selected model</small>"),
            widgets.HBox([self.save_path, self.overwrite, self.save_button, self.download_button,
                          self.download_link], layout=widgets.Layout(align_items="center")),
            self.file_status,
            widgets.HTML("<b>Load a model</b> <small>from the server's disk or from this computer</small>"),
            widgets.HBox([self.load_path, self.load_button]),
            widgets.HBox([self.upload, self.upload_button]),
            self.load_status,
        ], layout=widgets.Layout(border="1px solid #ddd", padding="4px", margin="4px 0"))
        self.add_class("h2odash-model-files")

    def show_model(self, model_id: str | None) -> None:
        """A model was selected (None: none, or several): follow it in the save path and drop the
        previous model's download."""
        self.download_link.value = ""
        self.file_status.clear()
        if model_id is not None:
            self.save_path.value = path_for(self.save_path.value, model_id)

    @property
    def uploaded(self) -> tuple[str, bytes] | None:
        """The chosen file's name and content, if one was chosen."""
        if not self.upload.value:
            return None
        chosen = self.upload.value[0]
        return chosen["name"], bytes(chosen["content"])


class FrameExportControl(widgets.HBox):
    """Where to write the frame on the server, as CSV or Parquet, and whether to overwrite."""

    def __init__(self):
        self.path = widgets.Text(description="Export to", placeholder="/path/on/the/server/frame.csv",
                                 layout=widgets.Layout(width="420px"))
        self.format = widgets.Dropdown(options=EXPORT_FORMATS, value="csv", description="as",
                                       style={"description_width": "20px"}, layout=widgets.Layout(width="130px"))
        self.overwrite = widgets.Checkbox(description="overwrite", value=False, indent=False,
                                          layout=widgets.Layout(width="100px"))
        self.button = widgets.Button(description="Export", icon="save", disabled=True,
                                     tooltip="Write the frame to this file on the server's disk (a job)")
        self.format.observe(self._on_format, names="value")
        self._frame_id: str | None = None
        super().__init__([self.path, self.format, self.overwrite, self.button],
                         layout=widgets.Layout(align_items="center"))
        self.add_class("h2odash-frame-export")

    def follow(self, frame_id: str | None) -> None:
        """Keep the typed folder, but name the file after ``frame_id`` in the chosen format."""
        self._frame_id = frame_id
        stem = (frame_id or "frame").removesuffix(".hex")
        extension = _EXTENSIONS[self.format.value]
        self.path.placeholder = f"/path/on/the/server/{stem}{extension}"
        if frame_id is not None:
            self.path.value = path_for(self.path.value, stem, extension)

    def _on_format(self, change) -> None:
        # a file named for the old format gets the new format's extension; other names are the user's
        old, new = _EXTENSIONS[change["old"]], _EXTENSIONS[change["new"]]
        self.path.placeholder = self.path.placeholder.removesuffix(old) + new
        if self.path.value.endswith(old):
            self.path.value = self.path.value.removesuffix(old) + new
