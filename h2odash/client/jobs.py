"""Waiting for H2O jobs (parse, model training, AutoML...) with progress callbacks."""
from __future__ import annotations

import time
from typing import Any, Callable

from .errors import H2OJobError, H2OJobTimeoutError

FINISHED = frozenset({"DONE", "FAILED", "CANCELLED"})
# Poll fast at first (short parses finish in ~100 ms) and slow down for long jobs,
# but never wait longer than this between two looks at a running job.
MAX_POLL_INTERVAL = 2.0
MIN_POLL_INTERVAL = 0.02

ProgressCallback = Callable[[dict], Any]


def job_id_of(job_or_id: Any) -> str:
    """Return the job key name from a key string, a ``JobV3`` dict or a response holding ``job``.

    Raises
    ------
    ValueError
        When no job key can be found.
    """
    if isinstance(job_or_id, str):
        return job_or_id
    if isinstance(job_or_id, dict):
        if isinstance(job_or_id.get("job"), dict):  # e.g. a ParseV3 or ModelBuilder answer
            return job_id_of(job_or_id["job"])
        key = job_or_id.get("key")
        if isinstance(key, dict) and key.get("name"):
            return key["name"]
        if isinstance(key, str):
            return key
    raise ValueError(f"no job key in {job_or_id!r}")


def wait_for_job(fetch_job: Callable[[str], dict], job_id: str, progress: ProgressCallback | None = None,
                 poll_interval: float = 0.2, timeout: float | None = None) -> dict:
    """Poll a job until it finishes.

    Parameters
    ----------
    fetch_job : callable
        ``fetch_job(job_id) -> dict`` returning the current ``JobV3`` dict (``H2OClient.job``).
    job_id : str
        Job key name.
    progress : callable, optional
        Called with the job dict after every poll, including the final one.
    poll_interval : float
        First delay between polls, in seconds; it grows by half each poll up to 2 s.
    timeout : float, optional
        Give up after this many seconds (the job itself keeps running).

    Returns
    -------
    dict
        The final job dict, status ``DONE``.

    Raises
    ------
    H2OJobError
        When the job ends ``FAILED`` or ``CANCELLED``.
    H2OJobTimeoutError
        When ``timeout`` passes first.
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    interval = min(max(poll_interval, MIN_POLL_INTERVAL), MAX_POLL_INTERVAL)
    while True:
        job = fetch_job(job_id)
        if progress is not None:
            progress(job)
        status = job.get("status")
        if status == "DONE":
            return job
        if status in FINISHED:
            raise H2OJobError(job)
        if deadline is not None and time.monotonic() >= deadline:
            raise H2OJobTimeoutError(job, timeout)
        sleep = interval if deadline is None else min(interval, max(deadline - time.monotonic(), 0))
        time.sleep(sleep)
        interval = min(interval * 1.5, MAX_POLL_INTERVAL)
