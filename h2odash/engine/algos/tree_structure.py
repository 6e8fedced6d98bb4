"""The trees of a tree model in H2O-3's terms: one tree as ``GET /3/Tree`` lists it, and the
leaf each row reaches in every tree (Predictions' ``leaf_node_assignment``).

Trees are read by tree_shap.py's readers (LightGBM's and XGBoost's own dumps as node arrays).
H2O-3 lists a tree breadth-first from the root, left child before right; a node's id here is
its position in that order, so the Node_ID a row is assigned is the node ``GET /3/Tree``
lists at that position, and its Path ("LRL...") the turns taken from the root.

Left is the library's "yes" branch: below the threshold for a numeric split, one of the left
child's ``levels`` for a categorical one. H2O-3's clients go left when a value (a double) is
below the threshold; the thresholds served are the doubles for which that is exactly the
library's test: LightGBM goes left at or below its threshold, XGBoost when the value rounded
to float32 is below its float32 threshold (11.8 is not below 11.8f, though 11.8 < 11.8f in
doubles).

A tree's predictions are what the tree adds: a GBM's and an XGBoost's leaves are margins (a
LightGBM GBM's first trees also hold its starting score, which H2O-3 keeps apart as init_f);
a forest's leaves are the mean response of the rows that reached them, as H2O-3's DRF's.
"""

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from h2odash.engine.algos.base import refuse_options
from h2odash.engine.algos.tree_contributions import codes
from h2odash.engine.algos.tree_shap import lightgbm_trees, xgboost_trees
from h2odash.engine.errors import InvalidArgument
from h2odash.engine.model_data import BINOMIAL, MULTINOMIAL, REGRESSION

# Rows x nodes decided at once when assigning leaves: bounds the boolean block to ~20 MB.
_CELLS_PER_BLOCK = 20_000_000
# H2O-3 writes the plain-language rules of trees smaller than this unless asked (AUTO).
_RULES_BELOW_NODES = 256
LEAF_ASSIGNMENT_TYPES = ("Path", "Node_ID")


@dataclass
class Forest:
    """A model's trees: ``trees[t][k]`` is tree ``t``'s tree for class ``k`` (one per round
    for regression and two classes). ``float32`` when the library compares values as float32."""

    trees: list
    spec: object
    float32: bool = False

    @property
    def ntrees(self):
        return len(self.trees)

    def column_names(self):
        """H2O-3's names of the per-tree columns: T1, T2... (regression), T1.C1... (classes)."""
        classifier = self.spec.category != REGRESSION
        return [f"T{t + 1}" + (f".C{k + 1}" if classifier else "")
                for t, per_class in enumerate(self.trees) for k in range(len(per_class))]

    def leaf_assignment(self, X, kind="Path"):
        """Per tree (and class) the leaf each row of X reaches: H2O-3's frame columns, a path
        of L/R turns as a categorical (``Path``) or the leaf's node id (``Node_ID``)."""
        if kind not in LEAF_ASSIGNMENT_TYPES:
            raise InvalidArgument("leaf_node_assignment_type", f"leaf_node_assignment_type must be one of "
                                                               f"{', '.join(LEAF_ASSIGNMENT_TYPES)}; got '{kind}'.")
        values = codes(X)
        if self.float32:
            values = values.astype(np.float32).astype(np.float64)
        columns = {}
        trees = [tree for per_class in self.trees for tree in per_class]
        for name, tree in zip(self.column_names(), trees):
            table = NodeTable.of(tree, self.spec, self.float32)
            reached = table.order[_leaves_of(tree, values)]
            if kind == "Node_ID":
                columns[name] = reached.astype(np.int64)
            else:
                paths = np.asarray(table.paths, dtype=object)[reached]
                columns[name] = pd.Categorical(paths, categories=sorted(set(paths)))
        return columns

    def tree(self, number, tree_class):
        """Tree ``number`` (from 0) of class ``tree_class``, as H2O-3 resolves it: (table, class name)."""
        if not 0 <= number < self.ntrees:
            raise InvalidArgument("tree_number", f"Invalid tree index: {number}. Tree index must be in range "
                                                 f"[0, {self.ntrees - 1}].")
        given = (tree_class or "").strip()
        category, domain = self.spec.category, self.spec.response_domain
        if category == REGRESSION:
            if given:
                raise InvalidArgument("tree_class", f"There are no tree classes for {category}.")
            return NodeTable.of(self.trees[number][0], self.spec, self.float32), None
        if category == BINOMIAL:
            if given and given != domain[0]:
                raise InvalidArgument("tree_class", "For binomial, only one tree class has been built per each "
                                                    f"iteration: {domain[0]}")
            return NodeTable.of(self.trees[number][0], self.spec, self.float32), domain[0]
        if given not in domain:
            raise InvalidArgument("tree_class", "There is no such tree class. Given categorical level does not "
                                                f"exist in response column: {given}")
        k = domain.index(given)
        return NodeTable.of(self.trees[number][k], self.spec, self.float32), given


