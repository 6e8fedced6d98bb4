"""Singular value decomposition as H2O-3 computes it.

The frame becomes the expanded, transformed matrix A of ``decomposition`` (every level of a
categorical column by default); its rank-nv decomposition A ~ U diag(d) V' is computed by
svd_method (GramSVD exact, Power and Randomized iterative). The model reports the singular
values d and keeps V, and with keep_u the left singular vectors U, as frames in the store
(``v_key``, ``u_key``; U has a row per training row, NaN for rows left out because they have a
missing value). A row's prediction is its projection on V (PC1..PCnv), which is U diag(d) for
the training rows.

As in H2O-3, SVD models are served under /99 (SVDV99, SVDModelV99) and are not scored on their
training or validation frame; a frame they predict on gets empty ModelMetricsSVD.
"""

import uuid

import numpy as np

from h2odash.engine.algos.base import Algorithm, Fitted, refuse_options, seed_of
from h2odash.engine.algos.decomposition import (
    HISTORY_COLUMNS, HISTORY_NAMES, TRANSFORM_HELP, TRANSFORMS, Expansion, check_rank, declare, decompose,
    projection, read_rows, training_matrix,
)
from h2odash.engine.errors import InvalidArgument
from h2odash.engine.frames import FrameKey
from h2odash.engine.model_data import DIM_REDUCTION, frame_from_columns
from h2odash.engine.parameters import Parameter as P
from h2odash.engine.tables import Table, col

_H2O_ORDER = (
    "model_id training_frame validation_frame ignored_columns ignore_const_cols score_each_iteration transform "
    "svd_method nv max_iterations seed keep_u u_name use_all_factor_levels max_runtime_secs export_checkpoints_dir"
).split()

PARAMETERS = declare(
    _H2O_ORDER,
    P("transform", "enum", "NONE", "critical", TRANSFORM_HELP, values=TRANSFORMS),
    P("svd_method", "enum", "GramSVD", "critical",
      "How the decomposition is computed: GramSVD (exact, from the Gram matrix), Power (power iterations, one "
      "singular vector at a time) or Randomized (randomized subspace iteration).",
      values=("GramSVD", "Power", "Randomized")),
    P("nv", "int", 1, "critical", "Number of singular values and vectors (at most the number of expanded columns "
                                   "and of rows).", min=1),
    P("max_iterations", "int", 1000, "critical", "Most iterations of the Power (per vector) and Randomized methods.",
      min=1),
    P("keep_u", "boolean", True, "critical", "Keep the left singular vectors U as a frame (u_key)."),
    P("u_name", "string", None, "critical", "Name of the frame of U (generated as SVDUMatrix__... when not given)."),
    P("use_all_factor_levels", "boolean", True, "critical",
      "Give every level of a categorical column its own column (else the first level has none)."),
    overrides={"validation_frame": {"gridable": True,
                                    "help": "Accepted as H2O-3 accepts it; SVD models are not scored on it."}},
)


class SVD(Algorithm):
    name = "svd"
    full_name = "Singular Value Decomposition"
    categories = (DIM_REDUCTION,)
    supervised = False
    parameters = PARAMETERS
    metrics_schema = "ModelMetricsSVD"
    metrics_schema_version = 99
    metrics_when_built = False
    schema_version = 99
    visibility = "Experimental"
    history_columns = HISTORY_COLUMNS

    def history_name(self, params):
        return HISTORY_NAMES.get(params["svd_method"], "Scoring History")

    def check(self, params, spec):
        super().check(params, spec)
        check_rank(params["nv"], "nv", spec, params["use_all_factor_levels"])
        name = params.get("u_name")
        if name and params["keep_u"] and name in (params.get("model_id"), params.get("training_frame"),
                                                  params.get("validation_frame")):
            raise InvalidArgument("u_name", f"u_name '{name}' is the name of the model or of one of its frames; "
                                            "give U a name of its own.")

    def layout(self, frame, spec, params, rows=None):
        return read_rows(frame, spec, rows)

    def fit(self, data, params, monitor):
        nv = params["nv"]
        expansion = Expansion(data.spec, params["use_all_factor_levels"], params["transform"], data.X)
        A, kept = training_matrix(expansion, data.X, nv, "nv")
        found = decompose(A, nv, params["svd_method"], params["max_iterations"],
                          np.random.default_rng(seed_of(params)), monitor, want_u=params["keep_u"])
        u = None
        if params["keep_u"]:
            u = np.full((len(kept), nv), np.nan)
            u[kept] = found.u
        return FittedSVD(expansion, found.d, found.v, u, params.get("u_name") or f"SVDUMatrix__{uuid.uuid4().hex}",
                         f"SVDVMatrix__{uuid.uuid4().hex}")


ALGORITHM = SVD()


class FittedSVD(Fitted):
    def __init__(self, expansion, d, v, u, u_name, v_name):
        self.expansion = expansion
        self.d, self.v, self.u = d, v, u
        self.u_name, self.v_name = u_name, v_name

    def predict_columns(self, X, **options):
        refuse_options(options, "SVD models")
        scores = projection(self.expansion, X, self.v)
        return {f"PC{i + 1}": scores[:, i] for i in range(len(self.d))}

    def metrics(self, X, w):
        return {}   # H2O-3's ModelMetricsSVD has no fields of its own

    def summary(self):
        table = Table("Singular values", [col("", "string", "")] + [col(f"sval{i + 1}", "double", f"sval{i + 1}", "%5f")
                                                                    for i in range(len(self.d))])
        table.append([""] + [float(value) for value in self.d])
        return table

    def output(self):
        return {"v_key": FrameKey(self.v_name), "d": [float(value) for value in self.d],
                "u_key": FrameKey(self.u_name) if self.u is not None else None}

    def frames(self):
        """V (a row per expanded column) and, with keep_u, U (a row per training row)."""
        frames = {self.v_name: _matrix_frame(self.v_name, self.v)}
        if self.u is not None:
            frames[self.u_name] = _matrix_frame(self.u_name, self.u)
        return frames


def _matrix_frame(key, matrix):
    columns = {f"C{i + 1}": matrix[:, i] for i in range(matrix.shape[1])}
    return frame_from_columns(key, columns, {name: "real" for name in columns})
