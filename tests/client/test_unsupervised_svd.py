"""SVD through the client (which trains it under /99, as H2O-3 requires), against the embedded
engine and a real H2O-3 alike, checked against numpy.linalg.svd."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture
def iris(client, data_dir, frame_name):
    return client.import_frame(str(data_dir / "iris.csv"), destination_frame=frame_name("iris"))


def demeaned_iris(data_dir):
    """Iris as SVD decomposes it with transform DEMEAN: every species level as a 0/1 column,
    then the numbers less their means."""
    flowers = pd.read_csv(data_dir / "iris.csv")
    x = flowers.iloc[:, :4]
    levels = [(flowers["Species"] == level).to_numpy(float)
              for level in ("Iris-setosa", "Iris-versicolor", "Iris-virginica")]
    return np.column_stack(levels + [(x - x.mean()).to_numpy()])


def same_up_to_sign(ours, theirs):
    return ours * np.sign(np.sum(ours * theirs, axis=0))


@pytest.mark.parametrize("method", ["GramSVD", "Randomized"])
def test_svd_gives_numpys_d_v_and_u(client, iris, data_dir, frame_name, method):
    model_id = client.train("svd", iris, nv=3, transform="DEMEAN", svd_method=method, seed=1,
                            model_id=frame_name("svd"))
    output = client.model(model_id)["output"]
    assert output["model_category"] == "DimReduction"
    u, s, vt = np.linalg.svd(demeaned_iris(data_dir), full_matrices=False)
    np.testing.assert_allclose(output["d"], s[:3], rtol=1e-8)
    np.testing.assert_allclose(np.ravel(output["model_summary"]["data"][1:]), s[:3], rtol=1e-8)
    v = client.frame_to_pandas(output["v_key"]["name"]).to_numpy()
    np.testing.assert_allclose(same_up_to_sign(v, vt[:3].T), vt[:3].T, atol=1e-6)
    left = client.frame_to_pandas(output["u_key"]["name"])
    assert list(left.columns) == ["C1", "C2", "C3"] and len(left) == 150
    np.testing.assert_allclose(same_up_to_sign(left.to_numpy(), u[:, :3]), u[:, :3], atol=1e-6)

    scored = client.predict(model_id, iris)
    assert scored["model_metrics"][0]["__meta"]["schema_type"] == "ModelMetricsSVD"
    projections = client.frame_to_pandas(scored["predictions_frame"]["name"])
    assert list(projections.columns) == ["PC1", "PC2", "PC3"]
    np.testing.assert_allclose(projections.to_numpy(), left.to_numpy() * output["d"], atol=1e-6)


def test_svd_refuses_more_vectors_than_columns(client, iris):
    from h2odash.client import H2OJobError, H2OServerError

    with pytest.raises((H2OJobError, H2OServerError)) as error:
        client.train("svd", iris, nv=8)
    assert "between 1 and 7" in str(error.value)
