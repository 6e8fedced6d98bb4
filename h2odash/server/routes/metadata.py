"""GET /3/Metadata/endpoints: every route of this server, read from the route table itself."""

from h2odash.engine.errors import KeyNotFound
from h2odash.server.endpoint import Endpoint
from h2odash.server.params import Param, Schema
from h2odash.server.schema_catalog import describe_schema
from h2odash.server.schemas import envelope, meta


def list_endpoints(call):
    from h2odash.server.app import endpoints

    return envelope("MetadataV3", routes=[_route_v3(e) for e in endpoints()], schemas=None)


def describe_one_schema(call):
    from h2odash.server.app import endpoints

    name = call.params["schemaname"]
    inputs = {e.input_schema.name: e.input_schema for e in endpoints()}
    found = describe_schema(name, inputs)
    if found is None:
        raise KeyNotFound(name, "schemaname", "Schema")
    return envelope("MetadataV3", routes=None, schemas=[found], markdown=None)


def _route_v3(endpoint):
    return {
        "__meta": meta("RouteV3", "Route"),
        "http_method": endpoint.method,
        "url_pattern": endpoint.path,
        "summary": endpoint.summary,
        "api_name": endpoint.api_name,
        "handler_class": endpoint.handler.__module__,
        "handler_method": endpoint.handler.__name__,
        "input_schema": endpoint.input_schema.name,
        "output_schema": endpoint.output_schema,
        "path_params": endpoint.path_params,
        "parameters": [
            {"name": p.name, "type": p.h2o_type, "required": p.required, "help": p.help}
            for p in endpoint.input_schema.params
        ],
    }


ENDPOINTS = [
    Endpoint("GET", "/3/Metadata/endpoints", list_endpoints,
             "List every REST endpoint of this server with its method, path and schemas.",
             output_schema="MetadataV3"),
    Endpoint("GET", "/3/Metadata/schemas/{schemaname}", describe_one_schema,
             "Describe one schema's fields (h2o-py defines its cluster and error classes from these).",
             Schema("SchemaMetadataV3", (Param("schemaname", "str", required=True, help="The schema's name."),)),
             output_schema="MetadataV3"),
]
