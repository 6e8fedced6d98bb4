"""Contributions of Deep Learning (DeepSHAP) and Stacked Ensemble (G-DeepSHAP) models, against
computations written here from the definitions.

* Deep Learning: the network's output is recomputed here in float64 from its weights; each
  (row, background row) pair must add up to f(x) - f(b), exactly the rescale rule's promise.
  For one hidden layer and one background row the rescale rule has a closed form written here
  with numpy; where the network is linear (every Rectifier unit active on every hybrid row) it
  must equal exact Shapley values, brute-forced here over every subset of inputs.
* Stacked Ensemble: recombined here from the base models' and the metalearner's own
  contributions, each asked of the engine's API as H2O-3's G-DeepSHAP asks them.
"""

import itertools
import json
import math
from dataclasses import replace

import numpy as np
import pytest

from h2odash.engine import Engine
from h2odash.engine.algos.deep_shap import deep_shap
from h2odash.engine.algos.deeplearning import Network
from h2odash.engine.contributions import Request
from h2odash.engine.errors import InvalidArgument
from h2odash.engine.model_data import frame_from_columns
from tests.engine.algos.training_sets import frame_of
from tests.engine.test_contributions import _contributions, _data, _rows, _train


@pytest.fixture(scope="module")
def engine():
    engine = Engine()
    frame = frame_of(_data(), enums=("c", "label", "kind"))
    frame.key = "train"
    engine.store.put("train", frame)
    yield engine
    engine.shutdown()


def _dl(engine, response, activation, hidden=(6, 4), **params):
    return _train(engine, "deeplearning", response, hidden=tuple(hidden), epochs=3, activation=activation, **params)


def _output(net, X, binomial):
    """What DeepSHAP explains, from the weights in float64: p1, or the margin (the prediction
    before the inverse link; a standardized response scaled back)."""
    a = np.asarray(X, dtype=np.float64)
    for W, c in zip(net.weights[:-1], net.biases[:-1]):
        z = a @ W.astype(np.float64) + c
        if net.activation == "tanh":
            a = np.tanh(z)
        elif net.activation == "rectifier":
            a = np.where(z > 0, z, 0.0)
        else:
            a = np.maximum(z[:, 0::2], z[:, 1::2])
    z = a @ net.weights[-1].astype(np.float64) + net.biases[-1]
    if binomial:
        return np.exp(z[:, 1]) / np.exp(z).sum(axis=1)
    return z[:, 0] * net.response_scale + net.response_shift if net.link == "identity" else z[:, 0]


def _features(shap):
    return shap[[c for c in shap.columns if c not in ("BiasTerm", "RowIdx", "BackgroundRowIdx")]]


DL_MODELS = [(response, activation) for response in ("label", "y")
             for activation in ("Tanh", "Rectifier", "Maxout", "TanhWithDropout", "MaxoutWithDropout")]


@pytest.mark.parametrize("response,activation", DL_MODELS, ids=[f"{r}-{a}" for r, a in DL_MODELS])
def test_deep_learning_pairs_add_up_to_the_change_of_output(engine, response, activation):
    model = _dl(engine, response, activation)
    net, binomial = model.fitted.net, response == "label"
    x, background = _rows(engine, 0, 12, "dl_rows"), _rows(engine, 150, 155, "dl_background")
    fx, fb = _output(net, model.layout(x), binomial), _output(net, model.layout(background), binomial)
    pairs = _contributions(engine, model, x, Request(output_per_reference=True), background="dl_background")
    assert len(pairs) == 12 * 5
    np.testing.assert_allclose(_features(pairs).sum(axis=1), np.repeat(fx, 5) - np.tile(fb, 12), atol=1e-9)
    np.testing.assert_allclose(pairs["BiasTerm"], np.tile(fb, 12), atol=1e-9)
    averaged = _contributions(engine, model, x, background="dl_background")
    np.testing.assert_allclose(_features(averaged).to_numpy(),
                               _features(pairs).to_numpy().reshape(12, 5, -1).mean(axis=1), atol=1e-12)
    np.testing.assert_allclose(averaged.sum(axis=1), fx, atol=1e-9)
    # And the model's own (float32) predictions agree.
    raw = model.predict_raw(x)
    np.testing.assert_allclose(averaged.sum(axis=1), raw[:, 1] if binomial else raw, atol=1e-5)


