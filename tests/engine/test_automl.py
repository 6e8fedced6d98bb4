"""AutoML, grids and stacked ensembles at the engine level: plain function calls, no HTTP."""

import json

import pyarrow as pa
import pytest

from h2odash.engine.automl import AutoMLSpec, start_automl
from h2odash.engine.errors import InvalidArgument
from h2odash.engine.frames import Frame
from h2odash.engine.grid import start_grid
from tests.engine.algos.training_sets import prostate_engine


@pytest.fixture(scope="module")
def engine():
    eng = prostate_engine()
    yield eng
    eng.shutdown()


def _spec(**changes):
    return AutoMLSpec(**{"training_frame": "prostate", "response": "CAPSULE", "ignored_columns": ("ID",),
                         "max_models": 3, "seed": 5, "nfolds": 3, **changes})


def test_run_ranks_models_and_stacks_them(engine):
    run, job = start_automl(engine, _spec())
    assert job.wait(180) and job.status == "DONE", job.exception
    board = run.leaderboard()
    assert board.sort_metric == "auc" and board.columns[0] == "auc"
    names = [m.key.split("_")[0] for m, _ in board.rows]
    # One model of each family: an AllModels ensemble would stack the BestOfFamily's models again,
    # so, as in H2O-3, it is skipped.
    assert sorted(names) == ["GBM", "GLM", "StackedEnsemble", "XGBoost"]
    assert any("Skipping StackedEnsemble 'all_xglm'" in e.message for e in run.events())
    aucs = [values[0] for _, values in board.rows]
    assert aucs == sorted(aucs, reverse=True)
    assert engine.store.get(run.leaderboard_frame_key, Frame).nrows == 4
    assert any("New leader" in e.message for e in run.events())


def test_ensembles_stack_as_h2o_automl_does(engine):
    run, job = start_automl(engine, _spec())
    assert job.wait(180) and job.status == "DONE", job.exception
    ensemble = next(m for m, _ in run.leaderboard().rows if m.algo == "stackedensemble")
    params = ensemble.params
    # Logits of the class probabilities, a GLM choosing alpha 0.5 or 1 and searching lambda,
    # cross-validated on as many folds as the base models, dealt at random by the seed.
    assert params["metalearner_transform"] == "Logit"
    # It keeps what the run keeps of cross-validation (nothing by default).
    assert json.loads(params["metalearner_params"]) == {"alpha": [0.5, 1.0], "lambda_search": True,
                                                        "keep_cross_validation_models": False,
                                                        "keep_cross_validation_predictions": False}
    assert params["metalearner_nfolds"] == 3 and not params.get("metalearner_fold_assignment")
    metalearner = ensemble.fitted.metalearner
    assert metalearner.params["standardize"] is False and metalearner.params["non_negative"] is True
    assert metalearner.params["fold_assignment"] == "AUTO" and metalearner.params["seed"] == 5
    assert ensemble.cross_validation_metrics is metalearner.cross_validation_metrics


def test_the_glm_step_searches_lambda_unhindered_by_the_runs_stopping_criteria(engine):
    run, job = start_automl(engine, _spec(include_algos=("GLM",), max_models=1))
    assert job.wait(120) and job.status == "DONE", job.exception
    (glm, scored), = run.models()
    # The same GLM trained directly: H2O's AutoML alphas and lambda search on the run's folds,
    # with no stopping_rounds to end the search on a fold's holdout after a few lambdas.
    direct = engine.train("glm", {"training_frame": "prostate", "response_column": "CAPSULE", "ignored_columns": ["ID"],
                                  "seed": 5, "nfolds": 3, "fold_assignment": "Modulo", "lambda_search": True,
                                  "alpha": [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]})
    assert direct.wait(120) and direct.status == "DONE", direct.exception
    expected = engine.store.find(direct.dest_key).cross_validation_metrics
    assert glm.params["stopping_rounds"] == 0
    assert scored["AUC"] == pytest.approx(expected["AUC"], abs=1e-12)


