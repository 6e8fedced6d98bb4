"""K-means clustering as H2O-3 does it: numeric and categorical columns together.

Numeric columns are standardized with the training frame's mean and standard deviation
(``standardize``, on by default). A categorical column adds 1 to a row's squared distance
from a center when the row's level differs from the center's, and a center's level is its
cluster's most common one; so totss, withinss and betweenss count mismatches alongside
squared differences, as H2O-3's do. A row's missing values are skipped and its distance is
scaled up by the share of columns it has, so rows with gaps are not drawn to every center.

Lloyd's iterations run until no row changes cluster or ``max_iterations`` is reached; each
iteration is a row of the scoring history (reassigned rows, within-cluster sum of squares).

With ``cluster_size_constraints`` each iteration assigns rows as H2O-3's constrained k-means
does: the assignment of least total distance that gives cluster j at least ``constraints[j]``
rows, a min-cost flow that H2O-3 solves with a network simplex and this module as the
equivalent transportation linear program (its optimum is integral, see
:func:`_constrained_assignment`). H2O-3 then reports the training metrics of that last
assignment rather than rescoring by nearest center, so the sizes honour the constraints.
"""

from dataclasses import dataclass

import numpy as np
from scipy import optimize, sparse

from h2odash.engine.algos.base import Algorithm, Fitted, refuse_options, seed_of
from h2odash.engine.errors import InvalidArgument
from h2odash.engine.frames import Frame
from h2odash.engine.model_data import CLUSTERING, check_columns, column_numbers, level_codes
from h2odash.engine.parameters import COMMON, CATEGORICAL_ENCODINGS, Parameter as P, ParameterSet, extend
from h2odash.engine.tables import Table, col

# Estimating k: a further cluster must cut the within-cluster sum of squares by this share.
ESTIMATE_K_MIN_REDUCTION = 0.2

_H2O_ORDER = (
    "model_id training_frame validation_frame nfolds keep_cross_validation_models keep_cross_validation_predictions "
    "keep_cross_validation_fold_assignment fold_assignment fold_column ignored_columns ignore_const_cols "
    "score_each_iteration k estimate_k user_points max_iterations standardize seed init max_runtime_secs "
    "categorical_encoding export_checkpoints_dir cluster_size_constraints"
).split()

PARAMETERS = ParameterSet(sorted(extend(
    COMMON,
    P("k", "int", 1, "critical", "Number of clusters (the most tried when estimate_k is on).", gridable=True, min=1),
    P("estimate_k", "boolean", False, "critical",
      "Find the number of clusters (at most k): add clusters one at a time while each cuts the within-cluster "
      "sum of squares by at least 20%. Deterministic; the seed is not used.", gridable=True),
    P("user_points", "Key<Frame>", None, "expert",
      "Frame of starting centers (one row per cluster, the training columns), for init=User."),
    P("max_iterations", "int", 10, "critical", "Most Lloyd iterations per clustering.", gridable=True, min=1),
    P("standardize", "boolean", True, "critical",
      "Scale numeric columns to mean 0 and standard deviation 1 before measuring distances.", gridable=True),
    P("init", "enum", "Furthest", "critical",
      "How the first centers are chosen: Random rows, PlusPlus (k-means++), Furthest (each next center the row "
      "furthest from those chosen) or User (user_points).", values=("Random", "PlusPlus", "Furthest", "User"),
      gridable=True),
    P("cluster_size_constraints", "int[]", None, "expert",
      "Smallest number of rows of each cluster, one value per cluster (k values); rows are then assigned "
      "by a min-cost flow rather than to their nearest center."),
    drop=("response_column", "offset_column", "weights_column", "stopping_rounds", "stopping_metric",
          "stopping_tolerance", "custom_metric_func", "checkpoint", "auc_type", "gainslift_bins"),
    overrides={
        "fold_assignment": {"gridable": True},
        "fold_column": {"gridable": True},
        "validation_frame": {"gridable": True},
        "seed": {"level": "secondary", "gridable": True},
        "max_runtime_secs": {"gridable": True},
        "categorical_encoding": {
            "gridable": True, "values": CATEGORICAL_ENCODINGS,
            "help": "Categorical columns are compared level by level (Enum); other encodings are not implemented.",
        },
    },
).parameters, key=lambda p: _H2O_ORDER.index(p.name)))


