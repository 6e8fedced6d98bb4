"""GLRM's loss functions and regularizers, as H2O-3 defines them, on whole matrices at once.

A numeric loss compares a cell's fitted value u (a row of X times a column of Y) with the
observed a, cell by cell: ``loss(U, A)`` and its derivative ``gradient(U, A)`` with respect
to u are matrices of U's shape, and ``impute(U)`` is the value a that the loss likes best.
Binary columns (0/1) take Logistic or Hinge; categorical columns are a block of one fitted
value per level and take Categorical or Ordinal, which score a whole block against the
observed level.

A regularizer acts on the rows of a matrix (the rows of X, or the columns of Y as rows of
Y'): ``value`` is r(v) of each row, ``prox`` the proximal step of ``delta * r`` and
``project`` puts a starting point where r is finite (non-negative, on the simplex...).
"""

import numpy as np

NUMERIC_LOSSES = ("Quadratic", "Absolute", "Huber", "Poisson", "Periodic")
BINARY_LOSSES = ("Logistic", "Hinge")
CATEGORICAL_LOSSES = ("Categorical", "Ordinal")
REGULARIZERS = ("None", "Quadratic", "L2", "L1", "NonNegative", "OneSparse", "UnitOneSparse", "Simplex")


# -- numeric and binary losses, cell by cell ----------------------------------------------------
class CellLoss:
    """One numeric (or binary) loss; ``period`` is used by Periodic only."""

    def __init__(self, name, period=1):
        self.name = name
        self.frequency = 2 * np.pi / period

    def loss(self, U, A):
        d = U - A
        if self.name == "Quadratic":
            return d * d
        if self.name == "Absolute":
            return np.abs(d)
        if self.name == "Huber":
            return np.where(np.abs(d) <= 1, 0.5 * d * d, np.abs(d) - 0.5)
        if self.name == "Poisson":
            # a log a - a is 0 at a = 0 (its limit).
            safe = np.where(A > 0, A, 1.0)
            return np.exp(U) + np.where(A > 0, -A * U + A * np.log(safe) - A, 0.0)
        if self.name == "Periodic":
            return 1 - np.cos(d * self.frequency)
        sign = 1 - 2 * A      # binary a in {0, 1} as -1 / +1 margins
        if self.name == "Logistic":
            return np.logaddexp(0.0, sign * U)
        return np.maximum(1 + sign * U, 0.0)  # Hinge

    def gradient(self, U, A):
        d = U - A
        if self.name == "Quadratic":
            return 2 * d
        if self.name == "Absolute":
            return np.sign(d)
        if self.name == "Huber":
            return np.clip(d, -1.0, 1.0)
        if self.name == "Poisson":
            return np.exp(U) - A
        if self.name == "Periodic":
            return self.frequency * np.sin(d * self.frequency)
        sign = 1 - 2 * A
        if self.name == "Logistic":
            return sign / (1 + np.exp(-sign * U))
        return np.where(1 + sign * U > 0, sign, 0.0)  # Hinge

    def impute(self, U):
        if self.name == "Poisson":
            return np.exp(U)
        if self.name in BINARY_LOSSES:
            return (U > 0).astype(float)
        return U


# -- categorical losses, one block of levels at a time ------------------------------------------
class BlockLoss:
    """Categorical or Ordinal loss of a column's block U (rows x levels) against level codes."""

    def __init__(self, name):
        self.name = name

    def row_loss(self, U, codes):
        """Loss of each row (codes must be valid levels; the caller masks missing rows)."""
        rows = np.arange(len(U))
        if self.name == "Categorical":
            # Every level but the observed one should sit at or below -1, the observed one at or above 1.
            at = U[rows, codes]
            return np.maximum(1 + U, 0).sum(axis=1) - np.maximum(1 + at, 0) + np.maximum(1 - at, 0)
        below = self._below(U, codes)
        steps = U.shape[1] - 1
        # Each of the first L-1 thresholds costs 1 unless the level lies above it.
        return (below * np.maximum(1 - U[:, :steps], 0)).sum(axis=1) + (1 - below).sum(axis=1)

    def gradient(self, U, codes):
        rows = np.arange(len(U))
        if self.name == "Categorical":
            grad = (1 + U > 0).astype(float)
            grad[rows, codes] = np.where(1 - U[rows, codes] > 0, -1.0, 0.0)
            return grad
        grad = np.zeros_like(U)
        steps = U.shape[1] - 1
        grad[:, :steps] = -(self._below(U, codes) * (1 - U[:, :steps] > 0))
        return grad

    def impute(self, U):
        """The level each row's block likes best."""
        if self.name == "Categorical":
            return U.argmax(axis=1)
        steps = U.shape[1] - 1
        # Loss of answering level a: (L-1) minus the first a thresholds' min(1, u).
        costs = steps - np.concatenate([np.zeros((len(U), 1)), np.cumsum(np.minimum(1, U[:, :steps]), axis=1)],
                                       axis=1)
        return costs.argmin(axis=1)

    @staticmethod
    def _below(U, codes):
        """1 where threshold i lies below the observed level (i < a), for the first L-1 levels."""
        return (np.arange(U.shape[1] - 1)[None, :] < codes[:, None]).astype(float)


