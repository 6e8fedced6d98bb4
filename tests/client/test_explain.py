"""Contributions and partial dependence through the client, on both servers: the tables it returns
are laid out as the server answered them, and their numbers agree with the model's own predictions."""
import numpy as np
import pytest

from h2odash.client import H2OJobError
from h2odash.client.explain import BIAS_TERM, RESPONSE_COLUMNS

FEATURES = ["AGE", "RACE", "DPROS", "DCAPS", "PSA", "VOL", "GLEASON"]


@pytest.fixture
def prostate_gbm(client, data_dir, frame_name):
    frame = client.import_frame(str(data_dir / "prostate.csv"), destination_frame=frame_name("explain"),
                                column_types={"CAPSULE": "enum", "RACE": "enum"})
    model = client.train("gbm", frame, "CAPSULE", ntrees=10, max_depth=3, seed=1, ignored_columns=["ID"],
                         model_id=frame_name("gbm_explain"))
    return model, frame


def test_contributions_add_up_to_the_logit_of_each_prediction(client, prostate_gbm):
    model, frame = prostate_gbm
    job = client.start_contributions(model, frame)
    assert job["dest"]["name"]  # the frame to read once the job is done
    shap = client.contributions(model, frame)
    assert list(shap.columns) == FEATURES + [BIAS_TERM]
    predictions = client.frame_to_pandas(client.predict(model, frame)["predictions_frame"]["name"])
    p1 = predictions["p1"].to_numpy()
    np.testing.assert_allclose(shap.sum(axis=1), np.log(p1) - np.log1p(-p1), atol=1e-4)


def test_top_and_bottom_contributions_are_named_pairs(client, prostate_gbm):
    model, frame = prostate_gbm
    shap = client.contributions(model, frame, top_n=2, bottom_n=1)
    assert list(shap.columns) == ["top_feature_1", "top_value_1", "top_feature_2", "top_value_2",
                                  "bottom_feature_1", "bottom_value_1", BIAS_TERM]
    assert set(shap["top_feature_1"].astype(str)) <= set(FEATURES + [BIAS_TERM])


def test_partial_dependence_tables_are_named_by_the_frames_columns(client, prostate_gbm):
    model, frame = prostate_gbm
    tables = client.partial_dependence(model, frame, cols=["AGE", "RACE"], nbins=5, add_missing_na=True,
                                       col_pairs_2dpdp=[["AGE", "PSA"]])
    assert [t.columns for t in tables] == [("AGE",), ("RACE",), ("AGE", "PSA")]
    age, race, pair = tables
    assert list(age.table.columns) == ["AGE", *RESPONSE_COLUMNS] and np.isnan(age.table["AGE"].iloc[-1])
    assert list(race.table["RACE"]) == ["0", "1", "2", ".missing(NA)"]
    assert pair.is_2d and len(pair.table) >= 4
    # The mean response of a grid value is the average prediction with every row set to it.
    data = client.frame_to_pandas(frame)
    first = age.table["AGE"].iloc[0]
    data["AGE"] = first
    changed = client.upload_frame(data.drop(columns=["ID"]), column_types={"CAPSULE": "enum", "RACE": "enum"})
    p1 = client.frame_to_pandas(client.predict(model, changed)["predictions_frame"]["name"])["p1"]
    assert age.table["mean_response"].iloc[0] == pytest.approx(p1.mean(), abs=1e-6)


def test_one_rows_partial_dependence_is_its_ice_curve(client, prostate_gbm):
    model, frame = prostate_gbm
    ice, = client.partial_dependence(model, frame, cols=["AGE"], nbins=5, row_index=3)
    assert (ice.table["stddev_response"] == 0).all() and len(ice.table) == 5


def test_a_refused_model_says_why(client, prostate_gbm):
    """H2O-3 computes GLM contributions only against a background frame: the job fails and says so."""
    _model, frame = prostate_gbm
    glm = client.train("glm", frame, "CAPSULE", family="binomial", ignored_columns=["ID"])
    with pytest.raises(H2OJobError, match="background frame"):
        client.contributions(glm, frame)
    # With one, categorical columns come first, one column per level (RACE.0, RACE.1...), and
    # each row still adds up to the model's link: logit(p1).
    shap = client.contributions(glm, frame, background_frame=frame)
    assert list(shap.columns)[:3] == ["RACE.0", "RACE.1", "RACE.2"] and list(shap.columns)[-1] == BIAS_TERM
    p1 = client.frame_to_pandas(client.predict(glm, frame)["predictions_frame"]["name"])["p1"].to_numpy()
    np.testing.assert_allclose(shap.sum(axis=1), np.log(p1) - np.log1p(-p1), atol=1e-6)
