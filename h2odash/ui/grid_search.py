"""Grid search: try every combination of a few hyper-parameter values (or a random sample of
them) with the Train panel's other parameters, and compare the models as they finish.

``POST /99/Grid/{algo}`` starts the search as one job; ``GET /99/Grids/{id}`` lists the models
built so far with their training, validation and cross-validation metrics (lists parallel to
``model_ids``) and a ``summary_table`` of each model's hyper-parameter values. Both servers answer
the same shape, with two differences :func:`hyper_values` reads through: real H2O-3 orders the
summary's hyper-parameter columns its own way and writes a GLM ``alpha`` as ``0.5`` where the
embedded engine writes ``"[0.5]"``.
"""
from __future__ import annotations

import html
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import ipywidgets as widgets
import pandas as pd

from h2odash.client import H2OClient, H2OJobError, H2ONotFoundError

from . import charts
from .downloads import csv_link
from .feedback import StatusLine
from .figure_widget import Figure, keep_page_state
from .poller import Poller
from .metric_names import higher_is_better
from .sortable_table import SortableTable
from .tables import scalar_metrics, two_dim_table

RUNNING = ("CREATED", "RUNNING")
# ``base_parameters()`` -> (algo, params): the Train panel's form, read when Start is clicked.
BaseParameters = Callable[[], tuple[str, dict]]

_NUMBER_TYPES = ("int", "long", "double", "float")
# Array parameters a grid may vary one number at a time (H2O wraps each value in a list).
_SCALAR_ARRAYS = ("alpha", "lambda")
_NOT_SEARCHABLE = ("model_id", "training_frame", "validation_frame", "response_column")
# What a new box proposes, per algorithm: (parameter, values).
DEFAULT_HYPER_PARAMETERS = {
    "gbm": (("max_depth", "3, 5, 7"), ("learn_rate", "0.05, 0.1")),
    "xgboost": (("max_depth", "3, 5, 7"), ("learn_rate", "0.05, 0.1")),
    "drf": (("max_depth", "3, 5, 7"), ("ntrees", "20, 50")),
    "isolationforest": (("max_depth", "4, 8"), ("ntrees", "50, 100")),
    "glm": (("alpha", "0, 0.5, 1"),),
    "gam": (("alpha", "0, 0.5, 1"),),
    "deeplearning": (("l1", "0, 0.0001, 0.001"),),
    "naivebayes": (("laplace", "0, 1"),),
    "kmeans": (("k", "2, 3, 4"),),
    "pca": (("k", "1, 2, 3"),),
}
# The metrics a grid table lists, by model category (H2O-3's leaderboard columns), and the key
# of each in a ``ModelMetrics*V3`` answer.
_CATEGORY_METRICS = {
    "Binomial": ("auc", "logloss", "aucpr", "mean_per_class_error", "rmse", "mse"),
    "Multinomial": ("logloss", "mean_per_class_error", "rmse", "mse"),
    "Ordinal": ("logloss", "mean_per_class_error", "rmse", "mse"),
    "Regression": ("rmse", "mse", "mae", "rmsle", "mean_residual_deviance", "r2"),
    "Clustering": ("tot_withinss", "betweenss", "totss"),
}
_METRIC_KEYS = {"auc": "AUC", "aucpr": "pr_auc", "rmse": "RMSE", "mse": "MSE", "aic": "AIC", "gini": "Gini"}
# A grid's ``sort_by`` as the table names its column.
_METRIC_ALIASES = {"pr_auc": "aucpr", "residual_deviance": "mean_residual_deviance",
                   "deviance": "mean_residual_deviance"}
# Where a model's metrics are read from, in order of preference: (grid answer field, caption words).
METRIC_SOURCES = (("validation_metrics", "validation"), ("cross_validation_metrics", "cross-validation"),
                  ("training_metrics", "training"))


# -- hyper-parameter values -------------------------------------------------------------------
def searchable(spec: dict) -> bool:
    """Whether a grid can vary this parameter from a list of values typed in one text field."""
    kind = spec.get("type", "")
    if spec.get("name") in _NOT_SEARCHABLE:
        return False
    return (kind in _NUMBER_TYPES or kind in ("enum", "boolean")
            or (kind.removesuffix("[]") in _NUMBER_TYPES and spec.get("name") in _SCALAR_ARRAYS))


