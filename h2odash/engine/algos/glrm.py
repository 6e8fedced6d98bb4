"""Generalized low rank models (GLRM) as H2O-3 builds them.

A frame A (rows x columns, numeric and categorical) is approximated by the product of X
(rows x k: each row's representation) and Y (k x columns: the archetypes), minimizing the
losses of the observed cells, sum_ij L_j(x_i y_j, a_ij), plus gamma_x r_x(X) + gamma_y r_y(Y).
Missing cells do not count, so XY fills them in. A categorical column has one column of Y
per level (a block, H2O's one-hot expansion); numeric columns may first be transformed
(standardized, ...). Columns are kept in H2O's order: categorical blocks, then numbers.

Learning alternates a proximal gradient step on X (Y fixed) and one on Y (X fixed), of size
step / (number of columns), with H2O-3's rule for the step: after an iteration that lowers
the objective it grows by 5%; after one that does not, the iteration is undone and the step
shrinks (by 1.5, then by 2, 3, ... while failures repeat). Training stops at max_iterations,
max_updates (each X or Y step is an update), once the step falls to min_step_size, or at
max_runtime_secs; each iteration adds a row (step size, objective) to the scoring history.

Scoring reconstructs a frame: each cell becomes its loss's best value given x_i y_j. The
training (and validation) rows use the learned X, so their missing cells come out imputed;
other rows first get an X of their own, fitted with Y fixed as H2O-3's GLRMGenX does.
"""

import hashlib
import re
import uuid
from dataclasses import dataclass

import numpy as np
import pandas as pd

from h2odash.engine.algos import kmeans
from h2odash.engine.algos.base import Algorithm, Fitted, refuse_options, seed_of
from h2odash.engine.algos.glrm_losses import (
    BINARY_LOSSES, CATEGORICAL_LOSSES, NUMERIC_LOSSES, REGULARIZERS, BlockLoss, CellLoss, Regularizer,
)
from h2odash.engine.algos.glrm_solver import Problem, alternate, components, fit_rows, start
from h2odash.engine.errors import InvalidArgument
from h2odash.engine.model_data import CLUSTERING, DIM_REDUCTION, frame_from_columns
from h2odash.engine.parameters import COMMON, NOT_DECLARED_BY_DECOMPOSITIONS, Parameter as P, ParameterSet, extend
from h2odash.engine.tables import Table, col

TRANSFORMS = ("NONE", "STANDARDIZE", "NORMALIZE", "DEMEAN", "DESCALE")
LOSSES = ("Quadratic", "Absolute", "Huber", "Poisson", "Hinge", "Logistic", "Periodic")

_H2O_ORDER = (
    "model_id training_frame validation_frame ignored_columns ignore_const_cols score_each_iteration "
    "representation_name loading_name transform k loss loss_by_col loss_by_col_idx multi_loss period "
    "regularization_x regularization_y gamma_x gamma_y max_iterations max_updates init_step_size min_step_size seed "
    "init svd_method user_y user_x expand_user_y impute_original recover_svd max_runtime_secs export_checkpoints_dir"
).split()

_REGULARIZER_HELP = ("None, Quadratic (sum of squares), L2 (norm), L1, or a constraint: NonNegative, OneSparse "
                     "(one positive entry), UnitOneSparse (one entry equal to 1), Simplex (non-negative, summing to 1)")

