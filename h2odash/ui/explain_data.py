"""The tables the Explain panel draws, from what the server answers: a sample of rows to explain,
SHAP contributions in long form beside the rows' values, how often models agree, which model's
contributions to show first. Everything server-side goes through the client; nothing here draws.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import numpy as np
import pandas as pd

from h2odash.client import H2OClient, H2OJobError, H2OServerError
from h2odash.client.errors import clean_message
from h2odash.client.explain import BIAS_TERM

# Rows explained at most: enough for a beeswarm to show the spread, few enough that a prostate
# GBM's first charts appear within 2 s (and a 200k-row frame does not wait for 200k SHAP rows).
SAMPLE_ROWS = 1000
# Algorithms whose SHAP values the libraries compute exactly from the trees; a set's SHAP charts
# show the first of these (stacked ensembles and GLM need a background frame on H2O-3).
TREE_ALGORITHMS = ("gbm", "xgboost", "drf", "isolationforest")
# H2O-3 prefixes its refusals with the Java exception's class: noise for a reader.
_JAVA_PREFIX = re.compile(r"^(?:[\w$]+\.)+[\w$]*(?:Exception|Error):\s*(?:unimplemented:\s*)?")


@dataclass
class RowSample:
    """The rows an explanation looks at: a frame holding them, and their numbers in the original
    frame (counting from 0, in order), so a chart can name a row as the user knows it."""

    frame_id: str
    rows: np.ndarray
    total: int

    @property
    def is_whole_frame(self) -> bool:
        return len(self.rows) == self.total


def sample_rows(client: H2OClient, frame_id: str, limit: int = SAMPLE_ROWS, seed: int = 42) -> RowSample:
    """``frame_id`` itself when it has at most ``limit`` rows; else a new frame of ``limit`` rows
    drawn at random (the same ones for the same seed) in their original order, made with Rapids."""
    total = int(client.frame(frame_id, row_count=0).get("rows") or 0)
    if total <= limit:
        return RowSample(frame_id, np.arange(total), total)
    rows = np.sort(np.random.default_rng(seed).choice(total, size=limit, replace=False))
    return RowSample(client.select_rows(frame_id, rows, f"_explain_sample_{uuid.uuid4().hex[:12]}"), rows, total)


def refusal_text(exc: BaseException) -> str:
    """What the server said when it refused (a failed job's reason, an error body's message),
    without the Java exception's class name."""
    if isinstance(exc, H2OJobError):
        text = clean_message(exc.exception) or str(exc)
    elif isinstance(exc, H2OServerError):
        text = exc.msg
    else:
        text = f"{type(exc).__name__}: {exc}"
    first = text.strip().splitlines()[0] if text.strip() else text
    return _JAVA_PREFIX.sub("", first)


def one_class(contributions: pd.DataFrame, target: str | None) -> pd.DataFrame:
    """The contributions to one class's output, named by feature. The embedded engine answers a
    multinomial model with ``class:feature`` columns for every class (H2O-3 refuses); other
    answers are returned as they are."""
    prefixed = [c for c in contributions.columns if ":" in c]
    if not prefixed or target is None:
        return contributions
    mine = [c for c in prefixed if c.split(":", 1)[0] == target]
    return contributions[mine].rename(columns=lambda c: c.split(":", 1)[1])


def feature_columns(contributions: pd.DataFrame) -> list[str]:
    """The contribution columns that belong to features (not ``BiasTerm``, nor row indices)."""
    return [c for c in contributions.columns if c not in (BIAS_TERM, "RowIdx", "BackgroundRowIdx")]


def feature_values(name: str, rows: pd.DataFrame) -> pd.Series:
    """The rows' values behind a contribution column: the column itself, or for a one-hot column
    of H2O-3's GLM and XGBoost (``RACE.1``, ``RACE.missing(NA)``) whether the row has that level."""
    if name in rows.columns:
        return rows[name]
    base, _, level = name.rpartition(".")
    if base in rows.columns:
        values = rows[base].astype(str)
        if level == "missing(NA)":
            return rows[base].isna().astype(float)
        return (values == level).astype(float)
    return pd.Series(np.nan, index=rows.index)


