"""Explaining models over the REST API: SHAP contributions and partial dependence (with ICE).

Both are jobs on the server. The ``start_*`` methods return the job at once (a panel follows its
progress and can cancel it); the others wait and return pandas tables:

- contributions: ``POST /4/Predictions/models/{m}/frames/{f}`` with ``predict_contributions``;
  the job's ``dest`` is a frame with one column per feature, then ``BiasTerm`` (H2O-3 refuses
  multinomial models, and GLM without a ``background_frame``: the job fails with its reason).
- partial dependence: ``POST /3/PartialDependence/`` then ``GET /3/PartialDependence/{key}``;
  each ``partial_dependence_data`` table becomes a :class:`PartialDependenceTable`.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from .connection import build_path
from .errors import H2OError
from .jobs import ProgressCallback

# What the contributions frame holds besides one column per feature.
BIAS_TERM = "BiasTerm"
# The response columns of every partial dependence table, after its one or two grid columns.
RESPONSE_COLUMNS = ("mean_response", "stddev_response", "std_error_mean_response")


@dataclass
class PartialDependenceTable:
    """One of the tables ``GET /3/PartialDependence/{key}`` answers, tidied.

    Attributes
    ----------
    columns : tuple of str
        The frame's column(s) the table varies, as the frame spells them (H2O-3 lower-cases the
        table's own column names; the original name is in each column's description).
    table : DataFrame
        One row per grid point: the grid column(s) under their frame names (numbers for numeric
        columns, level names as text for categorical ones, NaN or ``.missing(NA)`` for the
        missing-value bin), then ``mean_response``, ``stddev_response``, ``std_error_mean_response``.
    description : str
        The server's title of the table (it names the model, and the class for ``targets``).
    """

    columns: tuple[str, ...]
    table: pd.DataFrame
    description: str = ""

    @property
    def is_2d(self) -> bool:
        return len(self.columns) == 2


def _cell(value: Any) -> Any:
    # H2O writes non-finite numbers as strings ("NaN", "Infinity").
    if isinstance(value, str) and value in ("NaN", "Infinity", "-Infinity"):
        return float(value.replace("Infinity", "inf"))
    return value


def partial_dependence_table(two_dim: dict) -> PartialDependenceTable:
    """A ``TwoDimTableV3`` of ``partial_dependence_data`` as a :class:`PartialDependenceTable`."""
    specs = two_dim.get("columns") or []
    data = two_dim.get("data") or [[] for _ in specs]
    names = [spec.get("description") or spec.get("name") for spec in specs]
    table = pd.DataFrame({name: [_cell(v) for v in values] for name, values in zip(names, data)})
    for name, spec in zip(names, specs):
        if spec.get("type") in ("double", "float", "long", "int"):
            table[name] = pd.to_numeric(table[name], errors="coerce")
        else:
            table[name] = table[name].astype(str)
    grid = tuple(name for name in names if name not in RESPONSE_COLUMNS)
    return PartialDependenceTable(grid, table, two_dim.get("description") or "")


class ExplainCalls:
    """Contributions and partial dependence; mixed into :class:`~h2odash.client.H2OClient`."""

    connection: Any  # provided by H2OClient

    # -- contributions ------------------------------------------------------------------
    def start_contributions(self, model_id: str, frame_id: str, output_format: str | None = None,
                            top_n: int | None = None, bottom_n: int | None = None, compare_abs: bool | None = None,
                            background_frame: str | None = None, output_per_reference: bool | None = None,
                            destination_frame: str | None = None) -> dict:
        """Start computing SHAP contributions of ``model_id`` for each row of ``frame_id``.

        Parameters
        ----------
        output_format : str, optional
            ``"Original"`` (XGBoost: one column per categorical level) or ``"Compact"``
            (``predict_contributions_output_format``).
        top_n, bottom_n : int, optional
            Keep only the largest / smallest contributions per row, as ``top_feature_k``,
            ``top_value_k`` pairs (``-1``: all of them, sorted).
        compare_abs : bool, optional
            Rank by absolute value.
        background_frame : str, optional
            Baseline SHAP against these rows (required by H2O-3 for GLM and deep learning).
        output_per_reference : bool, optional
            One row per (row, background row) pair, with ``RowIdx`` and ``BackgroundRowIdx``.
        destination_frame : str, optional
            The contributions frame's key (the server names it otherwise).

        Returns
        -------
        dict
            The ``JobV3``; its ``dest.name`` is the contributions frame.
        """
        answer = self.connection.post(
            build_path("/4/Predictions/models", model_id, "frames", frame_id), predict_contributions=True,
            predict_contributions_output_format=output_format, top_n=top_n, bottom_n=bottom_n,
            compare_abs=compare_abs, background_frame=background_frame,
            output_per_reference=output_per_reference, predictions_frame=destination_frame)
        return answer.get("job") if isinstance(answer.get("job"), dict) else answer

    def contributions(self, model_id: str, frame_id: str, progress: ProgressCallback | None = None,
                      timeout: float | None = None, **options: Any) -> pd.DataFrame:
        """SHAP contributions as a DataFrame (one row per row of ``frame_id``; ``BiasTerm`` last).

        ``options`` are those of :meth:`start_contributions`. Raises
        :class:`~h2odash.client.H2OJobError` with the server's reason when it refuses the model.
        """
        job = self.wait_job(self.start_contributions(model_id, frame_id, **options), progress=progress,
                            timeout=timeout)
        return self.frame_to_pandas(job["dest"]["name"])

    def select_rows(self, frame_id: str, rows: Iterable[int], destination_frame: str | None = None) -> str:
        """Make a frame of ``frame_id``'s rows at the positions ``rows`` (counting from 0), in that
        order, with Rapids (``rows``), as H2O's clients slice frames; returns its id."""
        from .api import _rapids_key  # api imports this module

        key = destination_frame or f"rows_{uuid.uuid4().hex[:12]}"
        positions = " ".join(str(int(r)) for r in rows)
        self.rapids(f"(assign {_rapids_key(key)} (rows {_rapids_key(frame_id)} [{positions}]))")
        return key

    def discard(self, *keys: str | None) -> None:
        """Remove what an explanation made on the server (row samples, contributions and
        predictions frames, partial dependence results) once it has been read. A key already gone
        is no error: this is cleanup, and must never hide the charts it followed."""
        for key in keys:
            if not key:
                continue
            try:
                self.connection.delete(build_path("/3/DKV", key))
            except H2OError:
                pass

    # -- partial dependence -------------------------------------------------------------
    def start_partial_dependence(self, model_id: str, frame_id: str, cols: Sequence[str] | None = None,
                                 nbins: int | None = None, weight_column_index: int | None = None,
                                 add_missing_na: bool | None = None, row_index: int | None = None,
                                 col_pairs_2dpdp: Iterable[Sequence[str]] | None = None,
                                 user_splits: Sequence[float] | None = None, user_cols: Sequence[str] | None = None,
                                 num_user_splits: Sequence[int] | None = None, targets: Sequence[str] | None = None,
                                 destination_key: str | None = None) -> dict:
        """Start a partial dependence job (``POST /3/PartialDependence/``).

        Parameters
        ----------
        cols : list of str, optional
            Columns to vary one at a time (one table each).
        nbins : int, optional
            Grid points per numeric column (the server's default is 20).
        row_index : int, optional
            Vary one row only (counting from 0): its ICE curve instead of the average.
        col_pairs_2dpdp : list of [str, str], optional
            Pairs of columns to vary together (one 2D table each, after the 1D ones).
        user_splits, user_cols, num_user_splits : optional
            Grid values of one's own: ``user_splits`` holds every column's values one after the
            other, ``num_user_splits`` how many each of ``user_cols`` has.
        targets : list of str, optional
            Classes to report (multinomial models).

        Returns
        -------
        dict
            The ``JobV3``; ``dest.name`` is the key to read with :meth:`partial_dependence_result`.
        """
        pairs = None if col_pairs_2dpdp is None else [list(pair) for pair in col_pairs_2dpdp]
        answer = self.connection.post(
            "/3/PartialDependence/", model_id=model_id, frame_id=frame_id, cols=_listed(cols), nbins=nbins,
            weight_column_index=weight_column_index, add_missing_na=add_missing_na, row_index=row_index,
            col_pairs_2dpdp=pairs, user_splits=_listed(user_splits), user_cols=_listed(user_cols),
            num_user_splits=_listed(num_user_splits), targets=_listed(targets), destination_key=destination_key)
        return answer.get("job") if isinstance(answer.get("job"), dict) else answer

    def partial_dependence_result(self, key: str) -> list[PartialDependenceTable]:
        """The tables of a finished partial dependence job (``GET /3/PartialDependence/{key}``)."""
        answer = self.connection.get(build_path("/3/PartialDependence", key))
        return [partial_dependence_table(t) for t in answer.get("partial_dependence_data") or []]

    def partial_dependence(self, model_id: str, frame_id: str, progress: ProgressCallback | None = None,
                           timeout: float | None = None, **options: Any) -> list[PartialDependenceTable]:
        """Run :meth:`start_partial_dependence`, wait, and return its tables (1D first, then 2D)."""
        job = self.wait_job(self.start_partial_dependence(model_id, frame_id, **options), progress=progress,
                            timeout=timeout)
        return self.partial_dependence_result(job["dest"]["name"])


def _listed(values: Any) -> list | None:
    if values is None:
        return None
    if isinstance(values, (str, bytes)):
        return [values]
    return [v.item() if isinstance(v, np.generic) else v for v in values]