@dataclass
class Points:
    """Rows as k-means measures them: numeric columns (scaled, NaN where missing) and the
    level codes of categorical columns (-1 where missing)."""

    numeric: np.ndarray
    codes: np.ndarray

    def __len__(self):
        return len(self.numeric)

    def __getitem__(self, rows):
        return Points(self.numeric[rows], self.codes[rows])


class KMeans(Algorithm):
    name = "kmeans"
    full_name = "K-means"
    categories = (CLUSTERING,)
    supervised = False
    cross_validates_unsupervised = True
    parameters = PARAMETERS
    history_columns = {
        "iterations": ("long", "Iterations"),
        "number_of_reassigned_observations": ("long", "Number of Reassigned Observations"),
        "number_of_clusters": ("long", "Number of Clusters"),
        "within_cluster_sum_of_squares": ("double", "Within Cluster Sum Of Squares"),
    }

    def check(self, params, spec):
        super().check(params, spec)
        if params["categorical_encoding"] not in ("AUTO", "Enum"):
            raise InvalidArgument("categorical_encoding", "K-means here compares categorical columns level by "
                                                          "level (AUTO or Enum); other encodings are not implemented.")
        # As in H2O-3, user_points start the clustering whatever init says (init keeps its value).
        if params["init"] == "User" and not params.get("user_points"):
            raise InvalidArgument("user_points", "init=User needs user_points, a frame of starting centers.")
        if params["estimate_k"] and params.get("user_points"):
            raise InvalidArgument("estimate_k", "estimate_k cannot start from user_points.")
        if params["estimate_k"] and "numeric" not in spec.kinds:
            raise InvalidArgument("estimate_k", "estimate_k needs at least one numeric column.")
        if params.get("fold_assignment") == "Stratified":
            raise InvalidArgument("fold_assignment", "K-means learns without a response, so folds cannot be "
                                                     "stratified by one; use AUTO, Random or Modulo.")
        constraints = params.get("cluster_size_constraints")
        if constraints is not None:
            if params["estimate_k"]:
                raise InvalidArgument("estimate_k", "estimate_k cannot be used with cluster_size_constraints.")
            if len(constraints) != params["k"]:
                raise InvalidArgument("cluster_size_constraints", f"cluster_size_constraints has {len(constraints)} "
                                      f"values but k is {params['k']}; give one per cluster.")
            if min(constraints) < 1:
                raise InvalidArgument("cluster_size_constraints", "Each cluster size constraint must be at least 1.")

    def layout(self, frame, spec, params, rows=None):
        check_columns(frame, spec, need_response=False)
        numeric, codes = [], []
        for name, kind in zip(spec.names, spec.kinds):
            column = frame.names.index(name)
            if kind == "enum":
                codes.append(level_codes(frame, column, spec.domains[name], rows))
            else:
                numeric.append(_scaled(column_numbers(frame, column, rows), spec, name, params["standardize"]))
        n = frame.nrows if rows is None else len(rows)
        return Points(np.column_stack(numeric) if numeric else np.empty((n, 0)),
                      np.column_stack(codes).astype(np.int64) if codes else np.empty((n, 0), dtype=np.int64))

    def fit(self, data, params, monitor):
        points, w, spec = data.X, np.asarray(data.w, dtype=float), data.spec
        k = int(params["k"])
        if k > len(points):
            raise InvalidArgument("k", f"k ({k}) is larger than the number of rows to cluster ({len(points)}).")
        levels = [len(spec.domains[n]) for n, kind in zip(spec.names, spec.kinds) if kind == "enum"]
        totss = _totss(points, w, levels)
        if params["estimate_k"]:
            result = _estimate_k(points, w, k, levels, params, monitor)
        else:
            rng = np.random.default_rng(seed_of(params))
            start = (_user_centers(data.inputs["user_points"], params, spec) if params.get("user_points")
                     else _initial_centers(points, w, k, params["init"], rng, levels))
            constraints = params.get("cluster_size_constraints")
            if constraints is not None and sum(constraints) > np.count_nonzero(w > 0):
                raise InvalidArgument("cluster_size_constraints", f"The cluster size constraints add up to "
                                      f"{sum(constraints)}, more than the {np.count_nonzero(w > 0)} rows to cluster.")
            result = _lloyd(points, w, start, levels, params["max_iterations"], monitor, constraints=constraints)
        fitted = FittedKMeans(spec, params, result, _total_withinss(points, result, w), totss, len(points), levels)
        if params.get("cluster_size_constraints") is not None:
            # H2O-3 keeps the metrics of the constrained assignment (a nearest-center rescoring
            # would break the constraints).
            fitted.training_metrics = fitted.metrics(points, w, result.assignment)
        return fitted

    def combined_holdout_metrics(self, fold_fits, X, w, folds):
        """Cross-validation metrics as H2O-3 combines its folds' holdout scoring: within-cluster
        sums of squares of each row to its own fold model's nearest center, the total sum of
        squares over all rows, and no per-cluster statistics (the folds' clusters differ)."""
        own = np.zeros(len(w))
        for fold, fitted in enumerate(fold_fits):
            rows = np.nonzero(folds == fold)[0]
            own[rows] = _distances(X[rows], fitted.centers).min(axis=1)
        withinss = float((own * w).sum())
        totss = _totss(X, w, fold_fits[0].levels)
        return {"tot_withinss": withinss, "totss": totss, "betweenss": totss - withinss, "centroid_stats": None,
                "nobs": int(np.count_nonzero(w > 0))}


