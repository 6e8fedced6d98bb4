"""Trees of tree models through h2o-py on both servers: ``H2OTree`` (GET /3/Tree), leaf node
assignment, staged predictions, row-to-tree assignment and the ``setproperty`` the tree
builders read.

Each answer is checked against an independent computation: the test walks the tree JSON the
server serves, row by row, with H2O-3's rules (left below the threshold or in the left
child's levels, NA by ``nas``) and requires that the leaf it reaches is the one the server
assigns, and that the leaves' predictions make the model's prediction.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tests.h2opy.prostate import X, upload_prostate


@pytest.fixture
def prostate(h2opy, data_dir):
    """Prostate with CAPSULE and RACE categorical and some VOL values missing."""
    frame = upload_prostate(h2opy, data_dir, ("CAPSULE", "RACE"))
    vol = frame["VOL"]
    vol[vol == 0] = None
    frame["VOL"] = vol
    return frame


def _walk(tree, row, domains):
    """(node id, path) of the leaf ``row`` reaches in an H2OTree, by H2O-3's rules."""
    node, path = 0, ""
    while tree.left_children[node] != -1:
        feature = tree.features[node]
        value = row[feature]
        if value is None or (isinstance(value, float) and math.isnan(value)):
            left = tree.nas[node] == "LEFT"
        elif domains.get(feature):
            left = str(value) in (tree.levels[tree.left_children[node]] or [])
        else:
            left = value < tree.thresholds[node]
        node = tree.left_children[node] if left else tree.right_children[node]
        path += "L" if left else "R"
    return tree.node_ids[node], path, tree.predictions[node]


def _domains(model):
    output = model._model_json["output"]
    return dict(zip(output["names"], output["domains"]))


def _rows(frame):
    df = frame.as_data_frame(use_multi_thread=False)
    return [{k: (None if pd.isna(v) else v) for k, v in r.items()} for r in df.to_dict("records")]


def test_gbm_trees_give_the_assigned_leaves_and_the_predictions(h2opy, prostate):
    from h2o.estimators import H2OGradientBoostingEstimator
    from h2o.tree import H2OTree

    model = H2OGradientBoostingEstimator(ntrees=5, max_depth=3, seed=1)
    model.train(x=X, y="CAPSULE", training_frame=prostate)
    paths = model.predict_leaf_node_assignment(prostate).as_data_frame(use_multi_thread=False)
    ids = model.predict_leaf_node_assignment(prostate, type="Node_ID").as_data_frame(use_multi_thread=False)
    p1 = model.predict(prostate).as_data_frame(use_multi_thread=False)["p1"].to_numpy()
    assert list(paths.columns) == [f"T{t}.C1" for t in range(1, 6)]

    rows, domains = _rows(prostate), _domains(model)
    leaves_sum = np.zeros(len(rows))
    for t in range(5):
        tree = H2OTree(model=model, tree_number=t)
        assert tree.tree_class == "0"   # binomial: H2O-3 names the first class
        for i, row in enumerate(rows):
            node_id, path, value = _walk(tree, row, domains)
            assert ids[f"T{t + 1}.C1"][i] == node_id
            assert (paths[f"T{t + 1}.C1"][i] if isinstance(paths[f"T{t + 1}.C1"][i], str) else "") == path
            leaves_sum[i] += value
    # The margin is the leaves' sum plus a constant (H2O-3's init_f; LightGBM's is in the leaves).
    margin = np.log(p1 / (1 - p1))
    assert np.ptp(margin - leaves_sum) < 1e-4


def test_forest_leaf_predictions_are_the_predictions(h2opy, prostate):
    from h2o.estimators import H2ORandomForestEstimator
    from h2o.tree import H2OTree

    model = H2ORandomForestEstimator(ntrees=1, sample_rate=1.0, mtries=-2, max_depth=6, seed=1)
    model.train(x=X, y="AGE", training_frame=prostate)
    tree = H2OTree(model=model, tree_number=0, plain_language_rules=True)
    predicted = model.predict(prostate).as_data_frame(use_multi_thread=False)["predict"].to_numpy()
    ids = model.predict_leaf_node_assignment(prostate, type="Node_ID").as_data_frame(use_multi_thread=False)["T1"]
    domains = _domains(model)
    for i, row in enumerate(_rows(prostate)):
        node_id, _, value = _walk(tree, row, domains)
        assert ids[i] == node_id
        assert abs(value - predicted[i]) < 1e-5 * max(1.0, abs(predicted[i]))
        rules = tree.decision_paths[tree.node_ids.index(node_id)]
        assert abs(float(rules.split("Prediction: ")[1]) - predicted[i]) < 1e-5 * abs(predicted[i])


