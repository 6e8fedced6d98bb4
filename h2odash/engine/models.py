"""Models: what a training job builds and a client reads, live while it trains.

A :class:`Model` is put in the store as soon as training starts, so GET /3/Models/{id}
shows its scoring history growing; it becomes usable for predictions when DONE.
"""

import threading
import time

import numpy as np
import pandas as pd

from h2odash.engine.algos.base import Fitted, refuse_options
from h2odash.engine.errors import InvalidArgument
from h2odash.engine.model_data import BINOMIAL, MULTINOMIAL, REGRESSION, frame_from_columns
from h2odash.engine.tables import Table, col

# How H2O names and types the columns of a scoring history, by metric.
_HISTORY_COLUMNS = {
    "timestamp": ("string", "Timestamp"), "duration": ("string", "Duration"),
    "number_of_trees": ("long", "Number of Trees"), "iterations": ("int", "Iterations"),
    "epochs": ("double", "Epochs"),
}


class Model:
    """A trained (or training) model and everything H2O shows about it.

    Parameters
    ----------
    key : str
        Model id.
    algorithm : Algorithm
        The algorithm that builds it.
    params : dict
        Every parameter's value, as resolved from the request.
    spec : FeatureSpec
        Predictors, response and their encodings.
    """

    is_model = True

    def __init__(self, key, algorithm, params, spec):
        self.key = key
        self.algorithm = algorithm
        self.algo = algorithm.name
        self.algo_full_name = algorithm.full_name
        self.params = params
        self.given_params = {}
        self.spec = spec
        self.fitted = None
        self.status = "RUNNING"
        self.start_time = int(time.time() * 1000)
        self.end_time = None
        self.history_rows = []
        self.training_metrics = None
        self.validation_metrics = None
        self.cross_validation_metrics = None
        self.cross_validation_metrics_summary = None
        self.cross_validation_models = []
        self.cross_validation_predictions = []
        self.cross_validation_holdout_predictions_frame_id = None
        self.cross_validation_predictions = []   # one frame per fold (keep_cross_validation_predictions)
        self.cross_validation_fold_assignment_frame_id = None
        self.output_frames = []   # frames training made beside the model (GLRM's X, SVD's U and V)
        self.variable_importances = None
        self.summary = []
        self.extra_output = {}
        self.default_threshold = 0.5
        self._mutex = threading.Lock()

    # -- what the model uses ---------------------------------------------------------------
    @property
    def category(self):
        return self.spec.category

    @property
    def input_columns(self):
        return list(self.spec.names)

    @property
    def run_time(self):
        end = self.end_time if self.end_time is not None else int(time.time() * 1000)
        return end - self.start_time

    # -- live output ---------------------------------------------------------------------
    def add_history_row(self, row):
        with self._mutex:
            self.history_rows.append(dict(row))

    def scoring_history(self):
        """The scoring history so far, as H2O's "Scoring History" table."""
        with self._mutex:
            rows = list(self.history_rows)
        if not rows:
            return None
        names = []
        for row in rows:
            names.extend(n for n in row if n not in names)
        columns = [col("", "string", "")]
        for name in names:
            kind, description = {**_HISTORY_COLUMNS, **self.algorithm.history_columns}.get(
                name, ("double", name.replace("_", " ").title()))
            columns.append(col(name, kind, description, "%.5f" if kind == "double" else None))
        table = Table(self.algorithm.history_name(self.params), columns)
        for row in rows:
            values = [""]
            for name in names:
                value = row.get(name)
                if name == "timestamp" and value is not None:
                    value = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(value))
                elif name == "duration" and value is not None:
                    value = f"{value:.3f} sec"
                elif value is None:
                    value = float("nan")
                values.append(value)
            table.append(values)
        return table

    def variable_importances_table(self):
        if not self.variable_importances:
            return None
        pairs = sorted(self.variable_importances, key=lambda p: -p[1])
        top = pairs[0][1] if pairs and pairs[0][1] > 0 else 1.0
        total = sum(v for _, v in pairs) or 1.0
        table = Table("Variable Importances", [
            col("variable", "string", "Variable"), col("relative_importance", "double", "Relative Importance", "%5f"),
            col("scaled_importance", "double", "Scaled Importance", "%5f"), col("percentage", "double", "Percentage", "%5f"),
        ])
        for name, value in pairs:
            table.append([name, float(value), float(value) / top, float(value) / total])
        return table

    def summary_table(self):
        if isinstance(self.summary, Table):   # e.g. PCA's "Importance of components"
            return self.summary
        if not self.summary:
            return None
        table = Table("Model Summary", [col("", "string", "")] + [
            col(name, kind, name.replace("_", " ").title()) for name, kind, _ in self.summary
        ])
        table.append([""] + [value for _, _, value in self.summary])
        return table

    # -- scoring -------------------------------------------------------------------------
    @property
    def supervised(self):
        return self.spec.response is not None

    def layout(self, frame):
        """A frame's predictors in the model's encoding, ready for its fitted learner."""
        if self.fitted is None:
            raise InvalidArgument("model", f"Model '{self.key}' is still training; wait for its job to finish.")
        return self.algorithm.layout(frame, self.spec, self.params)

    def predict_raw(self, frame):
        """Raw predictions for a frame: (n,) regression values or (n, k) probabilities."""
        return np.asarray(self.fitted.predict(self.layout(frame)))

    def predict_columns(self, X, options):
        """Predictions of an unsupervised model, or special ones (deep features...), as a
        name -> array dict, for X laid out by :meth:`layout`; ``options`` holds the Predictions
        switches that are set."""
        if type(self.fitted).predict_columns is Fitted.predict_columns:
            refuse_options(options, f"{self.algo_full_name} models")
        return self.fitted.predict_columns(X, **options)

    def predictions_frame(self, key, raw):
        """A frame of predictions in H2O's layout: predict, then one probability per class.

        ``raw`` may also be a dict of named columns (unsupervised and special predictions),
        which become the frame as they are: integer arrays as int columns, pandas
        Categoricals as enum columns (GLRM's reconstructed levels), others real.
        """
        if isinstance(raw, dict):
            columns, kinds = {}, {}
            for name, values in raw.items():
                if isinstance(values, pd.Categorical):
                    columns[name], kinds[name] = values.codes, ("enum", [str(c) for c in values.categories])
                else:
                    columns[name] = values
                    kinds[name] = "int" if np.asarray(values).dtype.kind in "iu" else "real"
            return frame_from_columns(key, columns, kinds)
        if self.category == REGRESSION:
            return frame_from_columns(key, {"predict": raw}, {"predict": "real"})
        domain = list(self.spec.response_domain)
        if self.category == BINOMIAL:
            labels = (raw[:, 1] >= self.default_threshold).astype(np.int32)
        else:
            labels = np.argmax(raw, axis=1).astype(np.int32)
        columns = {"predict": labels}
        types = {"predict": ("enum", domain)}
        for i, level in enumerate(domain):
            # H2O names a probability column by its class, with a "p" before numeric labels.
            name = f"p{level}" if level[:1].isdigit() or level[:1] in "+-." else level
            columns[name] = raw[:, i]
            types[name] = "real"
        return frame_from_columns(key, columns, types)


def is_classifier(category):
    return category in (BINOMIAL, MULTINOMIAL)
