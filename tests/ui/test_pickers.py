"""What pickers offer (issue 13, item 7): the user's models newest first with a readable label,
without fold models, metalearners, internal or predictions frames unless asked for."""
import datetime as dt

from h2odash.ui.pickers import main_metric, model_label, user_frames, user_models


def _model(name, timestamp, algo="gbm", **output):
    return {"model_id": {"name": name}, "algo": algo, "timestamp": timestamp, "output": output}


MODELS = [_model("GBM_1", 1000), _model("GBM_1_cv_1", 1001), _model("GLM_2", 3000, "glm"),
          _model("StackedEnsemble_AllModels_1_metalearner", 4000, "glm"), _model("DRF_3", 2000, "drf")]


def test_user_models_newest_first_without_folds_or_metalearners():
    assert [m["model_id"]["name"] for m in user_models(MODELS)] == ["GLM_2", "DRF_3", "GBM_1"]
    assert len(user_models(MODELS, show_all=True)) == 5


def test_user_frames_hide_raw_internal_and_predictions_frames():
    frames = [{"frame_id": {"name": n}, "is_text": n.startswith("nfs")} for n in
              ("prostate.hex", "nfs://data/prostate.csv", "_tmp_1", "$04ff$x", "predictions_1a_GBM_on_prostate.hex",
               "cars_train")]
    assert user_frames(frames) == ["cars_train", "prostate.hex"]
    assert user_frames(frames, show_all=True) == ["$04ff$x", "_tmp_1", "cars_train",
                                                  "predictions_1a_GBM_on_prostate.hex", "prostate.hex"]


def test_model_label_says_algorithm_main_metric_where_and_when():
    noon = dt.datetime(2026, 5, 1, 18, 32)
    millis = noon.timestamp() * 1000
    model = _model("GBM_1", millis, model_category="Binomial", training_metrics={"AUC": 0.93},
                   cross_validation_metrics={"AUC": 0.8123})
    assert main_metric(model) == ("AUC", 0.8123, "cv")
    assert model_label(model, now=noon) == "GBM_1 · GBM · AUC 0.812 (cv) · 18:32"
    regression = _model("GLM_2", millis, "glm", model_category="Regression", training_metrics={"RMSE": 1.5},
                        validation_metrics={"RMSE": "NaN"})
    assert model_label(regression, now=noon + dt.timedelta(days=2)) == "GLM_2 · GLM · RMSE 1.5 (train) · May 01 18:32"
    assert model_label({"model_id": {"name": "DRF_3"}, "algo": "drf"}) == "DRF_3 · DRF"