def test_a_fold_column_deals_the_folds_of_every_model(engine):
    prostate = engine.store.get("prostate", Frame)
    ids = prostate.table.column("ID").to_numpy()
    with_folds = prostate.table.append_column("fold", pa.array(ids % 3))
    engine.store.put("prostate_folds", Frame("prostate_folds", with_folds, [*prostate.types, "int"]))
    run, job = start_automl(engine, _spec(training_frame="prostate_folds", nfolds=-1, fold_column="fold",
                                          ignored_columns=("ID",)))
    assert job.wait(180) and job.status == "DONE", job.exception
    assert any("Fold column fold will be used" in e.message and e.level == "WARN" for e in run.events())
    models = [m for m, _ in run.leaderboard().rows]
    base = [m for m in models if m.algo != "stackedensemble"]
    assert len(base) == 3 and all(m.params["fold_column"] == "fold" and not m.params["nfolds"] for m in base)
    ensemble = next(m for m in models if m.algo == "stackedensemble")
    assert ensemble.params["metalearner_fold_column"] == "fold"


def test_a_failing_model_is_logged_and_the_run_goes_on(engine, monkeypatch):
    from h2odash.engine import automl

    broken = automl.Step("GBM", "def_5", 1, params={"ntrees": 10, "max_depth": -4})
    monkeypatch.setattr(automl, "PLAN", [broken] + [s for s in automl.PLAN if s.id == "def_1" and s.family == "GLM"])
    run, job = start_automl(engine, _spec(max_models=2))
    assert job.wait(120) and job.status == "DONE", job.exception
    assert [m.algo for m, _ in run.leaderboard().rows] == ["glm"]
    assert any(e.level == "WARN" and "max_depth" in e.message for e in run.events())


def test_excluding_every_base_family_runs_to_an_empty_leaderboard(engine):
    # As H2O-3: no refusal; the ensembles have no base models and the event log warns.
    run, job = start_automl(engine, _spec(exclude_algos=("GLM", "DRF", "GBM", "XGBoost", "DeepLearning")))
    assert job.wait(60) and job.status == "DONE", job.exception
    assert run.leaderboard().rows == []
    assert [e for e in run.events() if e.level == "WARN"][-1].message.startswith("Empty leaderboard")


def test_requests_that_cannot_run_are_refused_before_the_job(engine):
    with pytest.raises(InvalidArgument, match="nfolds"):
        start_automl(engine, _spec(nfolds=1))


def test_random_grid_stops_at_max_models(engine):
    job = start_grid(engine, "gbm", {"training_frame": "prostate", "response_column": "CAPSULE", "ntrees": 5},
                     {"max_depth": [1, 2, 3, 4], "min_rows": [1.0, 10.0]},
                     {"strategy": "RandomDiscrete", "max_models": 3, "seed": 2}, "g_engine")
    assert job.wait(120) and job.status == "DONE", job.exception
    grid = engine.store.find("g_engine")
    assert len(grid.model_ids) == 3 and len({tuple(v.values()) for v in grid.model_values.values()}) == 3


def test_a_monotonic_ensemble_stacks_the_constrained_models_only(engine):
    # As H2O-3's "monotonic" step: GLM takes no monotone constraints, so only the GBMs are stacked.
    constraints = [{"key": "PSA", "value": 1}, {"key": "VOL", "value": 1}]
    run, job = start_automl(engine, _spec(include_algos=("GLM", "GBM", "StackedEnsemble"),
                                          algo_parameters=(("any", "monotone_constraints", constraints),)))
    assert job.wait(180) and job.status == "DONE", job.exception
    models = [m for m, _ in run.leaderboard().rows]
    gbms = {m.key for m in models if m.algo == "gbm"}
    monotonic = [m for m in models if m.key.startswith("StackedEnsemble_Monotonic")]
    assert len(gbms) == 2 and len(monotonic) == 1
    assert set(monotonic[0].params["base_models"]) == gbms
    # Without constraints there is nothing to stack monotonically.
    run, job = start_automl(engine, _spec(include_algos=("GLM", "GBM", "StackedEnsemble")))
    assert job.wait(180) and job.status == "DONE", job.exception
    assert not [m for m, _ in run.leaderboard().rows if "Monotonic" in m.key]
    assert any("no monotonic model to stack" in e.message for e in run.events())


