"""``balance_classes``: over/under-sample a classifier's training rows by class, then correct
its probabilities back to the classes' true shares, as H2O-3 does (water/util/MRUtils
``sampleFrameStratified``, hex/genmodel/GenModel ``correctProbabilities``).

Each class gets a sampling ratio: ``class_sampling_factors`` when given, otherwise the ratio that
makes every class as large as the largest (which keeps ratio 1). When the expected number of
rows exceeds ``max_after_balance_size`` times the original, all ratios shrink by the same factor.
A row is then repeated ``floor(ratio)`` times, plus once more with probability equal to the
fraction, and the result is shuffled; a draw that leaves a class empty is redone with the next
seed (ten tries), as in H2O-3. The row draws are the engine's own (numpy), not H2O-3's.

A model fitted on the balanced rows learns the balanced class shares; its probability of class c
is multiplied by prior_c / balanced_c and the row renormalized, so predictions speak of the
data as it is.
"""

import numpy as np

from h2odash.engine.algos.base import TrainingSet, seed_of
from h2odash.engine.errors import InvalidArgument

_TRIES = 10


def sampling_ratios(counts, params):
    """Per-class sampling ratios for class weights ``counts``, capped by max_after_balance_size."""
    k = len(counts)
    factors = params.get("class_sampling_factors")
    if factors:
        if len(factors) != k:
            raise InvalidArgument("class_sampling_factors", f"class_sampling_factors must have {k} elements, "
                                                            f"one per class of the response; it has {len(factors)}.")
        ratios = np.asarray(factors, dtype=np.float64)
    else:
        with np.errstate(divide="ignore"):
            ratios = (counts.sum() / k) / counts
        ratios = ratios / ratios[np.isfinite(ratios)].min()
        ratios[~np.isfinite(ratios)] = 0.0
    expected = float((ratios * counts).sum())
    limit = max(float(params.get("max_after_balance_size", 5.0)) * counts.sum(), k)
    wanted = min(limit, round(expected))
    if expected > 0 and wanted != expected:
        ratios = ratios * (wanted / expected)
    return ratios


def balanced_rows(y, w, params, nclasses):
    """Row numbers of a TrainingSet's rows after stratified over/under-sampling, shuffled."""
    counts = np.bincount(y.astype(np.int64), weights=w, minlength=nclasses)
    ratios = sampling_ratios(counts, params)
    whole, fraction = np.floor(ratios), ratios - np.floor(ratios)
    codes = y.astype(np.int64)
    seed = seed_of(params)
    for attempt in range(_TRIES):
        rng = np.random.default_rng(seed + attempt)
        repeats = (whole[codes] + (rng.random(len(codes)) < fraction[codes])).astype(np.int64)
        rows = np.repeat(np.arange(len(codes)), repeats)
        if np.bincount(codes[rows], minlength=nclasses).min() > 0 or attempt == _TRIES - 1:
            return rng.permutation(rows)


def balance(algorithm, data, params):
    """The TrainingSet to fit on and the class distributions (prior, balanced) to correct the
    fitted model's probabilities with; ``data`` itself and None unless balance_classes is set
    for a classifier of an algorithm that balances."""
    if not (algorithm.balances_classes and params.get("balance_classes") and data.spec.response_domain):
        return data, None
    nclasses = data.spec.nclasses
    if not np.all((data.w == 0) | (data.w == 1)):
        raise InvalidArgument("balance_classes", "Balance classes and observation weights are not supported "
                                                 "together (weights other than 0 and 1).")
    rows = balanced_rows(data.y, data.w, params, nclasses)
    prior = np.bincount(data.y.astype(np.int64), weights=data.w, minlength=nclasses)
    after = np.bincount(data.y[rows].astype(np.int64), weights=data.w[rows], minlength=nclasses)
    X = data.X.iloc[rows].reset_index(drop=True) if hasattr(data.X, "iloc") else data.X[rows]
    balanced = TrainingSet(X, data.y[rows], data.w[rows], data.spec, data.valid, data.inputs)
    return balanced, (prior / prior.sum(), after / after.sum())


def corrected(fitted, probabilities):
    """A fitted classifier's probabilities, corrected from the balanced classes' shares to the
    prior ones when it was fitted on balanced rows (``fitted.class_distributions``)."""
    if fitted.class_distributions is None:
        return probabilities
    prior, balanced = fitted.class_distributions
    probabilities = np.asarray(probabilities, dtype=np.float64)
    two_classes_as_one = probabilities.ndim == 1       # a binomial learner's p1
    full = np.column_stack([1 - probabilities, probabilities]) if two_classes_as_one else probabilities
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where((prior > 0) & (balanced > 0), prior / balanced, 1.0)
    full = full * ratio
    total = full.sum(axis=1, keepdims=True)
    full = np.divide(full, total, out=full, where=total > 0)
    return full[:, 1] if two_classes_as_one else full
