"""Grids and AutoML runs as H2O-3's JSON schemas (GridSchemaV99, AutoMLV99, AutoMLBuildSpecV99 ...)."""

import math
import time

from h2odash.engine import algos, ranking
from h2odash.engine.leaderboards import EXTENSION_TYPES
from h2odash.engine.tables import Table, col
from h2odash.server.model_schemas import metrics_v3
from h2odash.server.schemas import envelope, job_v3, key_ref, meta, two_dim_table


# -- grids ----------------------------------------------------------------------------------
def grid_start_v99(grid, job, search_criteria):
    """What POST /99/Grid/{algo} answers: the request echoed, and the job."""
    strategy = search_criteria.get("strategy", "Cartesian")
    name = algos.prefix(grid.algo)
    criteria = {"__meta": meta(f"{strategy}SearchCriteriaV99", f"{strategy}SearchCriteria", 99), **search_criteria}
    return {
        "__meta": meta("GridSearchSchema", "Grid", -1),
        "parameters": {"__meta": meta(f"{name}ParametersV3", f"{name}Parameters"), **_plain(grid.params)},
        "hyper_parameters": None,
        "grid_id": key_ref(grid.key, "Grid"),
        "search_criteria": criteria,
        "parallelism": 1,
        "recovery_dir": None,
        "job_id": None,
        "total_models": 0,
        "job": job_v3(job),
    }


def grid_v99(engine, grid, sort_by=None, decreasing=None):
    """GridSchemaV99: the grid's models sorted by a metric, its failures and a summary table."""
    shown, name, decreasing, entries = grid.sorted_models(engine, sort_by, decreasing)
    models = [m for m, _ in entries]
    failures = list(grid.failures)
    summary = Table("Hyper-Parameter Search Summary",
                    [col("", "string", "")] + [col(h, "string" if _is_text(grid, h) else "double", h, None
                                                   if _is_text(grid, h) else "%.5f") for h in grid.hyper_names]
                    + [col("model_ids", "string", "model_ids"), col(shown, "double", shown, "%.5f")],
                    description=f"ordered by {'decreasing' if decreasing else 'increasing'} {shown}")
    for model, scored in entries:
        values = grid.model_values.get(model.key, {})
        summary.append([""] + [_cell(values.get(h)) for h in grid.hyper_names]
                       + [model.key, ranking.value(scored, name)])
    return {
        "__meta": meta("GridSchemaV99", "Grid", 99),
        "grid_id": key_ref(grid.key, "Grid"),
        "sort_by": shown,
        "decreasing": decreasing,
        "model_ids": [key_ref(m.key, "Model") for m in models],
        "hyper_names": list(grid.hyper_names),
        "failed_params": [_plain(values) for values, _, _ in failures],
        "warning_details": [],
        "failure_details": [message for _, message, _ in failures],
        "failure_stack_traces": [stack for _, _, stack in failures],
        "failed_raw_params": [[str(values.get(h)) for h in grid.hyper_names] for values, _, _ in failures],
        "training_metrics": [metrics_v3(m, m.training_metrics, m.training_frame) for m in models],
        "validation_metrics": [metrics_v3(m, m.validation_metrics, m.validation_frame) for m in models],
        "cross_validation_metrics": [metrics_v3(m, m.cross_validation_metrics, None) for m in models],
        "cross_validation_metrics_summary": [two_dim_table(m.cross_validation_metrics_summary) for m in models],
        "export_checkpoints_dir": None,
        "summary_table": two_dim_table(summary),
        "scoring_history": None,
    }


def grids_v99(engine, grids):
    return envelope("GridsV99", "Grids", grids=[grid_v99(engine, g) for g in grids])


def _is_text(grid, name):
    declared = grid.algorithm.parameters[name]
    return declared.type not in ("int", "long", "double", "float")


def _cell(value):
    if isinstance(value, (list, tuple)):
        return str(list(value))
    if isinstance(value, bool):
        return str(value).lower()
    return value