PARAMETERS = ParameterSet(sorted(extend(
    COMMON,
    P("representation_name", "string", None, "critical",
      "Name of the frame holding X, the rows' representation (generated as GLRMLoading_... when not given)."),
    P("loading_name", "string", None, "critical", "Former name of representation_name (used when that is not given)."),
    P("transform", "enum", "NONE", "critical",
      "Transform of numeric columns before fitting: STANDARDIZE, NORMALIZE (to [0, 1]), DEMEAN or DESCALE.",
      values=TRANSFORMS, gridable=True),
    P("k", "int", 1, "critical", "Rank of the approximation: the number of archetypes.", required=True,
      gridable=True, min=1),
    P("loss", "enum", "Quadratic", "critical",
      "Loss of numeric columns: Quadratic, Absolute, Huber, Poisson or Periodic (Logistic and Hinge suit 0/1 "
      "columns only: give them per column with loss_by_col).", values=LOSSES, gridable=True),
    P("loss_by_col", "enum[]", None, "critical",
      "Losses of particular columns, overriding loss and multi_loss (the columns are given by loss_by_col_idx, "
      "or else this lists one loss for every column of the training frame).",
      values=LOSSES + CATEGORICAL_LOSSES, gridable=True),
    P("loss_by_col_idx", "int[]", None, "critical",
      "Positions (from 0) in the training frame of the columns that loss_by_col gives losses for."),
    P("multi_loss", "enum", "Categorical", "critical", "Loss of categorical columns.", values=CATEGORICAL_LOSSES,
      gridable=True),
    P("period", "int", 1, "critical", "Period of the Periodic loss.", gridable=True, min=1),
    P("regularization_x", "enum", "None", "critical",
      f"Regularizer of each row of X: {_REGULARIZER_HELP}. Acts when gamma_x > 0.", values=REGULARIZERS,
      gridable=True),
    P("regularization_y", "enum", "None", "critical",
      f"Regularizer of each column of Y: {_REGULARIZER_HELP}. Acts when gamma_y > 0.", values=REGULARIZERS,
      gridable=True),
    P("gamma_x", "double", 0.0, "critical", "Weight of the regularizer of X.", gridable=True, min=0),
    P("gamma_y", "double", 0.0, "critical", "Weight of the regularizer of Y.", gridable=True, min=0),
    P("max_iterations", "int", 1000, "critical", "Most iterations (an X step and a Y step each).", gridable=True,
      min=1, max=1e6),
    P("max_updates", "int", 2000, "critical", "Most updates of X or of Y, counted together.", gridable=True),
    P("init_step_size", "double", 1.0, "critical", "First step size (divided by the number of columns).",
      gridable=True),
    P("min_step_size", "double", 0.0001, "critical", "Stop once the step size falls to this.", gridable=True, min=0),
    P("init", "enum", "PlusPlus", "critical",
      "Start: Random (normal X and Y), SVD (of the transformed frame), PlusPlus (k-means++ centers as Y) or "
      "User (user_y and user_x; normal where not given).", values=("Random", "SVD", "PlusPlus", "User"),
      gridable=True),
    P("svd_method", "enum", "Randomized", "critical",
      "How H2O-3 computes the SVD start; here it is computed exactly whichever is chosen.",
      values=("GramSVD", "Power", "Randomized"), gridable=True),
    P("user_y", "Key<Frame>", None, "critical", "Starting Y for init=User: k rows, the training columns."),
    P("user_x", "Key<Frame>", None, "critical", "Starting X for init=User: the training rows, k columns."),
    P("expand_user_y", "boolean", True, "critical",
      "user_y has the training columns (categorical ones as levels); false: one column per level already."),
    P("impute_original", "boolean", False, "critical",
      "Reconstruct in the original units, undoing the transform (else in the transformed ones)."),
    P("recover_svd", "boolean", False, "critical", "Report the singular values and eigenvectors of XY."),
    drop=NOT_DECLARED_BY_DECOMPOSITIONS,
    overrides={
        "validation_frame": {"gridable": True},
        "seed": {"gridable": True},
        "max_runtime_secs": {"gridable": True},
    },
).parameters, key=lambda p: _H2O_ORDER.index(p.name)))


@dataclass
class Cells:
    """A frame's predictors as GLRM reads them: numbers (NaN where missing) and level codes
    (-1 where missing or unseen), in the model's column order; and the names of all the
    frame's columns, which loss_by_col_idx counts."""

    numbers: np.ndarray
    codes: np.ndarray
    frame_names: tuple = ()

    def __len__(self):
        return len(self.numbers)

    def __getitem__(self, rows):
        return Cells(self.numbers[rows], self.codes[rows], self.frame_names)

    def digest(self):
        """A fingerprint of the values, to know the training rows when they come back."""
        h = hashlib.sha1()
        for part in (self.numbers, self.codes):
            h.update(str(part.shape).encode())
            h.update(np.ascontiguousarray(part).tobytes())
        return h.hexdigest()


