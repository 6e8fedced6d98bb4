"""GLM's design matrix: one-hot predictors plus H2O-3's interaction columns.

H2O-3's GLM takes ``interactions`` (every pair of the listed columns) and ``interaction_pairs``
(explicit pairs) and adds, for each pair ``a``, ``b``, columns named after ``a_b``:

- numeric x numeric: one column, the product;
- categorical x numeric: one column per level of the categorical (the first level left out
  unless every level is used), holding the number on the rows of that level and 0 elsewhere;
- categorical x categorical: one indicator column per pair of levels ``l_r`` seen in the
  training rows (pairs with the first level of either column left out unless every level is
  used; ``l_NA`` / ``NA_r`` pairs count as seen when one side is missing).

What the columns need from the training frame (levels seen, means, standard deviations, most
frequent pair) is learned once by :func:`learn` and kept on the model's FeatureSpec, so that
any frame the model scores is laid out alike. Missing values are handled as H2O-3's DataInfo
does under MeanImputation: a categorical (or a pair of levels) takes its most frequent value,
a numeric interaction its training mean.
"""

from dataclasses import dataclass

import numpy as np

from h2odash.engine.errors import InvalidArgument
from h2odash.engine.model_data import column_numbers, features_matrix, level_codes


@dataclass(frozen=True)
class Interaction:
    """One learned interaction column group of a GLM."""

    first: str
    second: str
    levels: tuple = ()      # column suffixes: pairs of levels, or the categorical's levels kept
    enum: str = None        # categorical x numeric: the categorical column
    number: str = None      # categorical x numeric: the numeric column
    means: tuple = ()       # per expanded column: training mean (standardization, missing fill)
    sigmas: tuple = ()      # per expanded column: training standard deviation
    codes: tuple = ()       # categorical x categorical: (code, code) of each pair of levels (-1: missing)
    mode: int = -1          # categorical x categorical: the most frequent pair (missing fill)
    offset: int = 0         # categorical x numeric: levels left out before the first column

    @property
    def name(self):
        return f"{self.first}_{self.second}"

    @property
    def kind(self):
        if self.enum is not None:
            return "enum_num"
        return "enum_enum" if self.levels else "num_num"

    def column_names(self):
        if self.kind == "num_num":
            return [self.name]
        return [f"{self.name}.{level}" for level in self.levels]


# ---------------------------------------------------------------------------------------------
# Which pairs: the parameters
# ---------------------------------------------------------------------------------------------

def requested_pairs(params, spec):
    """(first, second) column pairs asked for by ``interactions`` and ``interaction_pairs``, in
    H2O-3's order: all pairs of ``interactions`` in the order given, then the explicit pairs
    not already among them."""
    columns = list(params.get("interactions") or ())
    explicit = [tuple(pair) for pair in params.get("interaction_pairs") or ()]
    if not columns and not explicit:
        return []
    if len(columns) == 1:
        raise InvalidArgument("interactions", "interactions needs 2 or more columns.")
    for name in columns + [c for pair in explicit for c in pair]:
        if name not in spec.names:
            raise InvalidArgument("interactions", f"Column '{name}' to interact is not a predictor of this model "
                                                  "(it must be in the training frame and not ignored).")
    pairs = [(a, b) for i, a in enumerate(columns) for b in columns[i + 1:]]
    pairs += [(a, b) for a, b in explicit if not (a in columns and b in columns)]
    for a, b in pairs:
        if a == b:
            raise InvalidArgument("interaction_pairs", f"Column '{a}' cannot interact with itself.")
    return pairs


# ---------------------------------------------------------------------------------------------
# Learning the columns from the training frame
# ---------------------------------------------------------------------------------------------

def learn(frame, spec, pairs, use_all_levels, skip_missing):
    """The :class:`Interaction` of every pair, from the training frame."""
    kinds = dict(zip(spec.names, spec.kinds))
    learned = []
    for a, b in pairs:
        if kinds[a] == "enum" and kinds[b] == "enum":
            learned.append(_learn_enum_enum(frame, spec, a, b, use_all_levels, skip_missing))
        elif kinds[a] == "enum" or kinds[b] == "enum":
            enum, number = (a, b) if kinds[a] == "enum" else (b, a)
            learned.append(_learn_enum_num(frame, spec, a, b, enum, number, use_all_levels))
        else:
            product = _values(frame, a) * _values(frame, b)
            seen = product[np.isfinite(product)]
            learned.append(Interaction(a, b, means=(_mean(seen),), sigmas=(_sigma(seen),)))
    return tuple(learned)


