"""balance_classes: H2O-3's stratified over/under-sampling and its probability correction."""

import numpy as np
import pytest

from h2odash.engine.algos import class_balance
from h2odash.engine.errors import InvalidArgument


def test_ratios_bring_every_class_up_to_the_largest():
    counts = np.array([900.0, 90.0, 10.0])
    ratios = class_balance.sampling_ratios(counts, {})
    assert ratios == pytest.approx([1.0, 10.0, 90.0])


def test_the_size_cap_shrinks_all_ratios_alike():
    counts = np.array([900.0, 90.0, 10.0])
    ratios = class_balance.sampling_ratios(counts, {"max_after_balance_size": 1.5})
    assert (ratios * counts).sum() == pytest.approx(1500)
    assert ratios[1] / ratios[0] == pytest.approx(10.0) and ratios[2] / ratios[0] == pytest.approx(90.0)


def test_given_factors_are_used_and_checked():
    counts = np.array([800.0, 200.0])
    assert class_balance.sampling_ratios(counts, {"class_sampling_factors": [0.5, 2.0]}) == pytest.approx([0.5, 2.0])
    with pytest.raises(InvalidArgument, match="must have 2 elements"):
        class_balance.sampling_ratios(counts, {"class_sampling_factors": [1.0, 1.0, 1.0]})


def test_rows_repeat_by_their_class_ratio():
    y = np.repeat([0, 1], [5000, 500]).astype(float)
    rows = class_balance.balanced_rows(y, np.ones(len(y)), {"class_sampling_factors": [0.5, 3.4], "seed": 7}, 2)
    counts = np.bincount(y[rows].astype(int))
    assert counts[0] == pytest.approx(2500, abs=4 * np.sqrt(5000 * 0.25))   # binomial draws
    assert counts[1] == pytest.approx(1700, abs=4 * np.sqrt(500 * 0.24))    # 3 each, plus 1 with p=0.4
    per_row = np.bincount(rows, minlength=len(y))
    assert set(per_row[y == 1]) <= {3, 4} and set(per_row[y == 0]) <= {0, 1}
    assert not np.all(np.diff(rows) >= 0)   # shuffled


def test_correction_is_bayes_rule_from_the_balanced_to_the_true_shares():
    class Fitted:
        class_distributions = (np.array([0.7, 0.2, 0.1]), np.array([1 / 3, 1 / 3, 1 / 3]))

    p = np.array([[0.5, 0.3, 0.2], [0.1, 0.1, 0.8]])
    weighted = p * np.array([0.7, 0.2, 0.1]) * 3
    expected = weighted / weighted.sum(axis=1, keepdims=True)
    assert class_balance.corrected(Fitted(), p) == pytest.approx(expected)
    # a two-class learner's p1 alone
    Fitted.class_distributions = (np.array([0.9, 0.1]), np.array([0.5, 0.5]))
    p1 = np.array([0.5, 0.9])
    assert class_balance.corrected(Fitted(), p1) == pytest.approx(0.1 * p1 / (0.1 * p1 + 0.9 * (1 - p1)))
