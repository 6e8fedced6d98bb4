"""Small example datasets shipped with h2odash (copies of the h2o package's prostate and iris).

The dashboard's Frames panel uploads them with one click, so a new user can try the whole
journey before bringing their own data.
"""
from pathlib import Path

FOLDER = Path(__file__).resolve().parent


def path(name: str) -> Path:
    """Path of a bundled example file, e.g. ``path("prostate.csv")``."""
    return FOLDER / name