def _learn_enum_enum(frame, spec, a, b, use_all_levels, skip_missing):
    """The level pairs seen in the training rows, sorted as H2O-3 sorts them (by text)."""
    left, right = _codes(frame, spec, a), _codes(frame, spec, b)
    da, db = spec.domains[a], spec.domains[b]
    keys, counts_of = np.unique(_pair_keys(left, right, len(db)), return_counts=True)
    counts = {}
    for key, count in zip(keys.tolist(), counts_of.tolist()):
        code_a, code_b = divmod(key, len(db) + 1)
        code_a, code_b = code_a - 1, code_b - 1
        if code_a < 0 and code_b < 0:
            continue
        if code_a < 0 or code_b < 0:
            if skip_missing:
                continue
            present = code_b if code_a < 0 else code_a
            if not use_all_levels and present == 0:
                continue
            text = f"NA_{db[code_b]}" if code_a < 0 else f"{da[code_a]}_NA"
        else:
            if not use_all_levels and (code_a == 0 or code_b == 0):
                continue
            text = f"{da[code_a]}_{db[code_b]}"
        counts[text] = (count, (code_a, code_b))
    levels = tuple(sorted(counts, key=_java_order))
    mode = max(range(len(levels)), key=lambda i: (counts[levels[i]][0], -i)) if levels else -1
    n = len(levels)
    return Interaction(a, b, levels=levels, codes=tuple(counts[level][1] for level in levels), means=(0.0,) * n,
                       sigmas=(1.0,) * n, mode=mode)


def _learn_enum_num(frame, spec, a, b, enum, number, use_all_levels):
    """Per level of the categorical: mean and standard deviation of the column that holds the
    number on that level's rows and 0 elsewhere, over rows where neither value is missing."""
    codes, values = _codes(frame, spec, enum), _values(frame, number)
    ok = (codes >= 0) & np.isfinite(values)
    codes, values = codes[ok], values[ok]
    domain = spec.domains[enum]
    offset = 0 if use_all_levels else 1
    means, sigmas = [], []
    for level in range(offset, len(domain)):
        column = np.where(codes == level, values, 0.0)
        means.append(_mean(column))
        sigmas.append(_sigma(column))
    return Interaction(a, b, levels=tuple(domain[offset:]), enum=enum, number=number, means=tuple(means),
                       sigmas=tuple(sigmas), offset=offset)


def _pair_keys(left, right, right_levels):
    """One integer per row for its pair of codes (missing, -1, included)."""
    return (left + 1) * (right_levels + 1) + right + 1


def _java_order(text):
    """Java's String order (UTF-16 code units), which H2O-3 sorts level pairs by."""
    return text.encode("utf-16-be")


def _mean(values):
    return float(values.mean()) if len(values) else 0.0


def _sigma(values):
    return float(values.std(ddof=1)) if len(values) > 1 else 0.0


def _codes(frame, spec, name, rows=None):
    return level_codes(frame, frame.names.index(name), spec.domains[name], rows)


def _values(frame, name, rows=None):
    return column_numbers(frame, frame.names.index(name), rows)


# ---------------------------------------------------------------------------------------------
# Laying a frame out
# ---------------------------------------------------------------------------------------------

