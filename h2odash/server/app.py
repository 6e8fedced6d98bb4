"""The route table and the request pipeline shared by every endpoint.

Each request goes the same way: collect parameters from the path, the query and the body,
decode them against the endpoint's schema, call the handler, and encode its answer as
H2O JSON. Every failure on the way becomes an H2OErrorV3 body; nothing else is ever sent.
"""

import contextlib
import inspect
import logging
import threading
import traceback
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from h2odash.engine.errors import (
    EngineError, Forbidden, IllegalArgument, IllegalModelArguments, InvalidArgument, Locked, NotFound,
)
from h2odash.server import params as params_mod
from h2odash.server.endpoint import Call
from h2odash.server.routes import (
    automl, cloud, files, frames, glm, grid, jobs, metadata, model_builders, model_files, model_metrics, models, parse,
    partial_dependence, predictions, segment_models, sessions, transform, trees, utilities,
)
from h2odash.server.schemas import error_v3, to_json_bytes
from h2odash.server.security import AuthMiddleware

log = logging.getLogger("h2odash.server")

# The API's table of contents: each module lists its endpoints.
ROUTE_MODULES = (cloud, metadata, sessions, files, parse, frames, transform, jobs, model_builders, model_files,
                 models, predictions, model_metrics, partial_dependence, glm, grid, segment_models, automl, trees,
                 utilities)

# How an engine error reads to an H2O client: HTTP status and H2O's exception class name.
_ERROR_KINDS = (
    (NotFound, 404, "water.exceptions.H2OKeyNotFoundArgumentException"),
    (Locked, 409, "water.exceptions.H2OIllegalArgumentException"),
    (Forbidden, 403, "water.exceptions.H2OFileAccessDeniedException"),
    (IllegalArgument, 400, "java.lang.IllegalArgumentException"),
    # H2O-3 answers these 412 with an H2OModelBuilderErrorV3; here they stay 400 H2OErrorV3s
    # like every refused request, with H2O-3's wording and exception name.
    (IllegalModelArguments, 400, "water.exceptions.H2OModelBuilderIllegalArgumentException"),
    (InvalidArgument, 400, "water.exceptions.H2OIllegalArgumentException"),
    (EngineError, 400, "water.exceptions.H2OIllegalArgumentException"),
)


@dataclass
class Settings:
    """Server-wide knobs."""

    max_upload_bytes: int = 8 << 30
    credentials: object = None


def endpoints():
    """Every endpoint of this server, in route-matching order."""
    return [endpoint for module in ROUTE_MODULES for endpoint in module.ENDPOINTS]


def json_response(body, status=200):
    return Response(to_json_bytes(body), status_code=status, media_type="application/json")


def error_response(request_path, status, msg, exception_type, values=None, dev_msg=None, stacktrace=None):
    body = error_v3(status, msg, request_path, exception_type, values, dev_msg, stacktrace)
    return json_response(body, status)


def _engine_error(request_path, exc):
    for kind, status, exception_type in _ERROR_KINDS:
        if isinstance(exc, kind):
            return error_response(request_path, status, exc.msg, exception_type, exc.values)
    raise exc


def make_handler(endpoint, engine, settings):
    is_async = inspect.iscoroutinefunction(endpoint.handler)

    async def handle(request):
        path = request.url.path
        try:
            raw = dict(request.query_params)
            if endpoint.method != "GET" and not getattr(endpoint.handler, "streams_body", False):
                body = await request.body()
                raw.update(params_mod.parse_body(request.headers.get("content-type"), body))
            raw.update(request.path_params)
            decoded = endpoint.input_schema.decode(raw)
            call = Call(engine, decoded, request, settings)
            if is_async:
                result = await endpoint.handler(call)
            else:
                result = await run_in_threadpool(endpoint.handler, call)
            if isinstance(result, Response):
                return result
            return json_response(result)
        except params_mod.ParamError as exc:
            return error_response(
                path, 400, exc.msg, "water.exceptions.H2OIllegalArgumentException",
                {"argument": exc.argument},
            )
        except EngineError as exc:
            return _engine_error(path, exc)
        except Exception as exc:  # the server must answer in JSON and keep serving
            log.exception("internal error on %s %s", request.method, path)
            return error_response(
                path, 500, f"Internal server error: {type(exc).__name__}: {exc}",
                "java.lang.RuntimeException", stacktrace=traceback.format_exception(exc)[-5:],
            )

    handle.__name__ = endpoint.handler.__name__
    return handle


async def _http_error(request, exc):
    if exc.status_code == 404:
        msg = f"Resource {request.url.path} not found"
    elif exc.status_code == 405:
        msg = f"Method {request.method} is not allowed on {request.url.path}"
    else:
        msg = exc.detail or "HTTP error"
    return error_response(
        request.url.path, exc.status_code, msg, "water.exceptions.H2ONotFoundArgumentException"
    )


async def _unexpected_error(request, exc):
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(
        request.url.path, 500, f"Internal server error: {type(exc).__name__}", "java.lang.RuntimeException"
    )


def _preload_algorithms():
    from h2odash.engine import algos

    for name in algos.available():
        try:
            algos.get(name)
        except Exception:  # a broken optional library shows up when that algorithm is used
            log.warning("could not load algorithm %s", name, exc_info=True)


def create_app(engine=None, settings=None):
    """The Starlette application serving ``engine`` (a new one when not given)."""
    from h2odash.engine import Engine

    engine = engine or Engine()
    settings = settings or Settings()
    routes = [
        Route(e.starlette_path, make_handler(e, engine, settings), methods=[e.method], name=f"{e.method} {e.path}")
        for e in endpoints()
    ]
    @contextlib.asynccontextmanager
    async def lifespan(app):
        # Import the learning libraries now, in the background, so that the first training
        # request does not wait seconds for LightGBM and XGBoost to load.
        threading.Thread(target=_preload_algorithms, daemon=True, name="h2odash-preload").start()
        yield
        engine.shutdown()

    app = Starlette(
        routes=routes,
        exception_handlers={HTTPException: _http_error, Exception: _unexpected_error},
        lifespan=lifespan,
    )
    app.state.engine = engine
    if settings.credentials is not None:
        return AuthMiddleware(app, settings.credentials)
    return app
