"""Re-capture h2o_answers.json from the reference H2O-3 (see README.md); not a test."""
import itertools
import json
import sys
from pathlib import Path

import h2o
import requests
from h2o.estimators import H2OGradientBoostingEstimator

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[3]))
from tools.h2o3 import ReferenceH2O

KEEP = ["MSE", "RMSE", "nobs", "r2", "logloss", "AUC", "pr_auc", "Gini", "mean_per_class_error", "mae", "rmsle",
        "mean_residual_deviance", "cm", "thresholds_and_metric_scores", "max_criteria_and_metric_scores",
        "gains_lift_table", "hit_ratio_table"]


def main():
    answers = {}
    with ReferenceH2O() as server:
        h2o.connect(url=server.url, verbose=False)
        counter = itertools.count()

        def metrics(pred, act, domain=None, distribution=None, weights=None):
            i = next(counter)
            h2o.assign(pred, f"pred{i}")
            h2o.assign(act, f"act{i}")
            data = {"auc_type": "NONE"}
            if domain:
                data["domain"] = json.dumps(domain)
            if distribution:
                data["distribution"] = distribution
            if weights is not None:
                data["weights_frame"] = h2o.assign(weights, f"w{i}").frame_id
            r = requests.post(f"{server.url}/3/ModelMetrics/predictions_frame/pred{i}/actuals_frame/act{i}", data=data)
            assert r.ok, r.text[:2000]
            mm = r.json()["model_metrics"]
            return {k: mm[k] for k in KEEP if k in mm}

        fr = h2o.import_file(str(HERE / "binomial_300.csv"))
        fr["y"] = fr["y"].asfactor()
        answers["binB"] = metrics(fr["p1"], fr["y"], domain=["0", "1"])
        answers["binC"] = metrics(fr["p1"], fr["y"], domain=["0", "1"], weights=fr["w"])
        fr = h2o.import_file(str(HERE / "multinomial_500.csv"))
        fr["y"] = fr["y"].asfactor()
        answers["multiD"] = metrics(fr[["c0", "c1", "c2"]], fr["y"], domain=["0", "1", "2"])
        fr = h2o.import_file(str(HERE / "regression_400.csv"))
        for dist in ["gaussian", "poisson", "gamma", "laplace"]:
            answers[f"regE_{dist}"] = metrics(fr["f"], fr["y"], distribution=dist)
            answers[f"regE_{dist}_w"] = metrics(fr["f"], fr["y"], distribution=dist, weights=fr["w"])

        fr = h2o.import_file(str(HERE.parents[2] / "data" / "prostate.csv"))
        fr["CAPSULE"] = fr["CAPSULE"].asfactor()
        model = H2OGradientBoostingEstimator(ntrees=5, max_depth=3, nfolds=3, seed=1, model_id="bin",
                                             keep_cross_validation_predictions=True,
                                             keep_cross_validation_fold_assignment=True)
        model.train(x=["AGE", "RACE", "PSA", "VOL", "GLEASON", "DPROS", "DCAPS"], y="CAPSULE", training_frame=fr)
        output = requests.get(f"{server.url}/3/Models/bin").json()["models"][0]["output"]
        answers["prostate_cv_binomial_summary"] = output["cross_validation_metrics_summary"]
        folds = [int(r[0]) for r in h2o.as_list(model.cross_validation_fold_assignment(), use_pandas=False)[1:]]
        holdout = [h2o.as_list(p, use_pandas=False) for p in model.cross_validation_predictions()]
        with open(HERE / "prostate_cv_binomial.csv", "w") as f:
            f.write("fold,p1\n")
            for row, fold in enumerate(folds):
                table = holdout[fold]
                f.write(f"{fold},{table[row + 1][table[0].index('p1')]}\n")
    (HERE / "h2o_answers.json").write_text(json.dumps(answers, separators=(",", ":")))


if __name__ == "__main__":
    main()
