"""Model metrics: against scikit-learn, against answers of real H2O-3, and the reference JSON shapes."""

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm

from h2odash.engine import metrics
from h2odash.server.schemas import two_dim_table

DATA = Path(__file__).parent / "data" / "h2o_metrics"
REFERENCE = Path(__file__).resolve().parents[1] / "data" / "h2o_reference"


# -- factories ------------------------------------------------------------------------------
def binomial_data(n=5000, seed=0, weighted=False, decimals=None):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    p1 = 1 / (1 + np.exp(-(rng.normal(0, 1.5, n) + 1.5 * (y - 0.5))))
    if decimals is not None:
        p1 = np.round(p1, decimals)
    w = rng.random(n) * 3 if weighted else None
    return y, p1, w


def multinomial_data(n=3000, k=4, seed=0, weighted=False):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    logits = rng.normal(0, 1, (n, k))
    logits[np.arange(n), y] += 1.0
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    w = rng.random(n) * 3 if weighted else None
    return y, probs, w


def regression_data(n=4000, seed=0, weighted=False):
    rng = np.random.default_rng(seed)
    y = rng.gamma(2.0, 1.5, n)
    pred = y * np.exp(rng.normal(0, 0.3, n))
    w = rng.random(n) * 3 if weighted else None
    return y, pred, w


def h2o_answers():
    return json.loads((DATA / "h2o_answers.json").read_text())


def reference_metrics(name, which="training_metrics"):
    model = json.loads((REFERENCE / name).read_text())["models"][0]
    return model["output"][which] if which else model["output"]


def column_specs(table_json, skip_format=()):
    return [(c["name"], c["type"], None if c["name"] in skip_format else c["format"], c["description"])
            for c in table_json["columns"]]


def assert_same(mine, theirs, rel=1e-9):
    """Equal up to rounding; H2O writes NaN as the string "NaN"."""
    if isinstance(theirs, str) and theirs in ("NaN", "Infinity", "-Infinity"):
        theirs = float(theirs)
    if isinstance(theirs, float) and math.isnan(theirs):
        assert isinstance(mine, float) and math.isnan(mine)
    elif isinstance(theirs, (int, float)) and not isinstance(theirs, bool):
        assert mine == pytest.approx(theirs, rel=rel, abs=rel)
    else:
        assert mine == theirs


def assert_table_matches(mine, theirs, rel=1e-9):
    mine = two_dim_table(mine)
    assert (mine["name"], mine["description"], mine["rowcount"]) == \
           (theirs["name"], theirs["description"], theirs["rowcount"])
    assert column_specs(mine) == column_specs(theirs)
    for mine_column, their_column in zip(mine["data"], theirs["data"]):
        for a, b in zip(mine_column, their_column):
            assert_same(a, b, rel)


# -- binomial against scikit-learn ----------------------------------------------------------
@pytest.mark.parametrize("weighted", [False, True])
def test_binomial_matches_sklearn(weighted):
    y, p1, w = binomial_data(weighted=weighted)
    m = metrics.binomial(y, p1, ["no", "yes"], w)
    assert m["nobs"] == len(y)
    assert m["AUC"] == pytest.approx(skm.roc_auc_score(y, p1, sample_weight=w), abs=1e-9)
    assert m["Gini"] == pytest.approx(2 * m["AUC"] - 1)
    assert m["MSE"] == pytest.approx(skm.mean_squared_error(y, p1, sample_weight=w), abs=1e-9)
    assert m["RMSE"] == pytest.approx(math.sqrt(m["MSE"]))
    assert m["r2"] == pytest.approx(skm.r2_score(y, p1, sample_weight=w), abs=1e-9)
    assert m["logloss"] == pytest.approx(skm.log_loss(y, p1, sample_weight=w), abs=1e-9)
    assert m["domain"] == ["no", "yes"]


