"""h2o-py's model files and frame export on both servers (issue 17): ``h2o.save_model`` →
``h2o.remove`` → ``h2o.load_model`` gives back a model that predicts exactly as before with the
same metrics, ``download_model`` → ``upload_model`` the same, and an exported frame imports back
equal. Each server writes its own format (H2O-3 its Java binary, the engine its own file); what
the test compares is what a user sees through the client."""
from __future__ import annotations

import pandas as pd
import pytest

from tests.h2opy.prostate import X, upload_prostate


def _estimators(h2o):
    from h2o.estimators import (
        H2ODeepLearningEstimator, H2OGeneralizedAdditiveEstimator, H2OGeneralizedLinearEstimator,
        H2OGeneralizedLowRankEstimator, H2OGradientBoostingEstimator, H2OIsolationForestEstimator,
        H2OKMeansEstimator, H2ONaiveBayesEstimator, H2OPrincipalComponentAnalysisEstimator,
        H2ORandomForestEstimator, H2OSingularValueDecompositionEstimator, H2OXGBoostEstimator,
    )
    return {   # (estimator, supervised)
        "gbm": (lambda: H2OGradientBoostingEstimator(ntrees=10, max_depth=3, seed=1), True),
        "drf": (lambda: H2ORandomForestEstimator(ntrees=10, seed=1), True),
        "xgboost": (lambda: H2OXGBoostEstimator(ntrees=10, max_depth=3, seed=1), True),
        "glm": (lambda: H2OGeneralizedLinearEstimator(family="binomial"), True),
        "gam": (lambda: H2OGeneralizedAdditiveEstimator(family="binomial", gam_columns=["PSA"]), True),
        "deeplearning": (lambda: H2ODeepLearningEstimator(hidden=[8], epochs=3, seed=1, reproducible=True), True),
        "naivebayes": (lambda: H2ONaiveBayesEstimator(seed=1), True),
        "kmeans": (lambda: H2OKMeansEstimator(k=3, seed=1), False),
        "pca": (lambda: H2OPrincipalComponentAnalysisEstimator(k=2, transform="STANDARDIZE"), False),
        "svd": (lambda: H2OSingularValueDecompositionEstimator(nv=2, transform="STANDARDIZE"), False),
        "glrm": (lambda: H2OGeneralizedLowRankEstimator(k=2, seed=1, max_iterations=20), False),
        "isolationforest": (lambda: H2OIsolationForestEstimator(ntrees=10, seed=1), False),
        "autoencoder": (lambda: H2ODeepLearningEstimator(autoencoder=True, hidden=[3], epochs=3, seed=1,
                                                         reproducible=True), False),
    }


ALGOS = ["gbm", "drf", "xgboost", "glm", "gam", "deeplearning", "naivebayes", "kmeans", "pca", "svd", "glrm",
         "isolationforest", "autoencoder", "stackedensemble"]


def _train(h2o, algo, frame):
    if algo == "stackedensemble":
        from h2o.estimators import (H2OGeneralizedLinearEstimator, H2OGradientBoostingEstimator,
                                    H2OStackedEnsembleEstimator)
        cv = dict(nfolds=3, fold_assignment="Modulo", keep_cross_validation_predictions=True)
        base = [H2OGradientBoostingEstimator(ntrees=10, seed=1, **cv), H2OGeneralizedLinearEstimator(family="binomial",
                                                                                                   **cv)]
        for model in base:
            model.train(x=X, y="CAPSULE", training_frame=frame)
        model = H2OStackedEnsembleEstimator(base_models=base, seed=1)
        model.train(x=X, y="CAPSULE", training_frame=frame)
        return model
    make, supervised = _estimators(h2o)[algo]
    model = make()
    if supervised:
        model.train(x=X, y="CAPSULE", training_frame=frame)
    else:
        model.train(x=X, training_frame=frame)
    return model


def _predictions(model, frame) -> pd.DataFrame:
    return model.predict(frame).as_data_frame()


