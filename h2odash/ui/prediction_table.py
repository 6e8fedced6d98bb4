"""Predictions as a user reads them: a row number, the actual value when the scored frame has the
model's response, the predicted columns, and on request the input columns beside them."""
from __future__ import annotations

import pandas as pd

from h2odash.client import H2OClient

# A download link carries its CSV inside the page; beyond this many rows it holds the first ones.
DOWNLOAD_ROWS = 50_000


def prediction_table(predictions: pd.DataFrame, scored: pd.DataFrame | None, response: str | None,
                     with_inputs: bool = False, first_row: int = 1) -> pd.DataFrame:
    """``row``, ``actual <response>`` (when ``scored`` has it), the predictions' columns, then the
    scored frame's other columns when ``with_inputs``. ``scored`` holds the same rows as
    ``predictions`` (the scored frame's window at the same offset)."""
    table = pd.DataFrame({"row": range(first_row, first_row + len(predictions))})
    scored = scored if scored is not None else pd.DataFrame()
    has_actual = bool(response) and response in scored.columns
    if has_actual:
        table[f"actual {response}"] = scored[response].to_numpy()[: len(table)]
    for name in predictions.columns:
        table[name] = predictions[name].to_numpy()
    if with_inputs:
        for name in scored.columns:
            if name != response or not has_actual:
                table[_free_name(table, f"{name}")] = scored[name].to_numpy()[: len(table)]
    return table


def _free_name(table: pd.DataFrame, name: str) -> str:
    # An input column may share a name with a prediction column (a frame that holds a "predict").
    return name if name not in table.columns else f"input {name}"


def download_table(client: H2OClient, predictions_frame: str, frame_id: str, response: str | None,
                   with_inputs: bool, limit: int = DOWNLOAD_ROWS) -> tuple[pd.DataFrame, int]:
    """The table of :func:`prediction_table` for the first ``limit`` rows of the whole scored frame,
    and the frame's total number of rows."""
    predictions = client.frame_to_pandas(predictions_frame)
    needs_scored = with_inputs or bool(response)
    scored = client.frame_to_pandas(frame_id) if needs_scored else None
    total = len(predictions)
    table = prediction_table(predictions.head(limit), None if scored is None else scored.head(limit),
                             response, with_inputs)
    return table, total
