"""``H2OClient``: one method per H2O-3 REST endpoint, plus a few one-call conveniences.

The client speaks the dialect real H2O-3 understands (form-encoded bodies, lists as
JSON text, ParseSetup before Parse), so everything built on it works against the
embedded engine and against a real cluster alike.
"""
from __future__ import annotations

import io
import os
import uuid
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from .automl import automl_spec
from .connection import Connection, build_path
from .errors import H2OImportError, H2ONotFoundError
from .explain import ExplainCalls
from .grid import h2o_map
from .jobs import ProgressCallback, job_id_of, wait_for_job

# Builders H2O-3 trains under /99 only (h2o-py's estimators say so with _rest_version = 99).
_BUILDERS_UNDER_99 = ("svd",)

# Spellings users (and h2o-py) accept for a column type -> the name ParseSetup uses.
_COLUMN_TYPES = {
    "numeric": "Numeric", "real": "Numeric", "float": "Numeric", "double": "Numeric",
    "int": "Numeric", "long": "Numeric",
    "enum": "Enum", "factor": "Enum", "categorical": "Enum",
    "string": "String", "time": "Time", "uuid": "UUID", "unknown": "Unknown",
}

# ParseSetup re-guesses names and types from these, so they go to ParseSetup itself.
_SETUP_GUESS_FIELDS = ("separator", "check_header", "single_quotes", "escapechar",
                       "custom_non_data_line_markers", "partition_by", "parse_type")

# Fields of a ParseSetup answer that POST /3/Parse reads back.
_PARSE_FIELDS = ("destination_frame", "parse_type", "separator", "single_quotes", "check_header",
                 "number_columns", "column_names", "column_types", "skipped_columns", "na_strings",
                 "chunk_size", "escapechar", "custom_non_data_line_markers", "partition_by",
                 "force_col_types", "tz_adjust_to_local")


def normalize_column_type(name: str) -> str:
    """Map a user spelling of a column type (``'enum'``, ``'factor'``, ``'real'``...) to H2O's."""
    try:
        return _COLUMN_TYPES[str(name).lower()]
    except KeyError:
        raise ValueError(f"unknown column type {name!r}; use one of {sorted(set(_COLUMN_TYPES))}") from None


def _char_code(value: Any) -> Any:
    """H2O wants separators and escape characters as their byte value (``','`` → 44)."""
    if isinstance(value, str) and len(value) == 1:
        return ord(value)
    return value


