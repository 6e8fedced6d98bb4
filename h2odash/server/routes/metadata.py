"""GET /3/Metadata/endpoints: every route of this server, read from the route table itself."""

from h2odash.server.endpoint import Endpoint
from h2odash.server.schemas import envelope, meta


def list_endpoints(call):
    from h2odash.server.app import endpoints

    return envelope("MetadataV3", routes=[_route_v3(e) for e in endpoints()], schemas=None)


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
]
