"""The Explain panel on both servers: every chart's numbers are the server's own tables (read
again here through the client, never hard-coded), a refused chart shows the server's reason in
its place while the others still draw, and Cancel stops an explanation."""
import io

import numpy as np
import pandas as pd
import pytest

from h2odash.ui import ExplainPanel
from h2odash.ui.downloads import decode_link
from h2odash.ui.panels.explain import READY

from .conftest import wait_until


def explained(panel, timeout=300):
    panel.explain_button.click()
    wait_until(lambda: READY in panel._dom_classes and not panel.explaining.busy, timeout, "the explanation", panel)
    return panel


def csv_of(chart) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(decode_link(chart.chart.link.value)))


@pytest.fixture
def prostate_models(client, data_dir, frame_name):
    frame = client.import_frame(str(data_dir / "prostate.csv"), destination_frame=frame_name("explain_ui"),
                                column_types={"CAPSULE": "enum", "RACE": "enum"})
    gbm = client.train("gbm", frame, "CAPSULE", ntrees=15, max_depth=3, seed=1, ignored_columns=["ID"],
                       model_id=frame_name("gbm_explain_ui"))
    drf = client.train("drf", frame, "CAPSULE", ntrees=10, max_depth=4, seed=1, ignored_columns=["ID"],
                       model_id=frame_name("drf_explain_ui"))
    return frame, gbm, drf


def test_explaining_two_models_draws_the_servers_numbers(client, prostate_models):
    frame, gbm, drf = prostate_models
    panel = ExplainPanel(client)
    panel.models.value = (gbm, drf)
    wait_until(lambda: panel.frame.value == frame, 30, "the models' training frame to be picked", panel)
    explained(panel)
    assert not panel.status.is_error, panel.status.value
    assert panel.state.shap_model == gbm   # the first tree model of the set

    # SHAP summary: every dot is a contribution the server computed for that row and feature.
    shap = client.contributions(gbm, frame)
    dots = csv_of(panel.summary)
    for row, feature, contribution in dots[["row", "feature", "contribution"]].itertuples(index=False):
        assert contribution == pytest.approx(shap.loc[row - 1, feature], abs=1e-6)
    assert len(dots) == len(shap) * min(12, shap.shape[1] - 1)
    beeswarm = panel.summary.chart.figure.data[0]
    assert beeswarm.type == "scattergl" and len(beeswarm.x) == len(dots)

    # The waterfall of row 1 starts at BiasTerm and ends at the row's logit(p1).
    predictions = client.frame_to_pandas(client.predict(gbm, frame)["predictions_frame"]["name"])
    p1 = predictions["p1"].iloc[0]
    row = csv_of(panel.waterfall)
    assert row["contribution"].sum() == pytest.approx(np.log(p1 / (1 - p1)), abs=1e-4)
    bars = panel.waterfall.chart.figure.data[0]
    assert bars.type == "waterfall" and sum(bars.x) == pytest.approx(row["contribution"].sum(), abs=1e-6)

    # Dependence: the chosen feature's contributions against its values.
    feature = panel.feature.value
    dependence = panel.dependence.chart.figure.data[0]
    np.testing.assert_allclose(dependence.y, shap[feature].to_numpy(), atol=1e-6)

    # Partial dependence: each model's line is the server's table for that column.
    for model in (gbm, drf):
        table, = client.partial_dependence(model, frame, cols=[feature], nbins=20)
        line = next(t for t in panel.pd.chart.figure.data if t.name == model)
        np.testing.assert_allclose(line.y, table.table["mean_response"], rtol=1e-9)
        np.testing.assert_allclose(line.x, table.table[feature], rtol=1e-9)
    ice = [t for t in panel.pd.chart.figure.data if t.legendgroup == "ice"]
    assert len(ice) == 6
    first_ice = ice[0].name  # "<model> row N"
    one_row, = client.partial_dependence(gbm, frame, cols=[feature], nbins=20,
                                         row_index=int(first_ice.rsplit(" ", 1)[1]) - 1)
    np.testing.assert_allclose(ice[0].y, one_row.table["mean_response"], rtol=1e-9)
    pd_csv = csv_of(panel.pd)
    assert set(pd_csv["series"]) >= {gbm, drf} and {"mean", "ICE"} == set(pd_csv["curve"])

    # 2D partial dependence: the heatmap is the server's grid.
    second = panel.colour_by.value
    pair = next(t for t in client.partial_dependence(gbm, frame, nbins=8, col_pairs_2dpdp=[[feature, second]])
                if t.is_2d)
    heat = panel.pd2d.chart.figure.data[0]
    grid = pair.table.pivot_table(index=second, columns=feature, values="mean_response")
    np.testing.assert_allclose(np.array(heat.z, dtype=float), grid.to_numpy(), rtol=1e-9)

    # Variable importance across models: each model's scaled importances from its JSON.
    heat = panel.importance.chart.figure.data[0]
    for model, z in zip(heat.y, heat.z):
        varimp = client.model(model)["output"]["variable_importances"]
        scaled = dict(zip(varimp["data"][0], varimp["data"][2]))
        assert list(z) == pytest.approx([scaled[v] for v in heat.x])

    # Model correlation: the share of rows both models give the same class.
    other = client.frame_to_pandas(client.predict(drf, frame)["predictions_frame"]["name"])
    alike = float((predictions["predict"].astype(str) == other["predict"].astype(str)).mean())
    agreement = panel.agreement.chart.figure.data[0]
    assert np.array(agreement.z, dtype=float)[0, 1] == pytest.approx(alike)
    assert np.diag(np.array(agreement.z, dtype=float)).tolist() == [1.0, 1.0]

    # Learning curve: the model's scoring history; every chart offers its data.
    assert len(panel.learning.chart.figure.data) >= 1
    for chart in panel.charts:
        assert "download=" in chart.chart.link.value, chart.name

    # Another row: its waterfall comes from the same contributions.
    panel.row.value = 7
    wait_until(lambda: csv_of(panel.waterfall)["row"].iloc[0] == 7, 60, "row 7's waterfall", panel)
    assert csv_of(panel.waterfall)["contribution"].sum() == pytest.approx(shap.iloc[6].sum(), abs=1e-6)
    panel.close()


