"""Download links a user can click in a notebook or in Voilà: the file (a CSV, a model file)
travels inside the link (a ``data:`` URI), so no file server or kernel round trip is needed."""
from __future__ import annotations

import base64
import html

import pandas as pd


def file_link(data: bytes, filename: str, label: str | None = None,
              media_type: str = "application/octet-stream") -> str:
    """An HTML ``<a download>`` link holding ``data``, saved by the browser as ``filename``."""
    encoded = base64.b64encode(bytes(data)).decode("ascii")
    text = html.escape(label or f"Download {filename}")
    return (f"<a class='h2odash-download' download='{html.escape(filename)}' "
            f"href='data:{media_type};base64,{encoded}' target='_blank'>{text}</a>")


def safe_filename(name: str) -> str:
    """``name`` as a file name any system accepts (keys may hold ``/``, ``:``, spaces...)."""
    return "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name) or "download"


def csv_link(data: pd.DataFrame | str | bytes, filename: str, label: str | None = None) -> str:
    """An HTML ``<a download>`` link holding ``data`` as CSV."""
    if isinstance(data, pd.DataFrame):
        data = data.to_csv(index=False)
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    return file_link(raw, filename, label, media_type="text/csv")


def figure_data(fig) -> pd.DataFrame:
    """The data behind a Plotly figure, one row per point: trace name, x, y (and text)."""
    rows = []
    for trace in fig.data:
        xs = list(trace.x if getattr(trace, "x", None) is not None else [])
        ys = list(trace.y if getattr(trace, "y", None) is not None else [])
        for x, y in zip(xs, ys):
            rows.append({"series": trace.name or "", "x": x, "y": y})
    return pd.DataFrame(rows, columns=["series", "x", "y"])


def decode_link_bytes(link_html: str) -> bytes:
    """The bytes inside a link made by :func:`file_link` (tests read it back with this)."""
    encoded = link_html.split("base64,", 1)[1].split("'", 1)[0]
    return base64.b64decode(encoded)


def decode_link(link_html: str) -> str:
    """The CSV text inside a link made by :func:`csv_link` (tests read it back with this)."""
    return decode_link_bytes(link_html).decode("utf-8")
