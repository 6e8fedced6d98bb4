"""Principal components analysis as H2O-3 computes it.

The frame becomes the expanded, transformed matrix A of ``decomposition`` (categorical levels
first, numbers transformed by ``transform``; note that with transform NONE nothing is centered,
as in H2O-3). Its k largest singular values d and right singular vectors V give the principal
components: the eigenvectors ("Rotation") are V, the standard deviation of component i is
d_i / sqrt(n - 1) for the n rows decomposed, and its proportion of variance is its variance over
the total, ||A||^2 / (n - 1). A row's prediction is its projection on V (PC1..PCk).

pca_method GramSVD decomposes the Gram matrix exactly; Power and Randomized iterate (and write
a scoring-history row per iteration). GLRM, which H2O-3 uses to fit a low-rank model first, is
not implemented here.
"""

import numpy as np

from h2odash.engine.algos.base import Algorithm, Fitted, refuse_options, seed_of
from h2odash.engine.algos.decomposition import (
    HISTORY_COLUMNS, HISTORY_NAMES, TRANSFORM_HELP, TRANSFORMS, Expansion, check_rank, declare, decompose,
    projection, read_rows, training_matrix,
)
from h2odash.engine.errors import InvalidArgument
from h2odash.engine.model_data import CLUSTERING, DIM_REDUCTION
from h2odash.engine.parameters import Parameter as P
from h2odash.engine.tables import Table, col

_H2O_ORDER = (
    "model_id training_frame validation_frame ignored_columns ignore_const_cols score_each_iteration transform "
    "pca_method pca_impl k max_iterations use_all_factor_levels compute_metrics impute_missing seed "
    "max_runtime_secs export_checkpoints_dir"
).split()

PARAMETERS = declare(
    _H2O_ORDER,
    P("transform", "enum", "NONE", "critical", TRANSFORM_HELP, values=TRANSFORMS, gridable=True),
    P("pca_method", "enum", "GramSVD", "critical",
      "How the components are computed: GramSVD (exact, from the Gram matrix), Power (power iterations, one "
      "component at a time), Randomized (randomized subspace iteration); GLRM is not implemented.",
      values=("GramSVD", "Power", "Randomized", "GLRM")),
    P("pca_impl", "enum", None, "critical",
      "Which Java library H2O-3 uses for the decomposition; here numpy (LAPACK) computes it whichever is chosen.",
      values=("MTJ_EVD_DENSEMATRIX", "MTJ_EVD_SYMMMATRIX", "MTJ_SVD_DENSEMATRIX", "JAMA")),
    P("k", "int", 1, "critical", "Number of principal components (at most the number of expanded columns and of rows).",
      required=True, gridable=True, min=1),
    P("max_iterations", "int", 1000, "critical", "Most iterations of the Power and Randomized methods (per component "
                                                  "for Power).", gridable=True, min=1, max=1e6),
    P("use_all_factor_levels", "boolean", False, "critical",
      "Give every level of a categorical column its own column (else the first level has none)."),
    P("compute_metrics", "boolean", True, "critical", "Score the model on its training frame when it is built."),
    P("impute_missing", "boolean", False, "critical",
      "Fill in missing values (a number with its column's mean, a level with its most common one) instead of "
      "leaving out the rows that have them."),
)

class PCA(Algorithm):
    name = "pca"
    full_name = "Principal Components Analysis"
    # H2O-3 lists PCA as a clustering builder but calls the models it builds DimReduction.
    categories = (CLUSTERING,)
    supervised = False
    parameters = PARAMETERS
    history_columns = HISTORY_COLUMNS

    def unsupervised_category(self, params):
        return DIM_REDUCTION

    def history_name(self, params):
        if params["pca_method"] == "GramSVD":
            return "Scoring History for GramSVD"
        return HISTORY_NAMES[params["pca_method"]]

    def check(self, params, spec):
        if params["pca_method"] == "GLRM":
            raise InvalidArgument("pca_method", "pca_method GLRM is not implemented by this engine: use GramSVD "
                                                "(exact), Power or Randomized, or build a GLRM model.")
        check_rank(params["k"], "k", spec, params["use_all_factor_levels"])

    def layout(self, frame, spec, params, rows=None):
        return read_rows(frame, spec, rows)

    def fit(self, data, params, monitor):
        k, method = params["k"], params["pca_method"]
        expansion = Expansion(data.spec, params["use_all_factor_levels"], params["transform"], data.X)
        A, _ = training_matrix(expansion, data.X, k, "k", impute=params["impute_missing"])
        nobs = len(A)
        if nobs < 2:
            raise InvalidArgument("training_frame", "PCA needs at least two rows to measure variance; there is one.")
        found = decompose(A, k, method, params["max_iterations"], np.random.default_rng(seed_of(params)), monitor)
        if method == "GramSVD":
            monitor.record(1, 1, {"iterations": 0})   # H2O-3's one row for the exact method
        # Variances with n - 1 degrees of freedom, as H2O-3 reports them.
        std = found.d / np.sqrt(nobs - 1)
        total_variance = float((A ** 2).sum()) / (nobs - 1)
        return FittedPCA(expansion, found.v, std, std ** 2 / total_variance)


ALGORITHM = PCA()


class FittedPCA(Fitted):
    def __init__(self, expansion, eigenvectors, std, proportion):
        self.expansion = expansion
        self.eigenvectors = eigenvectors
        self.std = std
        self.proportion = proportion

    @property
    def k(self):
        return len(self.std)

    def predict_columns(self, X, **options):
        refuse_options(options, "PCA models")
        scores = projection(self.expansion, X, self.eigenvectors)
        return {f"PC{i + 1}": scores[:, i] for i in range(self.k)}

    def metrics(self, X, w):
        return {}   # H2O-3's ModelMetricsPCA has no fields of its own

    def summary(self):
        return self._importance()

    def output(self):
        rotation = self._by_component("Rotation")
        for name, row in zip(self.expansion.names, self.eigenvectors):
            rotation.append([name] + [float(v) for v in row])
        return {"importance": self._importance(), "eigenvectors": rotation, "objective": 0.0}

    def _importance(self):
        table = self._by_component("Importance of components")
        for label, values in (("Standard deviation", self.std), ("Proportion of Variance", self.proportion),
                              ("Cumulative Proportion", np.cumsum(self.proportion))):
            table.append([label] + [float(v) for v in values])
        return table

    def _by_component(self, title):
        return Table(title, [col("", "string", "")] + [col(f"pc{i + 1}", "double", f"PC{i + 1}", "%5f")
                                                        for i in range(self.k)])