ALGORITHM = KMeans()


# -- the learning ----------------------------------------------------------------------------
@dataclass
class Clustering:
    centers: Points          # k rows, in the layout's (maybe standardized) scale
    assignment: np.ndarray   # cluster of each training row
    iterations: int


def _lloyd(points, w, centers, levels, max_iterations, monitor, history=True, constraints=None):
    """Lloyd's iterations from ``centers``: assign rows, move centers, until nothing moves.

    With ``constraints`` (smallest cluster sizes) rows are assigned by
    :func:`_constrained_assignment` instead of to their nearest center."""
    assignment = np.full(len(points), -1, dtype=np.int64)
    k = len(centers)
    if history:
        monitor.record(0, max_iterations, {"iterations": 0, "number_of_reassigned_observations": float("nan"),
                                           "within_cluster_sum_of_squares": float("nan")})
    iterations = 0
    for iteration in range(1, max_iterations + 1):
        distances = _distances(points, centers)
        nearest = (distances.argmin(axis=1) if constraints is None
                   else _constrained_assignment(distances, constraints, w))
        moved = int((nearest != assignment).sum())
        assignment = nearest
        centers = _centers(points, assignment, w, k, levels, previous=centers, distances=distances)
        iterations = iteration
        withinss = float((_distances(points, centers)[np.arange(len(points)), assignment] * w).sum())
        go_on = monitor.record(iteration, max_iterations, {
            "iterations": iteration, "number_of_reassigned_observations": float(moved),
            "within_cluster_sum_of_squares": withinss,
        }) if history else monitor.check()
        if moved == 0 or not go_on:
            break
    return Clustering(centers, assignment, iterations)


