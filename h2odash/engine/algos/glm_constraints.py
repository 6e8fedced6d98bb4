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


# ---------------------------------------------------------------------------------------------
# linear_constraints
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LinearConstraint:
    """sum of coefficient * value + constant, == 0 (``equal``) or <= 0."""

    terms: tuple        # ((coefficient name, value), ...)
    constant: float
    equal: bool


def read_linear(frame):
    """The :class:`LinearConstraint` list of a linear_constraints frame (names, values, types,
    constraint_numbers), checked as H2O-3 checks it."""
    needed = ("names", "values", "types", "constraint_numbers")
    missing = [c for c in needed if c not in frame.names]
    if missing:
        raise InvalidArgument("linear_constraints", f"linear_constraints needs the columns {', '.join(needed)}; "
                                                    f"missing: {', '.join(missing)}.")
    column = {c: frame.table.column(frame.names.index(c)).to_pylist() for c in needed}
    numbers = numeric_values(frame.table.column(frame.names.index("constraint_numbers")),
                             frame.types[frame.names.index("constraint_numbers")])
    groups = {}
    for row, number in enumerate(numbers.tolist()):
        groups.setdefault(number, []).append(row)
    constraints = []
    for number in sorted(groups):
        rows = groups[number]
        kinds = {str(column["types"][r]).lower() for r in rows}
        if not kinds <= {"equal", "lessthanequal"}:
            raise InvalidArgument("linear_constraints", "Type of linear constraints can only be Equal to LessThanEqualTo.")
        if len(kinds) > 1:
            raise InvalidArgument("linear_constraints", "Constraint type of the same constraint must be the same but "
                                                        "is not.")
        terms, constant = [], 0.0
        for r in rows:
            name, value = str(column["names"][r]), float(column["values"][r])
            if name == "constant":
                constant = value
            else:
                terms.append((name, value))
        if len(terms) < 2:
            raise InvalidArgument("linear_constraints", "Linear constraint must have at least two coefficients.  For "
                                                        f"constraints on just one coefficient: {terms[0][0] if terms else ''}"
                                                        ", use betaConstraints instead.")
        constraints.append(LinearConstraint(tuple(terms), constant, kinds == {"equal"}))
    return tuple(constraints)


def bound_constraints(constraints, names):
    """beta_constraints' bounds as linear constraints: -b + lower <= 0 and b - upper <= 0
    (H2O-3 treats them so when there are linear constraints)."""
    if constraints is None:
        return ()
    result = []
    for name, values in constraints.rows:
        targets = [n for n in names if n == name or n.startswith(f"{name}.")] if name not in names else [name]
        for target in targets:
            lower, upper = values.get("lower_bounds", np.nan), values.get("upper_bounds", np.nan)
            if np.isfinite(lower):
                result.append(LinearConstraint(((target, -1.0),), lower, False))
            if np.isfinite(upper):
                result.append(LinearConstraint(((target, 1.0),), -upper, False))
    return tuple(result)


def linear_arrays(constraints, names, sigmas, standardized):
    """(A, c, equal) with A over the solver's coefficients (intercept first): constraint k is
    A[k] b + c[k] == 0 or <= 0. Refuses unknown names and redundant constraints."""
    position = {name: j + 1 for j, name in enumerate(names)}
    A = np.zeros((len(constraints), len(names) + 1))
    for k, constraint in enumerate(constraints):
        for name, value in constraint.terms:
            if name not in position:
                raise InvalidArgument("linear_constraints", f"Coefficient name {name} is not a valid coefficient name."
                                                            "  It be a valid coefficient name or it can be constant")
            A[k, position[name]] += value
    if len(constraints) and np.linalg.matrix_rank(A) < len(constraints):
        raise InvalidArgument("linear_constraints", "The constraints are redundant (their matrix is not of full rank); "
                                                    "remove the ones that follow from the others.")
    if standardized:
        A[:, 1:] = A[:, 1:] / sigmas    # a standardized column's coefficient is sigma times the original
    c = np.array([constraint.constant for constraint in constraints], dtype=float)
    return A, c, np.array([constraint.equal for constraint in constraints], dtype=bool)


def describe(constraint, value):
    """H2O-3's text of a constraint at its value: ``+1.0*x2-1.0*x3 = -0.08`` (zero terms left out)."""
    terms = [(name, v) for name, v in constraint.terms if v != 0]
    if constraint.constant != 0:
        terms.append((None, constraint.constant))
    text = "".join(f"{'+' if v > 0 else ''}{v!r}" + (f"*{name}" if name is not None else "") for name, v in terms)
    return f"{text} = {value!r}"
