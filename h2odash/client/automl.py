"""The body of ``POST /99/AutoMLBuilder``: h2o-py's ``H2OAutoML`` arguments in the nested JSON
shape H2O-3 reads (``input_spec``, ``build_control`` with its ``stopping_criteria``, ``build_models``)."""
from __future__ import annotations

from typing import Any

# Where each H2OAutoML argument lives in the body, as h2o-py's _aml_property declarations place them.
_INPUT_SPEC = ("validation_frame", "leaderboard_frame", "blending_frame", "fold_column", "weights_column",
               "ignored_columns", "sort_metric")
_BUILD_CONTROL = ("project_name", "nfolds", "balance_classes", "class_sampling_factors", "max_after_balance_size",
                  "keep_cross_validation_models", "keep_cross_validation_predictions",
                  "keep_cross_validation_fold_assignment", "export_checkpoints_dir", "distribution")
_STOPPING_CRITERIA = ("max_models", "max_runtime_secs", "max_runtime_secs_per_model", "stopping_metric",
                      "stopping_tolerance", "stopping_rounds", "seed")
_BUILD_MODELS = ("exclude_algos", "include_algos", "exploitation_ratio", "modeling_plan", "preprocessing")


def automl_spec(training_frame: str, response_column: str, **options: Any) -> dict:
    """An AutoML build spec for ``POST /99/AutoMLBuilder``.

    ``None`` options are kept here and dropped by the transport, so the server's defaults apply.

    Raises
    ------
    TypeError
        For an option h2o-py's ``H2OAutoML`` does not have.
    """
    unknown = set(options) - set(_INPUT_SPEC + _BUILD_CONTROL + _STOPPING_CRITERIA + _BUILD_MODELS)
    if unknown:
        raise TypeError(f"unknown AutoML options {sorted(unknown)}")

    def pick(names):
        return {name: options[name] for name in names if name in options}

    return {
        "input_spec": {"training_frame": training_frame, "response_column": response_column, **pick(_INPUT_SPEC)},
        "build_control": {**pick(_BUILD_CONTROL), "stopping_criteria": pick(_STOPPING_CRITERIA)},
        "build_models": pick(_BUILD_MODELS),
    }