def _estimate_k(points, w, k_max, levels, params, monitor):
    """Add clusters one at a time, splitting the worst one, while each addition pays off."""
    max_iterations = params["max_iterations"]
    centers = _initial_centers(points, w, 1, "Furthest", None, levels)
    best = _lloyd(points, w, centers, levels, max_iterations, monitor, history=False)
    withinss = _total_withinss(points, best, w)
    for k in range(2, k_max + 1):
        # Deterministic: the new center is the row furthest from its own center.
        own = _distances(points, best.centers)[np.arange(len(points)), best.assignment]
        far = int(np.argmax(own * (w > 0)))
        start = Points(np.vstack([best.centers.numeric, points.numeric[far:far + 1]]),
                       np.vstack([best.centers.codes, points.codes[far:far + 1]]))
        candidate = _lloyd(points, w, _filled(start, points), levels, max_iterations, monitor, history=False)
        candidate_withinss = _total_withinss(points, candidate, w)
        monitor.record(k, k_max, {"iterations": candidate.iterations, "number_of_clusters": float(k),
                                  "within_cluster_sum_of_squares": candidate_withinss})
        if withinss <= 0 or (withinss - candidate_withinss) / withinss < ESTIMATE_K_MIN_REDUCTION:
            break
        best, withinss = candidate, candidate_withinss
    return best


def _constrained_assignment(distances, constraints, w):
    """The cluster of each row that minimizes the total distance while cluster j gets at least
    ``constraints[j]`` rows (rows of weight 0 stay with their nearest center and do not count),
    as H2O-3's KMeansSimplexSolver assigns them.

    H2O-3 solves this as a min-cost flow (each row sends one unit to a cluster, each cluster
    keeps its minimum and passes the rest on at no cost); here it is the same problem as a
    transportation linear program, whose constraint matrix is totally unimodular, so the
    simplex optimum is already a 0/1 assignment.
    """
    assignment = distances.argmin(axis=1)
    rows = np.nonzero(w > 0)[0]
    n, k = len(rows), distances.shape[1]
    cost = distances[rows].ravel()   # variable i * k + j: row i goes to cluster j
    one_cluster_each = sparse.kron(sparse.eye(n), np.ones((1, k)), format="csr")
    cluster_sizes = sparse.kron(np.ones((1, n)), sparse.eye(k), format="csr")
    solution = optimize.linprog(cost, A_ub=-cluster_sizes, b_ub=-np.asarray(constraints, dtype=float),
                                A_eq=one_cluster_each, b_eq=np.ones(n), bounds=(0, 1), method="highs-ds")
    if solution.status != 0:
        raise InvalidArgument("cluster_size_constraints", f"The constrained assignment failed: {solution.message}")
    assignment[rows] = solution.x.reshape(n, k).argmax(axis=1)
    return assignment


def _total_withinss(points, clustering, w):
    return float((_distances(points, clustering.centers)[np.arange(len(points)), clustering.assignment] * w).sum())


def _initial_centers(points, w, k, init, rng, levels):
    """The first k centers: rows of the data picked by H2O's init methods."""
    weights = w / w.sum()
    if rng is None:
        # Deterministic start: the row nearest the grand center.
        grand = _centers(points, np.zeros(len(points), dtype=np.int64), w, 1, levels)
        chosen = [int(np.argmin(np.where(w > 0, _distances(points, grand)[:, 0], np.inf)))]
    else:
        chosen = [int(rng.choice(len(points), p=weights))]
    if init == "Random":
        others = np.setdiff1d(np.arange(len(points)), chosen)
        chosen += list(rng.choice(others, size=k - 1, replace=False, p=weights[others] / weights[others].sum()))
        return _filled(points[np.asarray(chosen)], points)
    nearest = _distances(points, points[np.asarray(chosen)])[:, 0]
    for _ in range(1, k):
        if init == "PlusPlus" and (nearest * w).sum() > 0:
            pick = int(rng.choice(len(points), p=nearest * w / (nearest * w).sum()))
        else:  # Furthest (and PlusPlus once every row sits on a center)
            pick = int(np.argmax(nearest * (w > 0)))
        chosen.append(pick)
        nearest = np.minimum(nearest, _distances(points, points[np.asarray([pick])])[:, 0])
    return _filled(points[np.asarray(chosen)], points)


def _filled(centers, points):
    """Centers with their missing numbers replaced by the data's column means."""
    means = np.nanmean(points.numeric, axis=0) if points.numeric.size else np.empty(0)
    numeric = np.where(np.isnan(centers.numeric), np.nan_to_num(means)[None, :], centers.numeric)
    return Points(numeric, centers.codes)


