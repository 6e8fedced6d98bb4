"""AutoML: start a run (the seed's POST /3/AutoML and H2O-3's POST /99/AutoMLBuilder), read it live."""

from h2odash.engine.automl import AutoML, AutoMLSpec, algo_families, algo_parameters, find_automl, start_automl
from h2odash.engine.leaderboards import extension_names, extension_values
from h2odash.engine.parameters import enum_key
from h2odash.server.automl_schemas import EVENT_LEVELS, automl_build_spec_v99, automl_v99, leaderboard_v99
from h2odash.server.endpoint import Endpoint
from h2odash.server.params import Param, ParamError, Schema, convert, is_absent
from h2odash.server.schemas import meta

# Each section of the request: field -> (kind, default). "ignore" fields are accepted at any
# value because they change nothing here; "default_only" fields are refused unless left at
# one of the listed values (features this engine does not have).
_INPUT_SPEC = {
    "training_frame": "key", "response_column": "column", "validation_frame": "key", "leaderboard_frame": "key",
    "blending_frame": "key", "fold_column": "column", "weights_column": "column", "ignored_columns": "strs",
    "sort_metric": "str",
}
_STOPPING = {
    "seed": "int", "max_models": "int", "max_runtime_secs": "float", "max_runtime_secs_per_model": "float",
    "stopping_rounds": "int", "stopping_metric": "str", "stopping_tolerance": "float",
}
_BUILD_CONTROL = {
    "project_name": "str", "nfolds": "int", "seed": "int", "keep_cross_validation_predictions": "bool",
    "keep_cross_validation_models": "bool", "keep_cross_validation_fold_assignment": "bool",
    "export_checkpoints_dir": "str", "balance_classes": "bool", "class_sampling_factors": "floats",
    "max_after_balance_size": "float", "tweedie_power": "ignore", "quantile_alpha": "ignore", "huber_alpha": "ignore",
}
_BUILD_MODELS = {"exclude_algos": "strs", "include_algos": "strs", "exploitation_ratio": "float",
                 "algo_parameters": "json"}
# Features of H2O's AutoML this engine does not have: accepted only at these values.
_DEFAULT_ONLY = {
    "build_control": {"distribution": ("AUTO",), "custom_metric_func": (), "custom_distribution_func": ()},
    "build_models": {"modeling_plan": (), "preprocessing": (), "monotone_constraints": ()},
}


def _section(body, section):
    value = body.get(section)
    if is_absent(value):
        return {}
    value = convert(Param(section, "json"), value)
    if not isinstance(value, dict):
        raise ParamError(section, f"'{section}' must be an object of fields.")
    return value


def _decode(section, values, kinds, default_only=None):
    """Typed fields of one section; unknown fields and unsupported non-defaults are refused."""
    default_only = default_only or {}
    typed = {}
    for name, value in values.items():
        argument = f"{section}.{name}"
        if name == "__meta":
            continue
        if name in default_only:
            allowed = default_only[name]
            empty = is_absent(value) or value in ([], {})
            if not empty and value not in allowed and enum_key(value) not in {enum_key(a) for a in allowed}:
                raise ParamError(argument, f"'{argument}' is not supported by this engine; leave it unset.")
            continue
        if name not in kinds:
            raise ParamError(argument, f"Unknown field '{argument}'. Known: {', '.join(sorted(kinds))}.")
        if kinds[name] == "ignore" or is_absent(value):
            continue
        typed[name] = convert(Param(argument, kinds[name]), value)
    return typed


def decode_automl_request(body):
    """An AutoMLSpec from the seed's body (build_spec, seed in build_control) or H2O-3's
    (build_models, seed in build_control.stopping_criteria)."""
    inputs = _decode("input_spec", _section(body, "input_spec"), _INPUT_SPEC)
    control_raw = _section(body, "build_control")
    stopping = _decode("build_control.stopping_criteria", _section(control_raw, "stopping_criteria"), _STOPPING)
    control = _decode("build_control", {k: v for k, v in control_raw.items() if k != "stopping_criteria"},
                      _BUILD_CONTROL, _DEFAULT_ONLY["build_control"])
    models = {}
    for section in ("build_models", "build_spec"):
        models.update(_decode(section, _section(body, section), _BUILD_MODELS, _DEFAULT_ONLY["build_models"]))
    for required in ("training_frame", "response_column"):
        if required not in inputs:
            raise ParamError(f"input_spec.{required}", f"Required field 'input_spec.{required}' is missing.")
    if "max_models" in stopping and stopping["max_models"] <= 0:
        raise ParamError("build_control.stopping_criteria.max_models",
                         f"max_models must be at least 1; got {stopping['max_models']} (leave it out for no limit).")
    seed = stopping.get("seed", control.get("seed", -1))
    return AutoMLSpec(
        training_frame=inputs["training_frame"], response=inputs["response_column"],
        validation_frame=inputs.get("validation_frame"), leaderboard_frame=inputs.get("leaderboard_frame"),
        blending_frame=inputs.get("blending_frame"), ignored_columns=tuple(inputs.get("ignored_columns") or ()),
        fold_column=inputs.get("fold_column"), weights_column=inputs.get("weights_column"),
        sort_metric_given=inputs.get("sort_metric"),
        project_name=control.get("project_name"), seed=seed,
        max_models=stopping.get("max_models", 0), max_runtime_secs=stopping.get("max_runtime_secs", 0.0),
        max_runtime_secs_per_model=stopping.get("max_runtime_secs_per_model", 0.0),
        stopping_rounds=stopping.get("stopping_rounds", 3), stopping_metric=stopping.get("stopping_metric", "AUTO"),
        stopping_tolerance=stopping.get("stopping_tolerance", -1.0), nfolds=control.get("nfolds", -1),
        keep_cross_validation_predictions=control.get("keep_cross_validation_predictions", False),
        keep_cross_validation_models=control.get("keep_cross_validation_models", False),
        keep_cross_validation_fold_assignment=control.get("keep_cross_validation_fold_assignment", False),
        export_checkpoints_dir=control.get("export_checkpoints_dir") or None,
        balance_classes=control.get("balance_classes", False),
        class_sampling_factors=tuple(control.get("class_sampling_factors") or ()) or None,
        max_after_balance_size=control.get("max_after_balance_size", 5.0),
        exclude_algos=algo_families(models.get("exclude_algos"), "exclude_algos"),
        include_algos=algo_families(models["include_algos"], "include_algos") if "include_algos" in models else None,
        algo_parameters=algo_parameters(models.get("algo_parameters")),
        exploitation_ratio=models.get("exploitation_ratio", -1.0),
    )


