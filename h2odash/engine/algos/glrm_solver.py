"""GLRM's numerical side: the loss of XY over a frame's cells, the starting X and Y, the
alternating minimization, X for rows the model has not seen, and the SVD of XY.

The functions read a :class:`h2odash.engine.algos.glrm.Design` (which column of Y is which
loss, block or number) and never a frame: everything here is matrices.
"""

import math
import warnings
from dataclasses import dataclass

import numpy as np

from h2odash.engine.algos import kmeans
from h2odash.engine.algos.base import Monitor, TrainingSet
from h2odash.engine.errors import InvalidArgument
from h2odash.engine.model_data import column_numbers, level_codes

# X for unseen rows (H2O-3's GLRMGenX): at most this many gradient steps per row, each trying
# the step sizes 1/2 ... 1/2^10 and keeping the best, until a step gains less than this share.
NEW_ROWS_ITERATIONS = 100
NEW_ROWS_STEPS = 0.5 ** np.arange(1, 11)
NEW_ROWS_TOLERANCE = 1e-10
# Lloyd iterations of the k-means++ start (k-means' own default): a start needs no exact clustering.
KMEANS_START_ITERATIONS = 10


class Problem:
    """The loss of XY on a set of rows: numeric cells (transformed, NaN where missing, in
    the design's number order) and each block's observed level (-1 where missing)."""

    def __init__(self, design, values, codes):
        self.design = design
        self.observed = ~np.isnan(values)
        self.values = np.where(self.observed, values, 0.0)
        self.codes = codes
        self.gaps = not self.observed.all()
        groups = {}
        for j, number in enumerate(design.numbers):
            groups.setdefault(number.loss.name, (number.loss, []))[1].append(j)
        # Columns sharing a loss are computed together: (loss, their cells, their columns of U).
        self.groups = [(loss, _columns(columns, 0), _columns(columns, design.offset))
                       for loss, columns in groups.values()]

    def __len__(self):
        return len(self.values)

    @property
    def cells(self):
        """Cells of the frame, missing or not (H2O-3 averages the objective's change over them)."""
        return len(self) * (len(self.design.numbers) + len(self.design.blocks))

    @property
    def complete(self):
        return bool(self.observed.all()) and bool((self.codes >= 0).all())

    def rows(self, index):
        subset = Problem.__new__(Problem)
        subset.design, subset.groups, subset.gaps = self.design, self.groups, self.gaps
        subset.observed, subset.values, subset.codes = self.observed[index], self.values[index], self.codes[index]
        return subset

    def row_losses(self, U):
        """Each row's loss over its observed cells, for the fitted U = XY."""
        total = np.zeros(len(U))
        with np.errstate(over="ignore", invalid="ignore"):
            for loss, cells, fitted in self.groups:
                total += self._observed(loss.loss(U[:, fitted], self.values[:, cells]), cells).sum(axis=1)
        for j, block in enumerate(self.design.blocks):
            present = self.codes[:, j] >= 0
            total[present] += block.loss.row_loss(U[present, block.columns], self.codes[present, j])
        return total

    def loss(self, U):
        return float(self.row_losses(U).sum())

    def gradient(self, U):
        """d loss / d U, zero at missing cells."""
        G = np.zeros_like(U)
        with np.errstate(over="ignore", invalid="ignore"):
            for loss, cells, fitted in self.groups:
                G[:, fitted] = self._observed(loss.gradient(U[:, fitted], self.values[:, cells]), cells)
        for j, block in enumerate(self.design.blocks):
            present = self.codes[:, j] >= 0
            G[present, block.columns] = block.loss.gradient(U[present, block.columns], self.codes[present, j])
        return G

    def _observed(self, matrix, cells):
        """The matrix with its missing cells zeroed."""
        return np.where(self.observed[:, cells], matrix, 0.0) if self.gaps else matrix

    def dense(self):
        """The cells as one matrix in Y's columns (blocks one-hot), gaps filled with column
        means: what the SVD start decomposes and the components' variance is measured on."""
        E = np.empty((len(self), self.design.width))
        for j, block in enumerate(self.design.blocks):
            codes = self.codes[:, j]
            E[:, block.columns] = np.where((codes >= 0)[:, None], np.eye(len(block.levels))[np.maximum(codes, 0)],
                                           np.nan)
        E[:, self.design.offset:] = np.where(self.observed, self.values, np.nan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)   # an all-missing column has no mean: 0
            means = np.nan_to_num(np.nanmean(E, axis=0)) if len(E) else np.zeros(E.shape[1])
        return np.where(np.isnan(E), means[None, :], E)