def parse_values(text: str, spec: dict) -> list:
    """``'3, 5, 7'`` -> ``[3, 5, 7]`` typed as the parameter is declared (repeats dropped).

    Raises
    ------
    ValueError
        Naming the value that does not fit, in words a user can act on.
    """
    kind = spec.get("type", "").removesuffix("[]")
    tokens = [t for t in re.split(r"[,;\s]+", text.strip()) if t]
    if not tokens:
        raise ValueError("give at least one value")
    values = [_parse_value(token, kind, spec) for token in tokens]
    return list(dict.fromkeys(values))


def _parse_value(token: str, kind: str, spec: dict):
    if kind in ("int", "long"):
        try:
            number = float(token)
        except ValueError:
            raise ValueError(f"{token!r} is not a whole number") from None
        if not number.is_integer():
            raise ValueError(f"{token!r} is not a whole number")
        return int(number)
    if kind in ("double", "float"):
        try:
            number = float(token)
        except ValueError:
            raise ValueError(f"{token!r} is not a number") from None
        if not math.isfinite(number):
            raise ValueError(f"{token!r} is not a finite number")
        return number
    if kind == "boolean":
        truth = {"true": "true", "1": "true", "yes": "true", "false": "false", "0": "false", "no": "false"}
        if token.lower() not in truth:
            raise ValueError(f"{token!r} is not true or false")
        return truth[token.lower()]  # sent as JSON's true/false
    allowed = [str(v) for v in spec.get("values") or []]
    match = next((v for v in allowed if v.lower() == token.lower()), None)
    if allowed and match is None:
        raise ValueError(f"{token!r} is not one of {', '.join(allowed)}")
    return match or token


def _plain(value):
    """A summary-table cell as a plain value: ``"[0.5]"`` (a one-number array) -> 0.5."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("[") and text.endswith("]") and "," not in text:
            text = text[1:-1].strip()
        try:
            return float(text)
        except ValueError:
            return value
    return value


def hyper_values(grid: dict) -> dict[str, dict]:
    """Each model's hyper-parameter values, from the grid's summary table: ``{model_id: {name: value}}``."""
    summary = two_dim_table(grid.get("summary_table"))
    names = [n for n in grid.get("hyper_names") or [] if n in summary.columns]
    if summary.empty or "model_ids" not in summary.columns:
        return {}
    return {str(row["model_ids"]): {n: _plain(row[n]) for n in names} for _, row in summary.iterrows()}


def _typed(value, kind: str):
    """A hyper-parameter value as its declared type (H2O-3 writes whole numbers as doubles)."""
    if kind.removesuffix("[]") in ("int", "long") and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# -- the results table ------------------------------------------------------------------------
def metric_column(name: str | None) -> str | None:
    """A metric name as the table's column (lower case, H2O's leaderboard spelling)."""
    if not name:
        return None
    name = str(name).lower()
    return _METRIC_ALIASES.get(name, name)


def metric_value(metrics: dict | None, column: str) -> float:
    """One metric of a ``ModelMetrics*V3`` answer, NaN when absent."""
    found = scalar_metrics(metrics)
    key = _METRIC_KEYS.get(column, column)
    if key in found:
        return float(found[key])
    value = (metrics or {}).get(key)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else math.nan


def metrics_source(grid: dict) -> tuple[str, str]:
    """Which metrics the table shows: validation when the models have them, else cross-validation,
    else training. Returns ``(grid answer field, caption words)``."""
    for key, words in METRIC_SOURCES:
        if any(grid.get(key) or []):
            return key, words
    return METRIC_SOURCES[-1]


def metrics_by_model(grid: dict, source: str) -> dict[str, dict]:
    """``{model_id: metrics}`` from one of the grid's metric lists (parallel to ``model_ids``)."""
    ids = [k["name"] for k in grid.get("model_ids") or []]
    found = {}
    for position, metrics in enumerate(grid.get(source) or []):
        if not metrics:
            continue
        named = ((metrics.get("model") or {}).get("name")) or (ids[position] if position < len(ids) else None)
        if named:
            found[named] = metrics
    return found