# -- regularizers ---------------------------------------------------------------------------
class Regularizer:
    """gamma * r(v) summed over the rows of a matrix, with its proximal step.

    As in H2O-3, a regularizer acts only when gamma > 0 (``project`` aside, which only
    chooses a feasible starting point)."""

    def __init__(self, name, gamma):
        self.name = name
        self.gamma = float(gamma)

    @property
    def active(self):
        return self.name != "None" and self.gamma > 0

    def row_values(self, V):
        """gamma * r(v) of each row (infinite where a constraint is broken)."""
        if not self.active:
            return np.zeros(len(V))
        name = self.name
        if name == "Quadratic":
            r = (V * V).sum(axis=1)
        elif name == "L2":
            r = np.sqrt((V * V).sum(axis=1))
        elif name == "L1":
            r = np.abs(V).sum(axis=1)
        else:
            r = np.where(self._feasible(V), 0.0, np.inf)
        return self.gamma * r

    def value(self, V):
        return float(self.row_values(V).sum())

    def prox(self, V, step):
        """The proximal step of ``step * gamma * r`` on each row; ``step`` is a number or a
        column of per-row steps."""
        if not self.active:
            return V
        delta = np.asarray(step, dtype=float) * self.gamma
        name = self.name
        if name == "Quadratic":
            return V / (1 + 2 * delta)
        if name == "L2":
            norms = np.sqrt((V * V).sum(axis=1, keepdims=True))
            with np.errstate(divide="ignore", invalid="ignore"):
                shrink = np.where(norms > 0, 1 - delta / norms, -1.0)
            return np.where(shrink > 0, shrink, 0.0) * V
        if name == "L1":
            return np.sign(V) * np.maximum(np.abs(V) - delta, 0.0)
        return self._onto_set(V)

    def project(self, V):
        """A starting point where the regularizer is finite (the constraint sets only)."""
        if self.name in ("NonNegative", "OneSparse", "UnitOneSparse", "Simplex"):
            return self._onto_set(V)
        return V

    def _onto_set(self, V):
        """Euclidean projection of each row onto the constraint set (the prox of an indicator)."""
        name = self.name
        if name == "NonNegative":
            return np.maximum(V, 0.0)
        if name == "Simplex":
            return simplex_projection(V)
        out = np.zeros_like(V)
        rows, best = np.arange(len(V)), V.argmax(axis=1)
        if name == "OneSparse":
            # The largest entry stays (a tiny positive one when none is positive), the others go.
            out[rows, best] = np.where(V[rows, best] > 0, V[rows, best], 1e-6)
        else:  # UnitOneSparse: the largest entry becomes 1
            out[rows, best] = 1.0
        return out

    def _feasible(self, V):
        name = self.name
        if name == "NonNegative":
            return (V >= 0).all(axis=1)
        if name == "OneSparse":
            return (V >= 0).all(axis=1) & ((V > 0).sum(axis=1) == 1)
        if name == "UnitOneSparse":
            return ((V == 0) | (V == 1)).all(axis=1) & ((V == 1).sum(axis=1) == 1)
        # Simplex, within rounding of the sum.
        total = V.sum(axis=1)
        return (V >= 0).all(axis=1) & (np.abs(total - 1) <= 1e-10 * V.shape[1] * np.maximum(1, total))


def simplex_projection(V):
    """Each row of V projected onto {x >= 0, sum x = 1} (sort-based, Held et al. / Duchi et al.)."""
    k = V.shape[1]
    ordered = -np.sort(-V, axis=1)
    cumulative = np.cumsum(ordered, axis=1) - 1
    index = np.arange(1, k + 1)
    support = ordered - cumulative / index > 0
    count = k - np.argmax(support[:, ::-1], axis=1)    # the last position still in the support
    theta = cumulative[np.arange(len(V)), count - 1] / count
    return np.maximum(V - theta[:, None], 0.0)