def _columns(indices, offset):
    """Column positions plus offset, as a slice when they are consecutive (no copy to index)."""
    indices = np.asarray(indices) + offset
    if len(indices) and (np.diff(indices) == 1).all():
        return slice(int(indices[0]), int(indices[-1]) + 1)
    return indices


# -- the start -----------------------------------------------------------------------------------
def start(design, problem, cells, params, inputs, reg_x, reg_y, rng):
    """Starting X and Y by H2O-3's init methods, each moved to where its regularizer is finite.

    With quadratic losses, no missing cell and at most quadratic penalties, X then becomes the
    exact least-squares answer for that Y (unless the user gave X)."""
    k, init = params["k"], params["init"]
    X = Y = None
    if init == "User":
        if inputs.get("user_y") is not None:
            Y = _user_y(inputs["user_y"], design, params)
        if inputs.get("user_x") is not None:
            X = _user_x(inputs["user_x"], len(cells), k)
    elif init == "SVD":
        X, Y = _svd_start(problem.dense(), k)
    elif init == "PlusPlus":
        X, Y = _kmeans_start(design, cells, params, rng)
    if Y is None or not np.isfinite(Y).all() or not Y.any():
        Y = rng.standard_normal((k, design.width))
    Y = reg_y.project(Y.T).T
    user_x = X is not None and init == "User"
    if not user_x:
        X = reg_x.project(rng.standard_normal((len(cells), k)) if X is None else X)
    if problem.complete and _least_squares(problem, reg_x) and not (reg_y.active and reg_y.name != "Quadratic") \
            and not user_x:
        X = _least_squares_rows(problem, Y, reg_x)
    return X, Y


def _least_squares(problem, reg_x):
    """Whether the best X for a given Y is a least-squares solution: quadratic losses only,
    and at most a quadratic penalty on X."""
    quadratic = not problem.design.blocks and all(n.loss.name == "Quadratic" for n in problem.design.numbers)
    return quadratic and (not reg_x.active or reg_x.name == "Quadratic")


def _least_squares_rows(problem, Y, reg_x):
    """Each row's best x for Y under quadratic losses: (sum over its observed cells of
    y_j y_j' + gamma I) x = sum of a_j y_j, solved for all rows at once."""
    n, k = len(problem), len(Y)
    gamma = reg_x.gamma if reg_x.active else 0.0
    observed = problem.observed.astype(float)
    outer = np.einsum("kj,lj->jkl", Y, Y).reshape(Y.shape[1], k * k)
    gram = (observed @ outer).reshape(n, k, k) + gamma * np.eye(k)
    right = (observed * problem.values) @ Y.T
    # A row with fewer observed cells than k has many best x: the pseudo-inverse picks the shortest.
    return (np.linalg.pinv(gram) @ right[:, :, None])[:, :, 0]


def _svd_start(dense, k):
    """X = U D^1/2 and Y = D^1/2 V' from the frame's first k singular triples."""
    U, d, Vt = np.linalg.svd(dense, full_matrices=False)
    r = min(k, len(d))
    X, Y = np.zeros((len(dense), k)), np.zeros((k, dense.shape[1]))
    root = np.sqrt(d[:r])
    X[:, :r], Y[:r] = U[:, :r] * root, root[:, None] * Vt[:r]
    return X, Y


