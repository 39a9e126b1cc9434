r"""Compare two cluster definitions: adjusted Rand index, overlap tables, baselines.

Definitions are :class:`pandas.Series` mapping industry → cluster; comparisons use the
industries the two have in common.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from clusteratlas._validation import RngLike, as_rng, check_interval
from clusteratlas.errors import SchemaError


def _common(ours: pd.Series, reference: pd.Series) -> tuple[pd.Series, pd.Series]:
    for name, labels in (("ours", ours), ("reference", reference)):
        if not isinstance(labels, pd.Series):
            raise TypeError(f"{name} must be a pandas Series. Got {type(labels).__name__} instead.")
        if labels.index.has_duplicates:
            raise SchemaError(f"{name}: each industry must appear once in the index.")
    common = ours.index.intersection(reference.index).sort_values()
    if len(common) == 0:
        raise SchemaError("ours and reference share no industry.")
    return ours.reindex(common), reference.reindex(common)


def adjusted_rand(ours: pd.Series, reference: pd.Series) -> float:
    r"""Compute the adjusted Rand index of two definitions over their common industries.

    Notes
    -----
    With :math:`n_{cd}` the industries in our cluster c and reference cluster d, and
    :math:`a_c, b_d` the row and column sums of that contingency table,

    .. math:: \mathrm{ARI} = \frac{\sum_{cd}\binom{n_{cd}}{2} - E}
              {\tfrac12\big[\sum_c\binom{a_c}{2} + \sum_d\binom{b_d}{2}\big] - E},
              \qquad E = \frac{\sum_c\binom{a_c}{2}\sum_d\binom{b_d}{2}}{\binom{n}{2}}

    1 for identical partitions (whatever the names), about 0 for independent ones; computed
    by :func:`sklearn.metrics.adjusted_rand_score`.

    References
    ----------
    .. [1] Hubert, L., & Arabie, P. (1985). Comparing partitions. Journal of
       Classification, 2(1), 193-218.
    """
    from sklearn.metrics import adjusted_rand_score

    a, b = _common(ours, reference)
    return float(adjusted_rand_score(a.astype(str).to_numpy(), b.astype(str).to_numpy()))


def overlap_table(ours: pd.Series, reference: pd.Series) -> pd.DataFrame:
    """For each of our clusters, the reference cluster sharing the most industries.

    Parameters
    ----------
    ours, reference : pandas.Series
        Industry → cluster. Swap them for the table "vice versa".

    Returns
    -------
    pandas.DataFrame
        One row per cluster of ``ours`` (largest first): ``cluster``, ``size``,
        ``best_match`` (ties: the first name in sorted order), ``shared`` (industries in
        both), ``share`` (= shared / size, the share of our cluster in its best match) and
        ``match_share`` (= shared / size of the best match).
    """
    a, b = _common(ours, reference)
    table = pd.crosstab(a.to_numpy(), b.to_numpy())
    table = table.sort_index(axis=0).sort_index(axis=1)
    counts = table.to_numpy()
    best = np.argmax(counts, axis=1)
    shared = counts[np.arange(len(counts)), best]
    size = counts.sum(axis=1)
    out = pd.DataFrame(
        {
            "cluster": table.index.to_numpy(),
            "size": size,
            "best_match": table.columns.to_numpy()[best],
            "shared": shared,
            "share": shared / size,
            "match_share": shared / counts.sum(axis=0)[best],
        }
    )
    return out.sort_values(["size", "cluster"], ascending=[False, True], ignore_index=True)


def best_match(ours: pd.Series, reference: pd.Series) -> dict[object, object]:
    """Map each of our clusters to the reference cluster sharing the most industries."""
    table = overlap_table(ours, reference)
    return dict(zip(table["cluster"], table["best_match"], strict=True))


def random_baseline_ari(
    ours: pd.Series, reference: pd.Series, *, repeats: int = 20, rng: RngLike = None
) -> float:
    """Mean ARI of ``reference`` with random clusterings of the same sizes as ``ours``.

    Our labels are shuffled among the common industries ``repeats`` times (same number and
    sizes of clusters); the mean ARI (about 0) is the "no information" baseline.
    """
    from sklearn.metrics import adjusted_rand_score

    a, b = _common(ours, reference)
    generator = as_rng(rng)
    labels, target = a.astype(str).to_numpy(), b.astype(str).to_numpy()
    values = [adjusted_rand_score(target, generator.permutation(labels)) for _ in range(repeats)]
    return float(np.mean(values))


def perturbed_ari(reference: pd.Series, *, share: float = 0.1, rng: RngLike = None) -> float:
    """ARI of ``reference`` with itself after moving ``share`` of industries at random.

    Each moved industry goes to a cluster drawn uniformly among the others: an upper
    yardstick (how much the ARI drops for a small disagreement).
    """
    from sklearn.metrics import adjusted_rand_score

    check_interval(share, name="share", low=0.0, high=1.0)
    generator = as_rng(rng)
    labels = reference.astype(str).to_numpy()
    names = np.unique(labels)
    moved = labels.copy()
    chosen = generator.choice(len(labels), size=round(share * len(labels)), replace=False)
    for i in chosen:
        others = names[names != labels[i]]
        moved[i] = others[generator.integers(len(others))]
    return float(adjusted_rand_score(labels, moved))


__all__ = ["adjusted_rand", "best_match", "overlap_table", "perturbed_ari", "random_baseline_ari"]
