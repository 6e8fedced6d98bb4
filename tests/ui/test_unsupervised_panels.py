"""Unsupervised models through the panels, as a user would: train one from the Train panel (a form
without a response, a live chart of the history's metrics), open it in the Models panel (its
category's metrics and views), compare it with a supervised model, and score a frame with it in
the Predict panel — against the embedded engine and a real H2O-3 (the ``client`` fixture runs each
test on both)."""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Callable

import pandas as pd
import pytest

from h2odash.ui import ModelsPanel, PredictPanel, TrainPanel
from h2odash.ui.chartbox import ChartBox
from h2odash.ui.downloads import decode_link
from h2odash.ui.metric_names import base_name, metric_label
from h2odash.ui.tablebox import TableBox

from .conftest import wait_until

FINISHED = ("DONE", "FAILED", "CANCELLED")


def downloads(widget) -> list:
    """Every ChartBox and TableBox inside a widget tree: the views that offer their data as CSV."""
    if isinstance(widget, (ChartBox, TableBox)):
        return [widget]
    return [box for child in getattr(widget, "children", ()) for box in downloads(child)]


def csv_of_link(link_html: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(decode_link(link_html)))


def csv_of(box) -> pd.DataFrame:
    return csv_of_link(box.link.value)


# -- what each algorithm's model should look like in the panels ---------------------------
def check_kmeans(models: ModelsPanel, model: dict) -> None:
    sizes = models.metric_charts.cluster_sizes.figure.data[0]
    assert len(sizes.x) == 3 and sum(sizes.x) == 150  # every iris row in one of k=3 clusters
    stats = model["output"]["training_metrics"]["centroid_stats"]
    assert sorted(sizes.x) == sorted(stats["data"][[c["name"] for c in stats["columns"]].index("size")])
    centers = models.output_views.tables["centers"].data
    assert len(centers) == 3 and "centroid" in centers.columns and "petallength" in centers.columns


def check_pca(models: ModelsPanel, model: dict) -> None:
    bars, cumulative = models.output_views.charts["importance"].figure.data
    assert list(bars.x) == ["pc1", "pc2", "pc3"]
    assert list(cumulative.y) == sorted(cumulative.y) and 0.9 < cumulative.y[-1] <= 1.0 + 1e-9


def check_isolation_forest(models: ModelsPanel, model: dict) -> None:
    splits = csv_of(models.output_views.charts["variable_splits"])
    assert {"variable", "count"} <= set(splits.columns) and splits["count"].sum() > 0


def check_glrm(models: ModelsPanel, model: dict) -> None:
    assert len(models.output_views.tables["archetypes"].data) == 2  # k archetypes


def check_autoencoder(models: ModelsPanel, model: dict) -> None:
    history = models.output_views.history
    assert "mse" in [
        value for _, value in history.metric.options]
    history.metric.value = "mse"
    assert [trace.name for trace in history.figure.data][0] == "training"
    assert "MSE" in history.figure.layout.title.text


@dataclass(frozen=True)
class Case:
    """One unsupervised algorithm: how to train it and what the panels must show for it."""

    algo: str
    data: str                                 # a file of tests/data
    params: dict                              # set in the Train panel's form
    kind: str = ""                            # the form's "Model:" line
    history: str | None = None                # a series of the live chart (None: nothing to plot)
    history_x: str = ""                       # its x axis
    tabs: frozenset = frozenset()             # Models view tabs
    metrics: frozenset = frozenset()          # rows of the Models metrics table
    predictions: tuple = ()                   # columns of the predictions (a trailing *: a prefix)
    predict_metrics: frozenset = frozenset()  # metrics shown after scoring
    check: Callable[[ModelsPanel, dict], None] = field(default=lambda models, model: None)