def _metrics(model):
    """The training metrics as the client reads them (without the clock fields)."""
    held = model._model_json["output"]["training_metrics"]
    if held is None:   # SVD has none
        return None
    metrics = dict(held._metric_json)
    for name in ("timestamp", "duration_in_ms", "scoring_time", "model", "frame", "model_checksum",
                 "frame_checksum"):
        metrics.pop(name, None)
    return repr(sorted(metrics.items(), key=lambda item: item[0]))


@pytest.mark.parametrize("algo", ALGOS)
def test_save_remove_load_predicts_the_same(h2opy, data_dir, tmp_path, algo):
    frame = upload_prostate(h2opy, data_dir)
    model = _train(h2opy, algo, frame)
    before, metrics = _predictions(model, frame), _metrics(model)
    path = h2opy.save_model(model, path=str(tmp_path))
    with pytest.raises(Exception, match="already exists"):
        h2opy.save_model(model, path=str(tmp_path))
    assert h2opy.save_model(model, path=str(tmp_path), force=True) == path
    model_id = model.model_id
    h2opy.remove(model)
    assert model_id not in [m for m in h2opy.ls()["key"]]
    loaded = h2opy.load_model(path)
    assert loaded.model_id == model_id
    pd.testing.assert_frame_equal(_predictions(loaded, frame), before)
    assert _metrics(loaded) == metrics


@pytest.mark.parametrize("algo", ["gbm", "glm", "kmeans"])
def test_download_then_upload_gives_the_same_model(h2opy, data_dir, tmp_path, algo):
    frame = upload_prostate(h2opy, data_dir)
    model = _train(h2opy, algo, frame)
    before = _predictions(model, frame)
    path = model.download_model(path=str(tmp_path))
    model_id = model.model_id
    h2opy.remove(model)
    uploaded = h2opy.upload_model(path)
    assert uploaded.model_id == model_id
    pd.testing.assert_frame_equal(_predictions(uploaded, frame), before)


@pytest.mark.parametrize("name", ["prostate.csv", "prostate.csv.gz", "prostate.parquet"])
def test_an_exported_frame_imports_back_equal(h2opy, data_dir, tmp_path, name):
    frame = upload_prostate(h2opy, data_dir, categorical=("CAPSULE", "RACE"))
    path = str(tmp_path / name)
    if name.endswith(".parquet"):
        h2opy.export_file(frame, path, format="parquet")
    else:
        h2opy.export_file(frame, path, compression="gzip" if name.endswith(".gz") else None)
    with pytest.raises(Exception, match="exists"):
        h2opy.export_file(frame, path)
    back = h2opy.import_file(path)
    back["CAPSULE"] = back["CAPSULE"].asfactor()
    back["RACE"] = back["RACE"].asfactor()
    assert back.types == frame.types
    pd.testing.assert_frame_equal(back.as_data_frame(), frame.as_data_frame())


def test_export_checkpoints_dir_saves_each_finished_model(h2opy, data_dir, tmp_path):
    import os

    from h2o.automl import H2OAutoML
    from h2o.estimators import H2OGradientBoostingEstimator

    frame = upload_prostate(h2opy, data_dir)
    gbm = H2OGradientBoostingEstimator(ntrees=5, seed=1, export_checkpoints_dir=str(tmp_path / "gbm"))
    gbm.train(x=X, y="CAPSULE", training_frame=frame)
    assert os.listdir(tmp_path / "gbm") == [gbm.model_id]
    before = _predictions(gbm, frame)
    h2opy.remove(gbm.model_id)
    pd.testing.assert_frame_equal(_predictions(h2opy.load_model(str(tmp_path / "gbm" / gbm.model_id)), frame), before)

    aml = H2OAutoML(max_models=2, seed=1, nfolds=3, export_checkpoints_dir=str(tmp_path / "automl"),
                    project_name="checkpoints")
    aml.train(x=X, y="CAPSULE", training_frame=frame)
    leaderboard = aml.leaderboard.as_data_frame()["model_id"].tolist()
    saved = [name for name in os.listdir(tmp_path / "automl") if "_cv_" not in name]
    assert sorted(saved) == sorted(leaderboard)
