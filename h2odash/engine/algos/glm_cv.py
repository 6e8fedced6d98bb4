"""A cross-validated GLM's penalty, chosen as H2O-3 chooses it (GLM.cv_computeAndSetOptimalParameters).

Every fold model goes down the main model's lambda path, scoring each submodel on its holdout
rows, and stops where its own path flattens; so fold paths may end at different lambdas. Then:

- only the alphas some fold picked are kept; each kept alpha's block of submodels is as long
  as the longest fold's, and a fold that stopped short is fitted on to that length;
- submodel by submodel (alpha blocks in the order given, lambdas decreasing), the folds' mean
  holdout deviances (per row) are averaged with equal weight per fold, and their standard error
  is sd / sqrt(folds); the submodel with the lowest average wins (ties: the first, the larger
  lambda). With decreasing lambdas the scan ends after the last submodel any fold picked for
  itself and, with a single alpha, once three submodels have scored worse than the best so far;
- lambda_1se is the largest lambda of the winning alpha whose average deviance stays within one
  standard error of the best, walking up from the best one lambda at a time;
- every fold model is moved to the winning submodel (its holdout predictions, hence the
  cross-validation metrics, are that submodel's);
- the main model fits the winning alpha only: with lambda search, down the path to one lambda
  past the winner and keeps the winner, without early stopping; otherwise just the winning
  lambda. Its iterations are capped at one more than the most any fold needed to reach the winner.
"""

import itertools
import math
from dataclasses import dataclass


@dataclass
class Choice:
    """What the folds chose, for the main model and its report."""

    alpha: float
    lambda_value: float
    lambda_1se: float
    lambdas: list           # the main model's path
    selected: int           # index of the chosen lambda on that path
    max_iterations: int
    fold_indices: list      # per fold: the index of the chosen submodel among its submodels
    deviances: list         # per scanned submodel: (alpha, lambda, mean holdout deviance, standard error)


def choose(solutions, alphas, lambdas, lambda_search, max_iterations):
    """The cross-validated choice from the folds' solutions (glm_solver.Solution, each fitted
    resumable, with holdout deviances); extends fold paths that stopped short."""
    chosen = [s.submodels[s.best_index] for s in solutions]
    kept = [a for a in alphas if any(sub.alpha == a for sub in chosen)]
    blocks = {a: max(sum(1 for sub in s.submodels if sub.alpha == a) for s in solutions) for a in kept}
    aligned = [(a, k) for a in kept for k in range(blocks[a])]

    def fold_submodel(solution, alpha, k):
        own = [sub for sub in solution.submodels if sub.alpha == alpha]
        if k >= len(own):
            own = solution.extend(alpha, k + 1)
        return own[k]

    decreasing = len(lambdas) >= 1 and all(b < a for a, b in itertools.pairwise(lambdas))
    if decreasing:
        scan = max(aligned.index((sub.alpha, _position(s, sub))) for s, sub in zip(solutions, chosen)) + 1
    else:
        scan = len(aligned)
    n = len(solutions)
    averages, errors = [], []
    best, worse = 0, 0
    for index in range(scan):
        alpha, k = aligned[index]
        devs = [fold_submodel(s, alpha, k).valid_deviance for s in solutions]
        total = sum(devs)
        average = total / n
        spread = sum(d * d for d in devs) - average * total
        averages.append(average)
        errors.append(math.sqrt(max(spread, 0.0) / ((n - 1) * n)) if n > 1 else 0.0)
        if average < averages[best]:
            best = index
        elif len(alphas) <= 1 and decreasing and average > averages[best]:
            worse += 1
            if worse == 3:
                scan = index
                break
    best_alpha, best_k = aligned[best]

    # One standard error: walk to larger lambdas of the same alpha while within reach of the best.
    same = sorted((i for i in range(scan) if aligned[i][0] == best_alpha), key=lambda i: -lambdas[aligned[i][1]])
    at = same.index(best) if best in same else len(same) - 1
    reach = averages[best] + errors[best]
    while at > 0 and averages[same[at - 1]] <= reach:
        at -= 1
    lambda_1se = lambdas[aligned[same[at]][1]] if same else lambdas[best_k]

    fold_indices = []
    for s in solutions:
        sub = fold_submodel(s, best_alpha, best_k)
        fold_indices.append(next(i for i, other in enumerate(s.submodels) if other is sub))
    needed = [s.submodels[i].iterations for s, i in zip(solutions, fold_indices)]
    cap = math.ceil(1 + max(needed)) if needed else max_iterations
    if lambda_search:
        count = sum(1 for i in range(scan) if aligned[i][0] == best_alpha)
        before = sum(1 for i in range(best) if aligned[i][0] == best_alpha)
        path, selected = list(lambdas[:count + 1]), before
    else:
        path, selected = [lambdas[best_k]], 0
    deviances = [(aligned[i][0], lambdas[aligned[i][1]], averages[i], errors[i]) for i in range(len(averages))]
    return Choice(best_alpha, lambdas[best_k], lambda_1se, path, selected, cap, fold_indices, deviances)


def _position(solution, sub):
    """Where ``sub`` sits in its alpha's block (the index of its lambda on the path)."""
    own = [other for other in solution.submodels if other.alpha == sub.alpha]
    return next(i for i, other in enumerate(own) if other is sub)