CASES = {
    "kmeans": Case(
        "kmeans", "iris.csv", {"k": 3, "seed": 1, "init": "PlusPlus"}, kind="clustering (no response)",
        history="within_cluster_sum_of_squares", history_x="iterations",
        tabs=frozenset({"Cluster sizes", "Cluster centers", "Scoring history"}),
        metrics=frozenset({"tot_withinss", "betweenss", "totss"}), predictions=("predict",),
        predict_metrics=frozenset({"tot_withinss", "betweenss", "totss"}), check=check_kmeans),
    "pca": Case(
        "pca", "iris.csv", {"k": 3, "transform": "STANDARDIZE"}, kind="dimension reduction (no response)",
        history=None, tabs=frozenset({"Importance of components", "Eigenvectors"}),
        predictions=("PC1", "PC2", "PC3"), check=check_pca),
    "isolationforest": Case(
        "isolationforest", "prostate.csv", {"ntrees": 20, "seed": 1}, kind="anomaly detection (no response)",
        history="mean_anomaly_score", history_x="number_of_trees",
        tabs=frozenset({"Variable splits", "Scoring history"}),
        metrics=frozenset({"mean_score", "mean_normalized_score"}), predictions=("predict", "mean_length"),
        predict_metrics=frozenset({"mean_score", "mean_normalized_score"}), check=check_isolation_forest),
    "glrm": Case(
        "glrm", "iris.csv", {"k": 2, "seed": 1}, kind="dimension reduction (no response)",
        history="objective", history_x="iterations",
        tabs=frozenset({"Importance of components", "Archetypes", "Scoring history"}),
        metrics=frozenset({"numerr", "caterr"}), predictions=("reconstr_*",),
        predict_metrics=frozenset({"numerr", "caterr"}), check=check_glrm),
    "autoencoder": Case(
        "deeplearning", "prostate.csv", {"autoencoder": True, "hidden": "3", "epochs": 5.0, "seed": 1},
        kind="autoencoder (no response)", history="training_mse", history_x="epochs",
        tabs=frozenset({"Scoring history"}), metrics=frozenset({"MSE", "RMSE"}), predictions=("reconstr_*",),
        check=check_autoencoder),
}

# The algorithms trained below, on both servers: those the embedded engine lists. When it lists
# the others, add their names here; their cases above pass against H2O-3 already.
ALGORITHMS = ["kmeans", "glrm", "autoencoder", "pca", "isolationforest"]


@pytest.fixture
def panels():
    """Panels made by a test, closed after it."""
    made = []

    def make(panel_class, client):
        panel = panel_class(client)
        made.append(panel)
        return panel
    yield make
    for panel in made:
        panel.close()


def train_in_panel(train: TrainPanel, case: Case, frame_id: str, model_id: str) -> None:
    offered = [algo for _, algo in train.algorithm.options]
    assert case.algo in offered, f"the server lists no {case.algo} builder: {offered}"
    train.algorithm.value = case.algo
    train.refresh()
    form = train.form
    form.set_value("training_frame", frame_id)
    form.set_value("model_id", model_id)
    for name, value in case.params.items():
        form.set_value(name, value)
    assert form.response_kind.value == f"<b>Model:</b> {case.kind}"
    assert form.response_kind in form.children  # shown, not folded
    assert "response_column" not in form.values()
    train.train_button.click()
    wait_until(lambda: train.state.job_status in FINISHED, 300, f"{case.algo} training", train)
    assert train.state.job_status == "DONE", train.status.value


@pytest.mark.parametrize("algo", ALGORITHMS)
def test_unsupervised_model_through_train_models_and_predict(client, data_dir, frame_name, panels, algo):
    case = CASES[algo]
    frame_id = client.import_frame(str(data_dir / case.data), destination_frame=frame_name(case.data.split(".")[0]))
    model_id = frame_name(algo)

    # -- Train: no response, the history's own metrics plotted --------------------------
    train = panels(TrainPanel, client)
    train_in_panel(train, case, frame_id, model_id)
    history = {trace.name: trace for trace in train.history.figure.data}
    if case.history:
        train.history.metric.value = base_name(case.history)  # the picker offers each metric once
        history = {trace.name: trace for trace in train.history.figure.data}
        shown = history["training" if case.history.startswith("training_") else metric_label(case.history)]
        assert len(shown.x) > 1, list(history)
        assert train.history.figure.layout.xaxis.title.text == case.history_x

    # -- Models: the category, its metrics and its views, each downloading its data -----
    models = panels(ModelsPanel, client)
    models.open_model(model_id)
    model = client.model(model_id)
    category = model["output"]["model_category"]
    assert f"{category} · no response" in models.title.value
    assert case.tabs <= set(models.tab_titles), models.tab_titles
    assert not {"ROC", "Residuals", "Confusion matrix"} & set(models.tab_titles)
    boxes = downloads(models.charts)
    assert boxes and all(len(csv_of(box)) > 0 for box in boxes), [box.filename for box in boxes]
    if case.metrics:
        table = csv_of_link(models.metrics_download.value).set_index("metric")
        assert case.metrics <= set(table.index), list(table.index)
        for name in case.metrics:
            expected = model["output"]["training_metrics"][name]
            assert float(table.loc[name, "training"]) == pytest.approx(expected, rel=1e-6)
    case.check(models, model)
    assert not models.status.is_error, models.status.value

    # -- Predict: the predictions and the category's metrics, no response needed ---------
    predict = panels(PredictPanel, client)
    predict.model.value, predict.frame.value = model_id, frame_id
    predict.score_button.click()
    wait_until(lambda: predict.download.value, 120, "the predictions", predict)
    for column in case.predictions:
        header = f"<th>{column[:-1]}" if column.endswith("*") else f"<th>{column}</th>"
        assert header in predict.preview.value, (column, predict.preview.value[-600:])
    assert "no response column" not in predict.metrics.value
    for name in case.predict_metrics:
        assert f"<td>{metric_label(name)}</td>" in predict.metrics.value, predict.metrics.value
    assert "AUC" not in predict.metrics.value
    if category == "Clustering":
        assert "Cluster sizes" in predict.charts.titles
        assert sum(predict.metric_charts.cluster_sizes.figure.data[0].x) == 150
    assert not predict.status.is_error, predict.status.value


