"""What a model learned, read from its ``output``: variable importance, scoring history and GLM
coefficients (supervised models); the importance of components (a scree plot), isolation-forest
variable splits, cluster centers, eigenvectors and archetypes (unsupervised ones).

Each view is shown when the output has data for it, whatever the algorithm, so a new algorithm
whose output carries the same H2O tables gets the same views. The metrics' own charts (ROC,
cluster sizes...) are :class:`~h2odash.ui.metric_charts.MetricCharts`'s.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import ipywidgets as widgets
import pandas as pd

from . import charts
from .chartbox import ChartBox
from .history_view import ScoringHistoryView
from .metric_charts import Tabs
from .tablebox import TableBox
from .tables import components_table, two_dim_table


@dataclass(frozen=True)
class OutputChart:
    """An output table drawn as a chart."""

    key: str                                       # in the model's output
    tab: str
    download: str                                  # the CSV's name, after the model id
    chart: Callable[[dict], object]                # table -> go.Figure
    data: Callable[[dict], pd.DataFrame] = two_dim_table  # table -> what the CSV holds


# In tab order. A chart without a point (PCA's history lists only iterations) gets no tab.
OUTPUT_CHARTS = (
    OutputChart("variable_importances", "Variable importance", "variable_importance",
                charts.variable_importance_chart),
    OutputChart("importance", "Importance of components", "importance_of_components", charts.scree_chart,
                components_table),
    OutputChart("variable_splits", "Variable splits", "variable_splits", charts.variable_splits_chart),
    OutputChart("coefficients_table", "Coefficients", "coefficients", charts.coefficients_chart),
)

# Output tables shown as tables: (output key, tab, caption, name for H2O's unnamed first column).
# Tables sharing a tab are shown one under the other.
OUTPUT_TABLES = (
    ("centers", "Cluster centers", "Cluster centers", "centroid"),
    ("centers_std", "Cluster centers", "Cluster centers, standardized", "centroid"),
    ("eigenvectors", "Eigenvectors", "Eigenvectors", "variable"),
    ("archetypes", "Archetypes", "Archetypes", "archetype"),
)


def _has_points(fig) -> bool:
    return any(len(trace.x if trace.x is not None else ()) for trace in fig.data)


class ModelOutputViews:
    """The charts and tables of one model's output, each with its CSV download, by output key
    (``charts["scoring_history"]``, ``tables["centers"]``...).

    Every box is made once and redrawn for each model.
    """

    def __init__(self):
        self.charts = {item.key: ChartBox(f"{item.download}.csv") for item in OUTPUT_CHARTS}
        self.history = ScoringHistoryView()
        self.charts["scoring_history"] = self.history.chart
        self.tables = {key: TableBox(f"{key}.csv") for key, *_ in OUTPUT_TABLES}
        self._pages: dict[tuple[int, ...], widgets.VBox] = {}  # tables sharing a tab, made once

    def show(self, model_id: str, output: dict) -> Tabs:
        """Fill every view the output has data for; return their tabs, charts first."""
        return self._show_charts(model_id, output) + self._show_tables(model_id, output)

    def _show_charts(self, model_id: str, output: dict) -> Tabs:
        tabs: Tabs = []
        for item in OUTPUT_CHARTS:
            table = output.get(item.key)
            fig = item.chart(table) if isinstance(table, dict) else None
            if fig is None or not _has_points(fig):
                continue
            box = self.charts[item.key]
            box.show(fig, data=item.data(table), filename=f"{model_id}_{item.download}.csv")
            tabs.append((item.tab, box))
        return tabs + self._show_history(model_id, output)

    def _show_history(self, model_id: str, output: dict) -> Tabs:
        table = output.get("scoring_history")
        if not isinstance(table, dict) or not charts.scoring_history_series(table):
            return []  # PCA's history lists only iterations
        self.history.show(table, filename=f"{model_id}_scoring_history.csv")
        return [("Scoring history", self.history)]

    def _show_tables(self, model_id: str, output: dict) -> Tabs:
        pages: dict[str, list[TableBox]] = {}
        for key, tab, caption, first_column in OUTPUT_TABLES:
            table = output.get(key)
            frame = two_dim_table(table) if isinstance(table, dict) else None
            if frame is None or frame.empty:
                continue
            frame = frame.rename(columns={"": first_column})
            self.tables[key].show(frame, filename=f"{model_id}_{key}.csv", caption=caption)
            pages.setdefault(tab, []).append(self.tables[key])
        return [(tab, boxes[0] if len(boxes) == 1 else self._page(boxes)) for tab, boxes in pages.items()]

    def _page(self, boxes: list[TableBox]) -> widgets.VBox:
        key = tuple(id(box) for box in boxes)
        if key not in self._pages:
            self._pages[key] = widgets.VBox(boxes)
        return self._pages[key]