def metric_columns(grid: dict, metrics: dict[str, dict]) -> list[str]:
    """The grid's sort metric first, then the usual metrics of the models' category."""
    first = next(iter(metrics.values()), None) or {}
    listed = _CATEGORY_METRICS.get(first.get("model_category"))
    if listed is None:
        listed = tuple(name.lower() for name in scalar_metrics(first) if name not in ("nobs",))
    columns = [c for c in dict.fromkeys([metric_column(grid.get("sort_by")), *listed]) if c]
    return [c for c in columns if any(not math.isnan(metric_value(m, c)) for m in metrics.values())]


def grid_table(grid: dict, hyper_names: list[str], types: dict[str, str] | None = None,
               fallback: Callable[[str], dict] | None = None) -> tuple[pd.DataFrame, str]:
    """One row per model of a ``GET /99/Grids/{id}`` answer: ``model_id``, the hyper-parameters,
    the metrics. Returns the table and the words saying which metrics it holds.

    Parameters
    ----------
    hyper_names : list of str
        The columns' order (the order the user listed them in).
    types : dict
        Declared parameter types, to show whole numbers as whole numbers.
    fallback : callable, optional
        ``fallback(model_id) -> {name: value}`` for a model the summary table does not list yet.
    """
    types = types or {}
    source, words = metrics_source(grid)
    metrics = metrics_by_model(grid, source)
    values = hyper_values(grid)
    columns = metric_columns(grid, metrics)
    rows = []
    for key in grid.get("model_ids") or []:
        model_id = key["name"]
        known = values.get(model_id)
        if known is None and fallback is not None:
            known = fallback(model_id)
        row = {"model_id": model_id}
        row.update({n: _typed((known or {}).get(n), types.get(n, "")) for n in hyper_names})
        row.update({c: metric_value(metrics.get(model_id), c) for c in columns})
        rows.append(row)
    return pd.DataFrame(rows, columns=["model_id", *hyper_names, *columns]), words


# -- the parallel-coordinates chart -----------------------------------------------------------
def parcoords_figure(height: int = 360) -> Figure:
    """The empty parallel-coordinates chart of a grid box, filled by :func:`set_parcoords`.
    Made once per box: a new figure widget per refresh would cost the browser a new plot each time."""
    return Figure(layout=dict(height=height, autosize=True, margin=dict(l=70, r=70, t=90, b=30),
                              **charts.PLAIN, xaxis=dict(visible=False), yaxis=dict(visible=False),
                              title=dict(text="", font=dict(size=14), y=0.98, yanchor="top")))


def parcoords_dimensions(table: pd.DataFrame, hyper_names: list[str], metric: str) -> tuple[list[dict], list[float]]:
    """The dimensions of the chart (each hyper-parameter, then the metric) and the line colours.

    Text hyper-parameters (enums, booleans) become integer codes labelled by ``tickvals``/``ticktext``.
    Models without a value of the metric are left out.
    """
    rows = table[pd.to_numeric(table[metric], errors="coerce").notna()] if metric in table else table.iloc[:0]
    dimensions = []
    for name in hyper_names:
        column = rows[name]
        numbers = pd.to_numeric(column, errors="coerce")
        if len(column) and numbers.notna().all():
            dimensions.append(dict(label=name, values=numbers.astype(float).tolist()))
            continue
        levels = sorted({str(v) for v in column}, key=lambda v: (v.lower(), v))
        codes = {level: i for i, level in enumerate(levels)}
        dimensions.append(dict(label=name, values=[codes[str(v)] for v in column], tickvals=list(range(len(levels))),
                               ticktext=levels, range=[-0.25, max(len(levels) - 0.75, 0.25)]))
    colours = pd.to_numeric(rows[metric], errors="coerce").astype(float).tolist() if metric in rows else []
    dimensions.append(dict(label=metric, values=colours))
    return dimensions, colours