def start(call):
    spec = decode_automl_request(call.params)
    run, job = start_automl(call.engine, spec)
    return automl_build_spec_v99(run, job)


def get_automl(call):
    verbosity = call.params.get("verbosity")
    if not is_absent(verbosity):
        verbosity = str(verbosity).upper()
        if verbosity not in EVENT_LEVELS:
            raise ParamError("verbosity", f"verbosity must be one of {', '.join(l.lower() for l in EVENT_LEVELS)}; "
                                          f"got '{call.params['verbosity']}'.")
    else:
        verbosity = None
    return automl_v99(find_automl(call.engine, call.params["automl_id"]), verbosity=verbosity)


def get_leaderboard(call):
    """A run's leaderboard with the optional columns asked for (h2o-py's ``get_leaderboard``)."""
    run = find_automl(call.engine, call.params["project_name"])
    return _leaderboard_with(call.engine, run, call.params.get("extensions"))


def list_leaderboards(call):
    runs = call.engine.store.values(AutoML)
    return {"__meta": meta("LeaderboardsV99", "Leaderboards", 99), "project_name": None, "leaderboards": [_leaderboard_with(call.engine, run, ()) for run in runs]}


def _leaderboard_with(engine, run, requested):
    names = extension_names(requested)
    board = run.leaderboard()
    scored_on = run.spec.leaderboard_frame or run.spec.training_frame
    per_model = [extension_values(engine, model, names, scored_on, run.step_of(model.key)) for model, _ in board.rows]
    extensions = {name: [values[i] for values in per_model] for i, name in enumerate(names)}
    return leaderboard_v99(run, board, extensions)


_SECTIONS = tuple(Param(name, "json", help=text) for name, text in (
    ("input_spec", "training_frame, response_column {column_name}, validation/leaderboard/blending frames, "
                   "ignored_columns, fold_column, weights_column, sort_metric."),
    ("build_control", "project_name, nfolds, stopping_criteria {max_models, max_runtime_secs, "
                      "max_runtime_secs_per_model, seed}, seed, keep_cross_validation_*."),
    ("build_models", "exclude_algos / include_algos (GLM, DRF, GBM, XGBoost, DeepLearning, StackedEnsemble)."),
    ("build_spec", "The seed's name for build_models."),
))
_START = Schema("AutoMLBuildSpecV99", _SECTIONS)
_GET = Schema("AutoMLV99", (Param("automl_id", "key", required=True,
                                  help="AutoML id (project@@response, the job's dest) or project name."),
                            Param("verbosity", "str", help="Least level of the events shown: debug, info, warn "
                                                                 "or error (all when absent).")))

_LEADERBOARD = Schema("LeaderboardV99", (
    Param("project_name", "key", required=True, help="AutoML id (project@@response) or project name."),
    Param("extensions", "strs", help="Optional columns: ALL, training_time_ms, predict_time_per_row_ms, algo."),
))

ENDPOINTS = [
    Endpoint("GET", "/99/Leaderboards/{project_name}", get_leaderboard,
             "An AutoML run's leaderboard, with optional columns.", _LEADERBOARD, "LeaderboardV99"),
    Endpoint("GET", "/99/Leaderboards", list_leaderboards, "Every AutoML run's leaderboard.",
             Schema("LeaderboardsV99"), "LeaderboardsV99"),
    Endpoint("POST", "/3/AutoML", start, "Start an AutoML run (a job whose dest is the AutoML id).", _START,
             "AutoMLBuildSpecV99"),
    Endpoint("POST", "/99/AutoMLBuilder", start, "Start an AutoML run (H2O-3's endpoint).", _START,
             "AutoMLBuildSpecV99"),
    Endpoint("GET", "/3/AutoML/{automl_id}", get_automl,
             "An AutoML run: leader, leaderboard and event log, growing while it runs.", _GET, "AutoMLV99"),
    Endpoint("GET", "/99/AutoML/{automl_id}", get_automl,
             "An AutoML run: leader, leaderboard and event log, growing while it runs.", _GET, "AutoMLV99"),
]
