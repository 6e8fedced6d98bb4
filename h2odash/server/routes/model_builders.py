"""ModelBuilders: what each algorithm takes, training (a job), and parameter validation."""

from h2odash.engine import algos
from h2odash.engine.errors import EngineError
from h2odash.server.endpoint import Endpoint
from h2odash.server.model_schemas import builder_v3, validation_message
from h2odash.server.params import Param, ParamError, Schema, convert, is_absent
from h2odash.server.schemas import envelope

# How each H2O parameter type arrives in a request (see params.py for the kinds).
_KINDS = {
    "int": "int", "long": "int", "double": "float", "float": "float", "boolean": "bool", "string": "str",
    "enum": "str", "enum[]": "strs", "Key<Frame>": "key", "Key<Model>": "key", "Key<Model>[]": "keys", "Key<Keyed>[]": "keys",
    "VecSpecifier": "column", "string[]": "strs", "int[]": "ints", "double[]": "floats", "float[]": "floats", "string[][]": "str_lists",
    "KeyValue[]": "key_values", "StringPair[]": "string_pairs",
}


def decode_model_parameters(algorithm, raw):
    """Typed values of a training request's parameters, by the algorithm's declaration."""
    typed = {}
    for name, value in raw.items():
        if name in algorithm.inert_parameters:
            continue
        if name not in algorithm.parameters:
            raise ParamError(name, f"Unknown parameter '{name}' for {algorithm.full_name}.")
        if is_absent(value):
            continue
        declared = algorithm.parameters[name]
        typed[name] = convert(Param(name, _KINDS.get(declared.type, "json")), value)
    return typed


def list_builders(call):
    builders = {name: builder_v3(algos.get(name)) for name in algos.available()}
    return envelope("ModelBuildersV3", model_builders=builders)


def get_builder(call):
    algorithm = algos.get(call.params["algo"])
    return envelope("ModelBuildersV3", model_builders={algorithm.name: builder_v3(algorithm)})


def _request(call):
    algorithm = algos.get(call.params["algo"])
    raw = {k: v for k, v in call.params.items() if k != "algo"}
    return algorithm, decode_model_parameters(algorithm, raw)


def train(call):
    algorithm, typed = _request(call)
    job = call.engine.train(algorithm.name, typed)
    # What the checks warned of (a stacked ensemble's inconsistent folds) is also in the
    # builder's messages, where H2O-3 reports its warnings.
    return builder_v3(algorithm, job, [validation_message(None, text, "WARN") for text in job.warnings])


def validate(call):
    """Check parameters without training: messages name each problem, as H2O's do."""
    algorithm = algos.get(call.params["algo"])
    try:
        _, typed = _request(call)
        call.engine.validate_parameters(algorithm.name, typed)
        messages = []
    except (ParamError, EngineError) as exc:
        messages = [validation_message(exc.argument if hasattr(exc, "argument") else exc.values.get("argument"),
                                       exc.msg)]
    return builder_v3(algorithm, messages=messages)


_ALGO = Param("algo", "str", required=True, help="Algorithm: gbm, drf, xgboost, glm, gam, deeplearning, naivebayes.")
_OPEN = Schema("ModelBuilderV3", (_ALGO,), open=True)

ENDPOINTS = [
    Endpoint("GET", "/3/ModelBuilders", list_builders, "List the algorithms and every parameter each takes.",
             Schema("ModelBuildersV3"), "ModelBuildersV3"),
    Endpoint("GET", "/3/ModelBuilders/{algo}", get_builder, "One algorithm and every parameter it takes.",
             Schema("ModelBuildersV3", (_ALGO,)), "ModelBuildersV3"),
    Endpoint("POST", "/3/ModelBuilders/{algo}/parameters", validate,
             "Validate training parameters without training.", _OPEN, "ModelBuilderV3"),
    Endpoint("POST", "/3/ModelBuilders/{algo}", train, "Train a model (a job).", _OPEN, "ModelBuilderV3"),
    Endpoint("POST", "/99/ModelBuilders/{algo}", train, "Train a model (a job).", _OPEN, "ModelBuilderV3"),
]
