"""``checkpoint``: continue training a finished model with more trees, as H2O-3's SharedTree does.

The new model must learn the same thing from the same columns: same response type, same
predictors with the same levels, and the parameters that shape each tree unchanged
(H2O-3's CHECKPOINT_NON_MODIFIABLE_FIELDS); ``ntrees`` counts the checkpoint's trees too,
so it must be larger than theirs. The learner then grows only the missing trees on top of
the checkpoint's (LightGBM's ``init_model``): with the same data and seed, and no row
sampling, a 50-tree model continued to 100 equals a 100-tree model.
"""

from h2odash.engine.errors import InvalidArgument

# H2O-3's SharedTreeParameters.CHECKPOINT_NON_MODIFIABLE_FIELDS, as request names
TREE_FIXED_PARAMETERS = ("build_tree_one_node", "sample_rate", "max_depth", "min_rows", "nbins", "nbins_cats",
                         "nbins_top_level")


def check_tree_checkpoint(algorithm, params, spec, previous):
    """Refuse a checkpoint the new request cannot continue, with H2O-3's reasons."""
    if previous.algo != algorithm.name:
        raise InvalidArgument("checkpoint", f"Model '{previous.key}' is a {previous.algo_full_name} model; "
                                            f"a {algorithm.full_name} can only continue a {algorithm.full_name}.")
    if previous.status != "DONE":
        raise InvalidArgument("checkpoint", f"Model '{previous.key}' is still training; wait for its job to finish.")
    for name in TREE_FIXED_PARAMETERS:
        if name in previous.params and params.get(name) != previous.params.get(name):
            raise InvalidArgument(name, f"{name} cannot change when continuing from a checkpoint: it was "
                                        f"{previous.params.get(name)} for '{previous.key}', now {params.get(name)}.")
    old = previous.spec
    if (old.response_domain is None) != (spec.response_domain is None):
        raise InvalidArgument("checkpoint", "Response type must be the same as for the checkpointed model.")
    if list(old.names) != list(spec.names) or old.response != spec.response:
        raise InvalidArgument("checkpoint", "The columns of the training data must be the same as for the "
                                            "checkpointed model.")
    if old.domains != spec.domains or old.response_domain != spec.response_domain:
        raise InvalidArgument("checkpoint", "Categorical factor levels of the training data must be the same as "
                                            "for the checkpointed model.")
    trees = previous.fitted.ntrees
    if params["ntrees"] < trees + 1:
        raise InvalidArgument("ntrees", f"ntrees counts the checkpoint's {trees} trees too; ask for at least "
                                        f"{trees + 1} to grow more.")
    if params.get("nfolds") or params.get("fold_column"):
        raise InvalidArgument("checkpoint", "Continuing from a checkpoint with cross-validation is not "
                                            "implemented by this engine.")
