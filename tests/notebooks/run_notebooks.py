"""Execute notebooks top to bottom with nbclient, failing on the first cell that raises.

The notebook tests call :func:`execute` in-process; the Binder test runs this file as a script
with the fresh environment's Python, so the kernel and h2odash both come from that environment:

    python tests/notebooks/run_notebooks.py notebooks/*.ipynb
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def execute(path: str | Path, timeout: float = 600) -> nbformat.NotebookNode:
    """Run every cell of the notebook at ``path`` in a fresh ``python3`` kernel started in its
    folder (as Jupyter would); returns the executed notebook. Raises ``CellExecutionError``."""
    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return notebook


def outputs(notebook: nbformat.NotebookNode) -> list[dict]:
    """Every output of every code cell, in order."""
    return [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.get("outputs", [])]


if __name__ == "__main__":
    for name in sys.argv[1:]:
        started = time.monotonic()
        execute(name)
        print(f"ran {name} in {time.monotonic() - started:.1f} s", flush=True)
