"""AutoML through h2o-py, on both servers: what each model is given, reruns into one project,
an empty run, the event log's validation warnings and the clean-up of cross-validation
predictions, as H2O-3's AutoML does them.

Runs are kept small (two or three base models of quick families, two folds) so the reference
H2O-3 finishes them in seconds too.
"""
from __future__ import annotations

import pytest

from tests.h2opy.prostate import X, upload_prostate


@pytest.fixture
def prostate(h2opy, data_dir):
    return upload_prostate(h2opy, data_dir)


def _automl(**params):
    from h2o.automl import H2OAutoML

    params.setdefault("seed", 1)
    params.setdefault("nfolds", 2)
    return H2OAutoML(**params)


def _model_ids(aml):
    return [str(m) for m in aml.leaderboard["model_id"].as_data_frame()["model_id"]]


def _events(aml, level=None):
    log = aml.event_log.as_data_frame()
    if level is not None:
        log = log[log["level"] == level]
    return list(log["message"])


def _base(ids):
    return [m for m in ids if not m.startswith("StackedEnsemble")]


@pytest.mark.parametrize("response,category_metric", [("CAPSULE", "logloss"), ("VOL", "deviance")])
def test_each_model_is_given_the_stopping_metric_auto_stands_for(h2opy, prostate, response, category_metric):
    # H2O-3 names AUTO's metric on each model: logloss for classes, deviance for regression.
    aml = _automl(project_name=f"stop_{response}", max_models=2, include_algos=["GBM", "DRF"],
                  stopping_rounds=1, stopping_tolerance=0.5)
    aml.train(x=[c for c in X if c != response], y=response, training_frame=prostate)
    base = _base(_model_ids(aml))
    assert len(base) == 2
    for key in base:
        assert h2opy.get_model(key).params["stopping_metric"]["actual"] == category_metric


def test_a_rerun_adds_to_the_projects_leaderboard_and_another_response_starts_afresh(h2opy, prostate):
    aml = _automl(project_name="rerun_project", max_models=2, include_algos=["GBM", "GLM", "StackedEnsemble"])
    aml.train(x=X, y="CAPSULE", training_frame=prostate)
    first = _model_ids(aml)
    aml.train(x=X[1:], y="CAPSULE", training_frame=prostate)
    second = _model_ids(aml)
    assert set(first) <= set(second)
    assert len(_base(second)) == 2 * len(_base(first)) == 4
    assert any(m.startswith("New models will be added to existing leaderboard") for m in _events(aml, "WARN"))
    # Another response is another project key (name@@response): a leaderboard of its own.
    aml.train(x=X, y="RACE", training_frame=prostate)
    third = _model_ids(aml)
    assert len(_base(third)) == 2 and not set(third) & set(second)


def test_excluding_every_algorithm_ends_on_an_empty_leaderboard(h2opy, prostate):
    aml = _automl(project_name="nothing_left", max_runtime_secs=10,
                  exclude_algos=["DeepLearning", "DRF", "GBM", "GLM", "XGBoost", "StackedEnsemble"])
    aml.train(x=X, y="CAPSULE", training_frame=prostate)
    board = aml.leaderboard
    assert board.nrows == 0 and board.names == ["model_id"]
    assert _events(aml, "WARN")[-1].startswith("Empty leaderboard")


def test_a_validation_frame_with_cross_validation_is_warned_about(h2opy, prostate):
    train, valid = prostate.split_frame(ratios=[0.8], seed=1)
    aml = _automl(project_name="valid_with_cv", max_models=1, include_algos=["GLM"])
    aml.train(x=X, y="CAPSULE", training_frame=train, validation_frame=valid)
    assert any(m.startswith("User specified a validation frame with cross-validation still enabled")
               for m in _events(aml, "WARN"))


def _cv_prediction_frames(h2opy, model_ids):
    """The cross-validation prediction frames of these models (the server may hold other runs')."""
    keys = [str(k) for k in h2opy.ls()["key"]]
    return [k for k in keys if "prediction_" in k and "cv_" in k and any(m in k for m in model_ids)]


@pytest.mark.parametrize("keep", [False, True])
def test_cross_validation_predictions_are_dropped_at_the_end_unless_kept(h2opy, prostate, keep):
    aml = _automl(project_name=f"cv_preds_{keep}", max_models=2, include_algos=["GBM", "GLM", "StackedEnsemble"],
                  keep_cross_validation_predictions=keep)
    aml.train(x=X, y="CAPSULE", training_frame=prostate)
    ids = _model_ids(aml)
    assert any(m.startswith("StackedEnsemble") for m in ids)   # the ensembles had them to stack
    for key in _base(ids):
        holdout = h2opy.get_model(key).cross_validation_holdout_predictions()
        assert bool(holdout) is keep
    # Each model's holdout frame and one per fold, for the base models and each ensemble's
    # metalearner (which keeps what the run keeps).
    assert len(_cv_prediction_frames(h2opy, ids)) == (len(ids) * 3 if keep else 0)


def test_fold_assignments_are_kept_only_with_nfolds(h2opy, prostate):
    aml = _automl(project_name="no_folds", nfolds=0, max_models=1, include_algos=["GLM"],
                  keep_cross_validation_fold_assignment=True)
    aml.train(x=X, y="CAPSULE", training_frame=prostate)
    model = h2opy.get_model(_model_ids(aml)[0])
    assert model.params["keep_cross_validation_fold_assignment"]["actual"] is False


def test_a_monotonic_ensemble_stacks_the_monotone_constrained_models(h2opy, prostate):
    # GLM takes no monotone constraints: the "monotonic" step stacks the GBMs only.
    aml = _automl(project_name="monotonic", max_models=3, include_algos=["GLM", "GBM", "StackedEnsemble"],
                  monotone_constraints={"PSA": 1, "VOL": 1})
    aml.train(x=X, y="CAPSULE", training_frame=prostate)
    ids = _model_ids(aml)
    gbms = {m for m in ids if m.startswith("GBM_")}
    monotonic = [m for m in ids if m.startswith("StackedEnsemble_Monotonic")]
    assert len(gbms) == 2 and len(monotonic) == 1
    assert set(h2opy.get_model(monotonic[0]).base_models) == gbms


def test_the_event_log_is_shown_from_the_verbosity_asked_for(h2opy, prostate):
    # A tolerance far below the recommended one gives a WARN event.
    aml = _automl(project_name="verbosity", max_models=1, include_algos=["GLM"], stopping_tolerance=0.0001)
    aml.train(x=X, y="CAPSULE", training_frame=prostate)
    order = ["DEBUG", "INFO", "WARN", "ERROR"]
    shown = {}
    for level in ("debug", "info", "warn", "error"):
        body = h2opy.api(f"GET /99/AutoML/{aml.key}", data={"verbosity": level})
        shown[level] = [str(v).strip() for v in body["event_log_table"]["level"]]
        assert all(order.index(v) >= order.index(level.upper()) for v in shown[level])
    assert len(shown["error"]) <= len(shown["warn"]) < len(shown["info"]) < len(shown["debug"])
    assert len(shown["debug"]) == len(_events(aml))   # debug is every event