def _user_centers(frame, params, spec):
    """init=User: the user_points frame's rows, in the training layout."""
    if frame.nrows != params["k"]:
        raise InvalidArgument("user_points", f"user_points has {frame.nrows} rows but k is {params['k']}; give one "
                                             "row per cluster.")
    if not set(spec.names) <= set(frame.names):
        # H2O-3 reads the centers' columns by position (an uploaded list has columns C1, C2 ...).
        if frame.ncols != len(spec.names):
            raise InvalidArgument("user_points", f"user_points has {frame.ncols} columns; give the "
                                                 f"{len(spec.names)} training columns ({', '.join(spec.names)}).")
        frame = Frame(frame.key, frame.table.rename_columns(list(spec.names)), frame.types)
    try:
        centers = ALGORITHM.layout(frame, spec, params)
    except InvalidArgument as error:
        raise InvalidArgument("user_points", f"user_points must have the training columns: {error.msg}") from None
    if np.isnan(centers.numeric).any() or (centers.codes < 0).any():
        raise InvalidArgument("user_points", "user_points has missing or unknown values; every center needs them all.")
    return centers


def _distances(points, centers):
    """Squared distances of every row to every center (n x k), gaps scaled up."""
    x = points.numeric
    present = ~np.isnan(x)
    filled = np.where(present, x, 0.0)
    c = centers.numeric
    distances = (filled ** 2).sum(axis=1)[:, None] - 2.0 * filled @ c.T + present.astype(float) @ (c ** 2).T
    observed = present.sum(axis=1).astype(float)
    for j in range(points.codes.shape[1]):
        codes = points.codes[:, j]
        known = codes >= 0
        distances += (codes[:, None] != centers.codes[None, :, j]) & known[:, None]
        observed += known
    columns = x.shape[1] + points.codes.shape[1]
    scale = np.where(observed > 0, columns / np.maximum(observed, 1), 0.0)
    return np.maximum(distances, 0.0) * scale[:, None]


def _weighted_distances(points, centers, w):
    return _distances(points, centers)[:, 0] * w


def _totss(points, w, levels):
    """Total sum of squares: the rows' distances to their grand center (means, commonest levels)."""
    grand = _centers(points, np.zeros(len(points), dtype=np.int64), w, 1, levels)
    return float(_weighted_distances(points, grand, w).sum())


def _centers(points, assignment, w, k, levels, previous=None, distances=None):
    """Each cluster's center: weighted means of numbers, most frequent levels.

    A cluster left empty takes the row furthest from its current center, so k holds.
    """
    numeric = np.zeros((k, points.numeric.shape[1]))
    for j in range(points.numeric.shape[1]):
        x = points.numeric[:, j]
        present = ~np.isnan(x)
        sums = np.bincount(assignment[present], weights=(w * x)[present], minlength=k)
        counts = np.bincount(assignment[present], weights=w[present], minlength=k)
        fallback = previous.numeric[:, j] if previous is not None else np.zeros(k)
        numeric[:, j] = np.where(counts > 0, sums / np.where(counts > 0, counts, 1), fallback)
    codes = np.zeros((k, points.codes.shape[1]), dtype=np.int64)
    for j, n_levels in enumerate(levels):
        c = points.codes[:, j]
        known = c >= 0
        counts = np.bincount(assignment[known] * n_levels + c[known], weights=w[known], minlength=k * n_levels)
        codes[:, j] = counts.reshape(k, n_levels).argmax(axis=1)
    centers = Points(numeric, codes)
    sizes = np.bincount(assignment, weights=w, minlength=k)
    empty = np.nonzero(sizes <= 0)[0]
    if len(empty) and distances is not None:
        own = distances[np.arange(len(points)), assignment]
        for cluster, row in zip(empty, np.argsort(-own)[:len(empty)]):
            centers.numeric[cluster] = np.where(np.isnan(points.numeric[row]), numeric[cluster],
                                                points.numeric[row])
            centers.codes[cluster] = np.maximum(points.codes[row], 0)
    return centers