class GLRM(Algorithm):
    name = "glrm"
    full_name = "Generalized Low Rank Modeling"
    # H2O-3 lists GLRM as a clustering builder but calls the models it builds DimReduction.
    categories = (CLUSTERING,)
    supervised = False
    parameters = PARAMETERS
    metrics_schema = "ModelMetricsGLRM"
    metrics_schema_version = 99
    history_columns = {"iterations": ("long", "Iterations"), "step_size": ("double", "Step Size"),
                       "objective": ("double", "Objective")}

    def unsupervised_category(self, params):
        return DIM_REDUCTION

    def check(self, params, spec):
        """What can be refused before reading the data (losses by column wait for the frame)."""
        if len(spec.names) < 2:
            raise InvalidArgument("training_frame", f"GLRM needs at least two columns; only {spec.names[0]!r} is "
                                                    "left to learn from (ignored columns are left out, and constant "
                                                    "ones while ignore_const_cols is on).")
        width = sum(len(spec.domains[n]) if kind == "enum" else 1 for n, kind in zip(spec.names, spec.kinds))
        if params["k"] > width:
            raise InvalidArgument("k", f"k must be between 1 and {width}, the number of columns once each "
                                       f"categorical column is expanded to one per level; got {params['k']}.")
        if params["loss"] not in NUMERIC_LOSSES:
            raise InvalidArgument("loss", f"{params['loss']} is a loss for 0/1 columns, not for every numeric column; "
                                          "give it to those columns with loss_by_col and loss_by_col_idx.")
        _loss_overrides(params)
        if params["init_step_size"] <= 0:
            raise InvalidArgument("init_step_size", "init_step_size must be positive.")
        if params["min_step_size"] > params["init_step_size"]:
            raise InvalidArgument("min_step_size", f"min_step_size must be between 0 and init_step_size "
                                                   f"({params['init_step_size']}).")
        if params["recover_svd"] and params["impute_original"] and params["transform"] != "NONE":
            raise InvalidArgument("recover_svd", "recover_svd and impute_original cannot both be on when the frame "
                                                 "is transformed: the SVD of XY is of the transformed frame.")
        name = _representation_name(params)
        if name is not None and name == params.get("model_id"):
            raise InvalidArgument("representation_name", "representation_name and model_id must differ.")
        for frame in ("user_y", "user_x"):
            if params.get(frame) and params["init"] != "User":
                raise InvalidArgument("init", f"{frame} is given: set init to User to start from it.")

    def layout(self, frame, spec, params, rows=None):
        # K-means reads numbers and levels the same way; unscaled, they are GLRM's raw cells.
        points = kmeans.ALGORITHM.layout(frame, spec, {"standardize": False}, rows)
        return Cells(points.numeric, points.codes, tuple(frame.names))

    def fit(self, data, params, monitor):
        cells, spec, k = data.X, data.spec, params["k"]
        design = Design.build(spec, params, cells)
        if k > design.width:
            raise InvalidArgument("k", f"k must be between 1 and {design.width}, the number of columns of Y; "
                                       f"got {k}.")
        if data.valid is not None and len(data.valid.X) != len(cells):
            raise InvalidArgument("validation_frame", "The validation frame must have the training frame's "
                                                      f"{len(cells)} rows: GLRM scores it with their X.")
        problem = design.problem(cells)
        seed = seed_of(params)
        rng = np.random.default_rng(seed)
        reg_x = Regularizer(params["regularization_x"], params["gamma_x"])
        reg_y = Regularizer(params["regularization_y"], params["gamma_y"])
        X, Y = start(design, problem, cells, params, data.inputs or {}, reg_x, reg_y, rng)
        solution = alternate(problem, X, Y, reg_x, reg_y, params, monitor)
        known = {cells.digest()} | ({data.valid.X.digest()} if data.valid is not None else set())
        return FittedGLRM(design, params, solution, components(solution.X, solution.Y, problem), reg_x, seed, known,
                          _representation_name(params) or f"GLRMLoading__{uuid.uuid4().hex}")


ALGORITHM = GLRM()


def _representation_name(params):
    return params.get("representation_name") or params.get("loading_name") or None


def _loss_overrides(params):
    """(frame column position, loss) pairs from loss_by_col / loss_by_col_idx."""
    losses, positions = params.get("loss_by_col") or [], params.get("loss_by_col_idx") or []
    lookup = {name.lower(): name for name in LOSSES + CATEGORICAL_LOSSES}
    unknown = [loss for loss in losses if str(loss).lower() not in lookup]
    if unknown:
        raise InvalidArgument("loss_by_col", f"Unknown loss {unknown[0]!r}; losses are "
                                             f"{', '.join(LOSSES + CATEGORICAL_LOSSES)}.")
    if positions and len(positions) != len(losses):
        raise InvalidArgument("loss_by_col_idx", f"loss_by_col has {len(losses)} losses but loss_by_col_idx "
                                                 f"{len(positions)} positions; give one position per loss.")
    return [(position, lookup[str(loss).lower()]) for position, loss in zip(positions or range(len(losses)), losses)]


