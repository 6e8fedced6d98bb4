"""How a panel tells the user what happened: a one-line status that shows errors in the
server's own words."""
from __future__ import annotations

import html

import ipywidgets as widgets

from h2odash.client import H2OJobError, H2OServerError
from h2odash.client.errors import clean_message


def error_text(exc: BaseException) -> str:
    """The message a user should read for ``exc``: the server's ``msg`` when there is one."""
    if isinstance(exc, H2OServerError):
        return exc.msg
    if isinstance(exc, H2OJobError):
        return clean_message(exc.exception) or str(exc)
    return f"{type(exc).__name__}: {exc}"


class StatusLine(widgets.HTML):
    """A line under a panel's controls: progress notes in grey, errors in red."""

    def info(self, text: str) -> None:
        self.value = f"<span style='color:#555'>{html.escape(text)}</span>"

    def error(self, exc_or_text: BaseException | str) -> None:
        text = exc_or_text if isinstance(exc_or_text, str) else error_text(exc_or_text)
        # pre-wrap keeps the server's multi-line validation messages readable.
        self.value = (f"<div class='h2odash-error' style='color:#b00020;white-space:pre-wrap'>"
                      f"{html.escape(text)}</div>")

    def clear(self) -> None:
        self.value = ""

    @property
    def is_error(self) -> bool:
        return "h2odash-error" in self.value