def _scaled(values, spec, name, standardize):
    if not standardize:
        return values
    sigma = spec.sigmas.get(name)
    sigma = sigma if sigma and np.isfinite(sigma) and sigma > 0 else 1.0
    return (values - spec.means.get(name, 0.0)) / sigma


# -- the model ---------------------------------------------------------------------------------
class FittedKMeans(Fitted):
    def __init__(self, spec, params, clustering, withinss, totss, nrows, levels):
        self.spec = spec
        self.withinss = withinss
        self.standardize = params["standardize"]
        self.centers = clustering.centers
        self.iterations = clustering.iterations
        self.k = len(clustering.centers)
        self.totss = totss
        self.nrows = nrows
        self.levels = levels

    def predict_columns(self, X, **options):
        refuse_options(options, "k-means models")
        return {"predict": self._assign(X)}

    def _assign(self, X):
        return _distances(X, self.centers).argmin(axis=1).astype(np.int64)

    def metrics(self, X, w, assignment=None):
        """Metrics of rows ``X`` in their nearest clusters (or in the clusters ``assignment`` gives)."""
        w = np.asarray(w, dtype=float)
        distances = _distances(X, self.centers)
        if assignment is None:
            assignment = distances.argmin(axis=1)
        own = distances[np.arange(len(X)), assignment] * w
        withinss = np.bincount(assignment, weights=own, minlength=self.k)
        sizes = np.bincount(assignment, weights=w, minlength=self.k)
        totss = _totss(X, w, self.levels)
        stats = Table("Centroid Statistics", [
            col("", "string", ""), col("centroid", "long", "Centroid"), col("size", "double", "Size", "%.5f"),
            col("within_cluster_sum_of_squares", "double", "Within Cluster Sum of Squares", "%.5f"),
        ])
        for cluster in range(self.k):
            stats.append(["", cluster + 1, float(sizes[cluster]), float(withinss[cluster])])
        return {"tot_withinss": float(withinss.sum()), "totss": totss, "betweenss": totss - float(withinss.sum()),
                "centroid_stats": stats, "nobs": int(np.count_nonzero(w > 0))}

    def summary(self):
        withinss = self.withinss
        return [
            ("number_of_rows", "long", self.nrows), ("number_of_clusters", "long", self.k),
            ("number_of_categorical_columns", "long", len(self.levels)),
            ("number_of_iterations", "long", self.iterations),
            ("within_cluster_sum_of_squares", "double", withinss),
            ("total_sum_of_squares", "double", self.totss),
            ("between_cluster_sum_of_squares", "double", self.totss - withinss),
        ]

    def output(self):
        output = {"centers": self._centers_table("Cluster Means", standardized=False)}
        if self.standardize:
            output["centers_std"] = self._centers_table("Standardized Cluster Means", standardized=True)
        return output

    def _centers_table(self, title, standardized):
        """Centers in the data's units (or standardized), categorical centers as levels.

        H2O names these columns by the column name lower-cased with punctuation dropped,
        keeping the real name as the description."""
        spec = self.spec
        columns = [col("centroid", "string", "Centroid")]
        for name, kind in zip(spec.names, spec.kinds):
            short = "".join(ch for ch in name.lower() if ch.isalnum())
            columns.append(col(short, "string" if kind == "enum" else "double", name))
        table = Table(title, columns)
        for cluster in range(self.k):
            row, j_num, j_cat = [str(cluster + 1)], 0, 0
            for name, kind in zip(spec.names, spec.kinds):
                if kind == "enum":
                    row.append(spec.domains[name][self.centers.codes[cluster, j_cat]])
                    j_cat += 1
                    continue
                value = float(self.centers.numeric[cluster, j_num])
                j_num += 1
                if self.standardize and not standardized:
                    sigma = spec.sigmas.get(name)
                    value = value * (sigma if sigma and np.isfinite(sigma) and sigma > 0 else 1.0) + spec.means[name]
                row.append(value)
            table.append(row)
        return table
