"""GET /3/Cloud: the node's version, health, memory and CPUs."""

import os
import socket
import time

import psutil

from h2odash import __version__
from h2odash.server.endpoint import Endpoint
from h2odash.server.params import Param, Schema
from h2odash.server.schemas import envelope, meta

# The H2O-3 REST API level this engine follows; H2O clients compare it with their own.
H2O_API_VERSION = "3.46.0.12"


def get_cloud(call):
    engine = call.engine
    port = call.request.url.port or 54321
    host = call.request.url.hostname or "127.0.0.1"
    return envelope(
        "CloudV3",
        skip_ticks=False,
        version=H2O_API_VERSION,
        branch_name="h2odash",
        last_commit_hash="",
        describe=f"h2odash embedded engine {__version__}",
        compiled_by="h2odash",
        compiled_on="",
        build_number=__version__,
        build_age="",
        build_too_old=False,
        engine="h2odash-embedded",
        engine_version=__version__,
        node_idx=0,
        cloud_name=engine.cloud_name,
        cloud_size=1,
        cloud_uptime_millis=int((time.time() - engine.started_at) * 1000),
        cloud_internal_timezone=time.strftime("%Z") or "UTC",
        datafile_parser_timezone="UTC",
        cloud_healthy=True,
        bad_nodes=0,
        consensus=True,
        locked=True,
        is_client=False,
        hadoop_version=None,
        telemetry_enabled=False,
        nodes=[_node(engine, host, port)],
        internal_security_enabled=False,
        leader_idx=0,
        web_ip=None,
    )


def get_workspace(call):
    """h2odash's own: where this engine keeps its work across restarts, how big it is, what it
    brought back at start-up and what it set aside. H2O-3 has no such endpoint (404)."""
    engine = call.engine
    if engine.workspace is None:
        return envelope("WorkspaceV3", "Iced", folder=None, size_bytes=0, limit_bytes=None, objects=0,
                        set_aside=[], restored=None)
    return envelope("WorkspaceV3", "Iced", **engine.workspace.describe(), restored=engine.restored)


def _node(engine, host, port):
    memory = psutil.virtual_memory()
    process = psutil.Process()
    disk = psutil.disk_usage(engine.spool_dir)
    cpus = os.cpu_count() or 1
    allowed = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cpus
    return {
        "__meta": meta("NodeV3"),
        "h2o": f"/{host}:{port}",
        "ip_port": f"{host}:{port}",
        "healthy": True,
        "last_ping": int(time.time() * 1000),
        "pid": os.getpid(),
        "num_cpus": cpus,
        "cpus_allowed": allowed,
        "nthreads": allowed,
        "sys_load": os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0,
        "my_cpu_pct": int(process.cpu_percent(interval=None)),
        "sys_cpu_pct": int(psutil.cpu_percent(interval=None)),
        "mem_value_size": sum(f.byte_size for f in engine.frames()),
        "pojo_mem": process.memory_info().rss,
        "free_mem": memory.available,
        "max_mem": memory.total,
        "swap_mem": 0,
        "num_keys": len(engine.store.values()),
        "free_disk": disk.free,
        "max_disk": disk.total,
        "rpcs_active": 0,
        "tcps_active": 0,
        "open_fds": process.num_fds() if hasattr(process, "num_fds") else -1,
        "hostname": socket.gethostname(),
    }


ENDPOINTS = [
    Endpoint("GET", "/3/Workspace", get_workspace,
             "h2odash only: the folder that keeps frames and models across restarts (none: in memory only).",
             Schema("WorkspaceV3"), "WorkspaceV3"),
    Endpoint("GET", "/3/Cloud", get_cloud, "Determine the status of the node: version, health, memory, CPUs.",
             Schema("CloudV3", (Param("skip_ticks", "bool", False),)), "CloudV3"),
]
