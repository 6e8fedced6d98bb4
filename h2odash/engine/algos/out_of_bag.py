"""Out-of-bag predictions: how H2O-3's random forests (DRF, and XRT, which is DRF with
random split points) measure themselves on their training rows.

Each tree grows on a sample of the rows: H2O-3 keeps each row with probability sample_rate,
independently of the others, so a row is in a tree's sample once or not at all
(hex/tree/Sample.java). The rows a tree left out are "out of bag" for it. H2O-3 scores every
training row with only the trees that left it out, averaging their predictions
(hex/tree/drf/DRF.java: CollectPreds, score1), and computes the training metrics, and the
training columns of the scoring history at each scoring, from these predictions. A row that
no tree has left out yet is skipped (hex/tree/Score.java), so ``nobs`` counts only the rows
with an out-of-bag prediction: about 37 % of them after one tree, none at sample_rate 1.
"""

import numpy as np

OUT_OF_BAG = "Metrics reported on Out-Of-Bag training samples"


def in_bag(seed, tree, nrows, rate):
    """Which of ``nrows`` rows tree number ``tree`` (from 0) of a forest seeded ``seed`` grows
    on: each with probability ``rate``, as H2O-3 samples them. Each tree draws from its own
    stream, so a tree's sample does not depend on how the forest is grown (in chunks)."""
    return np.random.default_rng([seed, tree]).random(nrows, dtype=np.float32) < rate


class OutOfBag:
    """Each training row's predictions summed over the trees that left it out, and their count.

    ``width`` is the number of values a tree predicts per row (one per class for a forest of
    per-class trees), None for one value.
    """

    def __init__(self, nrows, width=None):
        self.total = np.zeros((nrows,) if width is None else (nrows, width))
        self.count = np.zeros(nrows, dtype=np.int64)

    def add(self, left_out, predictions):
        """Count one tree: ``left_out`` marks the rows outside its sample, ``predictions`` are
        its predictions for those rows only (in order)."""
        self.total[left_out] += predictions
        self.count += left_out

    def predictions(self, finish=None):
        """Each row's mean over its out-of-bag trees, passed through ``finish`` (from the mean
        of tree predictions to the model's predictions, e.g. class probabilities); NaN on the
        rows no tree has left out."""
        seen = self.count > 0
        count = self.count[seen]
        mean = self.total[seen] / (count if self.total.ndim == 1 else count[:, None])
        finished = np.asarray(finish(mean) if finish is not None else mean, dtype=np.float64)
        result = np.full((len(self.count),) + finished.shape[1:], np.nan)
        result[seen] = finished
        return result


def scored_rows(predictions):
    """Which rows have an out-of-bag prediction (no NaN), for metrics that skip the others."""
    predictions = np.asarray(predictions, dtype=np.float64)
    return ~np.isnan(predictions.reshape(len(predictions), -1)).any(axis=1)
