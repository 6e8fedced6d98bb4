"""Models: list, read (live while training), delete."""

from h2odash.server.endpoint import Endpoint
from h2odash.server.model_schemas import models_v3
from h2odash.server.params import Param, Schema
from h2odash.server.schemas import envelope


def list_models(call):
    return models_v3(call.engine.models(), full=False)


def get_model(call):
    return models_v3([call.engine.model(call.params["model_id"])], full=True)


def delete_model(call):
    call.engine.delete_model(call.params["model_id"])
    return envelope("ModelsV3", "Models", models=None)


_MODEL_ID = Schema("ModelsV3", (Param("model_id", "key", required=True, help="Key of the model."),))

ENDPOINTS = [
    Endpoint("GET", "/3/Models", list_models, "List all models.", Schema("ModelsV3"), "ModelsV3"),
    Endpoint("GET", "/3/Models/{model_id}", get_model,
             "A model: parameters, metrics, scoring history (growing while it trains).", _MODEL_ID, "ModelsV3"),
    Endpoint("DELETE", "/3/Models/{model_id}", delete_model, "Delete a model.", _MODEL_ID, "ModelsV3"),
]
