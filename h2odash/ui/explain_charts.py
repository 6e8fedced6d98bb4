"""The Explain panel's figures: pure functions from the tables of :mod:`explain_data` and the
client's partial dependence tables to plain ``go.Figure`` objects (drawn into live figures by
:class:`~h2odash.ui.chartbox.ChartBox`). Each returns the figure and the table behind it, which
the chart offers as CSV.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from h2odash.client.explain import PartialDependenceTable

from .charts import HEIGHT, figure
from .tables import two_dim_table

TOP_FEATURES = 12  # features a beeswarm or waterfall shows; the rest are summed or left out
# Low values blue, high values red, as SHAP's own plots colour them.
_VALUE_COLOURS = [[0, "#1f77b4"], [0.5, "#bbbbbb"], [1, "#d62728"]]
_ICE_LINE = dict(color="rgba(120,120,120,0.45)", width=1)


def _tall(n: int) -> int:
    return max(HEIGHT, 26 * n + 100)


def shap_summary(long: pd.DataFrame, top: int = TOP_FEATURES) -> tuple[go.Figure, pd.DataFrame]:
    """A beeswarm: one dot per row and feature, at its contribution, coloured by the row's value of
    the feature; the features with the largest mean absolute contribution on top. WebGL, so a
    thousand rows stay quick."""
    features = list(long["feature"].cat.categories[:top]) if len(long) else []
    shown = long[long["feature"].isin(features)]
    fig = figure("SHAP summary (each dot a row)", "contribution (SHAP value, link scale)", "", _tall(len(features)))
    if shown.empty:
        return fig, shown
    position = {name: len(features) - 1 - i for i, name in enumerate(features)}
    # Rows spread vertically around their feature's line (a fixed seed: the same rows land in the
    # same places on every redraw).
    jitter = np.random.default_rng(0).uniform(-0.3, 0.3, len(shown))
    y = shown["feature"].map(position).astype(float).to_numpy() + jitter
    text = [f"row {r}<br>{f} = {v}<br>contribution {c:.4g}"
            for r, f, v, c in zip(shown["row"], shown["feature"], shown["value"], shown["contribution"])]
    fig.add_trace(go.Scattergl(
        x=shown["contribution"].tolist(), y=y.tolist(), mode="markers", name="rows", text=text,
        hoverinfo="text", marker=dict(size=5, color=np.nan_to_num(shown["colour"].to_numpy(), nan=0.5).tolist(),
                                      colorscale=_VALUE_COLOURS, cmin=0, cmax=1, opacity=0.8,
                                      colorbar=dict(title="value", tickvals=[0, 1], ticktext=["low", "high"],
                                                    thickness=10))))
    fig.update_yaxes(tickvals=list(position.values()), ticktext=list(position), zeroline=False)
    fig.add_vline(x=0, line=dict(color="grey", width=1))
    fig.update_layout(showlegend=False)
    data = shown[["row", "feature", "value", "contribution"]].copy()
    data["feature"] = data["feature"].astype(str)
    return fig, data


def shap_dependence(long: pd.DataFrame, feature: str, colour_by: str | None) -> tuple[go.Figure, pd.DataFrame]:
    """One feature's contribution against its value, one dot per row, coloured by another
    feature's value (for interactions)."""
    own = long[long["feature"] == feature].set_index("row")
    fig = figure(f"SHAP dependence: {feature}", feature, f"contribution of {feature}")
    if own.empty:
        return fig, pd.DataFrame(columns=["row", feature, "contribution"])
    data = pd.DataFrame({"row": own.index, feature: own["value"].to_numpy(), "contribution": own["contribution"]})
    marker = dict(size=6, opacity=0.8)
    if colour_by and colour_by != feature:
        other = long[long["feature"] == colour_by].set_index("row").reindex(own.index)
        data[colour_by] = other["value"].to_numpy()
        marker.update(color=np.nan_to_num(other["colour"].to_numpy(dtype=float), nan=0.5).tolist(),
                      colorscale=_VALUE_COLOURS, cmin=0, cmax=1,
                      colorbar=dict(title=colour_by, tickvals=[0, 1], ticktext=["low", "high"], thickness=10))
        fig.layout.title.text += f" (colour: {colour_by})"
    text = [f"row {r}" + "".join(f"<br>{c} = {data.iloc[i][c]}" for c in data.columns[1:])
            for i, r in enumerate(data["row"])]
    fig.add_trace(go.Scattergl(x=data[feature].astype(object).tolist(), y=data["contribution"].tolist(),
                               mode="markers", name=feature, marker=marker, text=text, hoverinfo="text"))
    fig.update_layout(showlegend=False)
    return fig, data.reset_index(drop=True)


