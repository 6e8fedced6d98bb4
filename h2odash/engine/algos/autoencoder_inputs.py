"""What a Deep Learning autoencoder reconstructs: its inputs, laid out and scaled as H2O-3 does.

H2O-3 feeds an autoencoder every level of each categorical column plus one more input that is
1 when the value is missing (or a level the training frame did not have), named
``<col>.missing(NA)``; categoricals come first, the one with most levels first, then the
numeric columns in frame order. With ``standardize`` (the default) numeric inputs are
normalized, ``(x - mean) / (max - min)`` over the training frame, so every input has about the
same range as a one-hot one; a missing number stands at its column's mean.

The reconstruction, the per-row and per-input errors and their column names
(``reconstr_<input>``) are all in this layout.
"""

from dataclasses import dataclass

import numpy as np

from h2odash.engine.model_data import check_columns, column_numbers, level_codes

MISSING_LEVEL = "missing(NA)"


def input_columns(spec):
    """The predictors in H2O's order: categoricals (most levels first), then numbers."""
    enums = [name for name, kind in zip(spec.names, spec.kinds) if kind == "enum"]
    # H2O orders them with pairwise exchanges, not a stable sort: of two categoricals with as
    # many levels, the later one can come first. Doing the same keeps the column names alike.
    for i in range(len(enums)):
        for j in range(i + 1, len(enums)):
            if len(spec.domains[enums[i]]) < len(spec.domains[enums[j]]):
                enums[i], enums[j] = enums[j], enums[i]
    numbers = [name for name, kind in zip(spec.names, spec.kinds) if kind != "enum"]
    return enums, numbers


def input_names(spec):
    """One name per input: ``col.level`` and ``col.missing(NA)`` for categoricals, ``col`` else."""
    enums, numbers = input_columns(spec)
    names = []
    for name in enums:
        names.extend(f"{name}.{level}" for level in [*spec.domains[name], MISSING_LEVEL])
    return names + numbers


def missing_level_inputs(spec):
    """Indices of the ``col.missing(NA)`` inputs."""
    return [j for j, name in enumerate(input_names(spec)) if name.endswith(f".{MISSING_LEVEL}")]


def input_matrix(frame, spec, rows=None):
    """A frame's inputs in H2O's layout, numbers still in their own units (mean-imputed)."""
    check_columns(frame, spec, need_response=False)
    enums, numbers = input_columns(spec)
    blocks = []
    for name in enums:
        codes = level_codes(frame, frame.names.index(name), spec.domains[name], rows)
        levels = len(spec.domains[name])
        onehot = np.zeros((len(codes), levels + 1))
        onehot[np.arange(len(codes)), np.where(codes >= 0, codes, levels)] = 1.0
        blocks.append(onehot)
    for name in numbers:
        values = column_numbers(frame, frame.names.index(name), rows)
        blocks.append(np.where(np.isfinite(values), values, _mean(spec, name))[:, None])
    return np.hstack(blocks)


def _mean(spec, name):
    mean = spec.means.get(name, 0.0)
    return mean if mean is not None and np.isfinite(mean) else 0.0


@dataclass
class Scaling:
    """Per-input shift and scale: ``normalized = (x - shift) / scale`` (one-hot inputs: 0 and 1)."""

    shift: np.ndarray
    scale: np.ndarray

    @classmethod
    def learn(cls, X, spec, normalize):
        """H2O's NORMALIZE from the training inputs ``X`` (or none at all without ``normalize``)."""
        enums, numbers = input_columns(spec)
        shift, scale = np.zeros(X.shape[1]), np.ones(X.shape[1])
        if normalize and numbers:
            first = X.shape[1] - len(numbers)
            span = X[:, first:].max(axis=0) - X[:, first:].min(axis=0) if len(X) else np.ones(len(numbers))
            shift[first:] = [_mean(spec, name) for name in numbers]
            scale[first:] = np.where(span > 0, span, 1.0)
        return cls(shift, scale)

    def normalized(self, X):
        return ((np.asarray(X, dtype=np.float64) - self.shift) / self.scale).astype(np.float32)

    def restored(self, Z):
        """Normalized values back in the inputs' own units."""
        return np.asarray(Z, dtype=np.float64) * self.scale + self.shift
