"""GLRM through the client, against the embedded engine and a real H2O-3 alike."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture
def iris(client, data_dir, frame_name):
    return client.import_frame(str(data_dir / "iris.csv"), destination_frame=frame_name("iris"))


def test_glrm_factors_iris_and_reconstructs_it(client, iris, data_dir, frame_name):
    model_id = client.train("glrm", iris, k=3, seed=1, max_iterations=100, model_id=frame_name("glrm"))
    output = client.model(model_id)["output"]
    assert output["model_category"] == "DimReduction"
    assert output["iterations"] <= 100 and output["updates"] <= 200
    archetypes = output["archetypes"]
    assert archetypes["data"][0] == ["Arch1", "Arch2", "Arch3"]
    # Categorical levels first (one column each), then the numbers.
    assert [c["description"] for c in archetypes["columns"][1:]] == [
        "Species.Iris-setosa", "Species.Iris-versicolor", "Species.Iris-virginica",
        "Sepal.Length", "Sepal.Width", "Petal.Length", "Petal.Width"]
    metrics = output["training_metrics"]
    assert (metrics["numcnt"], metrics["catcnt"]) == (600, 150)
    representation = client.frame_to_pandas(output["representation_name"])
    assert list(representation.columns) == ["Arch1", "Arch2", "Arch3"] and len(representation) == 150

    scored = client.predict(model_id, iris)
    assert scored["model_metrics"][0]["numcnt"] == 600
    rebuilt = client.frame_to_pandas(scored["predictions_frame"]["name"])
    assert list(rebuilt.columns) == ["reconstr_Sepal.Length", "reconstr_Sepal.Width", "reconstr_Petal.Length",
                                     "reconstr_Petal.Width", "reconstr_Species"]
    flowers = pd.read_csv(data_dir / "iris.csv")
    # Three archetypes capture iris well: small errors in centimetres.
    errors = rebuilt.iloc[:, :4].to_numpy() - flowers.iloc[:, :4].to_numpy()
    assert np.sqrt(np.mean(errors ** 2)) < 0.5
    assert set(rebuilt["reconstr_Species"]) <= set(flowers["Species"])

    projected = client.predict(model_id, iris, project_archetypes=True)
    archetype_rows = client.frame_to_pandas(projected["predictions_frame"]["name"])
    assert list(archetype_rows.columns) == list(flowers.columns) and len(archetype_rows) == 3


def test_glrm_imputes_the_missing_cells_of_a_low_rank_frame(client, frame_name):
    rng = np.random.default_rng(0)
    full = rng.normal(size=(200, 3)) @ rng.normal(size=(3, 20))
    hidden = rng.random(full.shape) < 0.2
    frame = client.upload_frame(pd.DataFrame(np.where(hidden, np.nan, full), columns=[f"c{j}" for j in range(20)]),
                                destination_frame=frame_name("rank3"))
    model_id = client.train("glrm", frame, k=3, seed=1, init="SVD", model_id=frame_name("glrm"))
    scored = client.predict(model_id, frame)
    assert scored["model_metrics"][0]["numcnt"] == int((~hidden).sum())
    rebuilt = client.frame_to_pandas(scored["predictions_frame"]["name"]).to_numpy()
    assert np.sqrt(np.mean((rebuilt[hidden] - full[hidden]) ** 2)) < 0.01 * full[hidden].std()


def test_glrm_refuses_more_archetypes_than_columns(client, iris):
    from h2odash.client import H2OJobError, H2OServerError

    with pytest.raises((H2OJobError, H2OServerError), match="between 1 and 7"):
        client.train("glrm", iris, k=8)
