r"""Validation scores of cluster definitions (Delgado, Porter & Stern 2016), vectorised.

Block sums through one-hot membership matrices (:math:`S A`, then :math:`A^\top S A`),
never loops over pairs: scoring a clustering of 700 industries takes milliseconds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

from clusteratlas.errors import SchemaError


class _Labelled(Protocol):
    """A candidate clustering (:class:`~clusteratlas.connect.clustering.Candidate`)."""

    @property
    def method(self) -> str: ...

    @property
    def n_clusters(self) -> int: ...

    @property
    def labels(self) -> np.ndarray: ...


def _square(matrix: pd.DataFrame, name: str) -> np.ndarray:
    if not isinstance(matrix, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame. Got {type(matrix).__name__} instead.")
    if not matrix.index.equals(matrix.columns):
        raise SchemaError(f"{name} must be square with the same industries in index and columns.")
    values = matrix.to_numpy(dtype="float64", na_value=np.nan).copy()
    np.fill_diagonal(values, np.nan)
    return values


@dataclass(frozen=True)
class ValidationScores:
    """Validation scores of one clustering on one matrix (DPS 2016).

    Attributes
    ----------
    industry : float
        VS-industry, the share of industries closer to their own cluster than to any other.
    cluster : float
        VS-cluster, the share of clusters closer to themselves than to any other cluster.
    """

    industry: float
    cluster: float

    @property
    def mean(self) -> float:
        """The average of the two scores."""
        return (self.industry + self.cluster) / 2


def _codes(labels: Sequence[object] | np.ndarray | pd.Series, n: int) -> tuple[np.ndarray, int]:
    codes, uniques = pd.factorize(np.asarray(labels), sort=True)
    if len(codes) != n:
        raise SchemaError(f"labels must have one entry per industry ({n}). Got {len(codes)}.")
    if (codes < 0).any():
        raise SchemaError("labels must not be missing.")
    return codes, len(uniques)


def block_averages(
    similarity: pd.DataFrame, labels: Sequence[object] | np.ndarray | pd.Series
) -> tuple[np.ndarray, np.ndarray]:
    r"""Average similarity of each industry to each cluster, and of each cluster pair.

    With the one-hot membership :math:`A` (n × k), :math:`W` the indicator of finite
    off-diagonal cells and :math:`S_0` the similarity with missing cells set to 0:
    industry → cluster :math:`R = (S_0 A) / (W A)` and cluster → cluster
    :math:`B = (A^\top S_0 A) / (A^\top W A)`, elementwise divisions (NaN where no pair).
    Self-pairs never count, so :math:`R_{i,c(i)}` averages over the other members of
    i's cluster. ``labels`` are factorised (sorted): column c is the c-th sorted label.
    """
    s = _square(similarity, "similarity")
    codes, k = _codes(labels, len(s))
    finite = np.isfinite(s)
    onehot = np.zeros((len(s), k))
    onehot[np.arange(len(s)), codes] = 1.0
    sums = np.where(finite, s, 0.0) @ onehot
    counts = finite.astype("float64") @ onehot
    with np.errstate(invalid="ignore", divide="ignore"):
        industry = sums / counts
        cluster = (onehot.T @ sums) / (onehot.T @ counts)
    return industry, cluster


def _own_vs_best_other(
    avg: np.ndarray, own: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows = np.arange(len(own))
    own_value = avg[rows, own]
    others = np.where(np.isfinite(avg), avg, -np.inf)
    others[rows, own] = -np.inf
    best = np.argmax(others, axis=1)
    return own_value, others[rows, best], best


def validation_scores(
    similarity: pd.DataFrame, labels: Sequence[object] | np.ndarray | pd.Series
) -> ValidationScores:
    r"""Score a clustering on one similarity matrix: VS-industry and VS-cluster (DPS 2016).

    Parameters
    ----------
    similarity : pandas.DataFrame
        Square industry × industry similarity (diagonal ignored, NaN = unknown pair).
    labels : array-like
        Cluster of each industry, in the order of ``similarity``'s index.

    Returns
    -------
    ValidationScores
        ``industry`` (VS-industry) and ``cluster`` (VS-cluster), each in [0, 1].

    Notes
    -----
    With :math:`R` and :math:`B` of :func:`block_averages` (:math:`R_{ic}` the average
    similarity of industry i to the members of cluster c other than i, :math:`B_{cd}` the
    average similarity between members of c and d, :math:`B_{cc}` over pairs of distinct
    members):

    .. math:: \mathrm{VS}_{ind} = \frac{1}{n}\sum_i \mathbf 1\big[R_{i,c(i)} >
              \max_{d \ne c(i)} R_{id}\big], \qquad
              \mathrm{VS}_{clu} = \frac{1}{k}\sum_c \mathbf 1\big[B_{cc} > \max_{d \ne c}
              B_{cd}\big]

    Strict inequalities: a tie fails. An industry alone in its cluster (no within pair)
    fails, as does a singleton cluster; with one cluster both scores are 1.
    """
    industry, cluster = block_averages(similarity, labels)
    codes, k = _codes(labels, industry.shape[0])
    own, other, _ = _own_vs_best_other(industry, codes)
    own_c, other_c, _ = _own_vs_best_other(cluster, np.arange(k))
    with np.errstate(invalid="ignore"):
        vs_industry = float(np.mean(np.isfinite(own) & (own > other)))
        vs_cluster = float(np.mean(np.isfinite(own_c) & (own_c > other_c)))
    return ValidationScores(industry=vs_industry, cluster=vs_cluster)


def outlier_industries(similarity: pd.DataFrame, labels: pd.Series) -> pd.DataFrame:
    r"""Flag industries whose own-cluster relatedness does not beat their best other cluster.

    Parameters
    ----------
    similarity : pandas.DataFrame
        Square similarity (the combined one in :func:`cluster_industries`).
    labels : pandas.Series
        Industry → cluster, indexed like ``similarity``.

    Returns
    -------
    pandas.DataFrame
        One row per industry: ``industry``, ``cluster``, ``own_relatedness``
        (:math:`R_{i,c(i)}`), ``best_other_cluster``, ``best_other_relatedness``
        (:math:`\max_{d \ne c(i)} R_{id}`) and ``outlier`` (own ≤ best other, or alone).
    """
    aligned = labels.reindex(similarity.index)
    industry, _ = block_averages(similarity, aligned.to_numpy())
    codes, uniques = pd.factorize(aligned.to_numpy(), sort=True)
    own, other, best = _own_vs_best_other(industry, codes)
    with np.errstate(invalid="ignore"):
        outlier = ~(np.isfinite(own) & (own > other))
    return pd.DataFrame(
        {
            "industry": similarity.index.to_numpy(),
            "cluster": aligned.to_numpy(),
            "own_relatedness": own,
            "best_other_cluster": np.asarray(uniques)[best],
            "best_other_relatedness": np.where(np.isfinite(other), other, np.nan),
            "outlier": outlier,
        }
    )


def score_candidates(
    candidates: Sequence[_Labelled], matrices: Mapping[str, pd.DataFrame], index: pd.Index
) -> pd.DataFrame:
    """Score every candidate on every matrix; ``score`` is the mean of all their VS.

    ``index`` is the industry order of the candidates' labels; each matrix is aligned to it.
    """
    aligned = {name: m.reindex(index=index, columns=index) for name, m in matrices.items()}
    rows = []
    for candidate in candidates:
        row: dict[str, object] = {"method": candidate.method, "n_clusters": candidate.n_clusters}
        values = []
        for name, matrix in aligned.items():
            vs = validation_scores(matrix, candidate.labels)
            row[f"vs_industry_{name}"], row[f"vs_cluster_{name}"] = vs.industry, vs.cluster
            values += [vs.industry, vs.cluster]
        row["score"] = float(np.mean(values))
        rows.append(row)
    return pd.DataFrame(rows)


__all__ = [
    "ValidationScores",
    "block_averages",
    "outlier_industries",
    "score_candidates",
    "validation_scores",
]
