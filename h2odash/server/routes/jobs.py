"""Jobs: list, poll, cancel."""

from h2odash.server.endpoint import Endpoint
from h2odash.server.params import Param, Schema
from h2odash.server.schemas import jobs_v3


def list_jobs(call):
    return jobs_v3(call.engine.jobs.list())


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
