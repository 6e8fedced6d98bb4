"""DeepSHAP of a Deep Learning network against background rows: the rescale rule, as H2O-3 3.46.

For one row x and one background row b, every layer turns a difference of its inputs into a
difference of its outputs, and passes back a multiplier per input ("how much of the output's
change each unit of the input's change explains"):

* a linear layer z = a W + c: its weights;
* a one-input activation (Tanh, Rectifier): Δa / Δz, or the derivative at x when Δz is below
  1e-6 (where the ratio is numerically unstable);
* a Maxout unit (the larger of two channels): the exact Shapley values of max over its two
  channels, each divided by that channel's Δz;
* the output: for regression the output weights (times the response's scale: the network
  learns a standardized response); for a binomial model H2O-3 explains p1 through the class-1
  output alone, Δp1 / Δz1 times that unit's weights, so the values are in probability space.

Multipliers chain by the chain rule back to the inputs, and each input's contribution is its
multiplier times (x - b). Per pair the contributions add up exactly to f(x) - f(b) (the rescale
rule's "summation to delta"); H2O-3 then averages the pairs over the background.
"""

import numpy as np

_UNSTABLE = 1e-6         # H2O-3: below this Δz the activation's derivative replaces Δa / Δz
_MAXOUT_UNSTABLE = 1e-10  # H2O-3 divides Maxout's channel shares by Δz only above this
_PAIRS_PER_BLOCK = 2048   # (row, background row) pairs back-propagated at once: bounded scratch memory


class _Pass:
    """A forward pass in float64: each hidden layer's pre-activations and activations, and the output."""

    def __init__(self, net, weights, biases, X):
        self.z, self.a = [], []
        a = np.asarray(X, dtype=np.float64)
        for W, c in zip(weights[:-1], biases[:-1]):
            z = a @ W + c
            a = _activate(net.activation, z)
            self.z.append(z)
            self.a.append(a)
        self.out = a @ weights[-1] + biases[-1]


def _activate(activation, z):
    if activation == "tanh":
        return np.tanh(z)
    if activation == "rectifier":
        return np.maximum(z, 0.0)
    return z.reshape(len(z), -1, 2).max(axis=2)   # maxout: two channels per unit, side by side


def deep_shap(net, X, B, binomial, per_reference):
    """Contributions of every network input and the bias they start from.

    Returns ``(values, bias)``: values (rows × background rows, inputs) in row-major pairs when
    ``per_reference``, else averaged over the background (rows, inputs); bias the background's
    output (margin for regression, p1 for binomial) per pair or averaged. Regression values are
    margins (the prediction before the inverse link), binomial ones probabilities.
    """
    weights = [np.asarray(W, dtype=np.float64) for W in net.weights]
    biases = [np.asarray(c, dtype=np.float64) for c in net.biases]
    X, B = np.asarray(X, dtype=np.float64), np.asarray(B, dtype=np.float64)
    fx, fb = _Pass(net, weights, biases, X), _Pass(net, weights, biases, B)
    n, m = len(X), len(B)
    background_output = _output(net, fb, binomial)
    values = np.empty((n * m if per_reference else n, X.shape[1]))
    rows_per_block = max(1, _PAIRS_PER_BLOCK // max(m, 1))
    for start in range(0, n, rows_per_block):
        rows = np.arange(start, min(n, start + rows_per_block))
        i, k = np.repeat(rows, m), np.tile(np.arange(m), len(rows))
        multipliers = _backward(net, weights, fx, fb, i, k, binomial)
        pair_values = multipliers * (X[i] - B[k])
        if per_reference:
            values[start * m:(start + len(rows)) * m] = pair_values
        else:
            values[rows] = pair_values.reshape(len(rows), m, -1).mean(axis=1)
    bias = np.tile(background_output, n) if per_reference else np.full(n, background_output.mean())
    return values, bias


def _output(net, state, binomial):
    """What the contributions explain: p1 (binomial) or the margin (regression)."""
    if binomial:
        return _p1(state.out)
    margin = state.out[:, 0]
    return margin * net.response_scale + net.response_shift if net.link == "identity" else margin


def _p1(z):
    return 1.0 / (1.0 + np.exp(z[:, 0] - z[:, 1]))


def _backward(net, weights, fx, fb, i, k, binomial):
    """Multipliers of the inputs for the pairs (row i, background row k)."""
    last = weights[-1]
    if binomial:
        dz = fx.out[i, 1] - fb.out[k, 1]
        p1x = _p1(fx.out)[i]
        dp = p1x - _p1(fb.out)[k]
        safe = np.abs(dz) > _UNSTABLE
        ratio = np.where(safe, dp / np.where(safe, dz, 1.0), p1x * (1.0 - p1x))
        m = ratio[:, None] * last[:, 1][None, :]
    else:
        scale = net.response_scale if net.link == "identity" else 1.0
        m = np.broadcast_to(last[:, 0] * scale, (len(i), last.shape[0]))
    for layer in range(len(weights) - 2, -1, -1):
        zx, zb = fx.z[layer][i], fb.z[layer][k]
        if net.activation == "maxout":
            m = _through_maxout(m, zx, zb)
        else:
            m = m * _rescale(net.activation, zx, zb, fx.a[layer][i] - fb.a[layer][k])
        m = m @ weights[layer].T
    return m


def _rescale(activation, zx, zb, da):
    dz = zx - zb
    if activation == "tanh":
        derivative = 1.0 - np.tanh(zx) ** 2
    else:
        derivative = (zx > 0).astype(np.float64)
    safe = np.abs(dz) > _UNSTABLE
    return np.where(safe, da / np.where(safe, dz, 1.0), derivative)


def _through_maxout(m, zx, zb):
    """Multipliers of a Maxout layer's channels: the exact Shapley split of max(x0, x1) - max(b0, b1)
    between the two channels (a two-player game), per unit of each channel's change."""
    pairs = len(zx)
    x, b = zx.reshape(pairs, -1, 2), zb.reshape(pairs, -1, 2)
    both = np.maximum(x[..., 0], x[..., 1]) - np.maximum(b[..., 0], b[..., 1])
    swapped = np.maximum(x[..., 0], b[..., 1]) - np.maximum(b[..., 0], x[..., 1])
    shares = np.stack([0.5 * (both + swapped), 0.5 * (both - swapped)], axis=2)
    dz = x - b
    safe = np.abs(dz) >= _MAXOUT_UNSTABLE
    per_channel = np.where(safe, shares / np.where(safe, dz, 1.0), 0.0)
    return (m[..., None] * per_channel).reshape(pairs, -1)