def test_a_refused_chart_shows_the_servers_reason_and_the_rest_still_draw(client, server_kind, data_dir, frame_name):
    iris = client.import_frame(str(data_dir / "iris.csv"), destination_frame=frame_name("iris_explain"))
    columns = [c["label"] for c in client.frame(iris, row_count=0)["columns"]]
    model = client.train("gbm", iris, columns[-1], ntrees=5, seed=1, model_id=frame_name("gbm_iris_explain"))
    panel = ExplainPanel(client)
    panel.models.value = (model,)
    wait_until(lambda: panel.frame.value == iris, 30, "the training frame", panel)
    explained(panel)
    assert not panel.status.is_error, panel.status.value
    if server_kind == "h2o3" or panel.summary.refused:
        assert panel.summary.refused and panel.waterfall.refused
        assert "multinomial" in panel.summary.note.value
        assert "Exception" not in panel.summary.note.value  # the reason, not the Java class
    # The charts that need no contributions are drawn all the same.
    assert not panel.pd.refused and len(panel.pd.chart.figure.data) > 0
    assert not panel.importance.refused and len(panel.importance.chart.figure.data[0].z) == 1
    assert panel.agreement.refused and "two or more models" in panel.agreement.note.value
    panel.close()


def test_cancel_stops_an_explanation_and_keeps_what_was_drawn(client, prostate_models):
    frame, gbm, drf = prostate_models
    panel = ExplainPanel(client)
    panel.models.value = (gbm, drf)
    wait_until(lambda: panel.frame.value == frame, 30, "the training frame", panel)
    panel.explain_button.click()
    panel.cancel_button.click()
    wait_until(lambda: READY in panel._dom_classes and not panel.explaining.busy, 120, "the cancel", panel)
    assert "Cancelled" in panel.status.value and panel.progress.bar_style == "warning"
    assert panel.cancel_button.disabled and not panel.explain_button.disabled
    assert len(panel.pd.chart.figure.data) == 0  # partial dependence never started
    panel.close()