def _kmeans_start(design, cells, params, rng):
    """PlusPlus: k-means++ clustering of the standardized frame, as H2O-3 runs it; Y is the
    centers in GLRM's columns, X each row's cluster indicator."""
    spec, k = design.spec, params["k"]
    numeric = [name for name, kind in zip(spec.names, spec.kinds) if kind != "enum"]
    means = np.array([spec.means.get(n, 0.0) for n in numeric])
    sigmas = np.array([spec.sigmas.get(n) or 1.0 for n in numeric], dtype=float)
    sigmas = np.where(np.isfinite(sigmas) & (sigmas > 0), sigmas, 1.0)
    points = kmeans.Points((cells.numbers - means) / sigmas, cells.codes)
    km_params = kmeans.ALGORITHM.parameters.resolve({
        "training_frame": "glrm_start", "k": k, "init": "PlusPlus", "standardize": True,
        "max_iterations": min(params["max_iterations"], KMEANS_START_ITERATIONS),
        "seed": int(rng.integers(0, 2 ** 31 - 1)),
    })
    clustering = kmeans.ALGORITHM.fit(TrainingSet(points, None, np.ones(len(cells)), spec), km_params, Monitor())
    numbers, codes = clustering.centers.numeric * sigmas + means, clustering.centers.codes
    Y = np.zeros((k, design.width))
    for block in design.blocks:
        Y[np.arange(k), block.start + codes[:, block.source]] = 1.0
    for j, number in enumerate(design.numbers):
        center = codes[:, number.source] if number.categorical else numbers[:, number.source]
        Y[:, design.offset + j] = (center - number.sub) * number.mul
    X = np.eye(k)[clustering.predict_columns(points)["predict"]]
    return X, Y


def _user_y(frame, design, params):
    """init=User's Y: k rows of the training columns (a categorical one gives the level whose
    column of Y is 1), or without expand_user_y, of Y's own columns. Taken as given: in the
    transformed units."""
    spec, k = design.spec, params["k"]
    expected = len(spec.names) if params["expand_user_y"] else design.width
    if frame.nrows != k or len(frame.names) != expected:
        raise InvalidArgument("user_y", f"user_y must have k = {k} rows and {expected} columns; it has "
                                        f"{frame.nrows} x {len(frame.names)}.")
    if not params["expand_user_y"]:
        Y = np.column_stack([column_numbers(frame, c) for c in range(expected)])
    else:
        Y = np.zeros((k, design.width))
        position = {name: c for c, name in enumerate(spec.names)}
        for block in design.blocks:
            codes = _user_levels(frame, position[block.name], block.levels)
            Y[np.arange(k), block.start + np.maximum(codes, 0)] = np.where(codes >= 0, 1.0, np.nan)
        for j, number in enumerate(design.numbers):
            c = position[number.name]
            Y[:, design.offset + j] = (_user_levels(frame, c, spec.domains[number.name]) if number.categorical
                                       else column_numbers(frame, c))
    _check_user_matrix(Y, "user_y")
    return Y


def _user_levels(frame, column, levels):
    """A user_y column's levels as codes: by name when categorical, as numbers 0, 1, ... else."""
    if frame.types[column] in ("enum", "string"):
        return level_codes(frame, column, levels)
    values = column_numbers(frame, column)
    valid = (values >= 0) & (values < len(levels)) & (values == np.round(values))
    return np.where(valid, values, -1).astype(np.int64)


def _user_x(frame, nrows, k):
    if frame.nrows != nrows or len(frame.names) != k:
        raise InvalidArgument("user_x", f"user_x must have the training frame's {nrows} rows and k = {k} columns; "
                                        f"it has {frame.nrows} x {len(frame.names)}.")
    X = np.column_stack([column_numbers(frame, c) for c in range(k)])
    _check_user_matrix(X, "user_x")
    return X


def _check_user_matrix(matrix, argument):
    if not np.isfinite(matrix).all():
        raise InvalidArgument(argument, f"{argument} has missing or unknown values; every cell is needed.")
    if not matrix.any():
        raise InvalidArgument(argument, f"{argument} is all zeros.")


# -- the learning --------------------------------------------------------------------------------
@dataclass
class Solution:
    X: np.ndarray
    Y: np.ndarray
    iterations: int
    updates: int
    objective: float
    avg_change_obj: float
    step_size: float