def _hidden_multipliers(activation, zx, zb):
    """Δ(unit's output) / Δ(its input) per hidden input, from the definitions: Δtanh / Δz; for a
    Maxout unit each channel's Shapley share of Δmax (a two-player game) over its own Δz."""
    if activation == "Tanh":
        return (np.tanh(zx) - np.tanh(zb)) / (zx - zb), np.tanh(zx), np.tanh(zb)
    x0, x1, b0, b1 = zx[:, 0::2], zx[:, 1::2], zb[0::2], zb[1::2]
    v = {(): np.maximum(b0, b1), (0,): np.maximum(x0, b1), (1,): np.maximum(b0, x1), (0, 1): np.maximum(x0, x1)}
    share0 = 0.5 * (v[(0,)] - v[()]) + 0.5 * (v[(0, 1)] - v[(1,)])
    share1 = 0.5 * (v[(1,)] - v[()]) + 0.5 * (v[(0, 1)] - v[(0,)])
    ratio = np.empty_like(zx)
    ratio[:, 0::2], ratio[:, 1::2] = share0 / (x0 - b0), share1 / (x1 - b1)
    return ratio, v[(0, 1)], v[()]


ONE_LAYER = [(r, a) for r in ("label", "y") for a in ("Tanh", "Maxout")]


@pytest.mark.parametrize("response,activation", ONE_LAYER, ids=[f"{r}-{a}" for r, a in ONE_LAYER])
def test_one_hidden_layer_matches_the_rescale_rules_closed_form(engine, response, activation):
    model = _dl(engine, response, activation, hidden=(5,))
    net, binomial = model.fitted.net, response == "label"
    x, background = _rows(engine, 0, 8, "dl_eight"), _rows(engine, 40, 41, "dl_one_background")
    X, b = model.layout(x), model.layout(background)[0]
    W1, c1 = net.weights[0].astype(float), net.biases[0].astype(float)
    W2, c2 = net.weights[1].astype(float), net.biases[1].astype(float)
    zx, zb = X @ W1 + c1, b @ W1 + c1
    hidden_ratio, ax, ab = _hidden_multipliers(activation, zx, zb)
    if binomial:
        ox, ob = ax @ W2 + c2, ab @ W2 + c2
        p1x, p1b = 1 / (1 + np.exp(ox[:, 0] - ox[:, 1])), 1 / (1 + np.exp(ob[0] - ob[1]))
        out = ((p1x - p1b) / (ox[:, 1] - ob[1]))[:, None] * W2[:, 1]   # H2O-3: p1 through the class-1 unit
    else:
        out = np.broadcast_to(W2[:, 0] * net.response_scale, ax.shape)
    if activation == "Maxout":
        out = np.repeat(out, 2, axis=1)   # each unit's multiplier reaches both its channels
    expected = ((out * hidden_ratio) @ W1.T) * (X - b)
    shap = _contributions(engine, model, x, background="dl_one_background")
    np.testing.assert_allclose(shap[model.fitted.input_names].to_numpy(), expected, atol=1e-10)
    # The Original layout: categorical columns first, a column per level, one for missing values.
    levels = [f"c.{level}" for level in model.spec.domains["c"]]
    assert list(shap.columns) == levels + ["c.missing(NA)", "a", "b", "d", "e", "BiasTerm"]
    assert (shap["c.missing(NA)"] == 0).all()
    compact = _contributions(engine, model, x, Request(output_format="Compact"), background="dl_one_background")
    assert list(compact.columns) == ["c", "a", "b", "d", "e", "BiasTerm"]
    np.testing.assert_allclose(compact["c"], shap[levels].sum(axis=1), atol=1e-12)


def _exact_shapley(f, x, b):
    """Shapley values of ``f`` at x against b, by brute force over every subset of inputs."""
    p = len(x)
    phi = np.zeros(p)
    for subset in itertools.product([False, True], repeat=p):
        size = sum(subset)
        if size == p:
            continue
        weight = math.factorial(size) * math.factorial(p - size - 1) / math.factorial(p)
        hybrid = np.where(subset, x, b)
        for k in np.flatnonzero(~np.array(subset)):
            with_k = hybrid.copy()
            with_k[k] = x[k]
            phi[k] += weight * (f(with_k[None])[0] - f(hybrid[None])[0])
    return phi


