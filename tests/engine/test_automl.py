"""AutoML, grids and stacked ensembles at the engine level: plain function calls, no HTTP."""

import pytest

from h2odash.engine import Engine
from h2odash.engine.automl import AutoMLSpec, start_automl
from h2odash.engine.errors import InvalidArgument
from h2odash.engine.frames import Frame
from h2odash.engine.grid import start_grid
from tests.engine.algos.training_sets import frame_of, prostate


@pytest.fixture(scope="module")
def engine():
    eng = Engine()
    frame = frame_of(prostate(), enums=("CAPSULE",))
    eng.store.put("prostate", Frame("prostate", frame.table, frame.types))
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
    assert sorted(names) == ["GBM", "GLM", "StackedEnsemble", "StackedEnsemble", "XGBoost"]
    aucs = [values[0] for _, values in board.rows]
    assert aucs == sorted(aucs, reverse=True)
    assert engine.store.get(run.leaderboard_frame_key, Frame).nrows == 5
    assert any("New leader" in e.message for e in run.events())


def test_a_failing_model_is_logged_and_the_run_goes_on(engine, monkeypatch):
    from h2odash.engine import automl

    broken = automl.Step("GBM", "def_5", 1, params={"ntrees": 10, "max_depth": -4})
    monkeypatch.setattr(automl, "PLAN", [broken] + [s for s in automl.PLAN if s.id == "def_1" and s.family == "GLM"])
    run, job = start_automl(engine, _spec(max_models=2))
    assert job.wait(120) and job.status == "DONE", job.exception
    assert [m.algo for m, _ in run.leaderboard().rows] == ["glm"]
    assert any(e.level == "WARN" and "max_depth" in e.message for e in run.events())


def test_requests_that_cannot_run_are_refused_before_the_job(engine):
    with pytest.raises(InvalidArgument, match="No algorithm is left"):
        start_automl(engine, _spec(exclude_algos=("GLM", "DRF", "GBM", "XGBoost", "DeepLearning")))
    with pytest.raises(InvalidArgument, match="nfolds"):
        start_automl(engine, _spec(nfolds=1))


def test_random_grid_stops_at_max_models(engine):
    job = start_grid(engine, "gbm", {"training_frame": "prostate", "response_column": "CAPSULE", "ntrees": 5},
                     {"max_depth": [1, 2, 3, 4], "min_rows": [1.0, 10.0]},
                     {"strategy": "RandomDiscrete", "max_models": 3, "seed": 2}, "g_engine")
    assert job.wait(120) and job.status == "DONE", job.exception
    grid = engine.store.find("g_engine")
    assert len(grid.model_ids) == 3 and len({tuple(v.values()) for v in grid.model_values.values()}) == 3