def _plain(values):
    """Request values as JSON (key names stay names)."""
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in values.items()}


# -- AutoML ---------------------------------------------------------------------------------
def automl_build_spec_v99(run, job):
    """What POST /99/AutoMLBuilder (and POST /3/AutoML) answer: the request as understood, and the job."""
    spec = run.spec
    return {
        "__meta": meta("AutoMLBuildSpecV99", "AutoMLBuildSpec", 99),
        "build_control": {
            "__meta": meta("AutoMLBuildControlV99", "AutoMLBuildControl", 99),
            "project_name": run.project_name,
            "stopping_criteria": {
                "__meta": meta("AutoMLStoppingCriteriaV99", "AutoMLStoppingCriteria", 99),
                "seed": spec.seed,
                "max_models": spec.max_models,
                "max_runtime_secs": float(spec.max_runtime_secs),
                "max_runtime_secs_per_model": float(spec.max_runtime_secs_per_model),
                "stopping_rounds": spec.stopping_rounds,
                "stopping_metric": spec.stopping_metric,
                "stopping_tolerance": spec.stopping_tolerance,
            },
            "nfolds": spec.nfolds,
            "balance_classes": spec.balance_classes,
            "class_sampling_factors": list(spec.class_sampling_factors) if spec.class_sampling_factors else None,
            "max_after_balance_size": spec.max_after_balance_size,
            "keep_cross_validation_predictions": spec.keep_cross_validation_predictions,
            "keep_cross_validation_models": spec.keep_cross_validation_models,
            "keep_cross_validation_fold_assignment": spec.keep_cross_validation_fold_assignment,
            "export_checkpoints_dir": None,
            "distribution": "AUTO",
            "tweedie_power": 1.5,
            "quantile_alpha": 0.5,
            "huber_alpha": 0.9,
            "custom_metric_func": None,
            "custom_distribution_func": None,
        },
        "input_spec": {
            "__meta": meta("AutoMLInputV99", "AutoMLInput", 99),
            "training_frame": key_ref(spec.training_frame),
            "response_column": {"__meta": meta("ColSpecifierV3", "VecSpecifier"), "column_name": spec.response,
                                "is_member_of_frames": None},
            "validation_frame": key_ref(spec.validation_frame),
            "blending_frame": None,
            "leaderboard_frame": key_ref(spec.leaderboard_frame),
            "fold_column": None,
            "weights_column": None,
            "ignored_columns": list(spec.ignored_columns) or None,
            "sort_metric": spec.sort_metric_given or "AUTO",
        },
        "build_models": {
            "__meta": meta("AutoMLBuildModelsV99", "AutoMLBuildModels", 99),
            "exclude_algos": list(spec.exclude_algos) or None,
            "include_algos": list(spec.include_algos) if spec.include_algos is not None else None,
            "exploitation_ratio": float(spec.exploitation_ratio),
            "modeling_plan": _modeling_plan(run.plan_steps()),
            "preprocessing": None,
            "algo_parameters": None,
            "monotone_constraints": None,
        },
        "job": job_v3(job),
    }


# The event log's levels, least severe first.
EVENT_LEVELS = ("DEBUG", "INFO", "WARN", "ERROR")