def alternate(problem, X, Y, reg_x, reg_y, params, monitor):
    """Alternating proximal gradient steps on X and Y, with H2O-3's step-size rule."""
    columns = len(problem.design.numbers) + len(problem.design.blocks)
    max_iterations, max_updates = params["max_iterations"], params["max_updates"]
    U = X @ Y
    objective = problem.loss(U) + reg_x.value(X) + reg_y.value(Y.T)
    step, streak = params["init_step_size"], 0
    iterations = updates = 0
    change = 0.0
    while iterations < max_iterations and updates < max_updates and step > params["min_step_size"]:
        alpha = step / columns
        X_new = reg_x.prox(X - alpha * problem.gradient(U) @ Y.T, alpha)
        updates += 1
        Y_new = Y
        if updates < max_updates:   # an odd max_updates ends on an X step
            Y_new = reg_y.prox((Y - alpha * X_new.T @ problem.gradient(X_new @ Y)).T, alpha).T
            updates += 1
        U_new = X_new @ Y_new
        candidate = problem.loss(U_new) + reg_x.value(X_new) + reg_y.value(Y_new.T)
        change = (objective - candidate) / problem.cells
        iterations += 1
        if change > 0:   # better: keep it, and be bolder
            X, Y, U, objective = X_new, Y_new, U_new, candidate
            step *= 1.05
            streak = max(1, streak + 1)
        else:            # not better (or not finite): undo it, shrinking harder the more failures repeat
            step /= max(1.5, -streak)
            streak = min(0, streak - 1)
        go_on = monitor.record(iterations, max_iterations,
                               {"iterations": iterations - 1, "step_size": step, "objective": objective})
        if not go_on:
            break
    return Solution(X, Y, iterations, updates, objective, change, step)


def fit_rows(problem, Y, reg_x, rng):
    """X for rows the model has not seen, Y fixed (H2O-3's GLRMGenX): from a random start,
    gradient steps where each row keeps the best of several step sizes, until none gains.
    Under quadratic losses each row's best x is solved for directly instead."""
    if _least_squares(problem, reg_x):
        return _least_squares_rows(problem, Y, reg_x)
    X = reg_x.project(rng.standard_normal((len(problem), len(Y))))
    objective = problem.row_losses(X @ Y) + reg_x.row_values(X)
    active = np.arange(len(problem))
    for _ in range(NEW_ROWS_ITERATIONS):
        active = active[objective[active] > 0]
        if not len(active):
            break
        rows, X_rows, before = problem.rows(active), X[active], objective[active]
        gradient = rows.gradient(X_rows @ Y) @ Y.T
        scale = np.where(before > 10, 1.0 / before, 1.0)[:, None]   # large losses take smaller steps
        best, best_X = np.full(len(active), np.inf), X_rows
        for fraction in NEW_ROWS_STEPS:
            steps = fraction * scale
            candidate = reg_x.prox(X_rows - steps * gradient, steps)
            value = rows.row_losses(candidate @ Y) + reg_x.row_values(candidate)
            better = value < best
            best = np.where(better, value, best)
            best_X = np.where(better[:, None], candidate, best_X)
        improved = best < before
        X[active[improved]] = best_X[improved]
        objective[active[improved]] = best[improved]
        gain = np.where(improved, 1 - best / before, 0.0)
        active = active[improved & (gain >= NEW_ROWS_TOLERANCE)]
    return X


def components(X, Y, problem):
    """(singular values of XY, standard deviations, shares of the frame's variance,
    eigenvectors), from QR factors of X and Y' without forming XY."""
    n, k = X.shape
    r_x = np.linalg.qr(X, mode="r")
    q_y, r_y = np.linalg.qr(Y.T)
    _, singular, vt = np.linalg.svd(r_x @ r_y.T)
    singular = np.pad(singular, (0, k - len(singular)))   # fewer rows than k: the rest are 0
    dof = n - 1 if n > 1 else 1
    std = singular / math.sqrt(dof)
    total = float((problem.dense() ** 2).sum()) / dof
    explained = float((std ** 2).sum())
    if explained > total > 0:   # as H2O-3 does, so that the shares cannot pass 1
        std = std * math.sqrt(total / explained)
    share = std ** 2 / total if total > 0 else np.zeros(len(std))
    return singular, std, share, q_y @ vt.T
