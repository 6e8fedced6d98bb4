"""What ``GET /3/Metadata/schemas/{name}`` describes: the fields of the schemas H2O clients
define classes from (h2o-py makes a Python property of each field of ``CloudV3``,
``H2OErrorV3`` and ``H2OModelBuilderErrorV3`` when it connects, and keeps only those fields
of later answers), and the input schema of every route in the route table.

Field names and types are H2O-3's; the help texts are ours.
"""
from __future__ import annotations

from h2odash.server.schemas import meta

_META = ("__meta", "Schema.Meta", "What this object is: its schema's name, version and type.")
_EXCLUDE = ("_exclude_fields", "string", "Fields the client asked to leave out.")

_NODE = ("h2o", "ip_port", "healthy", "last_ping", "pid", "num_cpus", "cpus_allowed", "nthreads", "sys_load",
         "my_cpu_pct", "sys_cpu_pct", "mem_value_size", "pojo_mem", "free_mem", "max_mem", "swap_mem",
         "num_keys", "free_disk", "max_disk", "rpcs_active", "fjthrds", "fjqueue", "tcps_active", "open_fds",
         "gflops", "mem_bw")

OUTPUT_SCHEMAS: dict[str, tuple] = {
    "CloudV3": (
        ("skip_ticks", "boolean", "Whether the client asked to skip per-node tick data."),
        ("version", "string", "The H2O REST API version this server follows."),
        ("branch_name", "string", "Source branch of the server build."),
        ("last_commit_hash", "string", "Source commit of the server build."),
        ("describe", "string", "A description of the build."),
        ("compiled_by", "string", "Who built the server."),
        ("compiled_on", "string", "When the server was built."),
        ("build_number", "string", "The build's number."),
        ("build_age", "string", "How old the build is, in words."),
        ("build_too_old", "boolean", "Whether the build is old enough that clients should warn."),
        ("engine", "string", "Which engine answers: h2odash-embedded (absent on H2O-3)."),
        ("engine_version", "string", "The embedded engine's version."),
        ("node_idx", "int", "Index of the node that answered."),
        ("cloud_name", "string", "The cluster's name."),
        ("cloud_size", "int", "How many nodes the cluster has."),
        ("cloud_uptime_millis", "long", "How long the cluster has run, in milliseconds."),
        ("cloud_internal_timezone", "string", "The time zone the server runs in."),
        ("datafile_parser_timezone", "string", "The time zone dates in data files are read in."),
        ("cloud_healthy", "boolean", "Whether every node is healthy."),
        ("bad_nodes", "int", "How many nodes are unhealthy."),
        ("consensus", "boolean", "Whether the nodes agree on the cluster's members."),
        ("locked", "boolean", "Whether the cluster accepts no new members."),
        ("is_client", "boolean", "Whether the answering node is a client node."),
        ("hadoop_version", "string", "Hadoop version, when run on Hadoop."),
        ("telemetry_enabled", "boolean", "Whether usage telemetry is on."),
        ("nodes", "Iced[]", "Each node's health, memory, CPUs and disk.", "NodeV3"),
        ("internal_security_enabled", "boolean", "Whether traffic between nodes is encrypted."),
        ("leader_idx", "int", "Index of the leader node."),
        ("web_ip", "string", "The address the web server listens on, when fixed."),
        _EXCLUDE, _META,
    ),
    "H2OErrorV3": (
        ("timestamp", "long", "When the error happened, in milliseconds since the epoch."),
        ("error_url", "string", "The request that failed."),
        ("msg", "string", "What went wrong, for the person using the client."),
        ("dev_msg", "string", "What went wrong, with details for developers."),
        ("http_status", "int", "The HTTP status of the answer."),
        ("values", "Map<string,Object>", "Values the error is about, e.g. the argument and the key."),
        ("exception_type", "string", "The kind of error."),
        ("exception_msg", "string", "The error's own message."),
        ("stacktrace", "string[]", "Where the error was raised."),
        _META,
    ),
    "NodeV3": tuple((name, "string", f"Node {name.replace('_', ' ')}.") for name in _NODE) + (_META,),
}
OUTPUT_SCHEMAS["H2OModelBuilderErrorV3"] = OUTPUT_SCHEMAS["H2OErrorV3"][:-1] + (
    ("parameters", "ModelParameterSchemaV3[]", "The model parameters as the server read them."),
    ("messages", "ValidationMessageV3[]", "What is wrong with each parameter."),
    ("error_count", "int", "How many parameters are in error."),
    _META,
)


def describe_schema(name: str, route_schemas: dict) -> dict | None:
    """``SchemaMetadataV3`` of ``name``: an output schema above or a route's input schema."""
    if name in OUTPUT_SCHEMAS:
        fields = [_field(*entry, direction="OUTPUT") for entry in OUTPUT_SCHEMAS[name]]
        kind = name.removesuffix("V3").removesuffix("V99")
    elif name in route_schemas:
        schema = route_schemas[name]
        fields = [_field(p.name, p.h2o_type, p.help, direction=p.direction, required=p.required,
                         values=list(p.values)) for p in schema.params] + [_field(*_META, direction="OUTPUT")]
        kind = "Iced"
    else:
        return None
    version = 99 if name.endswith("V99") else 3
    return {"__meta": meta("SchemaMetadataV3", "SchemaMetadata"), "version": version, "name": name,
            "label": name, "superclass": "Schema", "type": kind, "fields": fields, "markdown": None}


def _field(name, kind, help_text, schema_name=None, direction="INPUT", required=None, values=()):
    return {"__meta": meta("FieldMetadataV3", "FieldMetadata"), "name": name, "type": kind,
            "is_schema": schema_name is not None or kind == "Schema.Meta",
            "schema_name": schema_name or ("Meta" if kind == "Schema.Meta" else None), "value": None,
            "help": help_text, "label": name, "required": required, "level": "critical",
            "direction": direction, "is_inherited": False, "inherited_from": None, "is_gridable": None,
            "values": list(values), "json": True, "is_member_of_frames": [], "is_mutually_exclusive_with": []}
