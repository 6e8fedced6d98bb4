"""Timed client operations shared by the figures: the same calls on every server.

Everything goes through :class:`h2odash.client.H2OClient`, i.e. the REST API and the dialect
a real H2O-3 understands, so both servers do exactly the same work from the outside.
"""
from __future__ import annotations

import io
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from h2odash.client import H2OClient, H2OImportError, H2OJobError, H2OJobTimeoutError
from h2odash.client.jobs import FINISHED

# The client's own waiting backs off to 2 s between polls, which would add up to 2 s to a
# 5 s parse. A fixed short interval keeps the timing error under this, at the price of
# about 20 cheap GET /3/Jobs requests per second on the server.
POLL_INTERVAL = 0.05


@dataclass(frozen=True)
class ParseTiming:
    """How long an import and parse took, split by REST call, in seconds.

    Attributes
    ----------
    frame_id : str
        The parsed frame.
    total : float
        From the ImportFiles request to the poll that saw the parse job DONE.
    import_files, parse_setup, parse_job : float
        The three phases of ``total``.
    """

    frame_id: str
    total: float
    import_files: float
    parse_setup: float
    parse_job: float

    def phases(self) -> dict:
        """The phase durations, rounded for a results file."""
        return {"import_files": round(self.import_files, 4), "parse_setup": round(self.parse_setup, 4),
                "parse_job": round(self.parse_job, 4)}


def import_and_parse(client: H2OClient, path: str, frame_id: str) -> ParseTiming:
    """Import a server-side CSV and parse it into ``frame_id``, timing each step.

    Parameters
    ----------
    client : H2OClient
        Client of the server under test.
    path : str
        Absolute path of the file, readable by the server.
    frame_id : str
        Destination frame key; it must not exist yet.

    Raises
    ------
    H2OImportError
        When the server cannot import the path.
    H2OJobError
        When the parse job fails.
    """
    started = time.perf_counter()
    imported = client.import_files(path)
    if imported.get("fails") or not imported.get("destination_frames"):
        raise H2OImportError(imported.get("fails") or [path], imported)
    after_import = time.perf_counter()
    setup = client.parse_setup(imported["destination_frames"])
    after_setup = time.perf_counter()
    job = client.parse(imported["destination_frames"], destination_frame=frame_id, setup=setup, wait=False)
    wait_steadily(client, job)
    finished = time.perf_counter()
    return ParseTiming(frame_id=frame_id, total=finished - started, import_files=after_import - started,
                       parse_setup=after_setup - after_import, parse_job=finished - after_setup)


def wait_steadily(client: H2OClient, job: dict, interval: float = POLL_INTERVAL,
                  timeout: float | None = None) -> dict:
    """Poll a job at a fixed interval until it finishes; return the final ``JobV3`` dict.

    Parameters
    ----------
    timeout : float, optional
        Seconds after which the job is cancelled and :class:`H2OJobTimeoutError` raised, so
        that one pathologically slow server cannot hold up the whole run.

    Raises
    ------
    H2OJobError
        When the job ends FAILED or CANCELLED.
    H2OJobTimeoutError
        When ``timeout`` passes first.
    """
    deadline = None if timeout is None else time.perf_counter() + timeout
    while True:
        current = client.job(job)
        status = current.get("status")
        if status == "DONE":
            return current
        if status in FINISHED:
            raise H2OJobError(current)
        if deadline is not None and time.perf_counter() >= deadline:
            try:
                client.cancel_job(current)
            except Exception:  # noqa: BLE001 - the timeout is the error worth reporting
                pass
            raise H2OJobTimeoutError(current, timeout)
        time.sleep(interval)


@dataclass(frozen=True)
class TrainTiming:
    """A model trained for a figure.

    Attributes
    ----------
    model_id : str
        The model's key.
    seconds : float
        From the ``POST /3/ModelBuilders/{algo}`` request to the poll that saw its job DONE.
    request_seconds : float
        How long the ``POST`` itself took to answer with the job (part of ``seconds``).
    job_msec : int or None
        The server's own count of the job's run time (``JobV3.msec``), for comparison.
    """

    model_id: str
    seconds: float
    request_seconds: float
    job_msec: int | None


def train_timed(client: H2OClient, algo: str, training_frame: str, response_column: str, model_id: str,
                params: dict, timeout: float | None = None) -> TrainTiming:
    """Train a model with the same request on any server and time it to the job's end.

    Raises
    ------
    H2OJobError, H2OJobTimeoutError
        As :func:`wait_steadily`; any ``H2OServerError`` of the request itself (an algorithm
        or parameter the server refuses) passes through.
    """
    started = time.perf_counter()
    job = client.train(algo, training_frame, response_column, wait=False, model_id=model_id, **params)
    answered = time.perf_counter()
    done = wait_steadily(client, job, timeout=timeout)
    seconds = time.perf_counter() - started
    return TrainTiming(model_id=(done.get("dest") or {}).get("name") or model_id, seconds=seconds,
                       request_seconds=answered - started, job_msec=done.get("msec"))


@dataclass(frozen=True)
class Scoring:
    """A model scored on a frame with ``POST /3/Predictions``.

    Attributes
    ----------
    predictions_frame : str
        Key of the frame of predictions the server made.
    seconds : float
        Wall time of the request (it returns once predictions and metrics exist).
    auc : float or None
        ``AUC`` of the answer's model metrics; None when the server sent none.
    """

    predictions_frame: str
    seconds: float
    auc: float | None


def score(client: H2OClient, model_id: str, frame_id: str, predictions_frame: str) -> Scoring:
    """Score ``frame_id`` with ``model_id``; the metrics come from the server that scored."""
    started = time.perf_counter()
    answer = client.predict(model_id, frame_id, predictions_frame=predictions_frame)
    seconds = time.perf_counter() - started
    metrics = (answer.get("model_metrics") or [{}])[0] or {}
    auc = metrics.get("AUC")
    name = (answer.get("predictions_frame") or {}).get("name") or predictions_frame
    return Scoring(predictions_frame=name, seconds=seconds, auc=None if auc is None else float(auc))


def download_frame(client: H2OClient, frame_id: str) -> pd.DataFrame:
    """A whole frame through ``GET /3/DownloadDataset`` (CSV), read with pandas.

    The client has no method for it (it answers CSV, not JSON), so this uses its HTTP session.
    """
    response = client.connection.session.get(f"{client.url}/3/DownloadDataset", params={"frame_id": frame_id},
                                             timeout=client.connection.timeout)
    response.raise_for_status()
    return pd.read_csv(io.BytesIO(response.content))


def positive_probabilities(predictions: pd.DataFrame, positive: str = "yes") -> np.ndarray:
    """The positive class's probability column of a binomial predictions frame (``predict, no, yes``)."""
    if positive in predictions.columns:
        return predictions[positive].to_numpy(dtype=float)
    # H2O names probability columns by the response's levels; fall back on the last (p1).
    return predictions.iloc[:, -1].to_numpy(dtype=float)


def delete_model_quietly(client: H2OClient, model_id: str) -> None:
    """Delete a model, ignoring that it may be gone or never have been made."""
    try:
        client.delete_model(model_id)
    except Exception:  # noqa: BLE001 - cleanup must never hide the error that led here
        pass


def delete_frame_quietly(client: H2OClient, frame_id: str) -> None:
    """Delete a frame, ignoring that it may already be gone (cleanup after a failure)."""
    try:
        client.delete_frame(frame_id)
    except Exception:  # noqa: BLE001 - cleanup must never hide the error that led here
        pass