def h2o_pr_auc_loop(y, p1, w):
    """H2O's PR-AUC formula (AUC2.pr_auc), one distinct score at a time, written as a plain loop."""
    w = np.ones(len(y)) if w is None else w
    tp = fp = 0.0
    P = float(np.sum(w * y))
    area, prev_tp, prev_fp = 0.0, 0.0, 0.0
    for s in np.unique(p1)[::-1]:
        at = p1 == s
        tp += float(np.sum(w[at] * y[at]))
        fp += float(np.sum(w[at] * (1 - y[at])))
        if tp != prev_tp:
            h = (fp - prev_fp) / (tp - prev_tp)
            a, b = 1 + h, (prev_fp - h * prev_tp) / P
            r, r0 = tp / P, prev_tp / P
            area += ((r - r0 - b / a * (math.log(a * r + b) - math.log(a * r0 + b))) / a) if b != 0 else (r - r0) / a
        prev_tp, prev_fp = tp, fp
    return area


@pytest.mark.parametrize("weighted", [False, True])
def test_pr_auc_is_h2os_interpolated_area(weighted):
    y, p1, w = binomial_data(n=3000, weighted=weighted, decimals=3)  # ties included
    m = metrics.binomial(y, p1, ["0", "1"], w)
    assert m["pr_auc"] == pytest.approx(h2o_pr_auc_loop(y, p1, w), abs=1e-9)
    # neither of sklearn's definitions, but close to both
    assert m["pr_auc"] == pytest.approx(skm.average_precision_score(y, p1, sample_weight=w), abs=0.01)
    precision, recall, _ = skm.precision_recall_curve(y, p1, sample_weight=w)
    assert m["pr_auc"] == pytest.approx(skm.auc(recall, precision), abs=0.01)


@pytest.mark.parametrize("weighted", [False, True])
def test_default_threshold_maximizes_f1_and_sets_the_cm(weighted):
    # 2-decimal scores: at most 101 distinct, so H2O's histogram holds every score exactly
    y, p1, w = binomial_data(weighted=weighted, decimals=2)
    m = metrics.binomial(y, p1, ["0", "1"], w)
    threshold = m["default_threshold"]
    assert threshold == metrics.f1_threshold(y, p1, w)
    best_f1 = max(skm.f1_score(y, p1 >= t, sample_weight=w) for t in np.unique(p1))
    labels = metrics.predicted_labels(p1, threshold)
    assert skm.f1_score(y, labels, sample_weight=w) == pytest.approx(best_f1, abs=1e-12)
    assert m["mean_per_class_error"] == pytest.approx(
        1 - skm.balanced_accuracy_score(y, labels, sample_weight=w), abs=1e-9)
    cm = skm.confusion_matrix(y, labels, sample_weight=w)
    table = m["cm"]["table"]
    assert np.allclose([row[:2] for row in table.rows[:3]], np.vstack([cm, cm.sum(axis=0)]))


def test_thresholds_table_counts_rows_at_or_above_each_threshold():
    y, p1, _ = binomial_data(n=2000, decimals=2)
    table = metrics.binomial(y, p1, ["0", "1"])["thresholds_and_metric_scores"]
    thresholds = table.column("threshold")
    assert thresholds == sorted(np.unique(p1).tolist(), reverse=True)
    for t, tps, fps, tns, fns in zip(thresholds, table.column("tps"), table.column("fps"),
                                     table.column("tns"), table.column("fns")):
        predicted = p1 >= t
        assert (tps, fps) == (int(np.sum(predicted & (y == 1))), int(np.sum(predicted & (y == 0))))
        assert (tns, fns) == (int(np.sum(~predicted & (y == 0))), int(np.sum(~predicted & (y == 1))))
    assert table.column("idx") == list(range(len(thresholds)))


