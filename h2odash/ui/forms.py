"""Training forms generated from an algorithm's parameter declarations.

``GET /3/ModelBuilders/{algo}`` lists every parameter with its type, default, allowed values
and level (``critical``, ``secondary``, ``expert``). :class:`ParameterForm` turns that into
widgets: common (critical) parameters on top, the others folded in an Accordion, enums as
dropdowns, frames and columns as pickers filled from the server. Only values the user changed
are sent, so the server's defaults apply to the rest, as in H2O Flow.

A line under the response picker says what the model will be (classification or regression);
unsupervised algorithms (k-means, PCA, isolation forest...) and deep learning with
``autoencoder`` checked learn without a response, and the line says so.
"""
from __future__ import annotations

import json
from typing import Any, Iterable

import ipywidgets as widgets

# Shown first, in this order: what every supervised model needs.
_LEADING = ("model_id", "training_frame", "validation_frame", "response_column", "ignored_columns")
_ADVANCED_LEVELS = (("secondary", "Advanced"), ("expert", "Expert"))
_NUMBER_TYPES = {"int": int, "long": int, "double": float, "float": float}
_LAYOUT = widgets.Layout(width="420px")
_STYLE = {"description_width": "180px"}

Column = tuple[str, str]  # (name, H2O column type: "enum", "int", "real", "string"...)

# What an unsupervised builder's models are, in words, by H2O model category ...
_CATEGORY_WORDS = {"Clustering": "clustering", "DimReduction": "dimension reduction",
                   "AnomalyDetection": "anomaly detection", "AutoEncoder": "autoencoder",
                   "WordEmbedding": "word embedding"}
# ... which H2O-3 declares wrongly for two algorithms: can_build "Clustering", DimReduction models.
_CATEGORY_OF = {"pca": "DimReduction", "glrm": "DimReduction"}


def model_kind(column_type: str | None, levels: int | None = None) -> str:
    """What a model predicting a column of this type is: classification or regression."""
    if column_type == "enum":
        return f"classification ({levels} classes)" if levels else "classification"
    if column_type in ("int", "real"):
        return "regression"
    return ""


def unsupervised_kind(builder: dict) -> str | None:
    """What a builder's models are when it learns without a response (``"clustering"``...);
    None for a supervised builder."""
    supervised = builder.get("supervised")
    if supervised is None:  # an older declaration: a response parameter is what supervision needs
        supervised = any(p.get("name") == "response_column" for p in builder.get("parameters") or [])
    if supervised:
        return None
    category = _CATEGORY_OF.get(builder.get("algo", "")) or next(iter(builder.get("can_build") or []), "")
    return _CATEGORY_WORDS.get(category, "unsupervised")


def _parse_list(text: str, item_type: str) -> list:
    """``'0.5, 1, 2'`` or JSON ``'[0.5, 1]'`` -> a list of the declared item type."""
    text = text.strip()
    if not text:
        return []
    if text.startswith("["):
        return list(json.loads(text))
    items = [part.strip() for part in text.split(",") if part.strip()]
    convert = _NUMBER_TYPES.get(item_type, str)
    return [convert(item) for item in items]