def waterfall(table: pd.DataFrame, row: int, top: int = TOP_FEATURES) -> tuple[go.Figure, pd.DataFrame]:
    """How one row's prediction is built: from the model's average (``BiasTerm``) each feature's
    contribution, largest first, the smallest summed as one bar, to the row's output (link scale)."""
    features, bias = table.iloc[:-1], table.iloc[-1]
    shown, rest = features.head(top), features.iloc[top:]
    labels = ["average (BiasTerm)"] + [f"{f} = {_short(v)}" for f, v in zip(shown["feature"], shown["value"])]
    values = [bias["contribution"]] + shown["contribution"].tolist()
    measures = ["absolute"] + ["relative"] * len(shown)
    if len(rest):
        labels.append(f"{len(rest)} other features")
        values.append(float(rest["contribution"].sum()))
        measures.append("relative")
    labels.append("prediction")
    values.append(0.0)
    measures.append("total")
    fig = figure(f"Row {row}: contributions", "output (link scale)", "", _tall(len(labels)))
    fig.add_trace(go.Waterfall(orientation="h", y=labels[::-1], x=values[::-1], measure=measures[::-1],
                               name=f"row {row}", increasing=dict(marker=dict(color="#d62728")),
                               decreasing=dict(marker=dict(color="#1f77b4")),
                               totals=dict(marker=dict(color="#555555"))))
    fig.update_layout(showlegend=False)
    data = table.copy()
    data.insert(0, "row", row)
    return fig, data


def _short(value) -> str:
    if isinstance(value, float):
        return "NA" if np.isnan(value) else f"{value:.4g}"
    return str(value)


def partial_dependence(curves: Mapping[str, PartialDependenceTable], column: str,
                       ice: Mapping[str, PartialDependenceTable] | None = None) -> tuple[go.Figure, pd.DataFrame]:
    """The mean prediction as ``column`` varies, one line per model (with a band of ± one standard
    error), and thin grey ICE lines: single rows of one model as the same column varies."""
    fig = figure(f"Partial dependence: {column}", column, "mean prediction")
    parts = []
    for name, line in (ice or {}).items():
        fig.add_scatter(x=_grid(line.table[column]), y=line.table["mean_response"].tolist(), name=name,
                        mode="lines", line=_ICE_LINE, legendgroup="ice", showlegend=False)
        parts.append(_tidy(line.table, column, "ICE", name))
    for colour, (model, curve) in enumerate(curves.items()):
        table = curve.table
        x = _grid(table[column])
        low = (table["mean_response"] - table["std_error_mean_response"]).tolist()
        high = (table["mean_response"] + table["std_error_mean_response"]).tolist()
        hue = fig.layout.colorway[colour % len(fig.layout.colorway)] if fig.layout.colorway else None
        fig.add_scatter(x=x + x[::-1], y=high + low[::-1], fill="toself", mode="lines", line=dict(width=0),
                        fillcolor=_transparent(hue), hoverinfo="skip", showlegend=False, name=f"{model} ± s.e.")
        fig.add_scatter(x=x, y=table["mean_response"].tolist(), name=model, mode="lines+markers",
                        line=dict(color=hue, width=3))
        parts.append(_tidy(table, column, "mean", model))
    # Several model ids would run over the title: the legend goes under the plot.
    fig.update_layout(legend=dict(orientation="h", x=0, xanchor="left", y=-0.25, yanchor="top"),
                      height=HEIGHT + 30 * len(curves), margin=dict(b=60 + 10 * len(curves)))
    data = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return fig, data


