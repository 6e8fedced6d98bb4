"""The views of unsupervised models, from H2O-3's own answers (no server needed): k-means, PCA and
isolation forest models as GET /3/Models/{id} returned them, and their POST /3/Predictions metrics."""
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from h2odash.ui import charts
from h2odash.ui.downloads import decode_link
from h2odash.ui.forms import ParameterForm, unsupervised_kind
from h2odash.ui.metric_charts import MetricCharts
from h2odash.ui.model_views import ModelOutputViews
from h2odash.ui.panels.models import metrics_table
from h2odash.ui.tables import components_table, scalar_metrics

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "h2o_reference"


def reference_model(name):
    return json.loads((REFERENCE / f"model_{name}.json").read_text())["models"][0]


def views_of(model) -> tuple[MetricCharts, ModelOutputViews, dict]:
    """The Models panel's views of one model: metric charts, output views, and the tabs they fill."""
    metric_charts, output_views = MetricCharts(), ModelOutputViews()
    metric_charts.prepare()
    output = model["output"]
    tabs = metric_charts.show_metrics("m", output["training_metrics"]) + output_views.show("m", output)
    return metric_charts, output_views, dict(tabs)


def two_columns(bars) -> dict:
    """A horizontal bar chart's labels and values, top bar first."""
    return {"label": list(bars.y)[::-1], "value": list(bars.x)[::-1]}


def test_kmeans_view_has_cluster_sizes_centers_and_its_history():
    model = reference_model("kmeans_iris")
    metric_charts, output_views, tabs = views_of(model)
    assert list(tabs) == ["Cluster sizes", "Scoring history", "Cluster centers"]
    # H2O's centroid_stats: clusters 1, 2, 3 of 46, 54 and 50 rows
    assert two_columns(metric_charts.cluster_sizes.figure.data[0]) == {
        "label": ["cluster 1", "cluster 2", "cluster 3"], "value": [46, 54, 50]}
    sizes = pd.read_csv(io.StringIO(decode_link(metric_charts.cluster_sizes.link.value)))
    assert list(sizes.columns) == ["centroid", "size", "within_cluster_sum_of_squares"]
    centers, standardized = output_views.tables["centers"], output_views.tables["centers_std"]
    assert list(centers.data.columns) == ["centroid", "sepallength", "sepalwidth", "petallength", "petalwidth", "species"]
    assert len(centers.data) == 3 and centers.data["sepallength"].iloc[1] == pytest.approx(6.6556, abs=1e-4)
    assert "standardized" in standardized.caption.value and len(standardized.data) == 3
    assert "<table" in centers.table.value and decode_link(centers.link.value).startswith("centroid,sepallength")
    history = tabs["Scoring history"].figure
    assert tabs["Scoring history"].metric.value == "within_cluster_sum_of_squares"
    wcss = next(t for t in history.data if t.name == "within-cluster SS")
    assert list(wcss.x) == list(range(1, 11)) and wcss.y[0] > wcss.y[-1]  # the NaN first row left out
    assert history.layout.xaxis.title.text == "iterations"


def test_pca_view_has_a_scree_plot_and_eigenvectors_but_no_empty_history():
    model = reference_model("pca_iris")
    _, output_views, tabs = views_of(model)
    assert list(tabs) == ["Importance of components", "Eigenvectors"]  # its history has no metric to plot
    bars, cumulative = tabs["Importance of components"].figure.data
    assert list(bars.x) == ["pc1", "pc2", "pc3"] and bars.type == "bar"
    assert list(bars.y) == pytest.approx([0.959479, 0.033867, 0.005214], abs=1e-6)
    assert list(cumulative.y) == pytest.approx([0.959479, 0.993345, 0.998559], abs=1e-6)
    eigenvectors = output_views.tables["eigenvectors"].data
    assert eigenvectors.columns[0] == "variable" and "Sepal.Length" in set(eigenvectors["variable"])
    assert list(eigenvectors.columns[1:]) == ["pc1", "pc2", "pc3"]


def test_components_table_turns_h2o_importance_to_a_row_per_component():
    table = components_table(reference_model("pca_iris")["output"]["importance"])
    assert list(table.columns) == ["component", "standard_deviation", "proportion_of_variance", "cumulative_proportion"]
    assert table["standard_deviation"].iloc[0] == pytest.approx(7.8786, abs=1e-4)
    assert components_table(None).empty