# -- the columns ---------------------------------------------------------------------------------
@dataclass
class Block:
    """A categorical column: one column of Y per level."""
    name: str
    source: int          # its position among the layout's level codes
    levels: list
    loss: BlockLoss
    start: int           # its first column in Y

    @property
    def columns(self):
        return slice(self.start, self.start + len(self.levels))


@dataclass
class Number:
    """A numeric column, or a two-level categorical one under a 0/1 loss."""
    name: str
    source: int          # its position among the layout's numbers (or codes, when categorical)
    categorical: bool
    loss: CellLoss
    sub: float           # transformed value = (value - sub) * mul
    mul: float


class Design:
    """How the predictors become GLRM's matrix, in H2O-3's column order: categorical blocks,
    then two-level categorical columns under a 0/1 loss, then numeric columns."""

    def __init__(self, spec, blocks, numbers):
        self.spec = spec
        self.blocks = blocks
        self.numbers = numbers
        self.offset = sum(len(b.levels) for b in blocks)   # first numeric column of Y
        self.width = self.offset + len(numbers)

    @classmethod
    def build(cls, spec, params, cells):
        losses = _column_losses(spec, params, cells)
        blocks, binaries, numbers = [], [], []
        enum_at = num_at = 0
        for name, kind in zip(spec.names, spec.kinds):
            loss = losses[name]
            if kind == "enum":
                if loss in BINARY_LOSSES:
                    binaries.append(Number(name, enum_at, True, CellLoss(loss), 0.0, 1.0))
                else:
                    start = sum(len(b.levels) for b in blocks)
                    blocks.append(Block(name, enum_at, spec.domains[name], BlockLoss(loss), start))
                enum_at += 1
                continue
            values = cells.numbers[:, num_at]
            # A 0/1 loss reads 0/1 values as they are, whatever the transform.
            sub, mul = (0.0, 1.0) if loss in BINARY_LOSSES else _transform(params["transform"], values, spec, name)
            if loss == "Poisson" and np.nanmin((values - sub) * mul, initial=0.0) < 0:
                raise InvalidArgument("loss", f"The Poisson loss needs counts (at least 0); column '{name}' has "
                                              f"negative values once transformed ({params['transform']}).")
            numbers.append(Number(name, num_at, False, CellLoss(loss, params["period"]), sub, mul))
            num_at += 1
        return cls(spec, blocks, binaries + numbers)

    def expanded_names(self):
        """Y's column names: ``column.level`` for each level of a block, else the column."""
        return [f"{b.name}.{level}" for b in self.blocks for level in b.levels] + [n.name for n in self.numbers]

    def problem(self, cells):
        values = np.empty((len(cells), len(self.numbers)))
        for j, number in enumerate(self.numbers):
            if number.categorical:
                codes = cells.codes[:, number.source]
                values[:, j] = np.where(codes >= 0, codes, np.nan)
            else:
                values[:, j] = (cells.numbers[:, number.source] - number.sub) * number.mul
        codes = np.column_stack([cells.codes[:, b.source] for b in self.blocks]) if self.blocks else \
            np.empty((len(cells), 0), dtype=np.int64)
        return Problem(self, values, codes)

    def impute(self, U, reverse=False):
        """Each cell's best value given the fitted U (rows x Y's columns): the numeric
        columns' values (in original units when ``reverse``) and the blocks' level codes."""
        numbers = np.empty((len(U), len(self.numbers)))
        for j, number in enumerate(self.numbers):
            value = number.loss.impute(U[:, self.offset + j])
            numbers[:, j] = value / number.mul + number.sub if reverse and not number.categorical else value
        codes = np.column_stack([b.loss.impute(U[:, b.columns]) for b in self.blocks]) \
            if self.blocks else np.empty((len(U), 0), dtype=np.int64)
        return numbers, codes

    def columns(self, numbers, codes, prefix=""):
        """Imputed values as output columns, in the frame's order; categorical ones as levels."""
        by_name = {}
        for j, number in enumerate(self.numbers):
            if number.categorical:
                by_name[number.name] = pd.Categorical.from_codes(numbers[:, j].astype(np.int64),
                                                                 categories=self.spec.domains[number.name])
            else:
                by_name[number.name] = numbers[:, j]
        for j, block in enumerate(self.blocks):
            by_name[block.name] = pd.Categorical.from_codes(codes[:, j], categories=block.levels)
        return {prefix + name: by_name[name] for name in self.spec.names}


