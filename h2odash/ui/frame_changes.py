"""Controls that change frames on the server: split a frame by ratios, change a column's type.

They only read what the user typed; the Frames panel's callbacks send it to the client.
"""
from __future__ import annotations

import ipywidgets as widgets

# What the column type control offers, and which H2O column types each choice covers.
COLUMN_KINDS = (("enum (categorical)", "enum"), ("numeric", "numeric"))
_NUMERIC_TYPES = ("int", "real")


def split_ratios(text: str) -> list[float]:
    """``'0.8'`` or ``'0.7, 0.2'`` -> the fractions of every part but the last (H2O's ``ratios``).

    Raises
    ------
    ValueError
        When a ratio is not a number in (0, 1), or the ratios leave nothing for the last part.
    """
    try:
        ratios = [float(part) for part in text.replace(";", ",").split(",") if part.strip()]
    except ValueError:
        raise ValueError(f"Ratios are numbers between 0 and 1, like 0.8 or 0.7, 0.2; got {text!r}.") from None
    if not ratios or not all(0 < r < 1 for r in ratios) or sum(ratios) >= 1:
        raise ValueError(f"Ratios are numbers between 0 and 1 adding up to less than 1 "
                         f"(the last part takes the rest); got {text!r}.")
    return ratios


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
    """Ratios, names of the parts, and a Split button."""

    def __init__(self):
        self.ratios = widgets.Text(value="0.8", description="Split ratios", placeholder="0.8 or 0.7, 0.2",
                                   layout=widgets.Layout(width="260px"))
        self.names = widgets.Text(description="Part names", placeholder="train, test (optional)",
                                  layout=widgets.Layout(width="320px"))
        self.button = widgets.Button(description="Split", icon="scissors")
        super().__init__([self.ratios, self.names, self.button])

    def request(self) -> tuple[list[float], list[str] | None]:
        """The ratios and part names typed; ``ValueError`` says what to fix."""
        ratios = split_ratios(self.ratios.value)
        return ratios, part_names(self.names.value, len(ratios) + 1)


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
