"""Controls that change frames on the server: split a frame by ratios, change a column's type.

They only read what the user typed; the Frames panel's callbacks send it to the client.
"""
from __future__ import annotations

import ipywidgets as widgets

from h2odash.client.api import split_part_names, split_part_ratios

from .busy import mark_invalid

# What the column type control offers, and which H2O column types each choice covers.
COLUMN_KINDS = (("enum (categorical)", "enum"), ("numeric", "numeric"))
_NUMERIC_TYPES = ("int", "real")


def split_ratios(text: str) -> list[float]:
    """``'0.8'``, ``'0.8, 0.2'`` or ``'0.7, 0.2'`` -> the fractions of every part but the last
    (H2O's ``ratios``): fractions of every part adding up to 1 lose their last one.

    Raises
    ------
    ValueError
        When a ratio is not a number in (0, 1), or the ratios add up to more than 1.
    """
    try:
        ratios = [float(part) for part in text.replace(";", ",").split(",") if part.strip()]
        return split_part_ratios(ratios)
    except ValueError:
        raise ValueError(f"Ratios are fractions between 0 and 1 adding up to at most 1, like 0.8, or "
                         f"0.8, 0.2, or 0.7, 0.15, 0.15; got {text!r}.") from None


def split_seed(text: str) -> int | None:
    """The seed typed (an integer), or None when the field is blank (a new split each time).

    Raises
    ------
    ValueError
        When the text is not an integer.
    """
    if not text.strip():
        return None
    try:
        return int(text.strip())
    except ValueError:
        raise ValueError(f"The seed is a whole number (or blank for a new split each time); got {text!r}.") from None


def part_names(text: str, parts: int) -> list[str] | None:
    """The names typed for the parts, or None to let the server name them.

    Raises
    ------
    ValueError
        When some but not all parts are named.
    """
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        return None
    if len(names) != parts:
        raise ValueError(f"{parts} ratios make {parts} parts: give {parts} names, or none.")
    return names


class SplitControl(widgets.HBox):
    """Ratios, a seed, names of the parts, and a Split button."""

    def __init__(self):
        self.ratios = widgets.Text(value="0.8", description="Split ratios", placeholder="0.8 or 0.7, 0.15, 0.15",
                                   layout=widgets.Layout(width="230px"))
        self.seed = widgets.Text(value="42", description="Seed", placeholder="blank: random",
                                 layout=widgets.Layout(width="160px"))
        self.names = widgets.Text(description="Part names", placeholder="train, test (optional)",
                                  layout=widgets.Layout(width="420px"))
        self.button = widgets.Button(description="Split", icon="scissors", disabled=True)
        super().__init__([self.ratios, self.seed, self.names, self.button])

    def request(self) -> tuple[list[float], list[str] | None, int | None]:
        """The ratios, part names and seed typed; ``ValueError`` says what to fix (and the field
        at fault is marked)."""
        checks = ((self.ratios, lambda: split_ratios(self.ratios.value)),
                  (self.seed, lambda: split_seed(self.seed.value)))
        values = []
        for field, read in checks:
            try:
                values.append(read())
            except ValueError:
                mark_invalid(field, True)
                raise
            mark_invalid(field, False)
        ratios, seed = values
        try:
            names = part_names(self.names.value, len(ratios) + 1)
        except ValueError:
            mark_invalid(self.names, True)
            raise
        mark_invalid(self.names, False)
        return ratios, names, seed

    def suggest_names(self, frame_id: str | None) -> None:
        """Show the names the parts get when none are typed (they follow the ratios typed)."""
        try:
            parts = len(split_ratios(self.ratios.value)) + 1
        except ValueError:
            parts = 2
        shown = ", ".join(split_part_names(frame_id, parts)) if frame_id else "train, test"
        self.names.placeholder = f"{shown} (default)"


class ColumnTypeControl(widgets.HBox):
    """The selected column's type (enum or numeric) and a button to change it."""

    def __init__(self):
        self.kind = widgets.Dropdown(options=COLUMN_KINDS, description="Type", layout=widgets.Layout(width="240px"))
        self.button = widgets.Button(description="Change type")
        super().__init__([self.kind, self.button])

    def show(self, column_type: str | None) -> None:
        """Show a column's H2O type; only enum and numeric columns can be changed here."""
        changeable = column_type == "enum" or column_type in _NUMERIC_TYPES
        if changeable:
            self.kind.value = "enum" if column_type == "enum" else "numeric"
        self.button.disabled = not changeable