def _leaves_of(tree, values):
    """The (library's node array) leaf each row reaches, a block of rows at a time."""
    block = max(1, _CELLS_PER_BLOCK // max(len(tree.feature), 1))
    return np.concatenate([tree.leaves_of(values[start:start + block])
                           for start in range(0, len(values), block)] or [np.zeros(0, dtype=np.int64)])


@dataclass
class NodeTable:
    """One tree breadth-first, as TreeV3 lists it (children by position, -1 at leaves)."""

    left: list
    right: list
    features: list
    thresholds: list
    nas: list
    levels: list
    predictions: list
    paths: list            # per node: the turns from the root, "" for the root
    order: np.ndarray      # breadth-first position of each node of the library's tree
    domains: list          # per node: the levels of its categorical split column, else None

    @classmethod
    def of(cls, tree, spec, float32=False):
        n = len(tree.feature)
        order = np.full(n, -1, dtype=np.int64)
        queue, visited = [0], []
        while queue:
            node = queue.pop(0)
            order[node] = len(visited)
            visited.append(node)
            if tree.feature[node] >= 0:
                queue += [int(tree.yes[node]), int(tree.no[node])]
        size = len(visited)
        table = cls(left=[-1] * size, right=[-1] * size, features=[None] * size, thresholds=[float("nan")] * size,
                    nas=[None] * size, levels=[None] * size, predictions=[float("nan")] * size, paths=[""] * size,
                    order=order, domains=[None] * size)
        for node in visited:
            at = order[node]
            if tree.feature[node] < 0:
                table.predictions[at] = float(np.float32(tree.value[node]))
                continue
            yes, no = order[int(tree.yes[node])], order[int(tree.no[node])]
            table.left[at], table.right[at] = int(yes), int(no)
            name = spec.names[int(tree.feature[node])]
            table.features[at] = name
            table.nas[at] = "LEFT" if tree.missing[node] == tree.yes[node] else "RIGHT"
            table.paths[yes], table.paths[no] = table.paths[at] + "L", table.paths[at] + "R"
            categories = tree.categories[node]
            if categories is None:
                table.thresholds[at] = _below(tree.threshold[node], tree.below_or_equal, float32)
            else:
                domain = spec.domains.get(name) or []
                sent_left = sorted(int(c) for c in categories)
                table.levels[yes] = sent_left
                table.levels[no] = [i for i in range(len(domain)) if i not in set(sent_left)]
                table.domains[at] = domain
        return table

    def is_leaf(self, at):
        return self.left[at] < 0 and self.right[at] < 0

    def tree_v3_fields(self, plain_language_rules="AUTO"):
        """TreeV3's output fields (descriptions and plain-language rules as H2O-3 words them)."""
        rules = plain_language_rules.upper() if plain_language_rules else "AUTO"
        if rules == "AUTO":
            rules = "TRUE" if len(self.left) < _RULES_BELOW_NODES else "FALSE"
        fields = dict(left_children=self.left, right_children=self.right, root_node_id=0,
                      thresholds=self.thresholds, features=self.features, nas=self.nas, levels=self.levels,
                      predictions=self.predictions, descriptions=[self._description(at) for at in range(len(self.left))],
                      tree_decision_path=None, decision_paths=None)
        if rules == "TRUE":
            fields["tree_decision_path"] = "".join(self._rules(0, 0))
            fields["decision_paths"] = self._decision_paths()
        return fields

    # -- words ------------------------------------------------------------------------------
    def _description(self, at):
        if self.is_leaf(at):
            return f"Node has id {at} and is a terminal node. Prediction: {_number(self.predictions[at])}."
        where = "Root node" if at == 0 else "Node"
        return (f"{where} has id {at} and splits on column '{self.features[at]}'. "
                f"{self._split_words(at)}")

    def _split_words(self, at):
        left, right = self.left[at], self.right[at]
        if self.domains[at] is None:
            t = _number(self.thresholds[at])
            return f"Split threshold is < {t} to the left node ({left}), >= {t} to the right node ({right})."
        return (f"Left child node ({left}) inherits categorical levels: {','.join(self._names(left))}. "
                f"Right child node ({right}) inherits categorical levels: {','.join(self._names(right))}.")

    def _names(self, child):
        parent = self._parent(child)
        return [str(self.domains[parent][i]) for i in self.levels[child] or []]

    def _parent(self, child):
        return next(at for at in range(len(self.left)) if child in (self.left[at], self.right[at]))

    def _condition(self, at, went_left):
        """One step of a decision path, as H2O-3's TreeHandler.getCondition words it."""
        name = self.features[at]
        child = self.left[at] if went_left else self.right[at]
        if self.domains[at] is not None:
            return f"If ({name} is in [{''.join(level + ' ' for level in self._names(child))}]) -> "
        na = self.nas[at] == ("LEFT" if went_left else "RIGHT")
        sign = " < " if went_left else " >= "
        return f"If ( {name}{sign}{_number(self.thresholds[at])}{f' or {name} is NaN' if na else ''} ) -> "

    def _decision_paths(self):
        paths = [None] * len(self.left)
        if not self.is_leaf(0):
            paths[0] = f"Predicted value: {_number(self.predictions[0])}"

        def walk(at, words):
            if self.is_leaf(at):
                paths[at] = words + f"Prediction: {_number(self.predictions[at])}"
                return
            walk(self.left[at], words + self._condition(at, True))
            walk(self.right[at], words + self._condition(at, False))

        walk(0, "")
        return paths

    def _rules(self, at, depth):
        """The tree as nested if/else text (TreeHandler.getNodeRepresentation): right branch first."""
        pad = "\n" + "\t" * depth
        if self.is_leaf(at):
            return [pad, f"Predicted value: {_number(self.predictions[at])}", pad]
        name = self.features[at]
        if self.domains[at] is None:
            na = " or " + name + " is NaN" if self.nas[at] == "RIGHT" else ""
            head = f"If ( {name} >= {_number(self.thresholds[at])}{na} ) {{"
            other = "} else {"
        else:
            head = f"If ( {name} is in [ {''.join(n + ' ' for n in self._names(self.right[at]))}]) {{"
            other = f"}} else if ( {name} is in [ {''.join(n + ' ' for n in self._names(self.left[at]))}]) {{"
        lead = [pad + head] if depth else [head]
        return (lead + [pad] + self._rules(self.right[at], depth + 1) + [pad, other, pad]
                + self._rules(self.left[at], depth + 1) + [pad, "}"])


def _below(threshold, or_equal, float32):
    """The double t such that "value < t" is the library's test of ``threshold`` for every double."""
    if or_equal:
        return float(np.nextafter(float(threshold), np.inf))
    if not float32:
        return float(threshold)
    # float32(v) < t32 exactly when v is below the half-way point to the float32 before t32
    # (at the half-way point itself, v rounds to whichever of the two is even).
    t32 = np.float32(threshold)
    before = np.nextafter(t32, np.float32(-np.inf))
    half = (float(before) + float(t32)) / 2
    return float(np.nextafter(half, np.inf)) if int(before.view(np.uint32)) % 2 == 0 else half


def _number(value):
    """A float32 value written so that it reads back exactly (as the double the model predicts)."""
    return repr(float(value))


# -- the forests of each library ----------------------------------------------------------------

def lightgbm_forest(booster, iterations, spec):
    """A LightGBM booster's first ``iterations`` rounds; leaves are margins."""
    flat = lightgbm_trees(booster, iterations)
    per_round = max(booster.num_model_per_iteration(), 1)
    return Forest([flat[i:i + per_round] for i in range(0, len(flat), per_round)], spec)


def xgboost_forest(boosters, spec, rounds=None, means=False):
    """XGBoost boosters' trees, one round after another (``rounds`` of each booster: all when
    None). With ``means`` each booster is a chunk of a forest (drf.py): a tree's leaves become
    the mean response it predicts, the booster's starting score plus its leaf times the chunk's
    size (the chunk's learning rate is one over its size)."""
    per_round = spec.nclasses if spec.category == MULTINOMIAL else 1
    trees = []
    for i, booster in enumerate(boosters):
        flat = xgboost_trees(booster, None if rounds is None else rounds[i], per_round)
        size = len(flat) // per_round
        if means:
            base = _base_scores(booster)
            flat = [replace(tree, value=np.where(tree.feature < 0, np.float32(base[min(j % per_round, len(base) - 1)])
                                                 + np.float32(tree.value * size), tree.value))
                    for j, tree in enumerate(flat)]
        trees += [flat[r * per_round:(r + 1) * per_round] for r in range(size)]
    return Forest(trees, spec, float32=True)


def _base_scores(booster):
    """The booster's starting score(s): XGBoost keeps one per target, written "[5E-1,5E-1]"."""
    import json

    text = json.loads(booster.save_config())["learner"]["learner_model_param"]["base_score"]
    return [float(v) for v in text.strip("[]").split(",")]


# -- Predictions' switches about trees ----------------------------------------------------------

class TreePredictions:
    """What a fitted tree model answers besides predictions: its trees (:meth:`forest`), the
    leaf each row reaches, and, where the subclass says, predictions after each tree
    (:meth:`staged_probabilities`) and the rows each tree was grown on (:meth:`rows_of_trees`)."""

    algo = "tree"

    def forest(self):
        raise NotImplementedError

    def staged_probabilities(self, X):
        raise InvalidArgument("predict_staged_proba", f"Model type {self.algo} doesn't support Staged Predictions.")

    def rows_of_trees(self, nrows):
        raise InvalidArgument("row_to_tree_assignment", f"Model type {self.algo} doesn't support calculating row "
                                                        "to tree assignment.")

    def predict_columns(self, X, leaf_node_assignment=False, leaf_node_assignment_type=None,
                        predict_staged_proba=False, row_to_tree_assignment=False, **others):
        refuse_options(others, f"{self.algo} models")
        if leaf_node_assignment:
            return self.forest().leaf_assignment(X, leaf_node_assignment_type or "Path")
        if predict_staged_proba:
            return self.staged_probabilities(X)
        if row_to_tree_assignment:
            used = self.rows_of_trees(len(X))
            columns = {"row_id": np.arange(len(X), dtype=np.int64)}
            for t, rows in enumerate(used):
                columns[f"tree_{t + 1}"] = pd.Categorical.from_codes(rows.astype(np.int8), categories=["0", "1"])
            return columns
        raise InvalidArgument("leaf_node_assignment_type", "leaf_node_assignment_type needs leaf_node_assignment.")


def model_tree(model, number, tree_class=None):
    """``GET /3/Tree``: tree ``number`` of a model's class ``tree_class``, as (NodeTable, class)."""
    if number < 0:
        raise InvalidArgument("tree_number", f"Invalid tree number: {number}. Tree number must be >= 0.")
    if model.fitted is None:
        raise InvalidArgument("model", f"Model '{model.key}' is still training; wait for its job to finish.")
    if not isinstance(model.fitted, TreePredictions):
        raise InvalidArgument("model", f"Given model is not tree-based: '{model.key}' is a {model.algo_full_name} "
                                       "model.")
    return model.fitted.forest().tree(number, tree_class)