def automl_v99(run, version=99, verbosity=None):
    """AutoMLV99: the leaderboard (growing while the run goes on), the event log and the leader;
    ``verbosity`` (a level of EVENT_LEVELS) keeps the events of that level and above, as H2O-3."""
    board = run.leaderboard()
    table = two_dim_table(leaderboard_table(run, board))
    events = run.events()
    if verbosity:
        least = EVENT_LEVELS.index(verbosity)
        events = [e for e in events if EVENT_LEVELS.index(e.level) >= least]
    event_table = two_dim_table(event_log_table(run, events))
    leader = board.rows[0][0] if board.rows else None
    return {
        "__meta": meta("AutoMLV99", "AutoML", version),
        "automl_id": key_ref(run.key, "AutoML"),
        "project_name": run.project_name,
        "leader": _leader(leader),
        "verbosity": verbosity.lower() if verbosity else None,
        "training_frame": key_ref(run.spec.training_frame),
        "validation_frame": key_ref(run.spec.validation_frame),
        "blending_frame": None,
        "leaderboard_frame": key_ref(run.spec.leaderboard_frame),
        "leaderboard": leaderboard_v99(run, board),
        "leaderboard_table": table,
        "event_log": {
            "__meta": meta("EventLogV99", "EventLog", 99),
            "automl_id": None,
            "events": [_event_v99(e) for e in events],
            "table": event_table,
            "verbosity": verbosity.lower() if verbosity else None,
        },
        "event_log_table": event_table,
        "sort_metric": board.sort_metric,
        "modeling_steps": _modeling_plan(run.steps_done()),
        "status": run.job.status if run.job is not None else None,
    }


def _leader(model):
    """The seed's ``leader``: the best model's key (name, type, URL) and its algorithm."""
    if model is None:
        return None
    body = key_ref(model.key, "Model")
    body["algo"] = model.algo
    return body




def leaderboard_table(run, board, extensions=None):
    """The leaderboard's TwoDimTable; ``extensions`` maps each optional column asked for to the
    models' values, in the board's order."""
    extensions = extensions or {}
    name = f"Leaderboard for project {run.key}"
    columns = [col("", "string", "#"), col("model_id", "string", "model_id")]
    columns += [col(c, "double", c, "%.6f") for c in board.columns]
    columns += [col(c, EXTENSION_TYPES[c], c, "%.6f" if EXTENSION_TYPES[c] == "double" else "%s") for c in extensions]
    table = Table(name, columns, description=f"models sorted in order of {board.sort_metric}, best first")
    for i, (model, values) in enumerate(board.rows):
        table.append([str(i), model.key] + list(values) + [extensions[c][i] for c in extensions])
    return table


def leaderboard_v99(run, board, extensions=None):
    """LeaderboardV99 (``GET /99/Leaderboards/{project}``)."""
    return {
        "__meta": meta("LeaderboardV99", "Leaderboard", 99),
        "project_name": run.key,
        "models": [key_ref(model.key, "Model") for model, _ in board.rows],
        "leaderboard_frame": key_ref(run.spec.leaderboard_frame),
        "leaderboard_frame_checksum": 0,
        "sort_metrics": [_number(values[0]) for _, values in board.rows],
        "sort_metric": board.sort_metric,
        "sort_decreasing": board.decreasing,
        "table": two_dim_table(leaderboard_table(run, board, extensions)),
    }


def event_log_table(run, events):
    columns = [col("", "string", "#")] + [col(c, "string", c) for c in
                                          ("timestamp", "level", "stage", "message", "name", "value")]
    table = Table(f"Event Log for:{run.key}", columns, description="Actions taken and discoveries made by AutoML")
    for i, e in enumerate(events):
        clock = time.strftime("%H:%M:%S", time.localtime(e.timestamp / 1000)) + f".{e.timestamp % 1000:03d}"
        table.append([str(i), clock, e.level, e.stage, e.message, e.name, e.value])
    return table


def _event_v99(e):
    return {"__meta": meta("EventLogEntryV99", "EventLogEntry", 99), "timestamp": e.timestamp, "level": e.level,
            "stage": e.stage, "message": e.message, "name": e.name, "value": e.value or ""}


def _modeling_plan(steps):
    """Consecutive steps of one algorithm grouped as H2O lists them: [{name, alias, steps: [{id, group, weight}]}]."""
    plan = []
    for step in steps:
        if not plan or plan[-1]["name"] != step.family:
            plan.append({"name": step.family, "alias": None, "steps": []})
        plan[-1]["steps"].append({"id": step.id, "group": step.group, "weight": step.weight})
    return plan


def _number(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value