def _grid(values: pd.Series) -> list:
    # A categorical column's levels stay text so plotly draws a category axis.
    return values.tolist()


def _tidy(table: pd.DataFrame, column: str, kind: str, name: str) -> pd.DataFrame:
    tidy = table.rename(columns={column: "value"}).copy()
    tidy.insert(0, "curve", kind)
    tidy.insert(0, "series", name)
    return tidy


def _transparent(colour: str | None) -> str:
    if not colour or not colour.startswith("#") or len(colour) != 7:
        return "rgba(100,100,100,0.15)"
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},0.15)"


def partial_dependence_2d(pair: PartialDependenceTable) -> tuple[go.Figure, pd.DataFrame]:
    """The mean prediction over a grid of two columns' values, as a heatmap."""
    first, second = pair.columns
    grid = pair.table.pivot_table(index=second, columns=first, values="mean_response", sort=True)
    fig = figure(f"2D partial dependence: {first} × {second}", first, second, HEIGHT + 40)
    fig.add_heatmap(z=grid.to_numpy().tolist(), x=[str(v) if isinstance(v, str) else v for v in grid.columns],
                    y=list(grid.index), colorscale="Viridis", name="mean prediction",
                    colorbar=dict(title="mean", thickness=10))
    return fig, pair.table[[first, second, "mean_response", "stddev_response", "std_error_mean_response"]]


def importance_heatmap(tables: Mapping[str, dict | None], top: int = 15) -> tuple[go.Figure, pd.DataFrame]:
    """Each model's scaled variable importance (rows) for the variables that matter most on average
    (columns); a model without importances (stacked ensembles) is left out."""
    frames = {name: two_dim_table(t) for name, t in tables.items()}
    frames = {name: f.set_index("variable")["scaled_importance"] for name, f in frames.items() if not f.empty}
    fig = figure("Variable importance across models", "", "", max(HEIGHT, 30 * len(frames) + 140))
    if not frames:
        return fig, pd.DataFrame()
    joined = pd.DataFrame(frames).fillna(0.0)
    joined = joined.loc[joined.mean(axis=1).sort_values(ascending=False).index[:top]].T
    fig.add_heatmap(z=joined.to_numpy().tolist(), x=[str(c) for c in joined.columns], y=list(joined.index),
                    colorscale="Blues", zmin=0, zmax=1, texttemplate="%{z:.2f}", name="scaled importance",
                    colorbar=dict(title="scaled", thickness=10))
    fig.update_yaxes(autorange="reversed")
    data = joined.reset_index().rename(columns={"index": "model"})
    return fig, data


def agreement_heatmap(agreement: pd.DataFrame, numeric: bool) -> tuple[go.Figure, pd.DataFrame]:
    """How alike models predict: the share of rows given the same class, or the correlation of
    numeric predictions, for each pair of models."""
    what = "correlation of predictions" if numeric else "share of rows predicted alike"
    fig = figure(f"Model correlation: {what}", "", "", max(HEIGHT, 30 * len(agreement) + 140))
    names = [str(n) for n in agreement.index]
    fig.add_heatmap(z=agreement.to_numpy(dtype=float).tolist(), x=names, y=names, colorscale="RdBu",
                    zmin=-1 if numeric else 0, zmax=1, texttemplate="%{z:.2f}", name=what,
                    colorbar=dict(thickness=10))
    fig.update_yaxes(autorange="reversed")
    return fig, agreement.reset_index().rename(columns={"index": "model"})
