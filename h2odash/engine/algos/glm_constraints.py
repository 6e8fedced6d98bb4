"""GLM's ``beta_constraints``: bounds on coefficients and a proximal penalty towards given ones.

The constraints come as a frame with a ``names`` column (a coefficient such as ``AGE.65`` or
``PSA``, or a categorical column, which stands for every one of its levels) and any of
``lower_bounds``, ``upper_bounds``, ``beta_given`` and ``rho``: H2O-3 keeps each coefficient
within its bounds and adds ``0.5 * rho * (b - beta_given)^2`` to the objective. Bounds and
given coefficients are on the original scale; when the solver works on standardized columns
they are carried over to that scale here, as H2O-3's GLM does.
"""

from dataclasses import dataclass

import numpy as np

from h2odash.engine.errors import InvalidArgument
from h2odash.engine.frames import numeric_values

VALUE_COLUMNS = ("lower_bounds", "upper_bounds", "beta_given", "rho")
# H2O-3 reads these too; this engine does not.
UNSUPPORTED_COLUMNS = ("beta_start", "mean", "std_dev")


@dataclass(frozen=True)
class BetaConstraints:
    """The rows of a beta_constraints frame: name -> {column: value} (NaN: not given)."""

    rows: tuple     # ((name, {column: value}), ...)
    columns: tuple  # which of VALUE_COLUMNS the frame has

    def has(self, column):
        return column in self.columns


def read(frame):
    """The :class:`BetaConstraints` of a beta_constraints frame; refuses what H2O-3 refuses."""
    for name in frame.names:
        if name in UNSUPPORTED_COLUMNS:
            raise InvalidArgument("beta_constraints", f"The beta_constraints column '{name}' is not implemented by "
                                                      "this engine.")
        if name != "names" and name not in VALUE_COLUMNS:
            raise InvalidArgument("beta_constraints", f"Unknown column name '{name}' in beta_constraints (use names, "
                                                      f"{', '.join(VALUE_COLUMNS)}).")
    if "names" not in frame.names:
        raise InvalidArgument("beta_constraints", "beta_constraints needs a 'names' column of coefficient names.")
    i = frame.names.index("names")
    if frame.types[i] not in ("enum", "string"):
        raise InvalidArgument("beta_constraints", "Illegal beta constraints file, names column expected to contain "
                                                  "column names (strings).")
    names = [str(v) for v in frame.table.column(i).to_pylist()]
    columns = tuple(c for c in VALUE_COLUMNS if c in frame.names)
    values = {c: numeric_values(frame.table.column(frame.names.index(c)), frame.types[frame.names.index(c)])
              for c in columns}
    seen = set()
    for name in names:
        if name.lower() == "intercept":
            raise InvalidArgument("beta_constraints", "Beta constraints cannot be applied to the intercept.")
        if name in seen:
            raise InvalidArgument("beta_constraints", f"Illegal beta constraints file, got duplicate constraint for "
                                                      f"predictor '{name}'!")
        seen.add(name)
    rows = tuple((name, {c: float(values[c][r]) for c in columns}) for r, name in enumerate(names))
    return BetaConstraints(rows, columns)


def solver_arrays(constraints, spec, names, means, sigmas, standardized):
    """(lower, upper, beta_given, rho) over the solver's coefficients (intercept first), each
    None when the frame does not give it.

    ``names`` are the expanded coefficient names, ``means`` and ``sigmas`` their training
    scales; a categorical column's name stands for all of its levels that are coefficients.
    """
    position = {name: j + 1 for j, name in enumerate(names)}
    p1 = len(names) + 1
    defaults = {"lower_bounds": -np.inf, "upper_bounds": np.inf, "beta_given": 0.0, "rho": 0.0}
    arrays = {c: np.full(p1, defaults[c]) for c in constraints.columns}
    for name, values in constraints.rows:
        if name in spec.domains and name in spec.names:
            targets = [position[f"{name}.{level}"] for level in spec.domains[name] if f"{name}.{level}" in position]
        elif name in position:
            targets = [position[name]]
        else:
            raise InvalidArgument("beta_constraints", f"Unrecognized coefficient name in beta-constraint file, "
                                                      f"unknown name '{name}'")
        for column, value in values.items():
            if np.isfinite(value) or column in ("lower_bounds", "upper_bounds"):
                arrays[column][targets] = value if np.isfinite(value) else defaults[column]
    if standardized:
        # A coefficient of a standardized column is sigma times the original one, and the
        # intercept absorbs the means.
        for column in ("lower_bounds", "upper_bounds", "beta_given"):
            if column in arrays:
                arrays[column][1:] = arrays[column][1:] * sigmas
        if "beta_given" in arrays:
            arrays["beta_given"][0] += float(np.dot(arrays["beta_given"][1:] / sigmas, means))
    return tuple(arrays.get(c) for c in VALUE_COLUMNS)
