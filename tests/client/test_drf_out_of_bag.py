"""A random forest's training metrics are out-of-bag, on both servers: each row scored only by
the trees that did not sample it, so the training AUC is an honest estimate (near the
cross-validated one) rather than the near-perfect in-sample one."""
from __future__ import annotations

import numpy as np
import pytest

from h2odash.client import H2OClient

OUT_OF_BAG = "Metrics reported on Out-Of-Bag training samples"


@pytest.fixture
def prostate_enum(client, data_dir, frame_name):
    return client.import_frame(str(data_dir / "prostate.csv"), destination_frame=frame_name("prostate"),
                               column_types={"CAPSULE": "enum"})


def history(output):
    table = output["scoring_history"]
    return dict(zip([c["name"] for c in table["columns"]], table["data"]))


def test_drf_training_metrics_are_out_of_bag(client, prostate_enum, frame_name):
    model_id = client.train("drf", prostate_enum, "CAPSULE", ntrees=50, seed=1, nfolds=5, ignored_columns=["ID"],
                            model_id=frame_name("drf"))
    output = client.model(model_id)["output"]
    training = output["training_metrics"]
    assert training["description"] == OUT_OF_BAG
    assert training["nobs"] == 380
    assert abs(training["AUC"] - output["cross_validation_metrics"]["AUC"]) < 0.05
    # Scoring the training frame afterwards is in-sample: every tree votes on every row.
    in_sample = client.predict(model_id, prostate_enum)["model_metrics"][0]
    assert in_sample["AUC"] > 0.95 and training["AUC"] < in_sample["AUC"] - 0.1
    assert history(output)["training_auc"][-1] == pytest.approx(training["AUC"])


def test_rows_no_tree_left_out_are_skipped(client, prostate_enum, frame_name):
    one = client.model(client.train("drf", prostate_enum, "CAPSULE", ntrees=1, seed=1, ignored_columns=["ID"],
                                    model_id=frame_name("drf")))["output"]["training_metrics"]
    # One tree leaves out each row with probability 1 - 0.632.
    assert one["description"] == OUT_OF_BAG and 0.25 * 380 < one["nobs"] < 0.5 * 380
    every_row = client.model(client.train("drf", prostate_enum, "CAPSULE", ntrees=3, seed=1, sample_rate=1.0,
                                          ignored_columns=["ID"], model_id=frame_name("drf")))["output"]
    assert every_row["training_metrics"]["nobs"] == 0
    assert np.isnan(float(every_row["training_metrics"]["AUC"]))


def test_out_of_bag_auc_is_in_the_range_of_h2o3s(embedded_url, h2o3_url, data_dir, frame_name):
    """The same forests on both servers (50 trees, seeds 1-3): out-of-bag AUCs agree as closely
    as forests with different seeds do (H2O-3 0.772, ours 0.778 with seed 1)."""
    aucs = {}
    for url in (embedded_url, h2o3_url):
        client = H2OClient(url, timeout=300)
        try:
            frame = client.import_frame(str(data_dir / "prostate.csv"), destination_frame=frame_name("prostate"),
                                        column_types={"CAPSULE": "enum"})
            aucs[url] = [client.model(client.train("drf", frame, "CAPSULE", ntrees=50, seed=seed,
                                                   ignored_columns=["ID"], model_id=frame_name("drf")))
                         ["output"]["training_metrics"]["AUC"] for seed in (1, 2, 3)]
        finally:
            client.close()
    ours, theirs = np.mean(aucs[embedded_url]), np.mean(aucs[h2o3_url])
    assert 0.7 < theirs < 0.85
    assert ours == pytest.approx(theirs, abs=0.03)
