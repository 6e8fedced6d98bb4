"""Timed client operations shared by the figures: the same calls on every server.

Everything goes through :class:`h2odash.client.H2OClient`, i.e. the REST API and the dialect
a real H2O-3 understands, so both servers do exactly the same work from the outside.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from h2odash.client import H2OClient, H2OImportError, H2OJobError
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


def wait_steadily(client: H2OClient, job: dict, interval: float = POLL_INTERVAL) -> dict:
    """Poll a job at a fixed interval until it finishes; return the final ``JobV3`` dict.

    Raises
    ------
    H2OJobError
        When the job ends FAILED or CANCELLED.
    """
    while True:
        current = client.job(job)
        status = current.get("status")
        if status == "DONE":
            return current
        if status in FINISHED:
            raise H2OJobError(current)
        time.sleep(interval)


def delete_frame_quietly(client: H2OClient, frame_id: str) -> None:
    """Delete a frame, ignoring that it may already be gone (cleanup after a failure)."""
    try:
        client.delete_frame(frame_id)
    except Exception:  # noqa: BLE001 - cleanup must never hide the error that led here
        pass