def set_parcoords(fig: Figure, table: pd.DataFrame, hyper_names: list[str], metric: str | None) -> None:
    """Show ``table`` in the chart made by :func:`parcoords_figure`, in one batch (any thread).

    The figure's one ``Parcoords`` trace is replaced, not restyled: a page draws a parcoords trace
    sent whole every time, but not one restyled after it had no dimensions (checked in Voilà,
    plotly 7, chromium).
    """
    with fig.batch_update():
        fig.data = ()
        fig.layout.title.text = f"Hyper-parameters and {metric}: one line per model" if metric else ""
        if metric is not None and not table.empty:
            dimensions, colours = parcoords_dimensions(table, hyper_names, metric)
            # Best models in bright yellow whichever way the metric improves.
            fig.add_parcoords(dimensions=dimensions, line=dict(
                color=colours, colorscale="Viridis", reversescale=higher_is_better(metric) is False, showscale=True,
                colorbar=dict(title=dict(text=metric), thickness=12)))
    keep_page_state(fig)


# -- the widget ---------------------------------------------------------------------------------
class HyperParameterRow(widgets.HBox):
    """One hyper-parameter: its name, the values to try, and what is wrong with them."""

    def __init__(self, names: list[str], name: str | None = None, values: str = "",
                 on_remove: Callable[["HyperParameterRow"], None] | None = None):
        self.parameter = widgets.Dropdown(options=names, value=name if name in names else (names[0] if names else None),
                                     layout=widgets.Layout(width="220px"))
        self.values = widgets.Text(value=values, placeholder="values, e.g. 3, 5, 7",
                                   layout=widgets.Layout(width="220px"))
        self.remove = widgets.Button(icon="times", tooltip="Remove this hyper-parameter",
                                     layout=widgets.Layout(width="34px"))
        self.error = widgets.HTML().add_class("h2odash-grid-value-error")
        if on_remove is not None:
            self.remove.on_click(lambda _button: on_remove(self))
        for field in (self.parameter, self.values):
            field.observe(self._on_edit, names="value")
        super().__init__([self.parameter, self.values, self.remove, self.error])

    def show_error(self, text: str) -> None:
        self.error.value = f"<span style='color:#b00020'>{html.escape(text)}</span>" if text else ""

    def _on_edit(self, _change) -> None:
        self.show_error("")


@dataclass
class GridState:
    """The grid being watched."""

    job: dict | None = None
    grid_id: str | None = None
    job_status: str | None = None
    hyper_names: list[str] = field(default_factory=list)
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    metric: str | None = None
    source: str = ""
    # The most models listed while the job still ran: proof the table grew live.
    models_while_running: int = 0
    cancel_requested: bool = False
    grid_read_at: float = 0.0