def test_many_distinct_scores_give_at_most_400_consistent_threshold_rows():
    y, p1, w = binomial_data(n=50_000, weighted=True)
    m = metrics.binomial(y, p1, ["0", "1"], w)
    table = m["thresholds_and_metric_scores"]
    thresholds = table.column("threshold")
    assert len(thresholds) == metrics.NBINS
    assert thresholds == sorted(thresholds, reverse=True)
    assert table.column("tps")[-1] == int(np.sum(w * y)) and table.column("tpr")[-1] == 1.0
    maxima = {row[0]: row for row in m["max_criteria_and_metric_scores"].rows}
    f1_row = table.rows[maxima["max f1"][3]]
    assert maxima["max f1"][1] == f1_row[0] == m["default_threshold"]
    assert maxima["max f1"][2] == max(table.column("f1"))
    # the confusion matrix is the one of the max-F1 row
    cm = m["cm"]["table"].rows
    names = [c.name for c in table.columns]
    assert cm[1][1] == pytest.approx(f1_row[names.index("tpr")] * np.sum(w * y))
    # exact AUC, even though the table is binned
    assert m["AUC"] == pytest.approx(skm.roc_auc_score(y, p1, sample_weight=w), abs=1e-9)


# -- binomial edge cases --------------------------------------------------------------------
@pytest.mark.parametrize("cls", [0, 1])
def test_one_class_gives_nan_auc_without_failing(cls):
    rng = np.random.default_rng(1)
    y = np.full(100, cls)
    m = metrics.binomial(y, rng.random(100), ["0", "1"])
    assert math.isnan(m["AUC"]) and math.isnan(m["Gini"])
    assert m["nobs"] == 100 and m["gains_lift_table"] is not None
    # no positives: F1 is undefined at every threshold, so H2O has no default CM either
    assert (m["cm"] is None) == (cls == 0)
    assert m["r2"] == -math.inf  # H2O: 1 - MSE / 0


def test_perfect_predictions():
    y = np.array([0, 1] * 50)
    m = metrics.binomial(y, y.astype(float), ["0", "1"])
    assert m["AUC"] == 1.0 and m["pr_auc"] == 1.0
    assert m["MSE"] == 0.0 and m["logloss"] == 0.0 and m["r2"] == 1.0
    assert m["mean_per_class_error"] == 0.0
    assert m["default_threshold"] == 1.0


def test_logloss_caps_certain_mistakes_at_1e_15():
    y = np.array([0, 1, 1, 0])
    p1 = np.array([1.0, 0.0, 1.0, 0.0])  # two certain mistakes, two certain hits
    m = metrics.binomial(y, p1, ["0", "1"])
    assert m["logloss"] == pytest.approx(-math.log(1e-15) / 2)
    assert m["AUC"] == 0.5


def test_missing_values_and_zero_weights_are_left_out():
    y, p1, _ = binomial_data(n=500)
    w = np.ones(500)
    p1_missing, w[:50] = p1.copy(), 0.0
    p1_missing[50:60] = np.nan
    y_missing = y.astype(float)
    y_missing[60:70] = np.nan
    m = metrics.binomial(y_missing, p1_missing, ["0", "1"], w)
    expected = metrics.binomial(y[70:], p1[70:], ["0", "1"])
    assert m["nobs"] == 430
    for key in ("MSE", "AUC", "logloss", "pr_auc", "mean_per_class_error", "r2"):
        assert m[key] == pytest.approx(expected[key])


def test_no_rows_gives_nan_metrics():
    m = metrics.binomial([], [], ["0", "1"])
    assert m["nobs"] == 0 and math.isnan(m["AUC"]) and m["cm"] is None
    assert metrics.multinomial([], np.zeros((0, 3)), list("abc"))["nobs"] == 0
    assert math.isnan(metrics.regression([], [])["MSE"])


