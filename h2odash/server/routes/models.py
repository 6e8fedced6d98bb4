"""Models: list, read (live while training), delete."""

import weakref

from starlette.responses import Response

from h2odash.server.endpoint import Endpoint
from h2odash.server.model_schemas import models_v3
from h2odash.server.params import Param, Schema
from h2odash.server.schemas import envelope, to_json_bytes


def list_models(call):
    return models_v3(call.engine.models(), full=False)


def get_model(call):
    """A model; once DONE it never changes, so its (large) JSON is encoded once and reused
    by every dashboard that polls it."""
    model = call.engine.model(call.params["model_id"])
    cached = _DONE.get(model)
    if cached is None:
        cached = to_json_bytes(models_v3([model], full=True))
        if model.status == "DONE":
            _DONE[model] = cached
    return Response(cached, media_type="application/json")


_DONE = weakref.WeakKeyDictionary()


def delete_model(call):
    call.engine.delete_model(call.params["model_id"])
    return envelope("ModelsV3", "Models", models=None)


_MODEL_ID = Schema("ModelsV3", (Param("model_id", "key", required=True, help="Key of the model."),))

ENDPOINTS = [
    Endpoint("GET", "/3/Models", list_models, "List all models.", Schema("ModelsV3"), "ModelsV3"),
    Endpoint("GET", "/3/Models/{model_id}", get_model,
             "A model: parameters, metrics, scoring history (growing while it trains).", _MODEL_ID, "ModelsV3"),
    Endpoint("GET", "/99/Models/{model_id}", get_model,
             "A model (H2O-3's version 99 path, which h2o-py reads some models by).", _MODEL_ID, "ModelsV3"),
    Endpoint("DELETE", "/3/Models/{model_id}", delete_model, "Delete a model.", _MODEL_ID, "ModelsV3"),
]