class Design:
    """A GLM's expanded columns: the predictors' (one-hot categoricals) then the interactions'.

    Parameters
    ----------
    spec : FeatureSpec
        The model's predictors; ``spec.interactions`` holds the learned interactions and
        ``spec.modes`` the most frequent level of each categorical (missing values take it).
    use_all_levels : bool
        Whether categoricals keep their first level.
    """

    def __init__(self, spec, use_all_levels):
        self.spec = spec
        self.use_all_levels = use_all_levels
        self.interactions = tuple(getattr(spec, "interactions", ()) or ())

    def names(self):
        return self.spec.onehot_names(self.use_all_levels) + [n for i in self.interactions for n in i.column_names()]

    def widths(self):
        """Number of expanded columns of each predictor, then of each interaction."""
        widths = [len(self.spec.domains[name]) - (0 if self.use_all_levels else 1) if kind == "enum" else 1
                  for name, kind in zip(self.spec.names, self.spec.kinds)]
        return widths + [len(i.column_names()) for i in self.interactions]

    def scales(self, column_scales):
        """Training means and sigmas of every expanded column; ``column_scales`` gives the
        predictors' (GLM's :func:`column_scales`)."""
        means, sigmas = column_scales(self.spec, self.use_all_levels)
        extra_means = [m for i in self.interactions for m in i.means]
        extra_sigmas = [s if s > 0 and np.isfinite(s) else 1.0 for i in self.interactions for s in i.sigmas]
        return np.concatenate([means, extra_means]), np.concatenate([sigmas, extra_sigmas])

    def matrix(self, frame, standardize, rows=None):
        X = features_matrix(frame, self.spec, standardize=standardize, use_all_levels=self.use_all_levels, rows=rows,
                            modes=getattr(self.spec, "modes", None))
        if not self.interactions:
            return X
        blocks = [X] + [self._columns(frame, interaction, standardize, rows) for interaction in self.interactions]
        return np.hstack(blocks)

    def _columns(self, frame, interaction, standardize, rows):
        kind = interaction.kind
        if kind == "enum_enum":
            block = self._pair_indicators(frame, interaction, rows)
        elif kind == "enum_num":
            block = self._level_numbers(frame, interaction, rows)
        else:
            product = _values(frame, interaction.first, rows) * _values(frame, interaction.second, rows)
            block = np.where(np.isfinite(product), product, interaction.means[0])[:, None]
        if standardize and kind != "enum_enum":
            sigmas = np.asarray(interaction.sigmas)
            block = (block - np.asarray(interaction.means)) / np.where(sigmas > 0, sigmas, 1.0)
        return block

    def _pair_indicators(self, frame, interaction, rows):
        """Indicators of the level pairs; a row with a missing side takes the most frequent
        pair, and a pair not among the columns (a first level left out) none."""
        a, b = interaction.first, interaction.second
        left, right = self._imputable_codes(frame, a, rows, impute=False), self._imputable_codes(frame, b, rows,
                                                                                                   impute=False)
        da, db = self.spec.domains[a], self.spec.domains[b]
        # Every (level, level) pair -> its column (-1: none), looked up by one array index.
        unseen = interaction.mode if self.use_all_levels else -1    # a pair never seen in training
        column_of = np.full((len(da) + 1) * (len(db) + 1), unseen, dtype=np.int64)
        for j, level in enumerate(interaction.levels):
            left_level, right_level = interaction.codes[j]
            if left_level >= 0 and right_level >= 0:
                column_of[(left_level + 1) * (len(db) + 1) + right_level + 1] = j
        columns = column_of[_pair_keys(left, right, len(db))]
        columns[(left < 0) | (right < 0)] = interaction.mode
        block = np.zeros((len(left), len(interaction.levels)))
        hit = np.flatnonzero(columns >= 0)
        block[hit, columns[hit]] = 1.0
        return block

    def _level_numbers(self, frame, interaction, rows):
        """The number in its level's column; a missing number takes that column's training
        mean, a missing level the categorical's most frequent one."""
        codes = self._imputable_codes(frame, interaction.enum, rows, impute=True)
        values = _values(frame, interaction.number, rows)
        columns = codes - interaction.offset
        block = np.zeros((len(codes), len(interaction.levels)))
        on = np.flatnonzero(columns >= 0)
        means = np.asarray(interaction.means)
        filled = np.where(np.isfinite(values[on]), values[on], means[columns[on]] if len(means) else 0.0)
        block[on, columns[on]] = filled
        return block

    def _imputable_codes(self, frame, name, rows, impute):
        codes = _codes(frame, self.spec, name, rows)
        mode = (getattr(self.spec, "modes", None) or {}).get(name)
        if impute and mode is not None:
            codes = np.where(codes < 0, mode, codes)
        return codes

    def h2o_order(self):
        """Positions, in this design's coefficients (intercept first, then :meth:`names`), of
        H2O-3's coefficients: interactions ahead of the predictors, categorical columns first by
        decreasing number of levels (DataInfo's exchange sort, swap for swap), numeric ones after,
        intercept last."""
        units = []   # (is categorical, levels for the sort, block of coefficient positions)
        start = 1
        widths = self.widths()
        kinds = list(self.spec.kinds) + ["enum" if i.kind == "enum_enum" else "numeric" for i in self.interactions]
        sizes = [len(self.spec.domains[n]) if k == "enum" else 0 for n, k in zip(self.spec.names, self.spec.kinds)]
        sizes += [len(i.levels) for i in self.interactions]
        for kind, size, width in zip(kinds, sizes, widths):
            units.append((kind == "enum", size, range(start, start + width)))
            start += width
        p = len(self.spec.names)
        adapted = units[p:] + units[:p]           # H2O-3 puts the interaction columns first
        cats = [u for u in adapted if u[0]]
        for i in range(len(cats)):
            for j in range(i + 1, len(cats)):
                if cats[i][1] < cats[j][1]:
                    cats[i], cats[j] = cats[j], cats[i]
        nums = [u for u in adapted if not u[0]]
        return [c for unit in cats + nums for c in unit[2]] + [0]


def most_frequent_levels(frame, spec):
    """The most frequent training level of every categorical predictor (ties: the first)."""
    modes = {}
    for name, kind in zip(spec.names, spec.kinds):
        if kind == "enum":
            codes = _codes(frame, spec, name)
            counts = np.bincount(codes[codes >= 0], minlength=len(spec.domains[name]))
            modes[name] = int(np.argmax(counts)) if counts.sum() else 0
    return modes