# -- multinomial ----------------------------------------------------------------------------
@pytest.mark.parametrize("weighted", [False, True])
def test_multinomial_matches_sklearn(weighted):
    y, probs, w = multinomial_data(weighted=weighted)
    domain = ["a", "b", "c", "d"]
    m = metrics.multinomial(y, probs, domain, w)
    assert m["nobs"] == len(y)
    assert m["logloss"] == pytest.approx(skm.log_loss(y, probs, sample_weight=w), abs=1e-9)
    p_actual = probs[np.arange(len(y)), y]
    assert m["MSE"] == pytest.approx(np.average((1 - p_actual) ** 2, weights=w), abs=1e-12)
    assert m["r2"] == pytest.approx(1 - m["MSE"] / np.cov(y, aweights=w, bias=True), abs=1e-12)
    predicted = probs.argmax(axis=1)
    # H2O's multinomial confusion matrix counts rows, whatever the weights
    cm = skm.confusion_matrix(y, predicted)
    assert [row[:4] for row in m["cm"]["table"].rows[:4]] == cm.tolist()
    assert m["mean_per_class_error"] == pytest.approx(1 - skm.balanced_accuracy_score(y, predicted), abs=1e-12)
    hits = m["hit_ratio_table"]
    assert hits.column("k") == ["1", "2", "3", "4"]
    for k, ratio in zip(range(1, 4), hits.column("hit_ratio")):
        expected = skm.top_k_accuracy_score(y, probs, k=k, sample_weight=w)
        assert ratio == pytest.approx(expected, abs=1e-6)  # stored as a Java float
    assert hits.column("hit_ratio")[-1] == 1.0


@pytest.mark.parametrize("auc_type", ["MACRO_OVR", "WEIGHTED_OVR", "MACRO_OVO", "WEIGHTED_OVO"])
@pytest.mark.parametrize("weighted", [False, True])
def test_multinomial_auc_is_sklearns_average_of_its_kind(auc_type, weighted):
    y, probs, w = multinomial_data(weighted=weighted)
    domain = ["a", "b", "c", "d"]
    m = metrics.multinomial(y, probs, domain, w, auc_type=auc_type)
    average, multi_class = auc_type.lower().split("_")
    if multi_class == "ovr":   # sklearn weighs the one-vs-one pairs by row counts only
        assert m["AUC"] == pytest.approx(skm.roc_auc_score(y, probs, multi_class="ovr", average=average,
                                                           sample_weight=w), abs=1e-12)
    table = m["multinomial_auc_table"]
    assert [c.name for c in table.columns] == ["Type", "First class domain", "Second class domain", "AUC"]
    rows = {row[0]: row for row in table.rows}
    for i, label in enumerate(domain):
        assert rows[f"{label} vs Rest"][3] == pytest.approx(
            skm.roc_auc_score(y == i, probs[:, i], sample_weight=w), abs=1e-12)
    for i, j in [(0, 1), (1, 3)]:
        pair = (y == i) | (y == j)
        sub = None if w is None else w[pair]
        expected = (skm.roc_auc_score(y[pair] == j, probs[pair, j], sample_weight=sub)
                    + skm.roc_auc_score(y[pair] == i, probs[pair, i], sample_weight=sub)) / 2
        assert rows[f"Class {domain[i]} vs. {domain[j]}"][1:] == [domain[i], domain[j], pytest.approx(expected, abs=1e-12)]
    if not weighted:
        assert rows["Macro OVO"][3] == pytest.approx(skm.roc_auc_score(y, probs, multi_class="ovo"), abs=1e-12)
        assert rows["Weighted OVO"][3] == pytest.approx(
            skm.roc_auc_score(y, probs, multi_class="ovo", average="weighted"), abs=1e-12)
    chosen = {"MACRO_OVR": "Macro OVR", "WEIGHTED_OVR": "Weighted OVR", "MACRO_OVO": "Macro OVO",
              "WEIGHTED_OVO": "Weighted OVO"}[auc_type]
    assert m["AUC"] == rows[chosen][3]
    assert m["pr_auc"] == {row[0]: row for row in m["multinomial_aucpr_table"].rows}[chosen][3]
    assert len(table.rows) == 4 + 2 + 6 + 2


