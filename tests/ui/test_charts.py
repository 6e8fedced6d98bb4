"""Chart factories, tables and forms from captured H2O-3 answers (no server needed)."""
import json
from pathlib import Path

import pandas as pd

from h2odash.ui import charts
from h2odash.ui.downloads import csv_link, decode_link, figure_data
from h2odash.ui.forms import ParameterForm
from h2odash.ui.tables import confusion_at, two_dim_table

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "h2o_reference"


def reference(name):
    return json.loads((REFERENCE / name).read_text())


def test_numeric_column_chart_places_bins_at_their_centres():
    fig = charts.column_chart({"label": "AGE", "type": "int", "histogram_bins": [2, 5, 1],
                               "histogram_base": 40.0, "histogram_stride": 10.0})
    assert list(fig.data[0].x) == [45.0, 55.0, 65.0]
    assert list(fig.data[0].y) == [2, 5, 1]
    assert fig.layout.height == charts.HEIGHT


def test_categorical_column_chart_counts_levels():
    fig = charts.column_chart({"label": "CAPSULE", "type": "enum", "domain": ["0", "1"], "histogram_bins": [227, 153]})
    assert list(fig.data[0].x) == ["0", "1"] and list(fig.data[0].y) == [227, 153]


def test_scoring_history_series_count_trees():
    model = reference("model_gbm_prostate_enum.json")["models"][0]
    series = charts.scoring_history_series(model["output"]["scoring_history"])
    x, y = series["training_auc"]
    assert len(x) == len(y) > 1 and x == sorted(x) and x[-1] == 30


def test_set_series_grows_traces_in_place():
    fig = charts.scoring_history_chart()
    charts.set_series(fig, {"training_rmse": ([1], [0.5])})
    charts.set_series(fig, {"training_rmse": ([1, 2], [0.5, 0.4])})
    assert len(fig.data) == 1 and list(fig.data[0].y) == [0.5, 0.4]


def test_roc_and_confusion_matrix_from_thresholds():
    model = reference("model_gbm_prostate_enum.json")["models"][0]
    table = two_dim_table(model["output"]["training_metrics"]["thresholds_and_metric_scores"])
    fig = charts.roc_chart({"gbm": table})
    assert len(fig.data[1].x) == len(table) + 2
    strict, loose = confusion_at(table, 0.9), confusion_at(table, 0.1)
    assert strict.iloc[:, 1:3].to_numpy().sum() == loose.iloc[:, 1:3].to_numpy().sum() == 380
    assert strict.iloc[1, 2] < loose.iloc[1, 2]  # fewer true positives at a stricter threshold


def test_variable_importance_and_coefficients():
    gbm = reference("model_gbm_prostate_enum.json")["models"][0]["output"]
    glm = reference("model_glm_prostate_enum.json")["models"][0]["output"]
    assert charts.variable_importance_chart(gbm["variable_importances"]).data[0].y[-1] == "GLEASON"
    assert "Intercept" not in charts.coefficients_chart(glm["coefficients_table"]).data[0].y


def test_csv_link_round_trip_and_figure_data():
    fig = charts.roc_chart({"m": pd.DataFrame({"fpr": [0.5], "tpr": [0.7], "threshold": [0.3]})})
    data = figure_data(fig)
    assert set(data["series"]) == {"random", "m"}
    assert decode_link(csv_link(data, "roc.csv")).startswith("series,x,y")


def test_form_from_reference_metadata_sends_only_changes():
    builder = reference("modelbuilders/gbm.json")["model_builders"]["gbm"]
    form = ParameterForm(builder)
    assert form.values() == {}
    assert form.rows["ntrees"] in form.children                # a key parameter: shown
    assert form.rows["histogram_type"] not in form.children    # advanced: folded
    names = {id(row): name for name, row in form.rows.items()}
    shown = [names[id(child)] for child in form.children if id(child) in names]
    assert shown[:4] == ["model_id", "training_frame", "validation_frame", "response_column"]
    assert shown.index("ntrees") < shown.index("max_depth") < shown.index("learn_rate") < shown.index("nfolds")
    # the help is written beside the field, and the label is wide enough for the longest name
    assert builder["parameters"][0]["help"][:20] in form.rows["model_id"].children[1].value
    longest = max(len(p["name"]) for p in builder["parameters"])
    assert float(form.label_width.removesuffix("px")) >= 7 * longest
    form.set_frames(["train"])
    form.set_value("training_frame", "train")
    form.set_columns([("CAPSULE", "enum"), ("AGE", "int"), ("ID", "int")], {"CAPSULE": 2}, ignore=["ID"])
    assert form.fields["ignored_columns"].value == ("ID",)  # proposed, not hidden
    form.set_value("response_column", "AGE")
    assert "AGE" not in form.fields["ignored_columns"].options  # the response is never a predictor choice
    assert "regression" in form.response_kind.value
    form.set_value("response_column", "CAPSULE")
    assert "classification" in form.response_kind.value
    form.set_value("ntrees", 7)
    form.set_value("histogram_type", "Random")
    assert form.values() == {"training_frame": "train", "response_column": "CAPSULE", "ntrees": 7, "ignored_columns": ["ID"],
                             "histogram_type": "Random"}


def test_multinomial_confusion_heatmap_and_hit_ratios_from_h2o3():
    metrics = reference("model_gbm_iris.json")["models"][0]["output"]["training_metrics"]
    cells = charts.confusion_matrix_cells(metrics["cm"]["table"])
    assert list(cells.index) == list(cells.columns) == ["Iris-setosa", "Iris-versicolor", "Iris-virginica"]
    assert cells.to_numpy().sum() == 150 and cells.loc["Iris-versicolor", "Iris-virginica"] == 3  # its Rate: 3 / 50
    fig = charts.confusion_matrix_heatmap()
    charts.set_heatmap(fig, cells)
    assert list(fig.data[0].z[2]) == [0, 1, 49] and list(fig.data[0].y) == list(cells.index)
    assert charts.hit_ratio_series(metrics["hit_ratio_table"]) == {"hit ratio": ([1, 2, 3], [0.97333336, 1.0, 1.0])}
    assert charts.confusion_matrix_cells(None).empty and charts.hit_ratio_series(None) == {}