@pytest.mark.parametrize("binomial", [True, False], ids=["binomial", "regression"])
def test_a_linear_network_gives_exact_shapley_values(binomial):
    """Rectifier units that stay active on every hybrid row make the network linear up to the
    output: DeepSHAP must then be exact Shapley values (binomial: those of the class-1 unit's
    logit, scaled to add up to Δp1, as H2O-3 explains p1 through that unit)."""
    rng = np.random.default_rng(3)
    outputs = 2 if binomial else 1
    shapes = [(6, 4), (4, 3), (3, outputs)]
    weights = [rng.normal(size=shape).astype(np.float32) for shape in shapes]
    biases = [np.full(4, 100, np.float32), np.full(3, 100, np.float32), rng.normal(size=outputs).astype(np.float32)]
    net = Network(weights, biases, "rectifier", "softmax" if binomial else "identity", 1.5, 2.0)
    X, B = rng.normal(size=(3, 6)), rng.normal(size=(2, 6))
    values, bias = deep_shap(net, X, B, binomial, per_reference=True)
    class_one = Network(weights[:-1] + [weights[-1][:, -1:]], biases[:-1] + [biases[-1][-1:]], "rectifier", "log")
    for pair, (i, k) in enumerate(itertools.product(range(3), range(2))):
        if binomial:
            exact = _exact_shapley(lambda rows: _output(class_one, rows, False), X[i], B[k])
            exact *= (_output(net, X[i:i + 1], True) - _output(net, B[k:k + 1], True))[0] / exact.sum()
        else:
            exact = _exact_shapley(lambda rows: _output(net, rows, False), X[i], B[k])
        np.testing.assert_allclose(values[pair], exact, atol=1e-9)
    np.testing.assert_allclose(bias, np.tile(_output(net, B, binomial), 3), atol=1e-12)


def test_output_space_of_a_log_link_network_adds_up_to_the_prediction(engine):
    model = _dl(engine, "e", "Tanh", distribution="gamma")
    x = _rows(engine, 0, 10, "dl_ten")
    background = _rows(engine, 60, 64, "dl_four")
    margin = _contributions(engine, model, x, background="dl_four")
    fx, fb = _output(model.fitted.net, model.layout(x), False), _output(model.fitted.net, model.layout(background),
                                                                         False)
    np.testing.assert_allclose(margin.sum(axis=1), fx, atol=1e-9)
    shap = _contributions(engine, model, x, Request(output_space=True), background="dl_four")
    np.testing.assert_allclose(shap["BiasTerm"], np.exp(fb).mean(), atol=1e-9)
    np.testing.assert_allclose(shap.sum(axis=1), np.exp(fx), atol=1e-9)


# -- Stacked Ensembles --------------------------------------------------------------------------
_CV = {"nfolds": 3, "fold_assignment": "Modulo", "keep_cross_validation_predictions": True}


def _ensemble(engine, response, base, **params):
    keys = [_train(engine, algo, response, **_CV, **extra).key for algo, extra in base]
    key = f"se_{response}_{abs(hash((tuple(keys), json.dumps(params, sort_keys=True)))) % 10**6}"
    if key not in engine.store:
        job = engine.train("stackedensemble", {"training_frame": "train", "response_column": response,
                                               "model_id": key, "base_models": keys, **params})
        job.wait(300)
        assert job.status == "DONE", job.exception
    return engine.model(key)


_BASE = [("gbm", {"ntrees": 10, "max_depth": 3}), ("deeplearning", {"hidden": (5,), "epochs": 3})]
# A metalearner that keeps every base model (H2O-3 leaves out those it gives no weight).
_EVERY_BASE_MODEL = {"metalearner_algorithm": "glm", "metalearner_params": json.dumps({"lambda": 0.0})}


def _by_definition(engine, ensemble, x, background, request):
    """G-DeepSHAP from the models' own contributions: per (row, background row) pair, each base
    model's contributions (its output space) times the metalearner's contribution of that model
    over their sum, summed over base models; the bias is the metalearner's."""
    models = [engine.model(m.key) for m in ensemble.fitted.base_models]
    per_pair = Request(output_format=request.output_format, output_space=True, output_per_reference=True)
    base = [_contributions(engine, m, x, per_pair, background=background.key) for m in models]
    level_one = {}
    for name, frame in (("l1_rows", x), ("l1_background", background)):
        columns = {}
        for m in models:
            raw = m.predict_raw(frame)
            columns[m.key] = raw[:, 1] if raw.ndim == 2 else raw
        engine.store.put(name, frame_from_columns(name, columns, {k: "real" for k in columns}))
        level_one[name] = engine.frame(name)
    meta_request = Request(output_format="Compact", output_space=request.output_space, output_per_reference=True)
    meta = _contributions(engine, ensemble.fitted.metalearner, level_one["l1_rows"], meta_request,
                          background="l1_background")
    names = list(_features(base[0]).columns)
    values = np.zeros((len(meta), len(names)))
    for m, found in zip(models, base):
        phi = found[names].to_numpy()
        moved = phi.sum(axis=1)
        values += np.where(np.abs(moved) < 1e-6, 0.0, meta[m.key] / np.where(moved == 0, 1, moved))[:, None] * phi
    return names, values, meta["BiasTerm"].to_numpy()