def test_multinomial_auc_of_a_pair_without_rows_counts_zero():
    y, probs, _ = multinomial_data()
    y = np.where(y == 3, 2, y)      # no row of class d
    rows = {row[0]: row[3] for row in metrics.multinomial(y, probs, list("abcd"), auc_type="MACRO_OVO")
            ["multinomial_auc_table"].rows}
    assert rows["Class c vs. d"] == 0.0 and rows["Class a vs. b"] > 0.5
    assert math.isnan(rows["d vs Rest"])


@pytest.mark.parametrize("auc_type", ["AUTO", "NONE"])
def test_multinomial_auc_is_left_out_unless_asked_for(auc_type):
    y, probs, _ = multinomial_data()
    m = metrics.multinomial(y, probs, list("abcd"), auc_type=auc_type)
    assert math.isnan(m["AUC"]) and m["multinomial_auc_table"] is None


def test_multinomial_hit_ratios_stop_at_ten_classes():
    y, probs, _ = multinomial_data(n=500, k=12)
    table = metrics.multinomial(y, probs, [f"c{i}" for i in range(12)])["hit_ratio_table"]
    assert table.name == "Top-10 Hit Ratios" and len(table.rows) == 10


# -- regression -----------------------------------------------------------------------------
@pytest.mark.parametrize("weighted", [False, True])
def test_regression_matches_sklearn(weighted):
    y, pred, w = regression_data(weighted=weighted)
    m = metrics.regression(y, pred, w)
    assert m["nobs"] == len(y)
    assert m["MSE"] == pytest.approx(skm.mean_squared_error(y, pred, sample_weight=w), abs=1e-9)
    assert m["mean_residual_deviance"] == m["MSE"]
    assert m["mae"] == pytest.approx(skm.mean_absolute_error(y, pred, sample_weight=w), abs=1e-9)
    assert m["r2"] == pytest.approx(skm.r2_score(y, pred, sample_weight=w), abs=1e-9)
    assert m["rmsle"] == pytest.approx(math.sqrt(skm.mean_squared_log_error(y, pred, sample_weight=w)), abs=1e-9)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("distribution, options, expected", [
    ("poisson", {}, lambda y, f, w: skm.mean_poisson_deviance(y, f, sample_weight=w)),
    ("gamma", {}, lambda y, f, w: skm.mean_gamma_deviance(y, f, sample_weight=w)),
    ("tweedie", {"tweedie_power": 1.5}, lambda y, f, w: skm.mean_tweedie_deviance(y, f, sample_weight=w, power=1.5)),
    ("tweedie", {"tweedie_power": 1.2}, lambda y, f, w: skm.mean_tweedie_deviance(y, f, sample_weight=w, power=1.2)),
    ("laplace", {}, lambda y, f, w: skm.mean_absolute_error(y, f, sample_weight=w)),
    ("quantile", {"quantile_alpha": 0.8}, lambda y, f, w: skm.mean_pinball_loss(y, f, sample_weight=w, alpha=0.8)),
    ("quantile", {}, lambda y, f, w: skm.mean_pinball_loss(y, f, sample_weight=w, alpha=0.5)),
])
def test_mean_residual_deviance_per_distribution(distribution, options, expected, weighted):
    y, pred, w = regression_data(weighted=weighted)
    m = metrics.regression(y, pred, w, distribution=distribution, **options)
    assert m["mean_residual_deviance"] == pytest.approx(expected(y, pred, w), rel=1e-9)


def test_huber_deviance_uses_the_alpha_quantile_of_absolute_errors():
    y, pred, _ = regression_data()
    errors = np.abs(y - pred)
    delta = np.quantile(errors, 0.9)  # H2O's quantile interpolates like numpy's default
    expected = np.mean(np.where(errors <= delta, errors ** 2, (2 * errors - delta) * delta))
    m = metrics.regression(y, pred, distribution="huber", huber_alpha=0.9)
    assert m["mean_residual_deviance"] == pytest.approx(expected, rel=1e-12)