def _column_losses(spec, params, cells):
    """Each predictor's loss: loss or multi_loss, unless loss_by_col names it; refuses a loss
    that does not suit the column."""
    losses = {name: params["multi_loss"] if kind == "enum" else params["loss"]
              for name, kind in zip(spec.names, spec.kinds)}
    overrides = _loss_overrides(params)
    names = cells.frame_names
    if overrides and not params.get("loss_by_col_idx") and len(overrides) != len(names):
        raise InvalidArgument("loss_by_col", f"loss_by_col has {len(overrides)} losses but the training frame "
                                             f"{len(names)} columns: give one per column, or give "
                                             "loss_by_col_idx.")
    for position, loss in overrides:
        if not 0 <= position < len(names):
            raise InvalidArgument("loss_by_col_idx", f"Column position {position} is not in the training frame "
                                                     f"(0 to {len(names) - 1}).")
        if names[position] in losses:   # a column left out (ignored, constant) keeps no loss
            losses[names[position]] = loss
    num_at = 0
    for name, kind in zip(spec.names, spec.kinds):
        loss = losses[name]
        if kind == "enum":
            allowed = CATEGORICAL_LOSSES + (BINARY_LOSSES if len(spec.domains[name]) == 2 else ())
        else:
            values = cells.numbers[:, num_at]
            num_at += 1
            binary = np.isin(values[~np.isnan(values)], (0.0, 1.0)).all()
            allowed = NUMERIC_LOSSES + (BINARY_LOSSES if binary else ())
        if loss not in allowed:
            what = "categorical" if kind == "enum" else "numeric"
            raise InvalidArgument("loss_by_col", f"The {loss} loss does not suit {what} column '{name}'; "
                                                 f"it takes {', '.join(allowed)}.")
    return losses


def _transform(transform, values, spec, name):
    """(sub, mul) of H2O-3's transform of a numeric column, from the training data."""
    mean = spec.means.get(name, 0.0)
    sigma = spec.sigmas.get(name) or 0.0
    scale = 1.0 / sigma if np.isfinite(sigma) and sigma > 0 else 1.0
    if transform == "STANDARDIZE":
        return mean, scale
    if transform == "DEMEAN":
        return mean, 1.0
    if transform == "DESCALE":
        return 0.0, scale
    if transform == "NORMALIZE":
        present = values[~np.isnan(values)]
        low, high = (present.min(), present.max()) if len(present) else (0.0, 0.0)
        return low, 1.0 / (high - low) if high > low else 1.0
    return 0.0, 1.0


