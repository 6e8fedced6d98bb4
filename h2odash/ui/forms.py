"""Training forms generated from an algorithm's parameter declarations.

``GET /3/ModelBuilders/{algo}`` lists every parameter with its type, default, allowed values
and level (``critical``, ``secondary``, ``expert``). :class:`ParameterForm` turns that into
widgets, each with its one-line help beside it: the data choices and the few parameters that
matter most for the algorithm (:data:`KEY_PARAMETERS`) on top, the others folded in an
Accordion (parameters the server says it does not implement last, under Expert), parameters
that only mean something for one family or distribution (Tweedie powers...) hidden until that
family or distribution is chosen, enums as
dropdowns, frames and columns as pickers filled from the server. Only values the user changed
are sent, so the server's defaults apply to the rest, as in H2O Flow.

A line under the response picker says what the model will be (classification or regression);
unsupervised algorithms (k-means, PCA, isolation forest...) and deep learning with
``autoencoder`` checked learn without a response, and the line says so.
"""
from __future__ import annotations

import html
import json
import re
from typing import Any, Iterable

import ipywidgets as widgets

# Shown first, in this order: what every supervised model needs.
_LEADING = ("model_id", "training_frame", "validation_frame", "response_column", "ignored_columns")
_ADVANCED_LEVELS = (("secondary", "Advanced"), ("expert", "Expert"))
_NUMBER_TYPES = {"int": int, "long": int, "double": float, "float": float}
_FIELD_WIDTH = 230  # px, beside the label
INVALID = "h2odash-invalid"
_INVALID_STYLE = (f"<style>.{INVALID} input,.{INVALID} select,.{INVALID} textarea"
                  "{border:2px solid #b00020!important;background:#fff5f5}</style>")
# What matters most for each algorithm, shown right under the data choices.
KEY_PARAMETERS = {
    "gbm": ("ntrees", "max_depth", "learn_rate", "sample_rate", "col_sample_rate", "min_rows", "distribution"),
    "drf": ("ntrees", "max_depth", "mtries", "sample_rate", "min_rows"),
    "xgboost": ("ntrees", "max_depth", "learn_rate", "sample_rate", "col_sample_rate_per_tree", "reg_lambda",
                "reg_alpha", "distribution"),
    "glm": ("family", "alpha", "lambda", "lambda_search", "standardize"),
    "gam": ("family", "gam_columns", "num_knots", "alpha", "lambda"),
    "deeplearning": ("autoencoder", "hidden", "epochs", "activation", "l1", "l2"),
    "naivebayes": ("laplace",),
    "stackedensemble": ("base_models", "metalearner_algorithm", "metalearner_nfolds"),
    "kmeans": ("k", "estimate_k", "standardize", "init"),
    "pca": ("k", "transform", "pca_method"),
    "svd": ("nv", "transform", "svd_method"),
    "glrm": ("k", "loss", "regularization_x", "regularization_y", "gamma_x", "gamma_y", "transform"),
    "isolationforest": ("ntrees", "max_depth", "sample_size", "mtries"),
}
# Shown after every algorithm's key parameters: how the model is checked and made repeatable.
_CLOSING = ("nfolds", "seed")
# Parameters that mean something only for some values of another: name -> (that other, its values).
ONLY_FOR = {
    "tweedie_variance_power": ("family", ("tweedie",)), "tweedie_link_power": ("family", ("tweedie",)),
    "theta": ("family", ("negativebinomial",)), "tweedie_power": ("distribution", ("tweedie",)),
    "quantile_alpha": ("distribution", ("quantile",)), "huber_alpha": ("distribution", ("huber",)),
}

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


