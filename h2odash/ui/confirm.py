"""An inline "are you sure?" row for actions that cannot be undone (deleting frames, models)."""
from __future__ import annotations

import ipywidgets as widgets


class ConfirmBox(widgets.HBox):
    """Hidden until :meth:`ask`; ``yes`` runs the caller's handler, ``no`` just hides the row."""

    def __init__(self, on_yes, yes_label: str = "Yes, delete", no_label: str = "Keep"):
        self.text = widgets.HTML()
        self.yes = widgets.Button(description=yes_label, button_style="danger")
        self.no = widgets.Button(description=no_label)
        self.yes.on_click(lambda button: (self.hide(), on_yes(button)))
        self.no.on_click(lambda _: self.hide())
        super().__init__([self.text, self.yes, self.no], layout=widgets.Layout(display="none"))

    def ask(self, question_html: str) -> None:
        self.text.value = question_html
        self.layout.display = "flex"

    def hide(self) -> None:
        self.layout.display = "none"

    @property
    def shown(self) -> bool:
        return self.layout.display == "flex"
