"""The Predict panel on both servers (issue 13, items 7 and 10): pickers default to the newest
model the user made and a frame with its columns; predictions carry a row number, the actual
value and, on request, the inputs; the download link holds them all."""
import io

import pandas as pd
import pytest

from h2odash.ui import PredictPanel
from h2odash.ui.panels.predict import rank_frames
from h2odash.ui.downloads import decode_link

from .conftest import wait_until


@pytest.fixture
def scored_setup(client, data_dir, frame_name):
    """prostate (CAPSULE a class) split in train/test, an older GLM and a newer GBM with folds."""
    prostate = client.import_frame(str(data_dir / "prostate.csv"), destination_frame=frame_name("pred") + ".hex",
                                   column_types={"CAPSULE": "enum"})
    train, test = client.split_frame(prostate, [0.75], seed=1)
    older = client.train("glm", train, "CAPSULE", family="binomial")
    newer = client.train("gbm", train, "CAPSULE", ntrees=5, nfolds=2, seed=1, ignored_columns=["ID"])
    return {"prostate": prostate, "train": train, "test": test, "older": older, "newer": newer}


def test_pickers_default_to_the_newest_model_and_a_frame_with_its_columns(client, scored_setup):
    panel = PredictPanel(client)
    ids = [value for _, value in panel.model.options]
    assert panel.model.value == scored_setup["newer"]                 # newest first
    assert ids.index(scored_setup["newer"]) < ids.index(scored_setup["older"])
    assert not any("_cv_" in i for i in ids)                          # fold models hidden
    label = dict((v, k) for k, v in panel.model.options)[scored_setup["newer"]]
    assert " · GBM · AUC " in label and "(cv)" in label               # algorithm, main metric, where
    assert panel.frame.value == scored_setup["test"]                  # has the columns, not the training frame
    assert not any(f.startswith("predictions") for f in panel.frame.options)
    assert not panel.score_button.disabled
    panel.show_all.value = True
    assert any("_cv_" in value for _, value in panel.model.options)
    assert panel.model.value == scored_setup["newer"]                 # the choice is kept
    panel.close()


def test_predictions_with_row_actual_inputs_and_a_download(client, scored_setup):
    panel = PredictPanel(client)
    panel.model.value, panel.frame.value = scored_setup["newer"], scored_setup["test"]
    seen = []
    panel.score_button.observe(lambda change: seen.append(change["new"]), names="description")
    panel.score_button.click()
    wait_until(lambda: "Predictions in frame" in panel.status.value, 120, "predictions", panel)
    wait_until(lambda: panel.score_button.description == "Score", 10, "the button back")
    assert not panel.score_button.disabled and seen == ["Scoring…", "Score"]   # busy while it ran
    header = panel.preview.value.split("</thead>")[0]
    assert "<th>row</th>" in header and "<th>actual CAPSULE</th>" in header and "<th>predict</th>" in header
    assert "<th>AGE</th>" not in header
    assert "log loss" in panel.metrics.value and "logloss" not in panel.metrics.value   # names as people write them
    panel.with_inputs.value = True
    assert "<th>AGE</th>" in panel.preview.value.split("</thead>")[0]

    wait_until(lambda: "rows" in panel.download_note.value and panel.download.value, 60, "the download with inputs",
               panel)
    link = pd.read_csv(io.StringIO(decode_link(panel.download.value)))
    test = client.frame_to_pandas(scored_setup["test"])
    assert len(link) == len(test) and list(link["row"]) == list(range(1, len(test) + 1))
    assert list(link["actual CAPSULE"].astype(str)) == list(test["CAPSULE"].astype(str))
    assert list(link["AGE"]) == list(test["AGE"])
    assert f"all {len(test):,} rows" in panel.download_note.value
    panel.close()


def test_a_frame_without_the_models_columns_is_marked(client, scored_setup, frame_name):
    small = client.upload_frame(pd.DataFrame({"x": [1, 2, 3]}), destination_frame=frame_name("small"))
    panel = PredictPanel(client)
    panel.frame.value = small
    assert "lacks" in panel.frame_note.value and "h2odash-invalid" in panel.frame._dom_classes
    panel.close()


def test_the_frame_offered_first_is_the_training_frames_sibling():
    """Several test frames have the model's columns: the one split from the same frame wins."""
    model = {"data_frame": {"name": "pred_1_train.hex"}, "response_column_name": "CAPSULE",
             "output": {"names": ["AGE", "CAPSULE"]}}
    frames = {name: ["AGE", "CAPSULE"] for name in
              ["p_test_9", "pred_1_train.hex", "pred_1_test.hex", "zz_valid", "other"]}
    frames["no_response_test"] = ["AGE"]
    ranked = rank_frames(model, frames)
    assert ranked[0] == "pred_1_test.hex" and ranked[1] == "p_test_9"
    assert ranked[-1] == "pred_1_train.hex"
    assert ranked.index("no_response_test") > ranked.index("other")