def test_multinomial_trees_are_per_class(h2opy, data_dir):
    from h2o.estimators import H2OGradientBoostingEstimator
    from h2o.exceptions import H2OResponseError
    from h2o.tree import H2OTree

    h2opy.no_progress()
    iris = h2opy.upload_file(str(data_dir / "iris.csv"))
    model = H2OGradientBoostingEstimator(ntrees=2, max_depth=2, seed=1)
    model.train(y="Species", training_frame=iris)
    classes = iris["Species"].levels()[0]
    names = model.predict_leaf_node_assignment(iris).names
    assert names == [f"T{t}.C{k}" for t in (1, 2) for k in (1, 2, 3)]
    assert H2OTree(model=model, tree_number=1, tree_class=classes[2]).tree_class == classes[2]
    with pytest.raises(H2OResponseError, match="no such tree class"):
        H2OTree(model=model, tree_number=0, tree_class="tulip")
    with pytest.raises(H2OResponseError, match="Invalid tree index"):
        H2OTree(model=model, tree_number=2, tree_class=classes[0])


def test_staged_probabilities_are_those_of_fewer_trees(h2opy, prostate):
    from h2o.estimators import H2OGradientBoostingEstimator

    def gbm(ntrees):
        model = H2OGradientBoostingEstimator(ntrees=ntrees, seed=3)
        model.train(x=X, y="CAPSULE", training_frame=prostate)
        return model

    many, few = gbm(12), gbm(4)
    staged = many.staged_predict_proba(prostate).as_data_frame(use_multi_thread=False)
    assert list(staged.columns) == [f"T{t}.C1" for t in range(1, 13)]
    for model, column in ((many, "T12.C1"), (few, "T4.C1")):
        p0 = model.predict(prostate).as_data_frame(use_multi_thread=False)["p0"].to_numpy()
        np.testing.assert_allclose(staged[column].to_numpy(), p0, atol=1e-6)


def test_row_to_tree_assignment_without_sampling_is_every_row(h2opy, prostate):
    from h2o.estimators import H2OGradientBoostingEstimator

    model = H2OGradientBoostingEstimator(ntrees=3, sample_rate=1.0, seed=1)
    model.train(x=X, y="CAPSULE", training_frame=prostate)
    assigned = model.row_to_tree_assignment(prostate).as_data_frame(use_multi_thread=False)
    assert list(assigned.columns) == ["row_id", "tree_1", "tree_2", "tree_3"]
    assert assigned["row_id"].tolist() == list(range(prostate.nrows))
    assert (assigned[["tree_1", "tree_2", "tree_3"]] == 1).all().all()


def test_row_to_tree_assignment_with_sampling(h2opy, prostate, server_kind):
    """H2O-3 draws each tree's rows itself and says which; LightGBM draws them inside and does
    not, so the embedded engine refuses with the reason rather than guess."""
    from h2o.estimators import H2OGradientBoostingEstimator
    from h2o.exceptions import H2OResponseError

    model = H2OGradientBoostingEstimator(ntrees=3, sample_rate=0.6, seed=1)
    model.train(x=X, y="CAPSULE", training_frame=prostate)
    if server_kind == "h2o3":
        assigned = model.row_to_tree_assignment(prostate).as_data_frame(use_multi_thread=False)
        trees = assigned[["tree_1", "tree_2", "tree_3"]]
        assert set(trees.to_numpy().ravel()) <= {0, 1} and 0.45 < trees.to_numpy().mean() < 0.75
    else:
        with pytest.raises(Exception, match="LightGBM samples each tree's rows"):
            model.row_to_tree_assignment(prostate)
    with pytest.raises(H2OResponseError, match="not tree-based"):
        from h2o.estimators import H2OGeneralizedLinearEstimator
        from h2o.tree import H2OTree

        glm = H2OGeneralizedLinearEstimator(family="binomial")
        glm.train(x=X, y="CAPSULE", training_frame=prostate)
        H2OTree(model=glm, tree_number=0)


def test_best_cv_iteration_property_keeps_every_tree_of_a_fold(h2opy, prostate):
    from h2o.estimators import H2OGradientBoostingEstimator

    def fold_trees(use_best):
        h2opy.rapids('(setproperty "sys.ai.h2o.sharedtree.crossvalidation.useBestCVIteration" "%s")' % use_best)
        model = H2OGradientBoostingEstimator(nfolds=3, ntrees=300, score_tree_interval=3, stopping_rounds=2,
                                             learn_rate=0.3, seed=42)
        model.train(x=X, y="CAPSULE", training_frame=prostate)
        return [m.summary()["number_of_trees"][0] for m in model.cross_validation_models()]

    try:
        best, every = fold_trees("true"), fold_trees("false")
    finally:
        h2opy.rapids('(setproperty "sys.ai.h2o.sharedtree.crossvalidation.useBestCVIteration" "true")')
    assert all(e >= b for b, e in zip(best, every))
    assert any(e > b for b, e in zip(best, every))


def test_unknown_property(h2opy, server_kind):
    """H2O-3 sets any JVM property, read or not; the embedded engine refuses one it does not
    read, since setting it would change nothing while seeming to."""
    from h2o.exceptions import H2OResponseError

    if server_kind == "h2o3":
        h2opy.rapids('(setproperty "sys.ai.h2o.no.such.thing" "true")')
    else:
        with pytest.raises(H2OResponseError, match="not one this engine reads"):
            h2opy.rapids('(setproperty "sys.ai.h2o.no.such.thing" "true")')
