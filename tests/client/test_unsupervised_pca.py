"""PCA through the client, against the embedded engine and a real H2O-3 alike, both checked
against numpy's SVD of the transformed iris (and against each other)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from h2odash.client import H2OClient

NUMBERS = ["Sepal.Length", "Sepal.Width", "Petal.Length", "Petal.Width"]


@pytest.fixture
def iris(client, data_dir, frame_name):
    return client.import_frame(str(data_dir / "iris.csv"), destination_frame=frame_name("iris"))


def standardized_iris(data_dir):
    """Iris as PCA decomposes it with transform STANDARDIZE: the species' levels but the first as
    0/1 columns, then the numbers standardized (sample deviation)."""
    flowers = pd.read_csv(data_dir / "iris.csv")
    x = flowers[NUMBERS]
    levels = [(flowers["Species"] == level).to_numpy(float) for level in ("Iris-versicolor", "Iris-virginica")]
    return np.column_stack(levels + [((x - x.mean()) / x.std()).to_numpy()])


def components(table):
    return np.array(table["data"][1:], dtype=float).T


def same_up_to_sign(ours, theirs):
    return ours * np.sign(np.sum(ours * theirs, axis=0))


def test_pca_importance_is_numpys_svd_of_the_standardized_frame(client, iris, data_dir, frame_name):
    model_id = client.train("pca", iris, k=3, transform="STANDARDIZE", seed=1, model_id=frame_name("pca"))
    output = client.model(model_id)["output"]
    assert output["model_category"] == "DimReduction"
    A = standardized_iris(data_dir)
    _, s, vt = np.linalg.svd(A, full_matrices=False)
    std, proportion, cumulative = components(output["importance"])
    np.testing.assert_allclose(std, s[:3] / np.sqrt(len(A) - 1), rtol=1e-8)
    np.testing.assert_allclose(proportion, s[:3] ** 2 / (A ** 2).sum(), rtol=1e-8)
    np.testing.assert_allclose(cumulative, np.cumsum(s[:3] ** 2) / (A ** 2).sum(), rtol=1e-8)
    rotation = output["eigenvectors"]
    assert rotation["data"][0] == ["Species.Iris-versicolor", "Species.Iris-virginica"] + NUMBERS
    np.testing.assert_allclose(same_up_to_sign(components(rotation), vt[:3].T), vt[:3].T, atol=1e-8)

    scored = client.predict(model_id, iris)
    assert scored["model_metrics"][0]["__meta"]["schema_type"] == "ModelMetricsPCA"
    projections = client.frame_to_pandas(scored["predictions_frame"]["name"])
    assert list(projections.columns) == ["PC1", "PC2", "PC3"]
    expected = A @ components(rotation)
    np.testing.assert_allclose(projections.to_numpy(), expected, atol=1e-6)


def test_pca_power_method_finds_the_same_components(client, iris, frame_name):
    exact = client.model(client.train("pca", iris, k=2, transform="DEMEAN", model_id=frame_name("pca")))
    power = client.model(client.train("pca", iris, k=2, transform="DEMEAN", pca_method="Power", seed=3,
                                      model_id=frame_name("pca")))
    np.testing.assert_allclose(components(power["output"]["importance"]), components(exact["output"]["importance"]),
                               rtol=1e-6)
    assert power["output"]["scoring_history"]["name"] == "Scoring History from Power SVD"


def test_pca_refuses_more_components_than_columns(client, iris):
    from h2odash.client import H2OJobError, H2OServerError

    with pytest.raises((H2OJobError, H2OServerError)) as error:
        client.train("pca", iris, k=7)
    assert "between 1 and 6" in str(error.value)


def test_embedded_pca_matches_h2o3s_on_the_same_request(embedded_url, h2o3_url, data_dir, frame_name):
    """The brief's comparison: the same GramSVD PCA trained by both servers."""
    answers = []
    for url in (embedded_url, h2o3_url):
        client = H2OClient(url, timeout=120)
        try:
            frame = client.import_frame(str(data_dir / "iris.csv"), destination_frame=frame_name("iris"))
            model_id = client.train("pca", frame, k=4, transform="NORMALIZE", use_all_factor_levels=True,
                                    model_id=frame_name("pca"))
            answers.append(client.model(model_id)["output"])
        finally:
            client.close()
    ours, theirs = answers
    np.testing.assert_allclose(components(ours["importance"]), components(theirs["importance"]), rtol=1e-8)
    assert ours["eigenvectors"]["data"][0] == theirs["eigenvectors"]["data"][0]
    their_vectors = components(theirs["eigenvectors"])
    np.testing.assert_allclose(same_up_to_sign(components(ours["eigenvectors"]), their_vectors), their_vectors,
                               atol=1e-8)