# -- the model -----------------------------------------------------------------------------------
class FittedGLRM(Fitted):
    def __init__(self, design, params, solution, components, reg_x, seed, known, representation_name):
        self.design = design
        self.k = params["k"]
        self.impute_original = params["impute_original"]
        self.recover_svd = params["recover_svd"]
        self.solution = solution
        self.components = components
        self.X, self.Y = solution.X, solution.Y
        self.reg_x = reg_x
        self.seed = seed
        self.representation_name = representation_name
        # Digests of the rows the learned X belongs to: the training frame's, and the
        # validation frame's (H2O-3 requires it to have the same rows and scores it with X).
        self._known = known
        self._last = (None, None)   # the X last fitted for other rows, by their digest

    def representation(self, cells):
        """X for these rows: the learned one for the training rows, else fitted with Y fixed."""
        digest = cells.digest()
        if digest in self._known:
            return self.X
        if self._last[0] != digest:
            # Seeded afresh, so the same rows always get the same X.
            rng = np.random.default_rng(self.seed)
            self._last = (digest, fit_rows(self.design.problem(cells), self.Y, self.reg_x, rng))
        return self._last[1]

    def predict_columns(self, X, **options):
        """The reconstructed frame ("reconstr_" columns), or with project_archetypes each
        archetype in the frame's columns (in original units with reverse_transform).

        As in H2O-3, reverse_transform only changes projected archetypes; a reconstruction is
        in original units when the model was trained with impute_original."""
        refuse_options({k: v for k, v in options.items() if k not in ("project_archetypes", "reverse_transform")},
                       "GLRM models")
        if options.get("project_archetypes"):
            return self.design.columns(*self.design.impute(self.Y, bool(options.get("reverse_transform"))))
        U = self.representation(X) @ self.Y
        return self.design.columns(*self.design.impute(U, self.impute_original), prefix="reconstr_")

    def metrics(self, X, w):
        """H2O-3's GLRM metrics: squared error over the observed numeric cells (numerr, in the
        transformed units unless impute_original), misclassified categorical cells (caterr)."""
        problem = self.design.problem(X)
        numbers, codes = self.design.impute(self.representation(X) @ self.Y, self.impute_original)
        actual = problem.values
        if self.impute_original:
            sub = np.array([n.sub for n in self.design.numbers])
            mul = np.array([n.mul for n in self.design.numbers])
            actual = np.where([n.categorical for n in self.design.numbers], actual, actual / mul + sub)
        observed = problem.codes >= 0
        return {
            "numerr": float(np.where(problem.observed, (actual - numbers) ** 2, 0.0).sum()),
            "caterr": float((observed & (codes != problem.codes)).sum()),
            "numcnt": int(problem.observed.sum()),
            "catcnt": int(observed.sum()),
        }

    def summary(self):
        table = Table("Model Summary", [
            col("", "string", ""), col("number_of_iterations", "long", "Number of Iterations"),
            col("final_step_size", "double", "Final Step Size", "%.5f"),
            col("final_objective_value", "double", "Final Objective Value", "%.5f"),
        ])
        table.append(["", self.solution.iterations, self.solution.step_size, self.solution.objective])
        return table

    def output(self):
        s = self.solution
        singular, std, proportion, eigenvectors = self.components
        output = {
            "iterations": s.iterations, "updates": s.updates, "objective": s.objective,
            "avg_change_obj": s.avg_change_obj, "step_size": s.step_size,
            "archetypes": self._archetypes(), "singular_vals": None, "eigenvectors": None,
            "representation_name": self.representation_name,
            "importance": _importance(std, proportion),
        }
        if self.recover_svd:
            output["singular_vals"] = [float(v) for v in singular]
            output["eigenvectors"] = _by_feature("Eigenvectors", self.design.expanded_names(), "Vec", eigenvectors)
        return output

    def _archetypes(self):
        names = self.design.expanded_names()
        table = Table("Archetypes", [col("", "string", "")] + [col(_field_name(n), "double", n, "%5f") for n in names])
        for i, row in enumerate(self.Y):
            table.append([f"Arch{i + 1}"] + [float(v) for v in row])
        return table

    def frames(self):
        """The representation X, as H2O-3 stores it next to the model."""
        name = self.representation_name
        columns = {f"Arch{i + 1}": self.X[:, i] for i in range(self.k)}
        return {name: frame_from_columns(name, columns, {c: "real" for c in columns})}


def _importance(std, proportion):
    k = len(std)
    table = Table("Importance of components", [col("", "string", "")] + [
        col(f"pc{i + 1}", "double", f"pc{i + 1}", "%5f") for i in range(k)])
    for label, values in (("Standard deviation", std), ("Proportion of Variance", proportion),
                          ("Cumulative Proportion", np.cumsum(proportion))):
        table.append([label] + [float(v) for v in values])
    return table


def _by_feature(title, names, prefix, matrix):
    table = Table(title, [col("", "string", "")] + [
        col(f"{prefix.lower()}{i + 1}", "double", f"{prefix}{i + 1}", "%5f") for i in range(matrix.shape[1])])
    for name, row in zip(names, matrix):
        table.append([name] + [float(v) for v in row])
    return table


def _field_name(header):
    """H2O-3's field name for a table column header: lower case, runs of blanks and '_' as
    one '_', other punctuation dropped ("Species.Iris-setosa" -> "speciesirissetosa")."""
    return re.sub(r"[^\w]", "", re.sub(r"[\s_]+", "_", header.lower()), flags=re.ASCII)