def _with_help(field: widgets.Widget, help_text: str) -> widgets.Widget:
    """A field with its one-line explanation to its right (not only on hover)."""
    if not help_text:
        return field
    note = widgets.HTML(f"<span style='color:#666;font-size:12px;line-height:1.2;margin-left:8px'>"
                        f"{html.escape(help_text)}</span>")
    return widgets.HBox([field, note]).add_class("h2odash-field-with-help")


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
        self.rows: dict[str, widgets.Widget] = {}  # each field with its help, as laid out
        self.column_types: dict[str, str] = {}
        self.column_levels: dict[str, int] = {}
        self.response_kind = widgets.HTML().add_class("h2odash-model-kind")
        self.unsupervised_kind = unsupervised_kind(builder)
        # Wide enough for the longest name: a truncated label hides which parameter it is.
        self.label_width = f"{max((len(n) for n in self.parameters), default=10) * 7.5 + 12:.0f}px"
        # One layout and style for every field: a widget's layout is a widget the page loads too.
        self._layout = widgets.Layout(width=f"calc({self.label_width} + {_FIELD_WIDTH}px)")
        self._style = {"description_width": self.label_width}
        for name, spec in self.parameters.items():
            field = self._field(spec)
            if field is not None:
                field.tooltip = spec.get("help") or ""
                self.fields[name] = field
        common = self._leading_names()
        for name, field in self.fields.items():
            # The parameters shown first carry their help beside them; folded ones on hover.
            self.rows[name] = _with_help(field, self.parameters[name].get("help") or "") if name in common else field
        for name in ("response_column", "autoencoder"):
            if name in self.fields:
                self.fields[name].observe(self._on_response_change, names="value")
        for name, (controller, _values) in ONLY_FOR.items():
            if name in self.fields and controller in self.fields:
                self.fields[controller].observe(self._on_controller_change, names="value")
        shown = [self.rows[n] for n in common]
        anchor = next((self.rows[n] for n in ("response_column", "training_frame") if n in common), None)
        shown.insert(shown.index(anchor) + 1 if anchor in shown else 0, self.response_kind)
        rest = [n for n in self.fields if n not in common]
        unimplemented = [n for n in rest if "not implemented" in (self.parameters[n].get("help") or "")]
        sections, titles = [], []
        for level, title in _ADVANCED_LEVELS:
            members = [n for n in rest if n not in unimplemented and (self.parameters[n].get("level") == level or (
                level == "secondary" and self.parameters[n].get("level") == "critical"))]
            if level == "expert":
                members += unimplemented
            if members:
                sections.append(widgets.VBox([self.rows[n] for n in members]))
                titles.append(f"{title} ({len(members)})")
        self.advanced = widgets.Accordion(children=sections, titles=tuple(titles))
        self.advanced.selected_index = None
        for field in self.fields.values():
            field.observe(self._clear_mark, names="value")
        super().__init__([widgets.HTML(_INVALID_STYLE)] + shown + ([self.advanced] if sections else []))
        self.add_class("h2odash-parameter-form")
        self._on_response_change()
        self._on_controller_change()

    def _leading_names(self) -> list[str]:
        """The data choices, the algorithm's key parameters, then folds and seed."""
        key = KEY_PARAMETERS.get(self.algo)
        if key is None:  # an algorithm this form does not know: the server's critical ones
            key = tuple(n for n, p in self.parameters.items() if p.get("level") == "critical")
        names = [n for n in (*_LEADING, *key, *_CLOSING) if n in self.fields]
        return list(dict.fromkeys(names))

    def _on_controller_change(self, change=None) -> None:
        for name, (controller, values) in ONLY_FOR.items():
            if name in self.rows and controller in self.fields:
                applies = str(self.fields[controller].value).lower() in values
                self.rows[name].layout.display = "" if applies else "none"

    # -- building -----------------------------------------------------------------------
    def _field(self, spec: dict) -> widgets.Widget | None:
        kind, name, default = spec.get("type", ""), spec["name"], spec.get("default_value")
        # A field shown or hidden on its own (ONLY_FOR) needs a layout of its own.
        layout = widgets.Layout(width=self._layout.width) if name in ONLY_FOR else self._layout
        common = dict(description=name, layout=layout, style=self._style)
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

    def set_columns(self, columns: Iterable[Column], levels: dict[str, int] | None = None,
                    ignore: Iterable[str] = ()) -> None:
        """Offer the training frame's columns in every column picker; ``ignore`` (id-like columns)
        is proposed in ignored_columns, where the user can take it back."""
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
        ignored = self.fields.get("ignored_columns")
        if isinstance(ignored, widgets.SelectMultiple):
            ignored.value = tuple(dict.fromkeys([*ignored.value, *(c for c in ignore if c in names)]))
        self._on_response_change()

    def _offer_predictors(self) -> None:
        """The response is what the model predicts, never a column to ignore or use: keep it out
        of ignored_columns' options."""
        ignored = self.fields.get("ignored_columns")
        if not isinstance(ignored, widgets.SelectMultiple):
            return
        response = self.fields["response_column"].value if self.needs_response else None
        names = [c for c in self.column_types if c != response]
        if list(ignored.options) != names:
            keep = tuple(v for v in ignored.value if v in names)
            ignored.options = names
            ignored.value = keep

    @property
    def autoencoder(self) -> bool:
        """Whether ``autoencoder`` (deep learning) is checked."""
        return "autoencoder" in self.fields and bool(self.fields["autoencoder"].value)

    @property
    def needs_response(self) -> bool:
        """False for unsupervised algorithms and for deep learning with ``autoencoder`` checked."""
        return "response_column" in self.fields and self.unsupervised_kind is None and not self.autoencoder

    def _on_response_change(self, change=None) -> None:
        self._offer_predictors()
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
                    self.mark_invalid([name])
                    raise ValueError(f"{name}: cannot read {field.value!r} as a list of {kind[:-2]}") from exc
            elif isinstance(field, widgets.Text):
                value = value.strip() or None
            if value is None or value == default or (isinstance(default, list) and value == list(default)):
                continue
            chosen[name] = value
        return chosen

    def mark_invalid(self, names: Iterable[str]) -> list[str]:
        """Outline these fields in red (until they are edited); returns the ones the form has."""
        marked = [n for n in names if n in self.fields]
        for name in marked:
            self.fields[name].add_class(INVALID)
        return marked

    def mark_named_in(self, message: str) -> list[str]:
        """Outline the fields a server's error message names (``ntrees must be > 0``...)."""
        # H2O-3 writes the field as "_ntrees"; the embedded engine as "ntrees".
        return self.mark_invalid(n for n in self.fields if re.search(rf"(?<![\w.])_?{re.escape(n)}(?!\w)", message))

    def invalid(self) -> list[str]:
        return [n for n, f in self.fields.items() if INVALID in f._dom_classes]

    def _clear_mark(self, change) -> None:
        change["owner"].remove_class(INVALID)

    def set_value(self, name: str, value: Any) -> None:
        """Set one field (tests and callers that prefill a form use this)."""
        field = self.fields[name]
        field.value = tuple(value) if isinstance(field, widgets.SelectMultiple) else value