def test_comparing_a_supervised_and_an_unsupervised_model(client, data_dir, frame_name, panels):
    """Each model keeps its own metrics side by side; the ROC overlay holds the one that has a curve."""
    prostate = client.import_frame(str(data_dir / "prostate.csv"), destination_frame=frame_name("prostate"),
                                   column_types={"CAPSULE": "enum"})
    gbm = client.train("gbm", prostate, "CAPSULE", ntrees=5, max_depth=3, seed=1, ignored_columns=["ID"],
                       model_id=frame_name("gbm"))
    kmeans = client.train("kmeans", prostate, k=3, seed=1, ignored_columns=["ID", "CAPSULE"],
                          model_id=frame_name("kmeans"))
    models = panels(ModelsPanel, client)
    models.refresh()
    models.models.value = (gbm, kmeans)
    assert not models.status.is_error, models.status.value
    assert "Comparing 2 models" in models.title.value
    table = csv_of_link(models.metrics_download.value).set_index("model_id")
    assert table.loc[gbm, "AUC"] > 0.5 and pd.isna(table.loc[kmeans, "AUC"])
    assert table.loc[kmeans, "tot_withinss"] > 0 and pd.isna(table.loc[gbm, "tot_withinss"])
    assert models.tab_titles == ["Summary", "ROC", "Precision-recall",
                                 "Variable importance"]
    assert [t.name for t in models.metric_charts.roc.figure.data if t.name != "random"] == [gbm]


def test_autoencoder_checked_needs_no_response(client, panels):
    """Deep learning's form: checking autoencoder greys out the response picker, drops its choice
    from what is sent, and says what the model will be; unchecking brings the response back."""
    train = panels(TrainPanel, client)
    train.algorithm.value = "deeplearning"
    form = train.form
    form.set_columns([("CAPSULE", "enum"), ("AGE", "int")], {"CAPSULE": 2})
    form.set_value("response_column", "CAPSULE")
    assert form.response_kind.value == "<b>Model:</b> classification (2 classes)"
    form.set_value("autoencoder", True)
    assert form.fields["response_column"].disabled
    assert form.response_kind.value == "<b>Model:</b> autoencoder (no response)"
    assert form.values() == {"autoencoder": True}
    form.set_value("autoencoder", False)
    assert not form.fields["response_column"].disabled
    assert form.values() == {"response_column": "CAPSULE"}
    assert "classification" in form.response_kind.value


def test_unsupervised_form_has_no_response_on_either_server(client, panels):
    """Every unsupervised builder the server lists gets a form without a response picker and a line
    saying what it builds (on H2O-3: k-means, PCA, SVD, GLRM, isolation forest... all of them)."""
    train = panels(TrainPanel, client)
    unsupervised = [algo for algo, builder in train.state.builders.items() if builder.get("supervised") is False]
    assert "kmeans" in unsupervised
    for algo in unsupervised:
        train.algorithm.value = algo
        form = train.form
        assert "response_column" not in form.values(), algo
        assert form.response_kind.value.endswith("(no response)"), (algo, form.response_kind.value)
        assert form.response_kind in form.children, algo
    train.algorithm.value = "kmeans"
    assert train.form.response_kind.value == "<b>Model:</b> clustering (no response)"
