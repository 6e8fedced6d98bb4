"""Jobs: long work that runs in the background with progress, a message, and cancel.

A job's work is a function ``work(job)`` that reports progress with :meth:`Job.update` and
checks for cancellation there; when it returns, the job is DONE, when it raises, FAILED (with
the exception's message for the person who started it), and when cancelled, CANCELLED.
"""

import os
import threading
import time
import traceback
import uuid
from concurrent.futures import ThreadPoolExecutor

from h2odash.engine.errors import EngineError, JobCancelled, KeyNotFound

CREATED, RUNNING, DONE, FAILED, CANCELLED = "CREATED", "RUNNING", "DONE", "FAILED", "CANCELLED"
FINISHED = (DONE, FAILED, CANCELLED)

# H2O job keys carry the node's address between dollar signs; clients are used to that form
# (and must URL-encode it), so ours look the same.
_KEY_PREFIX = "$03017f00000132d4ffffffff$_"


def now_millis():
    return int(time.time() * 1000)


class Job:
    """One unit of background work and what a client can read about it while it runs."""

    def __init__(self, description, dest_key, dest_kind, locks=()):
        self.key = _KEY_PREFIX + uuid.uuid4().hex
        self.description = description
        self.dest_key = dest_key
        self.dest_kind = dest_kind
        self.locks = tuple(locks)
        self.status = CREATED
        self.progress = 0.0
        self.progress_msg = "Created."
        self.start_time = now_millis()
        self.end_time = None
        self.exception = None
        self.stacktrace = None
        self.warnings = []
        self.result = None
        self._cancel = threading.Event()
        self._done = threading.Event()

    @property
    def msec(self):
        end = self.end_time if self.end_time is not None else now_millis()
        return end - self.start_time

    @property
    def finished(self):
        return self.status in FINISHED

    def update(self, progress=None, msg=None):
        """Report progress in [0, 1] and a message; raises JobCancelled if a cancel is pending."""
        if progress is not None:
            self.progress = min(1.0, max(self.progress, float(progress)))
        if msg is not None:
            self.progress_msg = msg
        self.check_cancelled()

    def check_cancelled(self):
        if self._cancel.is_set():
            raise JobCancelled()

    def wait(self, timeout=None):
        """Block until the job ends; True when it did within ``timeout``."""
        return self._done.wait(timeout)


class JobRunner:
    """Runs jobs on a small thread pool and keeps every job ever started, newest last."""

    def __init__(self, store, max_workers=None):
        self._store = store
        self._jobs = {}
        self._order = []
        self._mutex = threading.Lock()
        workers = max_workers or max(2, os.cpu_count() or 2)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="h2odash-job")

    def start(self, job, work, cleanup=None, after=None):
        """Register ``job`` and run ``work(job)`` in the background; returns the job at once.

        ``cleanup(job)`` runs when the work fails or is cancelled, to remove what a
        half-finished job left behind (a partial frame or model must never be visible).
        ``after(job)`` runs once the work succeeded and the job's locks are released, before
        the job reads as DONE (e.g. deleting the parsed sources).
        """
        self._store.lock(job.locks, f"job {job.key} ({job.description})")
        # Queued work reads as RUNNING, as in H2O-3: a client polls it the same way.
        job.status = RUNNING
        with self._mutex:
            self._jobs[job.key] = job
            self._order.append(job.key)
        if self._store.keeper is not None:
            self._store.keeper.job_started(job)
        self._pool.submit(self._run, job, work, cleanup, after)
        return job

    def _run(self, job, work, cleanup, after):
        job.status = RUNNING
        locked = True
        try:
            job.check_cancelled()
            job.result = work(job)
            self._store.unlock(job.locks)
            locked = False
            if after is not None:
                after(job)
            # On disk before the job reads DONE: a client that saw DONE finds it after a restart.
            self._store.settle(job.dest_key)
            job.progress = 1.0
            job.progress_msg = "Done."
            job.status = DONE
        except BaseException as exc:  # whatever the work raised, the job must end, never hang
            if locked:
                # Release first: the cleanup deletes what the job was building, which its own
                # locks would refuse.
                self._store.unlock(job.locks)
                locked = False
            _ended_badly(job, exc)
            _cleanup(cleanup, job)
            # what a stopped job leaves on purpose (an AutoML run's leaderboard so far)
            _settle_quietly(self._store, job)
        finally:
            if locked:
                self._store.unlock(job.locks)
            job.end_time = now_millis()
            if self._store.keeper is not None:
                self._store.keeper.job_ended(job)
            job._done.set()

    def restore(self, job):
        """Register a finished job read back from a workspace."""
        with self._mutex:
            self._jobs[job.key] = job
            self._order.append(job.key)

    def get(self, key):
        with self._mutex:
            job = self._jobs.get(key)
        if job is None:
            raise KeyNotFound(key, "job_id")
        return job

    def list(self):
        with self._mutex:
            return [self._jobs[k] for k in self._order]

    def cancel(self, key):
        """Ask a job to stop; finished jobs are left as they are."""
        job = self.get(key)
        if not job.finished:
            job._cancel.set()
            if job.status == CREATED:
                job.progress_msg = "Cancelling."
        return job

    def shutdown(self):
        for job in self.list():
            job._cancel.set()
        self._pool.shutdown(wait=False, cancel_futures=True)


def _ended_badly(job, exc):
    """Record why a job did not finish: cancelled, or failed with a reason a person can read."""
    if isinstance(exc, JobCancelled):
        job.progress_msg = "Job was cancelled by the user."
        job.status = CANCELLED
    elif isinstance(exc, EngineError):
        _fail(job, exc.msg, exc)
    elif isinstance(exc, MemoryError):
        _fail(job, "The engine ran out of memory while running this job.", exc)
    else:
        _fail(job, f"{type(exc).__name__}: {exc}", exc)


def _fail(job, msg, exc):
    job.exception = msg
    job.stacktrace = "".join(traceback.format_exception(exc))
    job.progress_msg = "Failed."
    job.status = FAILED


def _settle_quietly(store, job):
    try:
        store.settle(job.dest_key)
    except Exception as exc:  # the job already failed; say why its remains were not kept
        job.warnings.append(f"What the job left could not be kept in the workspace: {exc}")


def _cleanup(cleanup, job):
    if cleanup is None:
        return
    try:
        cleanup(job)
    except Exception:  # cleanup must not turn a failure report into a crash
        job.warnings.append("Cleanup after the job ended did not complete.")