class GridSearchBox(widgets.VBox):
    """Search hyper-parameters of the Train panel's algorithm; the models fill a table and a
    parallel-coordinates chart while the grid runs.

    Parameters
    ----------
    client : H2OClient
    base_parameters : callable
        ``base_parameters() -> (algo, params)``: the algorithm and the Train form's parameters
        (``training_frame``, ``response_column`` and every value the user changed); raises
        ValueError with a message for the user when the form is not valid.
    open_model : callable, optional
        ``open_model(model_id)`` behind the "Open model" picker; without it the picker is hidden.
    algo : str, optional
        The algorithm to offer parameters of before the first Start; otherwise read from
        ``base_parameters()`` when it answers. :meth:`set_algorithm` changes it.
    """

    def __init__(self, client: H2OClient, base_parameters: BaseParameters,
                 open_model: Callable[[str], None] | None = None, algo: str | None = None):
        self.client = client
        self.base_parameters = base_parameters
        self.open_model = open_model
        self.state = GridState()
        self.algo: str | None = None
        self.parameters: dict[str, dict] = {}
        self._builders: dict[str, dict] = {}
        self.pollers: list[Poller] = []
        self.rows_box = widgets.VBox()
        self.add_button = widgets.Button(description="Add hyper-parameter", icon="plus",
                                         layout=widgets.Layout(width="auto"))
        self.strategy = widgets.Dropdown(description="Search", options=["Cartesian", "RandomDiscrete"],
                                         layout=widgets.Layout(width="240px"), style={"description_width": "60px"})
        self.max_models = widgets.BoundedIntText(value=10, min=1, max=100_000, description="max_models",
                                                 layout=widgets.Layout(width="170px"),
                                                 style={"description_width": "80px"})
        self.seed = widgets.IntText(value=1, description="seed", layout=widgets.Layout(width="140px"),
                                    style={"description_width": "40px"})
        self.random_box = widgets.HBox([self.max_models, self.seed], layout=widgets.Layout(display="none"))
        self.count = widgets.HTML().add_class("h2odash-grid-count")
        self.start_button = widgets.Button(description="Start grid", button_style="primary", icon="th")
        self.cancel_button = widgets.Button(description="Cancel", icon="stop", disabled=True)
        self.status = StatusLine().add_class("h2odash-grid-status")
        self.progress = widgets.FloatProgress(min=0.0, max=1.0, description="Progress")
        self.job_label = widgets.Label()
        self.caption = widgets.HTML().add_class("h2odash-grid-caption")
        self.results = SortableTable(on_open=self._on_open if open_model else None, open_label="Open model")
        self.results.add_class("h2odash-grid-results")
        self.download = widgets.HTML()
        self._figure: Figure | None = None
        self.chart = widgets.VBox()  # the chart, made at the first start (a page without one loads no plotly)
        self.add_button.on_click(self._on_add_row)
        self.strategy.observe(self._on_strategy, names="value")
        self.max_models.observe(self._update_count, names="value")
        self.start_button.on_click(self._on_start)
        self.cancel_button.on_click(self._on_cancel)
        super().__init__([
            widgets.HTML("<b>Hyper-parameters</b> <span style='color:#666'>(values separated by commas)</span>"),
            self.rows_box, widgets.HBox([self.add_button]),
            widgets.HBox([self.strategy, self.random_box, self.count]),
            widgets.HBox([self.start_button, self.cancel_button]), self.status,
            widgets.HBox([self.progress, self.job_label]),
            self.caption, self.results, self.download, self.chart,
        ])
        self.add_class("h2odash-grid")
        if algo is None:
            try:
                algo = base_parameters()[0]
            except Exception:  # the form may not be filled yet: Start reads it again
                algo = None
        if algo:
            self._guarded(lambda: self.set_algorithm(algo))

    # -- the hyper-parameter rows ---------------------------------------------------------------
    @property
    def figure(self) -> Figure:
        """The parallel-coordinates chart, made on first use."""
        if self._figure is None:
            self._figure = parcoords_figure()
            self.chart.children = [self._figure]
        return self._figure

    def set_algorithm(self, algo: str) -> None:
        """Offer ``algo``'s parameters; rows naming parameters it lacks give way to its defaults."""
        if algo == self.algo:
            return
        if algo not in self._builders:
            self._builders[algo] = self.client.model_builder(algo)
        self.algo = algo
        specs = [p for p in self._builders[algo].get("parameters") or [] if searchable(p)]
        levels = {"critical": 0, "secondary": 1}
        specs.sort(key=lambda p: (levels.get(p.get("level"), 2), p["name"]))
        self.parameters = {p["name"]: p for p in specs}
        kept = [(row.parameter.value, row.values.value) for row in self.rows if row.parameter.value in self.parameters]
        if not kept:
            kept = [(n, v) for n, v in DEFAULT_HYPER_PARAMETERS.get(algo, ()) if n in self.parameters]
        if not kept and specs:
            kept = [(specs[0]["name"], "")]
        self.rows_box.children = [self._row(name, values) for name, values in kept]
        self._update_count()

    @property
    def rows(self) -> list[HyperParameterRow]:
        return list(self.rows_box.children)

    def _row(self, name: str | None = None, values: str = "") -> HyperParameterRow:
        row = HyperParameterRow(list(self.parameters), name, values, on_remove=self._on_remove_row)
        row.parameter.observe(lambda change: self._on_name(row), names="value")
        row.values.observe(self._update_count, names="value")
        self._describe(row)
        return row

    def _describe(self, row: HyperParameterRow) -> None:
        spec = self.parameters.get(row.parameter.value) or {}
        allowed = spec.get("values") or (["true", "false"] if spec.get("type") == "boolean" else [])
        default = spec.get("default_value")
        row.values.placeholder = (", ".join(map(str, allowed[:4])) if allowed
                                  else f"values, e.g. {default}" if default not in (None, []) else "values")
        row.parameter.tooltip = spec.get("help") or ""

    def _on_name(self, row: HyperParameterRow) -> None:
        self._describe(row)
        self._update_count()

    def _on_add_row(self, _button) -> None:
        used = {row.parameter.value for row in self.rows}
        free = next((n for n in self.parameters if n not in used), None)
        self.rows_box.children = [*self.rows, self._row(free)]

    def _on_remove_row(self, row: HyperParameterRow) -> None:
        self.rows_box.children = [r for r in self.rows if r is not row]
        self._update_count()

    def _on_strategy(self, change) -> None:
        self.random_box.layout.display = "" if change["new"] == "RandomDiscrete" else "none"
        self._update_count()

    def _update_count(self, _change=None) -> None:
        counts = []
        for row in self.rows:
            try:
                counts.append(len(parse_values(row.values.value, self.parameters.get(row.parameter.value) or {})))
            except ValueError:
                self.count.value = ""
                return
        total = math.prod(counts) if counts else 0
        if self.strategy.value == "RandomDiscrete":
            total = min(total, self.max_models.value)
        self.count.value = f"<span style='color:#555'>{total} model{'s' if total != 1 else ''}</span>"

    def hyper_parameters(self) -> dict[str, list]:
        """The values to try, by parameter, as typed; marks each row that does not parse.

        Raises
        ------
        ValueError
            When a row is wrong (the row says why) or there is none.
        """
        hyper, wrong = {}, False
        for row in self.rows:
            name = row.parameter.value
            try:
                if name is None:
                    raise ValueError("choose a parameter")
                if name in hyper:
                    raise ValueError(f"{name} is listed twice")
                hyper[name] = parse_values(row.values.value, self.parameters[name])
                row.show_error("")
            except ValueError as exc:
                row.show_error(f"{name}: {exc}" if name else str(exc))
                wrong = True
        if wrong:
            raise ValueError("Fix the hyper-parameter values marked in red.")
        if not hyper:
            raise ValueError("Add at least one hyper-parameter to search.")
        return hyper

    def search_criteria(self) -> dict:
        if self.strategy.value == "RandomDiscrete":
            return {"strategy": "RandomDiscrete", "max_models": int(self.max_models.value),
                    "seed": int(self.seed.value)}
        return {"strategy": "Cartesian"}

    # -- running --------------------------------------------------------------------------------
    def _on_start(self, _button) -> None:
        self.status.clear()
        try:
            algo, params = self.base_parameters()
        except ValueError as exc:
            self.status.error(str(exc))
            return
        if algo != self.algo:
            self._guarded(lambda: self.set_algorithm(algo))
            if algo != self.algo:
                return
        try:
            hyper = self.hyper_parameters()
        except ValueError as exc:
            self.status.error(str(exc))
            return
        # The grid varies these: the form's own value (and a model id) would contradict it.
        params = {k: v for k, v in params.items() if k not in hyper and k != "model_id" and v is not None}
        training_frame = params.pop("training_frame", None)
        if not training_frame:
            self.status.error("Choose a training frame.")
            return
        response = params.pop("response_column", None)
        criteria = self.search_criteria()
        self.state = GridState(hyper_names=list(hyper))
        self._set_busy(True)
        self.progress.value, self.progress.bar_style = 0.0, ""
        self.job_label.value = ""
        self.caption.value, self.download.value = "", ""
        self.results.show(pd.DataFrame())
        set_parcoords(self.figure, pd.DataFrame(), [], None)
        self.status.info("Submitting the grid…")

        def submit() -> bool:
            # The POST can take seconds on a busy server: it stays off the callback.
            job = self.client.start_grid(algo, training_frame, response, hyper, criteria, **params)
            self.state.job = job
            self.state.grid_id = (job.get("dest") or {}).get("name")
            self.state.job_status = job.get("status")
            self.status.info(f"Grid {self.state.grid_id} running…")
            self._poll(self._watch, interval=0.5)
            return True
        self._poll(submit)

    def _watch(self) -> bool:
        """One look at the job and (at most once a second, and at the end) the grid; True once ended."""
        job = self.client.job(self.state.job)
        status = job.get("status")
        self.progress.value = float(job.get("progress") or 0.0)
        self.job_label.value = f"{status} {job.get('progress_msg') or ''}".strip()
        running = status in RUNNING
        grid = None
        if not running or time.monotonic() - self.state.grid_read_at >= 1.0:
            grid = self._show_grid()
            if running:
                self.state.models_while_running = max(self.state.models_while_running, len(self.state.table))
        self.state.job_status = status
        if running:
            return False
        self._finish(job, grid)
        return True

    def _show_grid(self) -> dict | None:
        self.state.grid_read_at = time.monotonic()
        try:
            grid = self.client.grid(self.state.grid_id)
        except H2ONotFoundError:  # not stored yet
            return None
        types = {n: (self.parameters.get(n) or {}).get("type", "") for n in self.state.hyper_names}
        table, words = grid_table(grid, self.state.hyper_names, types, fallback=self._model_values)
        metric = metric_column(grid.get("sort_by"))
        metric = metric if metric in table.columns else next(
            (c for c in table.columns[1 + len(self.state.hyper_names):]), None)
        self.state.table, self.state.metric, self.state.source = table, metric, words
        self.results.show(table, sort_by=metric if self.results.sort_by is None else None)
        set_parcoords(self.figure, table, self.state.hyper_names, metric)
        self.caption.value = (f"<b>Grid {html.escape(str(self.state.grid_id))}</b>: {len(table)} model"
                              f"{'s' if len(table) != 1 else ''}; {html.escape(words)} metrics"
                              + (f", ranked by {html.escape(metric)}" if metric else ""))
        if not table.empty:
            self.download.value = csv_link(table, f"{self.state.grid_id}.csv", "Download table (CSV)")
        return grid

    def _model_values(self, model_id: str) -> dict:
        """A model's hyper-parameter values from its own parameters (when the summary lacks it)."""
        model = self.client.model(model_id)
        return {p["name"]: p.get("actual_value") for p in model.get("parameters") or []
                if p.get("name") in self.state.hyper_names}

    def _finish(self, job: dict, grid: dict | None) -> None:
        self._set_busy(False)
        status = job.get("status")
        self.progress.bar_style = {"DONE": "success", "CANCELLED": "warning"}.get(status, "danger")
        models = f"{len(self.state.table)} model{'s' if len(self.state.table) != 1 else ''}"
        failures = [str(f) for f in (grid or {}).get("failure_details") or [] if f]
        if status not in ("DONE", "CANCELLED"):
            self.status.error(H2OJobError(job))
        elif status == "CANCELLED" or self.state.cancel_requested:
            # A server may end a cancelled grid DONE, its unbuilt models "failed" by the cancel.
            self.progress.bar_style = "warning"
            self.status.info(f"Grid {self.state.grid_id} was cancelled; {models} kept.")
        elif failures and self.state.table.empty:
            self.status.error(f"Every model of grid {self.state.grid_id} failed: {failures[0]}")
        else:
            failed = f"; {len(failures)} failed: {failures[0]}" if failures else ""
            self.status.info(f"Done: {models}{failed}.")

    def _set_busy(self, busy: bool) -> None:
        self.start_button.disabled = busy
        self.start_button.description = "Running…" if busy else "Start grid"
        self.cancel_button.disabled = not busy

    def _on_cancel(self, _button) -> None:
        if self.state.job is not None:
            self.state.cancel_requested = True
            self._guarded(lambda: self.client.cancel_job(self.state.job))

    def _on_open(self, model_id: str) -> None:
        if self.open_model is not None:
            self._guarded(lambda: self.open_model(model_id))

    # -- background work ------------------------------------------------------------------------
    def _poll(self, step: Callable[[], bool], interval: float = 0.5) -> Poller:
        poller = Poller(step, interval=interval, on_error=self._on_background_error).start()
        self.pollers = [p for p in self.pollers if p.running] + [poller]
        return poller

    def _on_background_error(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.status.error(exc)

    def _guarded(self, action: Callable[[], object]) -> None:
        try:
            action()
        except Exception as exc:
            self.status.error(exc)

    def wait_idle(self, timeout: float = 120) -> bool:
        """Wait for the background work (tests use it; callbacks never do)."""
        deadline = time.monotonic() + timeout
        while True:
            pollers = [p for p in self.pollers if p.running]
            if not pollers:
                return True
            if time.monotonic() >= deadline:
                return False
            pollers[0].join(max(deadline - time.monotonic(), 0.01))

    def close(self) -> None:
        for poller in self.pollers:
            poller.stop()
        super().close()
