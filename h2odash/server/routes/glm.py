"""GLM's own endpoints: its regularization path, and a GLM made from given coefficients."""

from dataclasses import asdict

from h2odash.engine.algos import glm_custom, glm_path
from h2odash.server.endpoint import Endpoint
from h2odash.server.model_schemas import model_v3
from h2odash.server.params import Param, Schema
from h2odash.server.schemas import envelope


def regularization_path(call):
    path = glm_path.regularization_path(call.engine, call.params["model"])
    # As H2O-3 answers: the input model is not echoed back.
    return envelope("GLMRegularizationPathV3", "RegularizationPath", model=None, **asdict(path))


def make_model(call):
    p = call.params
    model = glm_custom.make_glm_model(call.engine, p["model"], p.get("names"), p.get("beta"), p.get("dest"),
                                      p.get("threshold", 0.5))
    return model_v3(model)


_PATH = Schema("GLMRegularizationPathV3", (
    Param("model", "key", required=True, help="The GLM whose submodels are listed."),
))
_MAKE = Schema("MakeGLMModelV3", (
    Param("model", "key", required=True, help="The GLM whose columns, family and parameters the new model takes."),
    Param("dest", "key", help="Key of the new model (generated when not given)."),
    Param("names", "strs", required=True, help="Names of the coefficients given, as the source model names them."),
    Param("beta", "floats", required=True, help="The coefficients' values, in the order of names."),
    Param("threshold", "float", 0.5, help="Binomial models: the probability from which the label is 1."),
))

ENDPOINTS = [
    Endpoint("GET", "/3/GetGLMRegPath", regularization_path,
             "A GLM's regularization path: lambda, alpha, explained deviance and coefficients of every submodel.",
             _PATH, "GLMRegularizationPathV3"),
    Endpoint("POST", "/3/MakeGLMModel", make_model, "Make a GLM from a model's columns and given coefficients.",
             _MAKE, "GLMModelV3"),
]