def test_rmsle_is_nan_below_minus_one():
    assert math.isnan(metrics.regression([1.0, -2.0], [1.0, 1.0])["rmsle"])
    assert metrics.regression([1.0, 2.0], [1.0, 2.0])["rmsle"] == 0.0


def test_unknown_distribution_is_refused():
    with pytest.raises(ValueError, match="unknown distribution"):
        metrics.regression([1.0], [1.0], distribution="cauchy")


# -- the same numbers and tables as real H2O-3 ----------------------------------------------
@pytest.mark.parametrize("key, weighted", [("binB", False), ("binC", True)])
def test_binomial_equals_h2o(key, weighted):
    df = pd.read_csv(DATA / "binomial_300.csv")
    theirs = h2o_answers()[key]
    m = metrics.binomial(df.y.values, df.p1.values, ["0", "1"], df.w.values if weighted else None)
    for field in ("MSE", "RMSE", "nobs", "r2", "logloss", "AUC", "pr_auc", "Gini", "mean_per_class_error"):
        assert_same(m[field], theirs[field])
    assert_table_matches(m["cm"]["table"], theirs["cm"]["table"])
    for table in ("thresholds_and_metric_scores", "max_criteria_and_metric_scores", "gains_lift_table"):
        assert_table_matches(m[table], theirs[table])


def test_multinomial_equals_h2o():
    df = pd.read_csv(DATA / "multinomial_500.csv")
    theirs = h2o_answers()["multiD"]
    m = metrics.multinomial(df.y.values, df[["c0", "c1", "c2"]].values, ["0", "1", "2"])
    for field in ("MSE", "RMSE", "nobs", "r2", "logloss", "mean_per_class_error", "AUC", "pr_auc"):
        assert_same(m[field], theirs[field])
    assert_table_matches(m["cm"]["table"], theirs["cm"]["table"])
    assert_table_matches(m["hit_ratio_table"], theirs["hit_ratio_table"])


@pytest.mark.parametrize("distribution", ["gaussian", "poisson", "gamma", "laplace"])
@pytest.mark.parametrize("weighted", [False, True])
def test_regression_equals_h2o(distribution, weighted):
    df = pd.read_csv(DATA / "regression_400.csv")
    theirs = h2o_answers()[f"regE_{distribution}" + ("_w" if weighted else "")]
    m = metrics.regression(df.y.values, df.f.values, df.w.values if weighted else None, distribution=distribution)
    # H2O holds actuals as Java floats, hence agreement to ~1e-8 rather than to the last bit
    for field in ("MSE", "RMSE", "nobs", "r2", "mae", "rmsle", "mean_residual_deviance"):
        assert_same(m[field], theirs[field], rel=1e-7)


def test_cross_validation_summary_equals_h2o():
    prostate = pd.read_csv(Path(__file__).parents[1] / "data" / "prostate.csv")
    holdout = pd.read_csv(DATA / "prostate_cv_binomial.csv")
    folds = [metrics.binomial(prostate.CAPSULE[holdout.fold == k], holdout.p1[holdout.fold == k], ["0", "1"])
             for k in range(3)]
    summary = metrics.cross_validation_summary(folds, "Binomial")
    assert_table_matches(summary, h2o_answers()["prostate_cv_binomial_summary"], rel=1e-7)


