"""Helpers for driving panels without a browser: bounded waits on widget state."""
from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest


def wait_until(predicate, timeout: float = 60, what: str = "condition", panel=None):
    """Poll ``predicate()`` until truthy; fail after ``timeout`` s (showing the panel's status)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if panel is not None and panel.status.is_error:
            pytest.fail(f"panel reported an error while waiting for {what}: {panel.status.value}")
        time.sleep(0.05)
    status = f"; panel status: {panel.status.value}" if panel is not None else ""
    pytest.fail(f"timed out after {timeout} s waiting for {what}{status}")


@pytest.fixture(scope="session")
def slow_training_csv(tmp_path_factory):
    """A binary problem big enough that 200 trees take seconds (so a chart can grow meanwhile)."""
    rng = np.random.default_rng(7)
    n = 20_000
    x = rng.normal(size=(n, 8))
    frame = pd.DataFrame(x, columns=[f"x{i}" for i in range(8)])
    frame["label"] = np.where(x[:, 0] + x[:, 1] ** 2 - x[:, 2] * x[:, 3] + rng.normal(size=n) > 1, "yes", "no")
    path = tmp_path_factory.mktemp("ui") / "slow_training.csv"
    frame.to_csv(path, index=False)
    return path
