"""Trees: one tree of a tree-based model (GBM, DRF, XGBoost), as H2O-3's TreeV3 lists it."""

from h2odash.engine.algos.tree_structure import model_tree
from h2odash.server.endpoint import Endpoint
from h2odash.server.params import Param, Schema
from h2odash.server.schemas import envelope, key_ref


def get_tree(call):
    p = call.params
    model = call.engine.model(p["model"], "model")
    table, tree_class = model_tree(model, int(p["tree_number"]), p.get("tree_class"))
    rules = p.get("plain_language_rules") or "AUTO"
    return envelope("TreeV3", model=key_ref(model.key, "Model"), tree_number=int(p["tree_number"]),
                    tree_class=tree_class, plain_language_rules=rules, **table.tree_v3_fields(rules))


_TREE = Schema("TreeV3", (
    Param("model", "key", required=True, help="Key of the model the tree belongs to."),
    Param("tree_number", "int", required=True, help="Index of the tree in the model (from 0)."),
    Param("tree_class", "str", help="Class of the tree (multinomial models; ignored for regression and binomial)."),
    Param("plain_language_rules", "str", "AUTO", help="Write the tree's rules in words: AUTO (small trees), TRUE "
                                                      "or FALSE."),
))

ENDPOINTS = [
    Endpoint("GET", "/3/Tree", get_tree, "One tree of a tree-based model, node by node.", _TREE, "TreeV3"),
]