# -- table layouts of the reference JSON ----------------------------------------------------
def test_binomial_tables_have_the_reference_layout():
    reference = reference_metrics("model_gbm_prostate_enum.json")
    y, p1, _ = binomial_data(n=1000)
    m = metrics.binomial(y, p1, ["0", "1"])
    for field in ("thresholds_and_metric_scores", "max_criteria_and_metric_scores", "gains_lift_table"):
        mine = two_dim_table(m[field])
        assert mine["name"] == reference[field]["name"]
        assert column_specs(mine) == column_specs(reference[field])
    assert two_dim_table(m["max_criteria_and_metric_scores"])["data"][0] == \
        reference["max_criteria_and_metric_scores"]["data"][0]
    assert len(m["gains_lift_table"].rows) == 16
    assert m["gains_lift_table"].column("cumulative_data_fraction")[-1] == 1.0
    cm = two_dim_table(m["cm"]["table"])
    ref_cm = reference["cm"]["table"]
    assert (cm["name"], cm["description"], cm["rowcount"]) == (ref_cm["name"], ref_cm["description"], 3)
    assert column_specs(cm, skip_format={"Rate"}) == column_specs(ref_cm, skip_format={"Rate"})
    assert set(reference) >= set(m) - {"default_threshold"}


def test_confusion_matrix_rate_column_as_h2o_prints_it():
    ref_cm = reference_metrics("model_gbm_prostate_enum.json")["cm"]["table"]
    table = metrics.confusion_matrix_table([[212, 15], [17, 136]], ["0", "1"])
    assert_table_matches(table, ref_cm)
    big = metrics.confusion_matrix_table([[1_000_000, 2_500], [12, 3]], ["0", "1"])
    assert big.rows[2][-1] == "2,512 / 1,002,515"
    assert big.columns[-1].format == "= %17s"


def test_multinomial_tables_have_the_reference_layout():
    reference = reference_metrics("model_gbm_iris.json")
    y, probs, _ = multinomial_data(n=300, k=3)
    domain = ["Iris-setosa", "Iris-versicolor", "Iris-virginica"]
    m = metrics.multinomial(y, probs, domain)
    hits = two_dim_table(m["hit_ratio_table"])
    assert (hits["name"], hits["description"]) == (reference["hit_ratio_table"]["name"], "")
    assert column_specs(hits) == column_specs(reference["hit_ratio_table"])
    assert column_specs(two_dim_table(m["cm"]["table"]), skip_format={"Rate"}) == \
        column_specs(reference["cm"]["table"], skip_format={"Rate"})
    assert set(reference) >= set(m) - {"domain"}


def test_regression_fields_are_the_references():
    reference = reference_metrics("model_gbm_prostate_regression.json")
    assert set(reference) >= set(metrics.regression([1.0, 2.0], [1.5, 2.5]))


@pytest.mark.parametrize("model, category, fold_metrics", [
    ("model_gbm_prostate_enum.json", "Binomial", lambda: metrics.binomial(*binomial_data(n=200)[:2], ["0", "1"])),
    ("model_gbm_prostate_regression.json", "Regression", lambda: metrics.regression(*regression_data(n=200)[:2])),
])
def test_cross_validation_summary_has_the_reference_rows(model, category, fold_metrics):
    reference = reference_metrics(model, which=None)["cross_validation_metrics_summary"]
    summary = two_dim_table(metrics.cross_validation_summary([fold_metrics() for _ in range(3)], category))
    assert summary["name"] == reference["name"]
    assert column_specs(summary) == column_specs(reference)
    assert summary["data"][0] == reference["data"][0]


def test_multinomial_cross_validation_summary_rows():
    y, probs, _ = multinomial_data(n=300, k=3)
    folds = [metrics.multinomial(y, probs, list("abc")) for _ in range(2)]
    summary = metrics.cross_validation_summary(folds, "Multinomial")
    assert summary.column("") == ["accuracy", "aic", "auc", "err", "err_count", "loglikelihood", "logloss",
                                  "max_per_class_error", "mean_per_class_accuracy", "mean_per_class_error",
                                  "mse", "pr_auc", "r2", "rmse"]
    assert summary.column("sd")[summary.column("").index("mse")] == 0.0
