r"""Cluster definitions from relatedness matrices: candidates, validation scores, selection.

The algorithm of Delgado, Porter & Stern (2016, "DPS"), made open: (1) one or several
industry × industry similarity matrices :math:`M^{(m)}`; (2) a combined similarity; (3)
many candidate clusterings :math:`C = F(M, \beta)` under parameter choices :math:`\beta`
(clustering function, number of clusters); (4) validation scores of every candidate on
every matrix and selection of the best; (5) outlier industries of the selected one.
Everything is pure: matrices in, labels and scores out (loading is in
:mod:`clusteratlas.connect.service`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from clusteratlas._validation import RngLike, as_rng, check_in
from clusteratlas.connect.validation import (
    ValidationScores,
    _square,
    block_averages,
    outlier_industries,
    score_candidates,
    validation_scores,
)
from clusteratlas.errors import ParameterError, SchemaError

METHODS: tuple[str, ...] = (
    "average",
    "complete",
    "ward",
    "kmeans-rows",
    "kmeans-spectral",
    "spectral",
)
STANDARDISATIONS: tuple[str, ...] = ("zscore", "percentile")


@dataclass(frozen=True)
class Candidate:
    """One candidate clustering: the method, the number of clusters and the labels."""

    method: str
    n_clusters: int
    labels: np.ndarray


@dataclass(frozen=True)
class ClusteringResult:
    """The selected clustering, every candidate's scores and the outlier industries.

    Attributes
    ----------
    labels : pandas.Series
        Industry → cluster number (1 = largest cluster).
    method, n_clusters : str, int
        The selected candidate.
    scores : pandas.DataFrame
        One row per candidate: ``method``, ``n_clusters``, ``vs_industry_<m>`` and
        ``vs_cluster_<m>`` for every matrix m, ``score`` (their mean) and ``selected``.
    outliers : pandas.DataFrame
        :func:`outlier_industries` of the selected clustering on the combined similarity.
    similarity : pandas.DataFrame
        The combined similarity that was clustered.
    """

    labels: pd.Series
    method: str
    n_clusters: int
    scores: pd.DataFrame
    outliers: pd.DataFrame
    similarity: pd.DataFrame


def combine_similarity(
    matrices: Mapping[str, pd.DataFrame],
    *,
    standardise: Literal["zscore", "percentile"] = "percentile",
) -> pd.DataFrame:
    r"""Combine similarity matrices into one, as the "combined" relatedness of DPS (2016).

    Parameters
    ----------
    matrices : mapping of str to pandas.DataFrame
        Square industry × industry similarity frames (e.g. :func:`~clusteratlas.measures.
        relatedness.as_matrix` of co-location, IO links), same industries in any order.
    standardise : {"percentile", "zscore"}, default "percentile"
        How each matrix is put on a common scale before averaging, see Notes.

    Returns
    -------
    pandas.DataFrame
        Square frame (industries of the first matrix, sorted), NaN diagonal, no NaN elsewhere.

    Notes
    -----
    For each matrix m, over its finite off-diagonal cells, ``"zscore"`` uses
    :math:`z^{(m)}_{ij} = (M^{(m)}_{ij} - \mu_m) / \sigma_m` and ``"percentile"`` uses the
    percentile rank :math:`p^{(m)}_{ij} \in (0, 1]` (average ranks for ties). The combined
    similarity is the mean over the matrices where the pair is known,
    :math:`S_{ij} = \frac{1}{|K_{ij}|}\sum_{m \in K_{ij}} z^{(m)}_{ij}`; a pair known in no
    matrix takes the neutral value (0 for z-scores, 0.5 for percentiles). DPS average
    standardised matrices; the z-score is sensitive to the very skewed IO links (a few
    pairs 50 standard deviations above the mean), hence the percentile default.
    """
    check_in(standardise, STANDARDISATIONS, name="standardise")
    if not matrices:
        raise ParameterError("The 'matrices' parameter must hold at least one matrix. Got none.")
    first = next(iter(matrices.values()))
    index = pd.Index(sorted(first.index), name=first.index.name)
    total = np.zeros((len(index), len(index)))
    count = np.zeros_like(total)
    for name, frame in matrices.items():
        if set(frame.index) != set(index):
            raise SchemaError(f"matrix {name!r} does not have the industries of the first matrix.")
        values = _square(frame.reindex(index=index, columns=index), f"matrix {name!r}")
        finite = np.isfinite(values)
        if standardise == "zscore":
            scaled = (values - values[finite].mean()) / values[finite].std()
        else:
            ranks = pd.Series(values[finite]).rank(method="average", pct=True).to_numpy()
            scaled = np.full_like(values, np.nan)
            scaled[finite] = ranks
        total += np.where(finite, scaled, 0.0)
        count += finite
    neutral = 0.0 if standardise == "zscore" else 0.5
    with np.errstate(invalid="ignore", divide="ignore"):
        combined = np.where(count > 0, total / count, neutral)
    np.fill_diagonal(combined, np.nan)
    return pd.DataFrame(combined, index=index, columns=index.copy())


def similarity_to_distance(similarity: pd.DataFrame) -> np.ndarray:
    r"""Turn a similarity into a distance :math:`d_{ij} = \max_{k \ne l} S_{kl} - S_{ij}`.

    The diagonal is 0 and the result symmetric (:math:`(S + S^\top)/2` first); a missing
    similarity is the largest distance.
    """
    s = _square(similarity, "similarity")
    s = np.where(np.isfinite(s), s, np.nanmin(s))
    s = (s + s.T) / 2
    d = np.nanmax(s) - s
    np.fill_diagonal(d, 0.0)
    return d


def spectral_affinity(similarity: pd.DataFrame, *, exponent: float = 8.0) -> np.ndarray:
    r"""Non-negative affinity :math:`W_{ij} = p_{ij}^{\,q}` from the percentile ranks of S.

    :math:`p_{ij}` is the percentile rank (in (0, 1]) of :math:`S_{ij}` among off-diagonal
    pairs and :math:`q` = ``exponent`` sharpens it (the strongest links dominate, as with a
    Gaussian kernel); the diagonal is 0.
    """
    d = similarity_to_distance(similarity)
    off = ~np.eye(len(d), dtype=bool)
    ranks = np.zeros_like(d)
    ranks[off] = pd.Series(-d[off]).rank(method="average", pct=True).to_numpy()
    return ranks**exponent


def _relabel(labels: np.ndarray) -> np.ndarray:
    """Renumber clusters 0…k-1 by decreasing size, ties by first member (canonical)."""
    _, first, inverse, sizes = np.unique(
        labels, return_index=True, return_inverse=True, return_counts=True
    )
    order = np.lexsort((first, -sizes))
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return rank[inverse.ravel()]


def _spectral_embedding(affinity: np.ndarray, dimensions: int) -> np.ndarray:
    """Leading eigenvectors of :math:`D^{-1/2} W D^{-1/2}` (von Luxburg 2007, Ng et al.)."""
    from scipy.linalg import eigh

    degree = affinity.sum(axis=1)
    scale = 1.0 / np.sqrt(np.where(degree > 0, degree, 1.0))
    normalised = affinity * scale[:, None] * scale[None, :]
    n = len(affinity)
    _, vectors = eigh(normalised, subset_by_index=[n - dimensions, n - 1])
    return vectors[:, ::-1]


def candidate_clusterings(
    similarity: pd.DataFrame,
    *,
    n_clusters: Iterable[int] = range(40, 71, 5),
    methods: Sequence[str] = METHODS,
    rng: RngLike = None,
) -> list[Candidate]:
    r"""Generate candidate clusterings of a similarity matrix under several parameter choices.

    Parameters
    ----------
    similarity : pandas.DataFrame
        Square (combined) similarity, e.g. :func:`combine_similarity`.
    n_clusters : iterable of int, default 40, 45, …, 70
        Numbers of clusters to try (each in [2, number of industries]).
    methods : sequence of str
        Clustering functions, any of :data:`METHODS`:

        - ``"average"``, ``"complete"``: agglomerative hierarchical clustering of the
          distance :func:`similarity_to_distance`, cut into k clusters;
        - ``"ward"``: Ward's hierarchical clustering of the rows of S (each industry's
          similarity profile), Euclidean as Ward requires;
        - ``"kmeans-rows"``: k-means of the rows of S;
        - ``"kmeans-spectral"``: k-means of the row-normalised first k eigenvectors of the
          normalised affinity :func:`spectral_affinity` (Ng, Jordan & Weiss 2002);
        - ``"spectral"``: scikit-learn's ``SpectralClustering`` on that precomputed
          affinity, labels by ``cluster_qr`` (von Luxburg 2007).
    rng : int, numpy.random.Generator or None
        Seeds k-means and the eigensolver (SPEC 7); the same seed gives the same candidates.

    Returns
    -------
    list of Candidate
        In the order methods × n_clusters; labels 0…k-1 numbered by decreasing size.
    """
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform
    from sklearn.cluster import KMeans, SpectralClustering

    for method in methods:
        check_in(method, METHODS, name="methods")
    n = similarity.shape[0]
    ks = sorted({int(k) for k in n_clusters})
    if not ks or ks[0] < 2 or ks[-1] > n:
        raise ParameterError(
            f"The 'n_clusters' parameter must hold ints in [2, {n}] (number of industries). "
            f"Got {ks} instead."
        )
    generator = as_rng(rng)
    distance = similarity_to_distance(similarity)
    rows = np.max(distance) - distance  # symmetric similarity, diagonal = max
    affinity = spectral_affinity(similarity)
    embedding = _spectral_embedding(affinity, ks[-1]) if "kmeans-spectral" in methods else None
    out: list[Candidate] = []
    for method in methods:
        tree = None
        if method in ("average", "complete"):
            tree = linkage(squareform(distance, checks=False), method=method)
        elif method == "ward":
            tree = linkage(rows, method="ward")
        for k in ks:
            seed = int(generator.integers(2**31 - 1))
            if tree is not None:
                labels = fcluster(tree, t=k, criterion="maxclust")
            elif method == "kmeans-rows":
                labels = KMeans(k, n_init=4, random_state=seed).fit_predict(rows)
            elif method == "kmeans-spectral":
                assert embedding is not None
                u = embedding[:, :k]
                u = u / np.maximum(np.linalg.norm(u, axis=1, keepdims=True), 1e-12)
                labels = KMeans(k, n_init=4, random_state=seed).fit_predict(u)
            else:
                model = SpectralClustering(
                    k, affinity="precomputed", assign_labels="cluster_qr", random_state=seed
                )
                labels = model.fit_predict(affinity)
            codes = _relabel(np.asarray(labels))
            out.append(Candidate(method, int(codes.max()) + 1, codes))
    return out


def cluster_industries(
    matrices: Mapping[str, pd.DataFrame],
    *,
    n_clusters: Iterable[int] = range(40, 71, 5),
    methods: Sequence[str] = METHODS,
    standardise: Literal["zscore", "percentile"] = "percentile",
    rng: RngLike = None,
) -> ClusteringResult:
    """Run the DPS algorithm: combine, generate candidates, score, select, flag outliers.

    Parameters
    ----------
    matrices : mapping of str to pandas.DataFrame
        Named square similarity matrices over the same industries.
    n_clusters, methods, rng
        The candidate grid, see :func:`candidate_clusterings`.
    standardise : {"percentile", "zscore"}
        See :func:`combine_similarity`.

    Returns
    -------
    ClusteringResult
        The selected candidate is the one with the highest ``score`` (the mean of VS-industry
        and VS-cluster over all matrices); ties go to the first in grid order (methods in
        the order given, then fewer clusters).

    References
    ----------
    .. [1] Delgado, M., Porter, M. E., & Stern, S. (2016). Defining clusters of related
       industries. Journal of Economic Geography, 16(1), 1-38.
    .. [2] von Luxburg, U. (2007). A tutorial on spectral clustering. Statistics and
       Computing, 17(4), 395-416.
    """
    similarity = combine_similarity(matrices, standardise=standardise)
    candidates = candidate_clusterings(similarity, n_clusters=n_clusters, methods=methods, rng=rng)
    scores = score_candidates(candidates, matrices, similarity.index)
    best = int(np.argmax(scores["score"].to_numpy()))
    scores["selected"] = np.arange(len(scores)) == best
    chosen = candidates[best]
    labels = pd.Series(chosen.labels + 1, index=similarity.index, name="cluster")
    return ClusteringResult(
        labels=labels,
        method=chosen.method,
        n_clusters=chosen.n_clusters,
        scores=scores,
        outliers=outlier_industries(similarity, labels),
        similarity=similarity,
    )


__all__ = [
    "METHODS",
    "STANDARDISATIONS",
    "Candidate",
    "ClusteringResult",
    "ValidationScores",
    "block_averages",
    "candidate_clusterings",
    "cluster_industries",
    "combine_similarity",
    "outlier_industries",
    "score_candidates",
    "similarity_to_distance",
    "spectral_affinity",
    "validation_scores",
]