def _setup_params(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Translate friendly override names (``header``, ``sep``) and characters to H2O's form."""
    params = dict(overrides)
    if "header" in params:
        params["check_header"] = params.pop("header")
    if "sep" in params:
        params["separator"] = params.pop("sep")
    for key in ("separator", "escapechar"):
        if key in params:
            params[key] = _char_code(params[key])
    return params


def _as_float(value: Any) -> float:
    # H2O-3 writes missing and non-finite numbers as the strings "NaN", "Infinity", "-Infinity".
    if value is None:
        return np.nan
    return float(value)


class H2OClient(ExplainCalls):
    """Client for an H2O-3-compatible REST server (real H2O-3 or h2odash's embedded engine).

    Parameters
    ----------
    url : str
        Base URL of the server.
    auth : str or (str, str), optional
        Bearer token, or ``(user, password)`` for basic auth.
    timeout : float
        Seconds to wait for each HTTP answer.

    Examples
    --------
    >>> client = H2OClient("http://127.0.0.1:54321")                  # doctest: +SKIP
    >>> frame_id = client.import_frame("/data/prostate.csv")           # doctest: +SKIP
    >>> client.column_summaries(frame_id)                              # doctest: +SKIP
    """

    def __init__(self, url: str = "http://127.0.0.1:54321", auth: Any = None, timeout: float = 60):
        self.connection = Connection(url, auth=auth, timeout=timeout)

    @property
    def url(self) -> str:
        """Base URL of the server."""
        return self.connection.url

    def __repr__(self) -> str:
        return f"H2OClient({self.url!r})"

    def close(self) -> None:
        """Release pooled connections."""
        self.connection.close()

    # -- cluster ------------------------------------------------------------------------
    def cloud(self) -> dict:
        """Return the cluster status (``GET /3/Cloud``, a ``CloudV3`` dict)."""
        return self.connection.get("/3/Cloud")

    def endpoints(self) -> list[dict]:
        """Return every REST route the server declares (``GET /3/Metadata/endpoints``)."""
        return self.connection.get("/3/Metadata/endpoints")["routes"]

    def engine_kind(self, cloud: dict | None = None) -> str:
        """``embedded`` for h2odash's engine, ``H2O-3`` for a real cluster (whose cloud has no ``engine``).

        Pass the ``GET /3/Cloud`` answer when you already have it, to save a request.
        """
        engine = (cloud if cloud is not None else self.cloud()).get("engine")
        return "embedded" if engine == "h2odash-embedded" else (engine or "H2O-3")

    def has_automl(self) -> bool:
        """Whether this server can run AutoML (it lists ``POST /99/AutoMLBuilder``)."""
        return any(route.get("url_pattern") == "/99/AutoMLBuilder" and route.get("http_method") == "POST"
                   for route in self.endpoints())

    # -- import and upload --------------------------------------------------------------
    def import_files(self, path: str, pattern: str | None = None) -> dict:
        """Import a file or folder readable by the server (``POST /3/ImportFiles``).

        Parameters
        ----------
        path : str
            Path on the server's file system (a folder imports every file in it).
        pattern : str, optional
            Regular expression the file names of a folder must match.

        Returns
        -------
        dict
            ``ImportFilesV3`` with ``files``, ``destination_frames`` (raw keys to parse),
            ``fails`` and ``dels``.
        """
        return self.connection.post("/3/ImportFiles", path=path, pattern=pattern)

    def import_files_multi(self, paths: Iterable[str], pattern: str | None = None) -> dict:
        """Import several paths in one call (``POST /3/ImportFilesMulti``); see :meth:`import_files`."""
        return self.connection.post("/3/ImportFilesMulti", paths=list(paths), pattern=pattern)

    def upload_file(self, path_or_bytes: str | os.PathLike | bytes, destination_frame: str | None = None) -> str:
        """Send a local file's bytes to the server (``POST /3/PostFile``, multipart ``file``).

        Parameters
        ----------
        path_or_bytes : path-like or bytes
            A local file, or its content.
        destination_frame : str, optional
            Key of the raw (unparsed) frame; the server picks one when omitted.

        Returns
        -------
        str
            The raw frame's key, to pass to :meth:`parse`.
        """
        return self._post_file("/3/PostFile", path_or_bytes, "upload.csv", destination_frame)

    def _post_file(self, route: str, path_or_bytes: str | os.PathLike | bytes, default_name: str,
                   destination_frame: str | None = None) -> str:
        """Send a local file (or bytes, named ``default_name``) as a multipart ``file``; return the
        key the server stored it under."""
        if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
            content, filename = bytes(path_or_bytes), default_name
        else:
            filename = os.path.basename(os.fspath(path_or_bytes))
            with open(path_or_bytes, "rb") as handle:
                content = handle.read()
        answer = self.connection.request(
            "POST", route, params={"destination_frame": destination_frame},
            files={"file": (filename, content, "application/octet-stream")})
        return answer["destination_frame"]

    # -- parse --------------------------------------------------------------------------
    def parse_setup(self, source_frames: str | Iterable[str], **overrides: Any) -> dict:
        """Ask the server to guess how to parse raw frames (``POST /3/ParseSetup``).

        Parameters
        ----------
        source_frames : str or list of str
            Raw frame keys from :meth:`import_files` or :meth:`upload_file`.
        **overrides
            Hints for the guess: ``separator`` (a character or its code), ``check_header``
            (or ``header``: 1 header, -1 no header, 0 guess), ``single_quotes``...

        Returns
        -------
        dict
            ``ParseSetupV3``: ``column_names``, ``column_types``, ``separator``,
            ``check_header``, ``destination_frame``, a ``data`` preview...
        """
        return self.connection.post("/3/ParseSetup", source_frames=_as_list(source_frames),
                                    **_setup_params(overrides))

    def parse(self, source_frames: str | Iterable[str], destination_frame: str | None = None,
              setup: dict | None = None, column_types: list | dict | None = None,
              column_names: list[str] | None = None, wait: bool = True,
              progress: ProgressCallback | None = None, **overrides: Any) -> str | dict:
        """Parse raw frames into a frame (``POST /3/ParseSetup`` then ``POST /3/Parse``).

        Parameters
        ----------
        source_frames : str or list of str
            Raw frame keys.
        destination_frame : str, optional
            Key of the parsed frame (default: the server's guess, e.g. ``prostate.hex``).
        setup : dict, optional
            A ``ParseSetupV3`` answer to use instead of asking the server again.
        column_types : list or dict, optional
            Types for all columns (``None`` entries keep the guess) or ``{name: type}``;
            spellings as in :func:`normalize_column_type`.
        column_names : list of str, optional
            New names for all columns.
        wait : bool
            Wait for the parse job and return the frame id; else return the job dict.
        progress : callable, optional
            ``progress(job_dict)`` after each poll while waiting.
        **overrides
            Any other ParseSetup field: ``separator``, ``check_header``/``header``,
            ``na_strings`` (a list for all columns or ``{name: [...]}``), ``skipped_columns``...

        Returns
        -------
        str or dict
            The parsed frame's id, or the ``JobV3`` dict when ``wait`` is false.
        """
        overrides = _setup_params(overrides)
        if setup is None:
            hints = {k: overrides[k] for k in _SETUP_GUESS_FIELDS if k in overrides}
            setup = self.parse_setup(source_frames, **hints)
        final = self._edited_setup(setup, destination_frame, column_types, column_names, overrides)
        fields = {k: final.get(k) for k in _PARSE_FIELDS}
        sources = setup.get("source_frames") or _as_list(source_frames)
        fields["source_frames"] = [s["name"] if isinstance(s, dict) else s for s in sources]
        # The raw bytes are not needed once parsed; blocking=False returns a job at once.
        fields["delete_on_done"] = overrides.get("delete_on_done", True)
        fields["blocking"] = False
        answer = self.connection.post("/3/Parse", **fields)
        job = answer["job"]
        if not wait:
            return job
        done = self.wait_job(job, progress=progress)
        return (done.get("dest") or {}).get("name") or answer["destination_frame"]["name"]

    @staticmethod
    def _edited_setup(setup: dict, destination_frame: str | None, column_types: Any,
                      column_names: list[str] | None, overrides: Mapping[str, Any]) -> dict:
        """Return a copy of ``setup`` with the caller's edits; ``setup`` itself is not touched."""
        final = dict(setup)
        final.update({k: v for k, v in overrides.items() if k in _PARSE_FIELDS and k != "na_strings"})
        if destination_frame is not None:
            final["destination_frame"] = destination_frame
        names = list(column_names) if column_names is not None else list(setup.get("column_names") or [])
        if column_names is not None:
            final["column_names"] = names
        if not names:
            names = [f"C{i + 1}" for i in range(int(setup.get("number_columns") or 0))]
        if column_types is not None:
            types = list(setup.get("column_types") or [])
            if isinstance(column_types, Mapping):
                unknown = set(column_types) - set(names)
                if unknown:
                    raise ValueError(f"column_types names unknown columns {sorted(unknown)}; columns are {names}")
                for name, kind in column_types.items():
                    types[names.index(name)] = normalize_column_type(kind)
            else:
                if len(column_types) != len(types):
                    raise ValueError(f"column_types has {len(column_types)} entries for {len(types)} columns")
                types = [old if new is None else normalize_column_type(new)
                         for old, new in zip(types, column_types)]
            final["column_types"] = types
        if "na_strings" in overrides:
            final["na_strings"] = _na_strings_per_column(overrides["na_strings"], names)
        return final

    # -- one-call conveniences ----------------------------------------------------------
    def import_frame(self, path: str, destination_frame: str | None = None, pattern: str | None = None,
                     progress: ProgressCallback | None = None, **parse_overrides: Any) -> str:
        """Import a server-side file or folder and parse it into one frame.

        Parameters
        ----------
        path : str
            File or folder on the server's file system.
        destination_frame : str, optional
            Key of the parsed frame.
        pattern : str, optional
            Regular expression for file names inside a folder.
        progress : callable, optional
            Parse job progress callback.
        **parse_overrides
            Passed to :meth:`parse` (``column_types``, ``separator``, ``header``...).

        Returns
        -------
        str
            The frame id.

        Raises
        ------
        H2OImportError
            When the server lists failed paths or finds no file.
        """
        answer = self.import_files(path, pattern=pattern)
        if answer.get("fails") or not answer.get("destination_frames"):
            raise H2OImportError(answer.get("fails") or [path], answer)
        return self.parse(answer["destination_frames"], destination_frame=destination_frame,
                          progress=progress, **parse_overrides)

    def upload_frame(self, path_or_dataframe: Any, destination_frame: str | None = None,
                     progress: ProgressCallback | None = None, **parse_overrides: Any) -> str:
        """Upload a local file or a pandas DataFrame and parse it into a frame.

        A DataFrame travels as CSV with its header; its ``category`` columns are parsed
        as enums, other columns keep the server's guess unless ``column_types`` says otherwise.

        Returns
        -------
        str
            The frame id.
        """
        if isinstance(path_or_dataframe, pd.DataFrame):
            frame = path_or_dataframe
            content = frame.to_csv(index=False).encode("utf-8")
            parse_overrides.setdefault("header", 1)
            parse_overrides.setdefault("separator", ",")
            if "column_types" not in parse_overrides:
                types = [("enum" if isinstance(dtype, pd.CategoricalDtype) else None) for dtype in frame.dtypes]
                if any(types):
                    parse_overrides["column_types"] = types
            raw = self.upload_file(content)
        else:
            raw = self.upload_file(path_or_dataframe)
        return self.parse(raw, destination_frame=destination_frame, progress=progress, **parse_overrides)

    # -- frames -------------------------------------------------------------------------
    def frames(self) -> list[dict]:
        """List frame synopses (``GET /3/Frames``): ``frame_id``, ``rows``, ``columns``, ``byte_size``..."""
        return self.connection.get("/3/Frames")["frames"]

    def frame(self, frame_id: str, row_offset: int = 0, row_count: int = 10, column_offset: int = 0,
              column_count: int | None = None) -> dict:
        """Return one frame with column statistics and a window of data (``GET /3/Frames/{id}``).

        Returns
        -------
        dict
            The ``FrameV3`` dict (``frames[0]`` of the answer).
        """
        answer = self.connection.get(build_path("/3/Frames", frame_id), row_offset=row_offset,
                                     row_count=row_count, column_offset=column_offset,
                                     column_count=column_count)
        return answer["frames"][0]

    def frame_summary(self, frame_id: str) -> dict:
        """Return the frame with full summaries: percentiles, histograms (``GET /3/Frames/{id}/summary``)."""
        return self.connection.get(build_path("/3/Frames", frame_id, "summary"))["frames"][0]

    def frame_preview(self, frame_id: str, row_offset: int = 0, row_count: int = 10) -> pd.DataFrame:
        """Return rows of a frame as a DataFrame (enums as categoricals, times as datetimes).

        Parameters
        ----------
        frame_id : str
            Frame key.
        row_offset, row_count : int
            The window of rows to read.
        """
        frame = self.frame(frame_id, row_offset=row_offset, row_count=row_count)
        return pd.DataFrame({column["label"]: _column_values(column) for column in frame["columns"]})

    def column_summaries(self, frame_id: str) -> pd.DataFrame:
        """One row per column: label, type, missing, zeros, min, max, mean, sigma, cardinality."""
        frame = self.frame(frame_id, row_count=0)
        rows = []
        for column in frame["columns"]:
            numeric = column.get("type") not in ("string", "uuid")
            mins, maxs = column.get("mins") or [None], column.get("maxs") or [None]
            domain = column.get("domain")
            rows.append({
                "label": column["label"],
                "type": column.get("type"),
                "missing": column.get("missing_count"),
                "zeros": column.get("zero_count"),
                "min": _as_float(mins[0]) if numeric else np.nan,
                "max": _as_float(maxs[0]) if numeric else np.nan,
                "mean": _as_float(column.get("mean")) if numeric else np.nan,
                "sigma": _as_float(column.get("sigma")) if numeric else np.nan,
                "cardinality": (column.get("domain_cardinality") or len(domain)) if domain else np.nan,
            })
        return pd.DataFrame(rows, columns=["label", "type", "missing", "zeros", "min", "max", "mean",
                                           "sigma", "cardinality"])

    def delete_frame(self, frame_id: str) -> dict:
        """Delete a frame (``DELETE /3/Frames/{id}``)."""
        return self.connection.delete(build_path("/3/Frames", frame_id))

    def download_csv(self, frame_id: str) -> str:
        """A whole frame as CSV text, header first (``GET /3/DownloadDataset``)."""
        return self.connection.get_text("/3/DownloadDataset", frame_id=frame_id, hex_string=False)

    def frame_to_pandas(self, frame_id: str) -> pd.DataFrame:
        """A whole frame as a DataFrame: enums as categoricals in the frame's level order.

        The CSV alone cannot say that ``"0"``/``"1"`` are levels, so the frame's column
        types decide how each column is read.
        """
        columns = self.frame(frame_id, row_count=0)["columns"]
        as_text = {c["label"]: str for c in columns if c.get("type") in ("enum", "string", "uuid")}
        table = pd.read_csv(io.StringIO(self.download_csv(frame_id)), dtype=as_text, keep_default_na=False,
                            na_values=[""])
        for column in columns:
            if column.get("type") == "enum":
                table[column["label"]] = pd.Categorical(table[column["label"]], categories=column.get("domain") or [])
        return table

    def export_frame(self, frame_id: str, path: str, force: bool = False, format: str = "csv",
                     compression: str | None = None, wait: bool = True,
                     progress: ProgressCallback | None = None, timeout: float | None = None) -> str | dict:
        """Write a frame to a file on the server's disk (``POST /3/Frames/{id}/export``, a job).

        Parameters
        ----------
        frame_id : str
            The frame to write.
        path : str
            The file to write, on the server's disk. Real H2O-3 writes Parquet as a folder
            of part files at ``path``; the embedded engine writes one file.
        force : bool
            Overwrite what is at ``path``; without it an existing file is refused.
        format : str
            ``csv`` or ``parquet``.
        compression : str, optional
            ``gzip``, ``bzip2`` (CSV); ``snappy``, ``gzip``, ``zstd``... (Parquet); none by default.
        wait : bool
            Wait for the export job and return ``path``; else return the job dict.
        progress : callable, optional
            ``progress(job_dict)`` after each poll while waiting.

        Returns
        -------
        str or dict
        """
        answer = self.connection.post(build_path("/3/Frames", frame_id, "export"), path=path, force=force,
                                      format=format, compression=compression)
        if not wait:
            return answer["job"]
        self.wait_job(answer["job"], progress=progress, timeout=timeout)
        return path

    def split_frame(self, frame_id: str, ratios: Iterable[float], destination_frames: Iterable[str] | None = None,
                    seed: int | None = None, timeout: float | None = None) -> list[str]:
        """Split a frame's rows at random into parts, wait, and return every part's id in order.

        Parameters
        ----------
        frame_id : str
            The frame to split.
        ratios : list of float
            The fractions of every part but the last, e.g. ``[0.8]`` for 80/20 (H2O's ``ratios``);
            fractions of every part adding up to 1 (``[0.8, 0.2]``) are accepted too.
        destination_frames : list of str, optional
            One name per part; default :func:`split_part_names` (``prostate_train.hex``,
            ``prostate_test.hex``; three parts: train, valid, test).
        seed : int, optional
            Makes the split reproducible; without one each split differs.

        Returns
        -------
        list of str
            The id of every part.

        Notes
        -----
        The embedded engine splits at ``POST /3/SplitFrame`` (with ``seed``). Real H2O-3's
        SplitFrame takes no seed and cuts each chunk into consecutive blocks, so a file sorted
        by its response would give biased parts; there this method draws one uniform number
        per row with Rapids, as h2o-py's ``H2OFrame.split_frame`` does.
        """
        ratios = split_part_ratios(ratios)
        names = list(destination_frames) if destination_frames else split_part_names(frame_id, len(ratios) + 1)
        if len(names) != len(ratios) + 1:
            raise ValueError(f"{len(ratios) + 1} parts need {len(ratios) + 1} destination frames, got {names}")
        if self.engine_kind() == "embedded":
            answer = self.connection.post("/3/SplitFrame", dataset=frame_id, ratios=ratios,
                                          destination_frames=names, seed=seed)
            self.wait_job(answer.get("job") or answer, timeout=timeout)
        else:
            self._split_with_runif(frame_id, ratios, names, seed)
        return names

    def _split_with_runif(self, frame_id: str, ratios: list[float], names: list[str], seed: int | None) -> None:
        """h2o-py's split: a uniform draw per row (``h2o.runif``), then one row selection per part."""
        draw = f"h2odash_split_{uuid.uuid4().hex}"
        frame = _rapids_key(frame_id)
        self.rapids(f"(tmp= {draw} (h2o.runif {frame} {-1 if seed is None else int(seed)}))")
        try:
            edges = [float(sum(ratios[:i])) for i in range(len(ratios) + 1)]
            for i, name in enumerate(names):
                if i == 0:
                    rows = f"(<= {draw} {edges[1]!r})"
                elif i == len(names) - 1:
                    rows = f"(> {draw} {edges[i]!r})"
                else:
                    rows = f"(& (> {draw} {edges[i]!r}) (<= {draw} {edges[i + 1]!r}))"
                self.rapids(f"(assign {_rapids_key(name)} (rows {frame} {rows}))")
        finally:
            self.rapids(f"(rm {draw})")

    def rapids(self, expression: str) -> dict:
        """Evaluate a Rapids expression (``POST /99/Rapids``); returns the server's answer."""
        return self.connection.post("/99/Rapids", ast=expression)

    def change_column_type(self, frame_id: str, column: str, to: str) -> None:
        """Make a column categorical (``to="enum"``), numeric or string, in place, with the
        Rapids expression H2O's own clients use."""
        operation = {"enum": "as.factor", "factor": "as.factor", "categorical": "as.factor",
                     "numeric": "as.numeric", "real": "as.numeric", "int": "as.numeric",
                     "string": "as.character"}.get(to.lower())
        if operation is None:
            raise ValueError(f"cannot change a column to {to!r}: use enum, numeric or string")
        names = [c["label"] for c in self.frame(frame_id, row_count=0)["columns"]]
        if column not in names:
            raise ValueError(f"frame {frame_id!r} has no column {column!r}")
        index = names.index(column)
        key = _rapids_key(frame_id)
        self.rapids(f"(assign {key} (:= {key} ({operation} (cols {key} [{index}])) [{index}] []))")

    # -- models -------------------------------------------------------------------------
    def model_builders(self) -> dict[str, dict]:
        """Every algorithm the server can train, with its parameter declarations
        (``GET /3/ModelBuilders``), by algorithm name."""
        return self.connection.get("/3/ModelBuilders")["model_builders"]

    def model_builder(self, algo: str) -> dict:
        """Return an algorithm's parameter declarations (``GET /3/ModelBuilders/{algo}``).

        Returns
        -------
        dict
            The builder (``model_builders[algo]``) with its ``parameters`` list.
        """
        answer = self.connection.get(build_path("/3/ModelBuilders", algo))
        return answer["model_builders"][algo]

    def train(self, algo: str, training_frame: str, response_column: str | None = None, wait: bool = True,
              progress: ProgressCallback | None = None, timeout: float | None = None, **params: Any) -> str | dict:
        """Train a model (``POST /3/ModelBuilders/{algo}``, form-encoded like h2o-py; ``/99`` for
        svd, which H2O-3 trains only there).

        Parameters
        ----------
        algo : str
            ``gbm``, ``drf``, ``glm``...
        training_frame : str
            Frame id.
        response_column : str, optional
            Target column name (omit for unsupervised algorithms).
        wait : bool
            Wait for the job and return the model id; else return the job dict.
        progress : callable, optional
            ``progress(job_dict)`` after each poll.
        timeout : float, optional
            Seconds to wait for the job.
        **params
            Any builder parameter (``ntrees=50``, ``ignored_columns=["ID"]``...); ``None`` keeps the default.

        Returns
        -------
        str or dict
        """
        version = 99 if algo.lower() in _BUILDERS_UNDER_99 else 3
        answer = self.connection.post(build_path(f"/{version}/ModelBuilders", algo), training_frame=training_frame,
                                      response_column=response_column, **params)
        if not wait:
            return answer["job"]
        done = self.wait_job(answer["job"], progress=progress, timeout=timeout)
        return done["dest"]["name"]

    def models(self) -> list[dict]:
        """List models (``GET /3/Models``)."""
        return self.connection.get("/3/Models")["models"]

    def model(self, model_id: str) -> dict:
        """Return one model with its parameters and metrics (``GET /3/Models/{id}``)."""
        return self.connection.get(build_path("/3/Models", model_id))["models"][0]

    def delete_model(self, model_id: str) -> dict:
        """Delete a model (``DELETE /3/Models/{id}``)."""
        return self.connection.delete(build_path("/3/Models", model_id))

    def predict(self, model_id: str, frame_id: str, predictions_frame: str | None = None, **options: Any) -> dict:
        """Score a frame (``POST /3/Predictions/models/{model}/frames/{frame}``).

        ``options`` are the endpoint's switches that change what is predicted, e.g.
        ``reconstruction_error=True`` (autoencoders) or ``deep_features_hidden_layer=0``.

        Returns
        -------
        dict
            The answer: ``predictions_frame`` (its ``name`` is the new frame id) and ``model_metrics``.
        """
        return self.connection.post(build_path("/3/Predictions/models", model_id, "frames", frame_id),
                                    predictions_frame=predictions_frame, **options)

    # -- model files --------------------------------------------------------------------
    def save_model(self, model_id: str, path: str, force: bool = False) -> str:
        """Write a model to a file on the server's disk (``GET /99/Models.bin/{id}``, ``dir=path``).

        Parameters
        ----------
        model_id : str
            The model.
        path : str
            The file to write (the file itself, not a folder), on the server's disk.
        force : bool
            Overwrite an existing file; without it the server refuses.

        Returns
        -------
        str
            The path the server wrote.
        """
        return self.connection.get(build_path("/99/Models.bin", model_id), dir=path, force=force)["dir"]

    def load_model(self, path: str) -> str:
        """Read a model file on the server's disk back into a model (``POST /99/Models.bin/``).

        A model of the same id is replaced, as H2O-3 does. Each server reads only its own
        kind of file: H2O-3's binary models, or the embedded engine's model files.

        Returns
        -------
        str
            The loaded model's id.
        """
        answer = self.connection.post("/99/Models.bin/", dir=path)
        return answer["models"][0]["model_id"]["name"]

    def download_model(self, model_id: str) -> bytes:
        """A model's file, as bytes (``GET /3/Models.fetch.bin/{id}``), for :meth:`upload_model`."""
        return self.connection.get_bytes(build_path("/3/Models.fetch.bin", model_id))

    def upload_model(self, path_or_bytes: str | os.PathLike | bytes) -> str:
        """Send a model file from this machine to the server and load it, as h2o-py's
        ``upload_model`` does (``POST /3/PostFile.bin``, then ``POST /99/Models.upload.bin/``).

        Parameters
        ----------
        path_or_bytes : path-like or bytes
            A local model file (from :meth:`download_model` or :meth:`save_model`), or its content.

        Returns
        -------
        str
            The loaded model's id.
        """
        key = self._post_file("/3/PostFile.bin", path_or_bytes, "model.bin")
        answer = self.connection.post("/99/Models.upload.bin/", dir=key)
        return answer["models"][0]["model_id"]["name"]

    # -- workspace ------------------------------------------------------------------------
    def workspace(self) -> dict | None:
        """Where the server keeps its work across restarts (``GET /3/Workspace``, h2odash only).

        Returns
        -------
        dict or None
            ``folder`` (None when the embedded engine keeps everything in memory), ``size_bytes``,
            ``limit_bytes``, ``objects``, ``set_aside`` (``[{"file", "reason"}]``) and ``restored``
            (what start-up brought back); None for a server without the endpoint (real H2O-3,
            which keeps everything in memory).
        """
        try:
            return self.connection.get("/3/Workspace")
        except H2ONotFoundError:
            return None

    # -- AutoML -------------------------------------------------------------------------
    def start_automl(self, training_frame: str, response_column: str, wait: bool = False,
                     timeout: float | None = None, **options: Any) -> dict | str:
        """Start an AutoML run (``POST /99/AutoMLBuilder``, a JSON body as h2o-py sends it).

        Parameters
        ----------
        training_frame, response_column : str
            The data and the column to predict.
        wait : bool
            Wait for the run and return its id; by default return the job at once (its
            ``dest.name`` is the run's id, for :meth:`automl`).
        timeout : float, optional
            Seconds to wait when ``wait`` is true.
        **options
            h2o-py's ``H2OAutoML`` arguments: ``max_models``, ``max_runtime_secs``, ``seed``,
            ``exclude_algos``, ``include_algos``, ``nfolds``, ``sort_metric``, ``project_name``...;
            see :func:`h2odash.client.automl.automl_spec`. ``None`` keeps the server's default.
        """
        answer = self.connection.post_json("/99/AutoMLBuilder", automl_spec(training_frame, response_column, **options))
        if not wait:
            return answer["job"]
        done = self.wait_job(answer["job"], timeout=timeout)
        return done["dest"]["name"]

    def automl(self, automl_id: str) -> dict:
        """An AutoML run's state (``GET /99/AutoML/{id}``): ``leaderboard_table``, ``event_log_table``...

        Raises
        ------
        H2ONotFoundError
            For an unknown id: H2O-3 answers 200 with an empty state (no ``project_name``),
            which h2o-py also treats as "no such AutoML".
        """
        route = build_path("/99/AutoML", automl_id)
        answer = self.connection.get(route)
        if not answer.get("project_name"):
            raise H2ONotFoundError(404, f"no AutoML run with id {automl_id!r}", body=answer, url=f"GET {route}")
        return answer

    def automl_runs(self) -> list[str]:
        """Ids of the AutoML runs the server holds, whoever started them (``GET /99/Leaderboards``,
        one leaderboard per run)."""
        boards = self.connection.get("/99/Leaderboards").get("leaderboards") or []
        return [board["project_name"] for board in boards if board.get("project_name")]

    # -- grid search --------------------------------------------------------------------
    def start_grid(self, algo: str, training_frame: str, response_column: str | None,
                   hyper_parameters: Mapping[str, Iterable[Any]], search_criteria: Mapping[str, Any] | None = None,
                   grid_id: str | None = None, wait: bool = False, timeout: float | None = None,
                   **params: Any) -> dict | str:
        """Start a grid search (``POST /99/Grid/{algo}``, form-encoded like h2o-py's ``H2OGridSearch``).

        Parameters
        ----------
        algo : str
            ``gbm``, ``drf``, ``glm``...
        training_frame, response_column : str
            The data and the column to predict (None for unsupervised algorithms).
        hyper_parameters : dict
            Parameter name -> the values to try (``{"max_depth": [2, 3]}``).
        search_criteria : dict, optional
            ``{"strategy": "Cartesian"}`` (the server's default) or ``{"strategy": "RandomDiscrete",
            "max_models": 5, "seed": 1, ...}``.
        grid_id : str, optional
            The grid's key; the server names it otherwise.
        wait : bool
            Wait for the grid's job and return the grid id; by default return the job at once
            (its ``dest.name`` is the grid id, for :meth:`grid`).
        timeout : float, optional
            Seconds to wait when ``wait`` is true.
        **params
            Builder parameters shared by every model (``ntrees=5``, ``seed=1``...); ``None`` keeps the default.
        """
        answer = self.connection.post(
            build_path("/99/Grid", algo), training_frame=training_frame, response_column=response_column,
            hyper_parameters=h2o_map(hyper_parameters),
            search_criteria=None if search_criteria is None else h2o_map(search_criteria),
            grid_id=grid_id, **params)
        job = answer["job"] if "job" in answer else answer
        if not wait:
            return job
        done = self.wait_job(job, timeout=timeout)
        return done["dest"]["name"]

    def grid(self, grid_id: str, sort_by: str | None = None, decreasing: bool | None = None) -> dict:
        """A grid's models and summary (``GET /99/Grids/{id}``): ``model_ids``, ``hyper_names``,
        ``failed_params``, ``failure_details``, ``summary_table``..."""
        return self.connection.get(build_path("/99/Grids", grid_id), sort_by=sort_by, decreasing=decreasing)

    # -- jobs ---------------------------------------------------------------------------
    def jobs(self) -> list[dict]:
        """List all jobs (``GET /3/Jobs``), as ``JobV3`` dicts."""
        return self.connection.get("/3/Jobs")["jobs"]

    def job(self, job_id: str) -> dict:
        """Return one job (``GET /3/Jobs/{id}``): ``status``, ``progress``, ``dest``, ``exception``..."""
        return self.connection.get(build_path("/3/Jobs", job_id_of(job_id)))["jobs"][0]

    def cancel_job(self, job_id: str) -> dict:
        """Ask a running job to stop (``POST /3/Jobs/{id}/cancel``)."""
        return self.connection.post(build_path("/3/Jobs", job_id_of(job_id), "cancel"))

    def wait_job(self, job_or_id: Any, progress: ProgressCallback | None = None, poll_interval: float = 0.2,
                 timeout: float | None = None) -> dict:
        """Wait until a job is DONE; see :func:`h2odash.client.jobs.wait_for_job`.

        Parameters
        ----------
        job_or_id : str or dict
            A job key, a ``JobV3`` dict, or an answer holding ``job``.
        """
        return wait_for_job(self.job, job_id_of(job_or_id), progress=progress,
                            poll_interval=poll_interval, timeout=timeout)


def split_part_ratios(ratios: Iterable[float]) -> list[float]:
    """The fractions of every part but the last, as H2O's SplitFrame takes them.

    ``[0.8]`` stays ``[0.8]``; fractions of every part adding up to 1 (``[0.8, 0.2]``) lose
    their last one. Raises ``ValueError`` when a fraction is not in (0, 1) or they add up to
    more than 1, or to 1 with a single fraction (which leaves no second part).
    """
    ratios = [float(r) for r in ratios]
    total = sum(ratios)
    if not ratios or not all(0 < r < 1 for r in ratios) or total > 1 + 1e-9:
        raise ValueError(f"ratios are fractions in (0, 1) adding up to at most 1, got {ratios}")
    if abs(total - 1) <= 1e-9:
        ratios = ratios[:-1]
    if not ratios:
        raise ValueError(f"ratios {ratios} leave no second part")
    return ratios


# Default names of split parts: two parts train/test, three train/valid/test.
_PART_ROLES = {2: ("train", "test"), 3: ("train", "valid", "test")}


def split_part_names(frame_id: str, parts: int) -> list[str]:
    """Names for the parts of a split of ``frame_id``: ``prostate.hex`` -> ``prostate_train.hex``,
    ``prostate_test.hex``; three parts add ``_valid``; more are ``_part0``, ``_part1``...
    (H2O-3 keeps a ``.hex`` suffix last the same way)."""
    stem, suffix = (frame_id[:-4], ".hex") if frame_id.endswith(".hex") else (frame_id, "")
    roles = _PART_ROLES.get(parts) or [f"part{i}" for i in range(parts)]
    return [f"{stem}_{role}{suffix}" for role in roles]


def _as_list(keys: str | Iterable[str]) -> list[str]:
    return [keys] if isinstance(keys, str) else list(keys)


def _na_strings_per_column(na_strings: Any, names: list[str]) -> list[list[str]]:
    """H2O reads ``na_strings`` as one list per column; accept a flat list or ``{name: values}``."""
    if isinstance(na_strings, Mapping):
        per_column: list[list[str]] = [[] for _ in names]
        for name, values in na_strings.items():
            per_column[names.index(name)] = [values] if isinstance(values, str) else list(values)
        return per_column
    values = [na_strings] if isinstance(na_strings, str) else list(na_strings)
    if values and all(isinstance(v, (list, tuple)) for v in values):
        return [list(v) for v in values]
    return [list(values) for _ in names]


def _column_values(column: dict) -> Any:
    """Decode one ``ColV3``'s data window into a pandas-friendly sequence."""
    kind = column.get("type")
    if column.get("string_data") is not None and column.get("data") is None or kind in ("string", "uuid"):
        return pd.array(column.get("string_data") or [], dtype="object")
    values = np.array([_as_float(v) for v in column.get("data") or []], dtype="float64")
    if kind == "enum":
        domain = list(column.get("domain") or [])
        codes = np.where(np.isnan(values), -1, values).astype("int64")
        return pd.Categorical.from_codes(codes, categories=domain)
    if kind == "time":
        return pd.to_datetime(values, unit="ms")
    if kind == "int" and not np.isnan(values).any():
        return values.astype("int64")
    return values


def _rapids_key(name: str) -> str:
    """A key as a Rapids symbol, quoted when it holds characters a bare word cannot."""
    if all(c.isalnum() or c in "._-" for c in name):
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