class ParameterForm(widgets.VBox):
    """A form for one algorithm's parameters.

    Parameters
    ----------
    builder : dict
        One entry of ``GET /3/ModelBuilders`` (``algo``, ``parameters``...).
    """

    def __init__(self, builder: dict):
        self.algo = builder.get("algo", "")
        self.parameters = {p["name"]: p for p in builder.get("parameters") or []}
        self.fields: dict[str, widgets.Widget] = {}
        self.column_types: dict[str, str] = {}
        self.column_levels: dict[str, int] = {}
        self.response_kind = widgets.HTML().add_class("h2odash-model-kind")
        self.unsupervised_kind = unsupervised_kind(builder)
        for name, spec in self.parameters.items():
            field = self._field(spec)
            if field is not None:
                field.tooltip = spec.get("help") or ""
                self.fields[name] = field
        for name in ("response_column", "autoencoder"):
            if name in self.fields:
                self.fields[name].observe(self._on_response_change, names="value")
        common = [self.fields[n] for n in _LEADING if n in self.fields]
        common += [f for n, f in self.fields.items()
                   if n not in _LEADING and self.parameters[n].get("level") == "critical"]
        anchor = next((self.fields[n] for n in ("response_column", "training_frame") if n in self.fields), None)
        common.insert(common.index(anchor) + 1 if anchor in common else 0, self.response_kind)
        sections, titles = [], []
        for level, title in _ADVANCED_LEVELS:
            members = [f for n, f in self.fields.items()
                       if n not in _LEADING and self.parameters[n].get("level") == level]
            if members:
                sections.append(widgets.VBox(members))
                titles.append(f"{title} ({len(members)})")
        self.advanced = widgets.Accordion(children=sections, titles=tuple(titles))
        self.advanced.selected_index = None
        super().__init__(common + ([self.advanced] if sections else []))
        self._on_response_change()

    # -- building -----------------------------------------------------------------------
    def _field(self, spec: dict) -> widgets.Widget | None:
        kind, name, default = spec.get("type", ""), spec["name"], spec.get("default_value")
        common = dict(description=name, layout=_LAYOUT, style=_STYLE)
        if kind == "Key<Frame>":
            return widgets.Dropdown(options=[("", None)], value=None, **common)
        if kind == "VecSpecifier":
            return widgets.Dropdown(options=[("", None)], value=None, **common)
        if kind.endswith("[]") and spec.get("is_member_of_frames"):
            return widgets.SelectMultiple(options=[], rows=4, **common)
        if kind == "boolean":
            return widgets.Checkbox(value=bool(default), indent=False, **common)
        if kind == "enum" or spec.get("values"):
            values = list(spec.get("values") or [])
            options = values if default in values else [("", None)] + values
            return widgets.Dropdown(options=options, value=default if default in values else None, **common)
        if kind in ("int", "long"):
            return widgets.IntText(value=int(default if default is not None else 0), **common)
        if kind in ("double", "float"):
            return widgets.FloatText(value=float(default if default is not None else 0.0), **common)
        if kind.endswith("[]"):
            text = "" if default in (None, []) else ", ".join(map(str, default))
            return widgets.Text(value=text, placeholder="comma-separated", **common)
        return widgets.Text(value="" if default is None else str(default), **common)

    # -- filling pickers ------------------------------------------------------------------
    def set_frames(self, frame_ids: Iterable[str]) -> None:
        """Offer these frames in every frame picker, keeping current choices that still exist."""
        frame_ids = list(frame_ids)
        for name, spec in self.parameters.items():
            if spec.get("type") == "Key<Frame>" and name in self.fields:
                field = self.fields[name]
                keep = field.value if field.value in frame_ids else None
                field.options = [("", None)] + [(f, f) for f in frame_ids]
                field.value = keep

    def set_columns(self, columns: Iterable[Column], levels: dict[str, int] | None = None) -> None:
        """Offer the training frame's columns in every column picker."""
        columns = list(columns)
        self.column_types = dict(columns)
        self.column_levels = dict(levels or {})
        names = [c for c, _ in columns]
        for name, spec in self.parameters.items():
            field = self.fields.get(name)
            if not spec.get("is_member_of_frames") or field is None:
                continue
            if isinstance(field, widgets.SelectMultiple):
                field.options = names
                field.value = tuple(v for v in field.value if v in names)
            else:
                keep = field.value if field.value in names else None
                field.options = [("", None)] + [(n, n) for n in names]
                field.value = keep
        self._on_response_change()

    @property
    def autoencoder(self) -> bool:
        """Whether ``autoencoder`` (deep learning) is checked."""
        return "autoencoder" in self.fields and bool(self.fields["autoencoder"].value)

    @property
    def needs_response(self) -> bool:
        """False for unsupervised algorithms and for deep learning with ``autoencoder`` checked."""
        return "response_column" in self.fields and self.unsupervised_kind is None and not self.autoencoder

    def _on_response_change(self, change=None) -> None:
        response = self.fields.get("response_column")
        if response is not None:
            # Without a response to learn (an autoencoder), the picker is greyed out and its choice not sent.
            response.disabled = not self.needs_response
        if not self.needs_response:
            kind = "autoencoder" if self.autoencoder else self.unsupervised_kind or "unsupervised"
            self.response_kind.value = f"<b>Model:</b> {kind} (no response)"
            return
        column = response.value
        kind = model_kind(self.column_types.get(column), self.column_levels.get(column)) if column else ""
        self.response_kind.value = f"<b>Model:</b> {kind}" if kind else ""

    # -- reading --------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        """The parameters to send: frames, columns, and every value the user changed.

        Raises
        ------
        ValueError
            When a list field does not parse.
        """
        chosen: dict[str, Any] = {}
        for name, field in self.fields.items():
            if name == "response_column" and not self.needs_response:
                continue
            spec = self.parameters[name]
            kind, default, value = spec.get("type", ""), spec.get("default_value"), field.value
            if isinstance(field, widgets.SelectMultiple):
                value = list(value) or None
            elif isinstance(field, widgets.Text) and kind.endswith("[]"):
                try:
                    value = _parse_list(value, kind[:-2]) or None
                except ValueError as exc:
                    raise ValueError(f"{name}: cannot read {field.value!r} as a list of {kind[:-2]}") from exc
            elif isinstance(field, widgets.Text):
                value = value.strip() or None
            if value is None or value == default or (isinstance(default, list) and value == list(default)):
                continue
            chosen[name] = value
        return chosen

    def set_value(self, name: str, value: Any) -> None:
        """Set one field (tests and callers that prefill a form use this)."""
        field = self.fields[name]
        field.value = tuple(value) if isinstance(field, widgets.SelectMultiple) else value
