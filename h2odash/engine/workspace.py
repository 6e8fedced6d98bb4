"""A workspace: a folder that keeps every frame, finished model, grid and AutoML run on disk as
they are made, so that a restarted server has them all back.

Layout of the folder::

    objects/<sha256 of the key>.h2od   one file per stored object (h2odash.engine.object_files)
    jobs/<sha256 of the job key>.json   what each job was and how it ended
    set-aside/                           files that failed their checks on start-up, kept for a person

Every write goes through h2odash.engine.atomic (write, fsync, rename), so a server killed at any
moment leaves each object either as it was or as it became, never half-written. A job whose
record says it was still running when the server stopped is shown as failed, "interrupted by a
restart"; what it was building was never written (a model is written once it is DONE).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import threading
import time

from h2odash.engine import atomic, object_files
from h2odash.engine.errors import InvalidArgument

log = logging.getLogger("h2odash.workspace")

SUFFIX = ".h2od"
INTERRUPTED = "Interrupted by a restart of the server: the job was running when the server stopped."


def kind_of(obj):
    """The kind an object is kept as, or None for what a workspace does not keep (raw uploads,
    models still training, partial dependence results)."""
    from h2odash.engine.automl import AutoML
    from h2odash.engine.frames import Frame
    from h2odash.engine.grid import Grid
    from h2odash.engine.models import Model

    if isinstance(obj, Frame):
        return "frame"
    if isinstance(obj, Model):
        return "model" if obj.status == "DONE" and obj.fitted is not None else None
    if isinstance(obj, AutoML):
        return "automl"
    if isinstance(obj, Grid):
        return "grid"
    return None


class WorkspaceInUse(Exception):
    """Another server already keeps its work in this folder."""


class Workspace:
    """The folder behind one engine's store.

    Parameters
    ----------
    folder : str
        Created if missing.
    limit_bytes : int, optional
        New objects are refused once the folder would grow past this size.
    """

    def __init__(self, folder, limit_bytes=None):
        self.folder = os.path.abspath(os.path.expanduser(folder))
        self.limit_bytes = limit_bytes
        self.set_aside = []          # (file name, reason) of files refused on start-up
        self._sizes = {}             # file name -> bytes
        self._written = {}           # key -> id of the immutable object last written for it
        self._mutex = threading.RLock()
        for sub in ("objects", "jobs", "set-aside"):
            os.makedirs(os.path.join(self.folder, sub), exist_ok=True)
        self._lock_file = _lock(self.folder)

    # -- what it holds -------------------------------------------------------------------------
    @property
    def size_bytes(self):
        with self._mutex:
            return sum(self._sizes.values())

    def describe(self):
        """Folder, size, counts by kind and what was set aside: for /3/Cloud and the Cluster panel."""
        counts = {}
        for name in os.listdir(self._objects):
            if name.endswith(SUFFIX):
                counts["objects"] = counts.get("objects", 0) + 1
        return {"folder": self.folder, "size_bytes": self.size_bytes, "limit_bytes": self.limit_bytes,
                "objects": counts.get("objects", 0),
                "set_aside": [{"file": f, "reason": r} for f, r in self.set_aside]}

    @property
    def _objects(self):
        return os.path.join(self.folder, "objects")

    def _path(self, key):
        return os.path.join(self._objects, hashlib.sha256(key.encode()).hexdigest()[:40] + SUFFIX)

    def _job_path(self, job_key):
        return os.path.join(self.folder, "jobs", hashlib.sha256(job_key.encode()).hexdigest()[:40] + ".json")

    # -- writing -------------------------------------------------------------------------------
    def put(self, key, obj):
        """Keep ``obj`` (if it is of a kind a workspace keeps) under ``key``; raises, leaving the
        folder as it was, when the limit would be passed or the disk refuses."""
        kind = kind_of(obj)
        if kind is None:
            if not _in_progress(obj):
                # something not kept replaced something kept (a raw upload under a frame's key):
                # the old file must not come back after a restart
                self.remove(key)
            return
        immutable = kind in ("frame", "model")
        with self._mutex:
            if immutable and self._written.get(key) == id(obj):
                return
        data = object_files.dump(obj, kind, key, shared=_by_key if kind in ("automl", "grid") else None)
        path = self._path(key)
        with self._mutex:
            self._check_room(len(data) - self._sizes.get(os.path.basename(path), 0), key)
            atomic.write_bytes(path, data)
            self._sizes[os.path.basename(path)] = len(data)
            self._written[key] = id(obj) if immutable else None

    def remove(self, key):
        path = self._path(key)
        with self._mutex:
            self._written.pop(key, None)
            self._sizes.pop(os.path.basename(path), None)
            try:
                os.remove(path)
            except FileNotFoundError:
                pass

    def _check_room(self, growth, key):
        if self.limit_bytes is None or growth <= 0:
            return
        if self.size_bytes + growth > self.limit_bytes:
            raise InvalidArgument("workspace", (
                f"The workspace {self.folder} would grow past its limit of {_gb(self.limit_bytes)} "
                f"(it holds {_gb(self.size_bytes)}; '{key}' needs {_gb(growth)} more): delete frames or "
                "models you no longer need, or start the server with a larger --workspace-limit-gb."))

    def job_started(self, job):
        self._write_job(job, finished=False)

    def job_ended(self, job):
        self._write_job(job, finished=True)

    def _write_job(self, job, finished):
        record = {"key": job.key, "description": job.description, "dest_key": job.dest_key,
                  "dest_kind": job.dest_kind, "start_time": job.start_time, "finished": finished,
                  "status": job.status, "progress": job.progress, "progress_msg": job.progress_msg,
                  "end_time": job.end_time, "exception": job.exception, "warnings": list(job.warnings)}
        try:
            atomic.write_bytes(self._job_path(job.key), json.dumps(record).encode())
        except OSError as exc:   # a job's record must never fail the job itself
            log.warning("could not record job %s in the workspace: %s", job.key, exc)

    # -- reading back --------------------------------------------------------------------------
    def open(self, store, jobs):
        """Put everything the folder holds back into ``store`` and ``jobs``; returns a summary."""
        started = time.time()
        restored_jobs = self._restore_jobs(jobs)
        loaded = {}
        for name in sorted(os.listdir(self._objects)):
            path = os.path.join(self._objects, name)
            if name.startswith(atomic.PARTIAL_PREFIX):
                os.remove(path)      # a write the server did not live to finish
                continue
            if not name.endswith(SUFFIX):
                continue
            try:
                with open(path, "rb") as source:
                    data = source.read()
                manifest = object_files.read_manifest(data)
                loaded[name] = (manifest["kind"], manifest["key"], data)
            except Exception as exc:
                self._set_aside(name, exc)
        # Frames and models first: AutoML runs and grids refer to models by key.
        order = {"frame": 0, "model": 1, "grid": 2, "automl": 3}
        restored = {}
        for name, (kind, key, data) in sorted(loaded.items(), key=lambda item: order.get(item[1][0], 9)):
            try:
                obj, _ = object_files.load(data, kind, resolve=_resolver(store, jobs))
                if hasattr(obj, "key"):
                    obj.key = key
                store.put(key, obj)
            except Exception as exc:
                self._set_aside(name, exc)
                continue
            with self._mutex:
                self._sizes[name] = len(data)
                if kind in ("frame", "model"):
                    self._written[key] = id(obj)
            restored[kind] = restored.get(kind, 0) + 1
        summary = {**restored, "jobs": restored_jobs, "set_aside": len(self.set_aside),
                   "seconds": round(time.time() - started, 3)}
        log.info("workspace %s: restored %s", self.folder, summary)
        return summary

    def _set_aside(self, name, exc):
        reason = exc.msg if hasattr(exc, "msg") else f"{type(exc).__name__}: {exc}"
        target = os.path.join(self.folder, "set-aside", f"{int(time.time())}-{name}")
        try:
            shutil.move(os.path.join(self._objects, name), target)
        except OSError:
            pass
        self.set_aside.append((os.path.basename(target), reason))
        log.warning("workspace file %s was set aside and not loaded: %s", name, reason)

    def _restore_jobs(self, jobs):
        from h2odash.engine.jobs import FAILED, Job

        folder = os.path.join(self.folder, "jobs")
        records = []
        for name in os.listdir(folder):
            path = os.path.join(folder, name)
            if name.startswith(atomic.PARTIAL_PREFIX):
                os.remove(path)
                continue
            try:
                with open(path, "rb") as source:
                    records.append(json.loads(source.read()))
            except (OSError, ValueError) as exc:
                self._set_aside_job(name, exc)
        records.sort(key=lambda r: r.get("start_time") or 0)
        for record in records:
            job = Job(record["description"], record["dest_key"], record["dest_kind"])
            job.key = record["key"]
            job.start_time = record["start_time"]
            if record.get("finished"):
                job.status, job.progress, job.progress_msg = record["status"], record["progress"], record["progress_msg"]
                job.end_time, job.exception = record["end_time"], record["exception"]
                job.warnings = list(record.get("warnings") or [])
            else:
                job.status, job.progress_msg, job.exception = FAILED, "Failed.", INTERRUPTED
                job.end_time = int(time.time() * 1000)
                self._write_job(job, finished=True)
            job._done.set()
            jobs.restore(job)
        return len(records)

    def _set_aside_job(self, name, exc):
        source = os.path.join(self.folder, "jobs", name)
        target = os.path.join(self.folder, "set-aside", f"{int(time.time())}-{name}")
        try:
            shutil.move(source, target)
        except OSError:
            pass
        self.set_aside.append((os.path.basename(target), f"{type(exc).__name__}: {exc}"))


def _in_progress(obj):
    """A model still training: until it is DONE, the file of the model it replaces stays, so that a
    server killed meanwhile comes back with what was finished."""
    from h2odash.engine.models import Model

    return isinstance(obj, Model)


def _lock(folder):
    """Hold the folder for this process: two servers writing one workspace would lose work. The
    lock is the operating system's, so a killed server never leaves it behind."""
    import fcntl

    handle = open(os.path.join(folder, "lock"), "a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().strip()
        handle.close()
        raise WorkspaceInUse(f"The workspace {folder} is in use by another h2odash server"
                             f"{f' (pid {holder})' if holder else ''}; stop it or choose another --workspace.")
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def _by_key(obj):
    """AutoML runs and grids refer to their models by key (each model has its own file)."""
    from h2odash.engine.jobs import Job
    from h2odash.engine.models import Model

    if isinstance(obj, Model):
        return ("model", obj.key)
    if isinstance(obj, Job):
        return ("job", obj.key)
    return None


def _resolver(store, jobs):
    def resolve(kind, key):
        if kind == "job":
            try:
                return jobs.get(key)
            except Exception:
                return None
        found = store.find(key)
        if found is None:
            raise object_files.ObjectFileError(f"It refers to {kind} '{key}', which the workspace does not hold.")
        return found
    return resolve


def _gb(n):
    return f"{n / 2**30:.2f} GB"
