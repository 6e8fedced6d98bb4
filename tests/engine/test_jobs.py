"""Jobs: progress, failure, cancellation, and locks held while they run."""

import threading

import pytest

from h2odash.engine.errors import InvalidArgument, Locked
from h2odash.engine.jobs import Job


def _run(engine, work, locks=(), cleanup=None):
    job = Job("Test", "dest", "Frame", locks=locks)
    return engine.jobs.start(job, work, cleanup=cleanup)


def test_done_job_reports_full_progress(engine):
    job = _run(engine, lambda job: job.update(0.5, "half way"))
    assert job.wait(5)
    assert (job.status, job.progress, job.progress_msg) == ("DONE", 1.0, "Done.")


def test_failing_work_ends_failed_with_the_reason_and_cleans_up(engine):
    cleaned = []

    def work(job):
        raise InvalidArgument("response_column", "Response column 'y' is constant.")

    job = _run(engine, work, cleanup=cleaned.append)
    assert job.wait(5)
    assert job.status == "FAILED"
    assert job.exception == "Response column 'y' is constant."
    assert cleaned == [job]


def test_cancel_stops_a_running_job(engine):
    started = threading.Event()

    def work(job):
        started.set()
        while True:
            job.update(msg="working")

    job = _run(engine, work)
    assert started.wait(5)
    engine.cancel_job(job.key)
    assert job.wait(2)
    assert job.status == "CANCELLED"


def test_a_frame_in_use_cannot_be_deleted_until_the_job_ends(engine, data_dir):
    keys = engine.import_files(str(data_dir / "iris.csv")).destination_frames
    engine.parse(keys, "iris").wait(30)
    release = threading.Event()
    job = _run(engine, lambda job: release.wait(5), locks=["iris"])
    with pytest.raises(Locked, match="in use"):
        engine.delete_frame("iris")
    release.set()
    assert job.wait(5)
    engine.delete_frame("iris")
    assert "iris" not in engine.store


def test_jobs_are_listed_oldest_first(engine):
    first = _run(engine, lambda job: None)
    second = _run(engine, lambda job: None)
    assert [j.key for j in engine.jobs.list()][-2:] == [first.key, second.key]