def test_isolation_forest_view_has_variable_splits_and_anomaly_score_history():
    model = reference_model("isolationforest_prostate_enum")
    _, output_views, tabs = views_of(model)
    assert list(tabs) == ["Variable splits", "Scoring history"]
    splits = two_columns(output_views.charts["variable_splits"].figure.data[0])
    counts = dict(zip(splits["label"], splits["value"]))
    assert splits["value"][0] == max(counts.values())  # most split on top
    assert counts["ID"] == 192 and counts["CAPSULE"] == 55  # H2O's variable_splits counts
    series = charts.scoring_history_series(model["output"]["scoring_history"])
    assert set(series) == {"mean_tree_path_length", "mean_anomaly_score"}
    assert series["mean_anomaly_score"][0] == list(range(1, 21))


def test_history_of_a_supervised_model_keeps_only_its_metrics():
    series = charts.scoring_history_series(reference_model("gbm_prostate_enum")["output"]["scoring_history"])
    assert series and all(name.startswith(("training_", "validation_")) for name in series)


def test_glrm_history_plots_the_objective_not_the_step_size():
    table = {"columns": [{"name": n, "type": t} for n, t in
                         [("", "string"), ("timestamp", "string"), ("duration", "string"), ("iterations", "long"),
                          ("step_size", "double"), ("objective", "double")]],
             "data": [["", ""], ["t", "t"], [" 0.1 sec", " 0.2 sec"], [0, 1], [0.67, 0.44], [1196.3, 980.1]]}
    assert charts.scoring_history_series(table) == {"objective": ([0, 1], [1196.3, 980.1])}


def test_metrics_of_each_category_and_a_mixed_comparison():
    kmeans, pca = reference_model("kmeans_iris"), reference_model("pca_iris")
    forest, gbm = reference_model("isolationforest_prostate_enum"), reference_model("gbm_prostate_enum")
    assert set(scalar_metrics(kmeans["output"]["training_metrics"])) == {"tot_withinss", "betweenss", "totss", "nobs"}
    assert {"mean_score", "mean_normalized_score"} <= set(scalar_metrics(forest["output"]["training_metrics"]))
    assert "MSE" not in scalar_metrics(pca["output"]["training_metrics"])  # H2O writes "NaN"
    table = metrics_table({"gbm": gbm, "km": kmeans, "iso": forest, "pca": pca}).set_index("metric")
    assert list(table.columns) == ["gbm cross-validation", "gbm training", "km training", "iso training", "pca training"]
    assert table.loc["AUC", "gbm training"] > 0.9 and pd.isna(table.loc["AUC", "km training"])
    assert table.loc["tot_withinss", "km training"] == pytest.approx(158.145, abs=1e-3)
    assert table.loc["mean_score", "iso training"] == pytest.approx(5.9689, abs=1e-4)
    order = list(table.index)
    assert order.index("AUC") < order.index("tot_withinss") < order.index("mean_score") < order.index("nobs")


def test_predict_metrics_of_a_kmeans_model_fill_cluster_sizes():
    answer = json.loads((REFERENCE / "predict_kmeans_iris.json").read_text())
    metric_charts = MetricCharts()
    metric_charts.prepare()
    tabs = metric_charts.show_metrics("km_on_iris", answer["model_metrics"][0])
    assert [title for title, _ in tabs] == ["Cluster sizes"]
    assert sum(metric_charts.cluster_sizes.figure.data[0].x) == 150
    assert metric_charts.cluster_sizes.filename == "km_on_iris_cluster_sizes.csv"


UNSUPERVISED_BUILDERS = [  # (GET /3/ModelBuilders entry as H2O-3 declares it, the form's line)
    ({"algo": "kmeans", "supervised": False, "can_build": ["Clustering"]}, "clustering"),
    ({"algo": "pca", "supervised": False, "can_build": ["Clustering"]}, "dimension reduction"),
    ({"algo": "glrm", "supervised": False, "can_build": ["Clustering"]}, "dimension reduction"),
    ({"algo": "svd", "supervised": False, "can_build": ["DimReduction"]}, "dimension reduction"),
    ({"algo": "isolationforest", "supervised": False, "can_build": ["AnomalyDetection"]}, "anomaly detection"),
]


@pytest.mark.parametrize("builder, kind", UNSUPERVISED_BUILDERS, ids=[b["algo"] for b, _ in UNSUPERVISED_BUILDERS])
def test_unsupervised_form_says_what_the_model_is(builder, kind):
    parameters = [{"name": "training_frame", "type": "Key<Frame>", "level": "critical"},
                  {"name": "k", "type": "int", "level": "critical", "default_value": 1}]
    form = ParameterForm({**builder, "parameters": parameters})
    assert unsupervised_kind(builder) == kind
    assert form.response_kind.value == f"<b>Model:</b> {kind} (no response)"
    assert form.children.index(form.response_kind) == form.children.index(form.rows["training_frame"]) + 1  # right under it
    assert unsupervised_kind({"algo": "gbm", "supervised": True, "can_build": ["Binomial"]}) is None