def test_an_explanation_leaves_nothing_behind_on_the_server(client, prostate_models):
    """Samples, contributions and predictions frames and partial dependence results are removed
    once read (a workspace would otherwise keep them on disk for good)."""
    frame, gbm, drf = prostate_models
    before = {f["frame_id"]["name"] for f in client.frames()}
    panel = ExplainPanel(client)
    panel.models.value = (gbm, drf)
    wait_until(lambda: panel.frame.value == frame, 30, "the models' training frame to be picked", panel)
    explained(panel)
    panel.row.value = 3   # a waterfall drawn again from the kept contributions
    explained(panel)      # a second explanation
    after = {f["frame_id"]["name"] for f in client.frames()}
    assert after == before, after - before


def test_a_multinomial_models_class_picker_switches_the_charts(client, server_kind, data_dir, frame_name):
    iris = client.import_frame(str(data_dir / "iris.csv"), destination_frame=frame_name("iris_classes"))
    columns = [c["label"] for c in client.frame(iris, row_count=0)["columns"]]
    model = client.train("gbm", iris, columns[-1], ntrees=5, seed=1, model_id=frame_name("gbm_iris_classes"))
    classes = client.model(model)["output"]["domains"][-1]
    panel = ExplainPanel(client)
    panel.models.value = (model,)
    wait_until(lambda: panel.frame.value == iris, 30, "the training frame", panel)
    explained(panel)
    assert panel.target_class.layout.display == "flex" and list(panel.target_class.options) == classes
    assert panel.target_class.value == classes[0]
    feature = panel.feature.value
    panel.target_class.value = classes[2]
    wait_until(lambda: not panel.explaining.busy and any(classes[2] in t.name for t in panel.pd.chart.figure.data
                                                          if t.name), 120, "the charts of the third class", panel)
    table, = client.partial_dependence(model, iris, cols=[feature], nbins=20, targets=[classes[2]])
    line = next(t for t in panel.pd.chart.figure.data if t.name == f"{model} (class {classes[2]})")
    np.testing.assert_allclose(line.y, table.table["mean_response"], rtol=1e-9)
    if server_kind == "embedded":   # H2O-3 refuses multinomial contributions
        shap = client.contributions(model, iris)
        dots = csv_of(panel.summary)
        for row, name, contribution in dots[["row", "feature", "contribution"]].itertuples(index=False):
            assert contribution == pytest.approx(shap.loc[row - 1, f"{classes[2]}:{name}"], abs=1e-6)
    panel.close()


def test_why_this_row_in_predict_opens_its_waterfall_in_explain(client, prostate_models):
    from h2odash.ui.dashboard import Dashboard

    frame, gbm, _ = prostate_models
    dashboard = Dashboard(client)
    predict, explain = dashboard["Predict"], dashboard["Explain"]
    predict.model.value = gbm
    predict.frame.value = frame
    predict.score_button.click()
    wait_until(lambda: predict.why.layout.display == "flex", 120, "the row picker under the predictions", predict)
    predict.why_row.value = 5
    predict.why_button.click()
    assert dashboard.tabs.selected_index == list(dashboard.panels).index("Explain")
    wait_until(lambda: READY in explain._dom_classes and not explain.explaining.busy, 300, "the explanation", explain)
    assert explain.row.value == 5 and csv_of(explain.waterfall)["row"].iloc[0] == 5
    shap = client.contributions(gbm, frame)
    assert csv_of(explain.waterfall)["contribution"].sum() == pytest.approx(shap.iloc[4].sum(), abs=1e-6)
    dashboard.close()