def test_exploitation_retrains_the_best_gbm_and_keeps_the_better_one_in_its_place(engine):
    from h2odash.engine import ranking

    run, job = start_automl(engine, _spec(include_algos=("GBM",), max_models=2, exploitation_ratio=0.1))
    assert job.wait(180) and job.status == "DONE", job.exception
    assert any(e.name == "start_GBM_lr_annealing" for e in run.events())
    board = [m for m, _ in run.leaderboard().rows]
    assert len(board) == 2   # a replacement, not one more model: max_models holds
    annealed = engine.store.find(f"GBM_lr_annealing_selection_{run.model_suffix}_select_model")
    originals = [engine.store.find(f"GBM_{i}_{run.model_suffix}") for i in (1, 2)]
    if annealed is None:     # it did worse than the best GBM, which stays
        assert set(board) == set(originals)
    else:
        assert annealed.params["learn_rate_annealing"] == 0.99 and annealed in board
        replaced = next(m for m in originals if m not in board)
        assert ranking.value(ranking.model_metrics(annealed), "auc") >= ranking.value(
            ranking.model_metrics(replaced), "auc")
    # exploitation_ratio 0 turns it off.
    run, job = start_automl(engine, _spec(include_algos=("GBM",), max_models=2, exploitation_ratio=0.0))
    assert job.wait(180) and job.status == "DONE", job.exception
    assert not any(e.name == "start_GBM_lr_annealing" for e in run.events())


def test_a_time_budgeted_run_stacks_after_every_group_as_h2o_automl_does(engine):
    """Without max_models, H2O-3's TEN_LAYERED plan: an ensemble after each group of base models
    (none for a group of one model, none that would stack the same models with the same
    metalearner again), and the optional ones with a GBM metalearner."""
    run, job = start_automl(engine, _spec(max_models=0, max_runtime_secs=120,
                                          include_algos=("StackedEnsemble", "GLM", "DRF")))
    assert job.wait(300) and job.status == "DONE", job.exception
    ensembles = {run.step_of(m.key).id: m for m, _ in run.models() if m.algo == "stackedensemble"}
    assert "best_of_family_1" not in ensembles          # group 1 trains the GLM alone
    families = {key: sorted(k.split("_")[0] for k in m.params["base_models"]) for key, m in ensembles.items()}
    assert families["best_of_family_2"] == ["DRF", "GLM"]
    assert families["best_of_family_3"] == ["DRF", "GLM", "XRT"]
    for repeat in ("all_2", "all_3", "best_of_family_4", "best_of_family_5", "all_4", "all_5"):
        assert repeat not in ensembles, repeat        # same base models, same metalearner
    assert ensembles["best_of_family_gbm"].params["metalearner_algorithm"] == "gbm"
    assert ensembles["best_of_family_xglm"].params["metalearner_algorithm"] in (None, "AUTO")
    order = [m.key for m, _ in run.models()]
    xrt = next(k for k in order if k.startswith("XRT"))
    assert order.index(ensembles["best_of_family_2"].key) < order.index(xrt)   # built before group 3


def test_a_run_with_max_models_keeps_the_reproducible_plan(engine):
    run, job = start_automl(engine, _spec(include_algos=("StackedEnsemble", "GLM", "DRF")))
    assert job.wait(300) and job.status == "DONE", job.exception
    steps = {run.step_of(m.key).id for m, _ in run.models() if m.algo == "stackedensemble"}
    assert steps <= {"best_of_family_xglm", "all_xglm"} and steps
