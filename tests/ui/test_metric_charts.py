"""The Models and Predict panels' metric charts, on both servers: every chart downloads its data,
clicking a model opens its view, and scoring a frame that has the response shows the same charts."""
import pytest

from h2odash.ui import ModelsPanel, PredictPanel
from h2odash.ui.chartbox import ChartBox
from h2odash.ui.downloads import decode_link

from .conftest import wait_until


def chart_boxes(widget):
    """Every ChartBox inside a widget tree."""
    if isinstance(widget, ChartBox):
        return [widget]
    return [box for child in getattr(widget, "children", ()) for box in chart_boxes(child)]


def csv_rows(box: ChartBox) -> int:
    if not box.link.value:  # nothing drawn yet
        return 0
    return len(decode_link(box.link.value).strip().splitlines()) - 1


@pytest.fixture
def prostate(client, data_dir, frame_name):
    return client.import_frame(str(data_dir / "prostate.csv"), destination_frame=frame_name("prostate"),
                               column_types={"CAPSULE": "enum"})


@pytest.fixture
def binomial_model(client, prostate, frame_name):
    return client.train("gbm", prostate, "CAPSULE", ntrees=5, max_depth=3, seed=1, ignored_columns=["ID"],
                        model_id=frame_name("gbm_binomial"))


@pytest.fixture
def regression_model(client, prostate, frame_name):
    return client.train("glm", prostate, "PSA", ignored_columns=["ID"], model_id=frame_name("glm_regression"))


def test_clicking_a_model_opens_it_and_every_chart_downloads(client, binomial_model):
    models = ModelsPanel(client)
    models.models.value = (binomial_model,)  # what a click in the list does
    assert binomial_model in models.title.value
    assert {"ROC", "Precision-recall", "Gains/lift", "Variable importance", "Scoring history"} <= set(models.tab_titles)
    boxes = chart_boxes(models.charts)
    assert len(boxes) == len(models.tab_titles) - 1  # one chart per tab but the card, each with its link
    for box in boxes:
        assert box.figure is not None and csv_rows(box) > 0, box.filename
        assert box.filename.startswith(binomial_model)
    assert decode_link(models.metrics_download.value).startswith("metric")
    models.close()


def test_open_from_another_panel_finds_new_models(client, binomial_model, regression_model):
    models = ModelsPanel(client)
    models.open_model(regression_model)
    assert models.models.value == (regression_model,) and "Residuals" in models.tab_titles
    models.residuals_button.click()
    residuals = models.metric_charts.residuals
    wait_until(lambda: csv_rows(residuals) == 380, 60, "the residuals", models)
    assert len(residuals.figure.data[0].x) == 380
    assert list(decode_link(residuals.link.value).splitlines()[0].split(",")) == ["actual", "predicted", "residual"]
    models.close()


@pytest.fixture
def score(client):
    """Score a frame with a model in the Predict panel; returns the panel once its charts are up."""
    panels = []

    def run(model_id: str, frame_id: str) -> PredictPanel:
        predict = PredictPanel(client)
        panels.append(predict)
        predict.model.value, predict.frame.value = model_id, frame_id
        predict.score_button.click()
        wait_until(lambda: predict.charts.titles, 120, "the metric charts", predict)
        return predict
    yield run
    for panel in panels:
        panel.close()


def test_predict_on_a_frame_with_the_response_shows_the_roc(score, binomial_model, prostate):
    predict = score(binomial_model, prostate)
    assert {"ROC", "Precision-recall", "Gains/lift"} <= set(predict.charts.titles)
    roc = next(t for t in predict.metric_charts.roc.figure.data if t.name.startswith(binomial_model))
    assert len(roc.x) > 10 and roc.x[0] == 0.0 and roc.x[-1] == 1.0
    assert "Confusion matrix" in predict.metric_charts.confusion.value
    for box in chart_boxes(predict.charts):
        assert csv_rows(box) > 0, box.filename


def test_predict_regression_shows_residuals(score, regression_model, prostate):
    predict = score(regression_model, prostate)
    assert list(predict.charts.titles) == ["Residuals"]
    assert len(predict.metric_charts.residuals.figure.data[0].x) == 380


def test_multinomial_model_shows_confusion_heatmap_and_hit_ratios(client, data_dir, frame_name, score):
    iris = client.import_frame(str(data_dir / "iris.csv"), destination_frame=frame_name("iris"))
    model_id = client.train("gbm", iris, "Species", ntrees=5, max_depth=3, seed=1, model_id=frame_name("gbm_iris"))
    models = ModelsPanel(client)
    models.open_model(model_id)
    assert {"Confusion matrix", "Hit ratios"} <= set(models.tab_titles)
    assert "ROC" not in models.tab_titles
    heatmap = models.metric_charts.confusion_matrix.figure.data[0]
    assert list(heatmap.x) == list(heatmap.y) == ["Iris-setosa", "Iris-versicolor", "Iris-virginica"]
    assert sum(map(sum, heatmap.z)) == 150  # every training row, once; the totals row left out
    matrix = decode_link(models.metric_charts.confusion_matrix.link.value).splitlines()
    assert matrix[0] == "actual,Iris-setosa,Iris-versicolor,Iris-virginica" and len(matrix) == 4
    hit_ratios = models.metric_charts.hit_ratios
    assert list(hit_ratios.figure.data[0].x) == [1, 2, 3] and hit_ratios.figure.data[0].y[-1] == pytest.approx(1.0)
    for box in chart_boxes(models.charts):
        assert csv_rows(box) > 0, box.filename
    models.close()
    # Scoring a frame with the response gives the same charts in the Predict panel.
    predict = score(model_id, iris)
    assert {"Confusion matrix", "Hit ratios"} <= set(predict.charts.titles)