@pytest.mark.parametrize("response", ["label", "y"])
@pytest.mark.parametrize("output_space", [False, True], ids=["margin", "output_space"])
def test_ensemble_contributions_follow_g_deepshap(engine, response, output_space):
    ensemble = _ensemble(engine, response, _BASE, **_EVERY_BASE_MODEL)
    x, background = _rows(engine, 0, 6, "se_rows"), _rows(engine, 200, 204, "se_background")
    request = Request(output_format="Compact", output_space=output_space)
    names, values, bias = _by_definition(engine, ensemble, x, background, request)
    pairs = _contributions(engine, ensemble, x, replace(request, output_per_reference=True),
                           background="se_background")
    assert list(pairs.columns) == names + ["BiasTerm", "RowIdx", "BackgroundRowIdx"]
    np.testing.assert_allclose(pairs[names].to_numpy(), values, atol=1e-12)
    np.testing.assert_allclose(pairs["BiasTerm"], bias, atol=1e-12)
    averaged = _contributions(engine, ensemble, x, request, background="se_background")
    np.testing.assert_allclose(averaged[names].to_numpy(), values.reshape(6, 4, -1).mean(axis=1), atol=1e-12)
    # Rows add up to the ensemble's margin (logit of p1 for binomial), or its prediction.
    raw = ensemble.predict_raw(x)
    expected = raw if response == "y" else raw[:, 1] if output_space else np.log(raw[:, 1] / (1 - raw[:, 1]))
    np.testing.assert_allclose(averaged.sum(axis=1), expected, atol=1e-9)


def test_ensemble_takes_the_first_base_models_layout(engine):
    ensemble = _ensemble(engine, "label", _BASE[::-1], **_EVERY_BASE_MODEL)   # Deep Learning first
    _rows(engine, 200, 204, "se_background")
    x = _rows(engine, 0, 6, "se_rows")
    original = _contributions(engine, ensemble, x, background="se_background")
    levels = [f"c.{level}" for level in ensemble.spec.domains["c"]] + ["c.missing(NA)"]
    assert list(original.columns) == levels + ["a", "b", "d", "e", "BiasTerm"]
    compact = _contributions(engine, ensemble, x, Request(output_format="Compact"), background="se_background")
    np.testing.assert_allclose(compact["c"], original[levels].sum(axis=1), atol=1e-12)


def test_what_cannot_be_explained_is_refused_with_the_reason(engine):
    dl = _dl(engine, "label", "Tanh")
    with pytest.raises(InvalidArgument, match="DeepLearning supports contribution calculation only with a "
                                              "background frame"):
        engine.contributions(dl.key, "train", as_job=False)
    multinomial = _dl(engine, "kind", "Tanh")
    with pytest.raises(InvalidArgument, match="multinomial Deep Learning"):
        engine.contributions(multinomial.key, "train", background_key="train", as_job=False)
    ensemble = _ensemble(engine, "label", _BASE, **_EVERY_BASE_MODEL)
    with pytest.raises(InvalidArgument, match="StackedEnsemble supports contribution calculation only with a "
                                              "background frame"):
        engine.contributions(ensemble.key, "train", as_job=False)
    # A GLM's one-hot columns (first level dropped, no missing column) and a GBM's cannot be combined.
    mixed = _ensemble(engine, "y", [_BASE[0], ("glm", {})], **_EVERY_BASE_MODEL)
    _rows(engine, 200, 204, "se_background")
    job = engine.contributions(mixed.key, "train", background_key="se_background", destination="never_made")
    job.wait(120)
    assert job.status == "FAILED" and 'output_format="compact"' in str(job.exception)
    assert "never_made" not in engine.store