def scaled(values: pd.Series) -> np.ndarray:
    """Values as colours between 0 (lowest) and 1 (highest); levels by their order, missing NaN."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy(dtype=float)
        codes[codes < 0] = np.nan
        numbers = codes
    else:
        numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    finite = numbers[np.isfinite(numbers)]
    if finite.size == 0:
        return np.full(len(numbers), np.nan)
    low, high = finite.min(), finite.max()
    return (numbers - low) / (high - low) if high > low else np.full(len(numbers), 0.5)


def shap_long(contributions: pd.DataFrame, rows: pd.DataFrame, row_numbers) -> pd.DataFrame:
    """One line per (row, feature): ``row`` (its number in the frame, from 1 as the Predict panel
    counts), ``feature``, ``contribution``, ``value`` (the row's value) and ``colour`` (the value
    scaled 0..1 within the feature). Features are ordered by mean absolute contribution."""
    numbers = np.asarray(row_numbers) + 1
    parts = []
    for name in feature_columns(contributions):
        values = feature_values(name, rows.reset_index(drop=True))
        parts.append(pd.DataFrame({"row": numbers, "feature": name,
                                   "contribution": contributions[name].to_numpy(dtype=float),
                                   "value": values.astype(object).to_numpy(), "colour": scaled(values)}))
    if not parts:
        return pd.DataFrame(columns=["row", "feature", "contribution", "value", "colour"])
    long = pd.concat(parts, ignore_index=True)
    order = long.groupby("feature")["contribution"].apply(lambda c: c.abs().mean()).sort_values(ascending=False)
    long["feature"] = pd.Categorical(long["feature"], categories=list(order.index), ordered=True)
    return long.sort_values(["feature", "row"], kind="stable").reset_index(drop=True)


def row_contributions(contributions: pd.DataFrame, rows: pd.DataFrame, position: int) -> pd.DataFrame:
    """One row's contributions, largest magnitude first: ``feature``, ``value``, ``contribution``;
    ``BiasTerm`` last (the model's average output in link space, where the waterfall starts)."""
    line = contributions.iloc[position]
    rows = rows.reset_index(drop=True)
    table = pd.DataFrame({"feature": feature_columns(contributions)})
    table["value"] = [feature_values(name, rows).iloc[position] for name in table["feature"]]
    table["contribution"] = [float(line[name]) for name in table["feature"]]
    table = table.reindex(table["contribution"].abs().sort_values(ascending=False).index)
    bias = pd.DataFrame({"feature": [BIAS_TERM], "value": [None], "contribution": [float(line[BIAS_TERM])]})
    return pd.concat([table, bias], ignore_index=True)


def model_agreement(predictions: dict[str, pd.Series]) -> pd.DataFrame:
    """How alike each pair of models predicts the same rows: for classes, the fraction of rows
    given the same class; for numbers, the correlation of the predictions."""
    names = list(predictions)
    table = pd.DataFrame(index=names, columns=names, dtype=float)
    numeric = all(pd.api.types.is_numeric_dtype(p) for p in predictions.values())
    for a in names:
        for b in names:
            x, y = predictions[a].reset_index(drop=True), predictions[b].reset_index(drop=True)
            if numeric:
                table.loc[a, b] = float(np.corrcoef(x.astype(float), y.astype(float))[0, 1])
            else:
                table.loc[a, b] = float((x.astype(str) == y.astype(str)).mean())
    return table


def shap_model(models: dict[str, dict]) -> str | None:
    """The model whose contributions a set shows first: the first tree model, else the first."""
    return next((m for m, model in models.items() if str(model.get("algo", "")).lower() in TREE_ALGORITHMS),
                next(iter(models), None))
