"""Jobs: list, poll, cancel."""

import weakref

from starlette.responses import Response

from h2odash.server.endpoint import Endpoint
from h2odash.server.params import Param, Schema
from h2odash.server.schemas import job_v3, jobs_v3, to_json_bytes


def list_jobs(call):
    """All jobs; a finished job never changes, so its JSON is encoded once and reused
    (a long job history would otherwise make every poll slower)."""
    parts = [_encoded(job) for job in call.engine.jobs.list()]
    head = to_json_bytes(jobs_v3([]))[: -len(b"[]}")]
    return Response(head + b"[" + b",".join(parts) + b"]}", media_type="application/json")


_FINISHED = weakref.WeakKeyDictionary()


def _encoded(job):
    cached = _FINISHED.get(job)
    if cached is not None:
        return cached
    data = to_json_bytes(job_v3(job))
    if job.finished and job._done.is_set():
        _FINISHED[job] = data
    return data


def get_job(call):
    job = call.engine.job(call.params["job_id"])
    return jobs_v3([job], job.key)


def cancel_job(call):
    job = call.engine.cancel_job(call.params["job_id"])
    return jobs_v3([job], job.key)


_JOB_ID = Schema("JobsV3", (Param("job_id", "key", required=True, help="Key of the job."),))

ENDPOINTS = [
    Endpoint("GET", "/3/Jobs", list_jobs, "List all jobs, oldest first.", Schema("JobsV3"), "JobsV3"),
    Endpoint("GET", "/3/Jobs/{job_id}", get_job, "Poll a job: status, progress, message, result key.",
             _JOB_ID, "JobsV3"),
    Endpoint("POST", "/3/Jobs/{job_id}/cancel", cancel_job, "Ask a job to stop.", _JOB_ID, "JobsV3"),
]
