"""Candidate clusterings, DPS validation scores, outliers and comparisons, by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clusteratlas.connect import (
    adjusted_rand,
    best_match,
    candidate_clusterings,
    cluster_industries,
    combine_similarity,
    outlier_industries,
    overlap_table,
    perturbed_ari,
    random_baseline_ari,
    validation_scores,
)
from clusteratlas.errors import ParameterError, SchemaError

CODES = ["a", "b", "c", "d"]


def frame(values: list[list[float]]) -> pd.DataFrame:
    return pd.DataFrame(values, index=CODES, columns=CODES, dtype="float64")


# Clusters {a, b} and {c, d}; the diagonal is ignored.
CLEAN = frame(
    [
        [0.0, 0.9, 0.1, 0.2],
        [0.9, 0.0, 0.3, 0.1],
        [0.1, 0.3, 0.0, 0.8],
        [0.2, 0.1, 0.8, 0.0],
    ]
)
# Same clusters, but b is closer to {c, d} than to a.
OUTLIER = frame(
    [
        [0.0, 0.2, 0.1, 0.2],
        [0.2, 0.0, 0.6, 0.5],
        [0.1, 0.6, 0.0, 0.8],
        [0.2, 0.5, 0.8, 0.0],
    ]
)
LABELS = np.array([1, 1, 2, 2])


def test_validation_scores_by_hand_clean() -> None:
    # industry level, own cluster vs the other one:
    #   a: 0.9 vs (0.1 + 0.2)/2 = 0.15   b: 0.9 vs (0.3 + 0.1)/2 = 0.20
    #   c: 0.8 vs (0.1 + 0.3)/2 = 0.20   d: 0.8 vs (0.2 + 0.1)/2 = 0.15  -> 4/4
    # cluster level: within 0.9 and 0.8, between (0.1+0.2+0.3+0.1)/4 = 0.175 -> 2/2
    vs = validation_scores(CLEAN, LABELS)
    assert vs.industry == 1.0
    assert vs.cluster == 1.0
    assert vs.mean == 1.0


def test_validation_scores_by_hand_with_an_outlier() -> None:
    # a: 0.2 vs (0.1 + 0.2)/2 = 0.15 pass; b: 0.2 vs (0.6 + 0.5)/2 = 0.55 FAIL
    # c: 0.8 vs (0.1 + 0.6)/2 = 0.35 pass; d: 0.8 vs (0.2 + 0.5)/2 = 0.35 pass -> 3/4
    # clusters: within 0.2 and 0.8; between (0.1 + 0.2 + 0.6 + 0.5)/4 = 0.35
    #   cluster 1: 0.2 > 0.35 fails; cluster 2: 0.8 > 0.35 passes -> 1/2
    vs = validation_scores(OUTLIER, LABELS)
    assert vs.industry == pytest.approx(0.75)
    assert vs.cluster == pytest.approx(0.5)


def test_outlier_flagged_with_its_best_other_cluster() -> None:
    table = outlier_industries(OUTLIER, pd.Series(LABELS, index=CODES)).set_index("industry")
    assert table["outlier"].tolist() == [False, True, False, False]
    assert table.loc["b", "best_other_cluster"] == 2
    assert table.loc["b", "own_relatedness"] == pytest.approx(0.2)
    assert table.loc["b", "best_other_relatedness"] == pytest.approx(0.55)


def test_singleton_and_tie_fail_and_missing_pairs_skipped() -> None:
    # {a}, {b, c, d}: a alone fails; a tie (equal averages) fails too.
    tie = frame([[0, 1, 1, 1], [1, 0, 1, 1], [1, 1, 0, 1], [1, 1, 1, 0]])
    vs = validation_scores(tie, [1, 2, 2, 2])
    assert vs.industry == 0.0 and vs.cluster == 0.0
    gappy = CLEAN.copy()
    gappy.loc["a", "c"] = gappy.loc["c", "a"] = np.nan  # a's other-cluster average = 0.2
    assert validation_scores(gappy, LABELS).industry == 1.0


def test_combine_similarity_percentiles() -> None:
    combined = combine_similarity({"x": CLEAN, "y": CLEAN}, standardise="percentile")
    assert np.isnan(np.diag(combined.to_numpy())).all()
    # 12 off-diagonal cells; the 2 cells of 0.9 are the largest: (11 + 12)/2/12
    assert combined.loc["a", "b"] == pytest.approx(11.5 / 12)
    z = combine_similarity({"x": CLEAN}, standardise="zscore")
    off = z.to_numpy()[~np.eye(4, dtype=bool)]
    assert off.mean() == pytest.approx(0.0) and off.std() == pytest.approx(1.0)
    with pytest.raises(SchemaError, match="industries"):
        combine_similarity({"x": CLEAN, "y": CLEAN.iloc[:3, :3]})
    with pytest.raises(ParameterError, match="standardise"):
        combine_similarity({"x": CLEAN}, standardise="rank")  # type: ignore[arg-type]


def blocks(n_blocks: int = 4, size: int = 6, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = n_blocks * size
    groups = np.repeat(np.arange(n_blocks), size)
    values = 0.1 + 0.05 * rng.random((n, n)) + 0.7 * (groups[:, None] == groups[None, :])
    values = (values + values.T) / 2
    codes = [f"i{k:02d}" for k in range(n)]
    return pd.DataFrame(values, index=codes, columns=codes)


def test_candidates_recover_blocks_and_are_reproducible() -> None:
    similarity = blocks()
    truth = pd.Series(np.repeat(np.arange(4), 6), index=similarity.index)
    first = candidate_clusterings(similarity, n_clusters=[4], rng=7)
    second = candidate_clusterings(similarity, n_clusters=[4], rng=7)
    for one, two in zip(first, second, strict=True):
        assert one.method == two.method
        np.testing.assert_array_equal(one.labels, two.labels)
        got = pd.Series(one.labels, index=similarity.index)
        assert adjusted_rand(got, truth) == pytest.approx(1.0), one.method


def test_cluster_industries_selects_the_best_score() -> None:
    similarity = blocks()
    # Merging whole blocks keeps every score at 1 (VS does not penalise coarse clusters;
    # ties go to the first candidate), so the grid starts at the true number of blocks:
    # splitting a block (5, 6 clusters) fails for the split industries.
    result = cluster_industries({"m": similarity}, n_clusters=[4, 5, 6], rng=0)
    scores = result.scores
    assert scores["selected"].sum() == 1
    assert scores.loc[scores["selected"], "score"].iloc[0] == scores["score"].max()
    assert result.n_clusters == 4
    assert result.labels.value_counts().tolist() == [6, 6, 6, 6]
    assert not result.outliers["outlier"].any()
    assert scores[["vs_industry_m", "vs_cluster_m"]].stack().between(0, 1).all()


def test_candidate_parameter_errors() -> None:
    with pytest.raises(ParameterError, match="methods"):
        candidate_clusterings(CLEAN, n_clusters=[2], methods=["dbscan"])
    with pytest.raises(ParameterError, match="n_clusters"):
        candidate_clusterings(CLEAN, n_clusters=[9])


def test_adjusted_rand_identical_and_permuted_names() -> None:
    ours = pd.Series([1, 1, 2, 2, 3], index=list("abcde"))
    renamed = pd.Series(["z", "z", "x", "x", "y"], index=list("edcba")[::-1])
    assert adjusted_rand(ours, ours) == 1.0
    assert adjusted_rand(ours, renamed) == pytest.approx(1.0)
    assert adjusted_rand(ours, ours.sample(frac=1, random_state=1)) == 1.0  # order ignored


def test_overlap_table_by_hand() -> None:
    ours = pd.Series([1, 1, 1, 2], index=CODES)
    reference = pd.Series(["X", "X", "Y", "Y"], index=CODES)
    table = overlap_table(ours, reference).set_index("cluster")
    # cluster 1 = {a, b, c}: 2 in X (share 2/3 of ours, 2/2 of X)
    assert table.loc[1, "best_match"] == "X" and table.loc[1, "shared"] == 2
    assert table.loc[1, "share"] == pytest.approx(2 / 3) and table.loc[1, "match_share"] == 1.0
    # cluster 2 = {d}: in Y (share 1, half of Y)
    assert table.loc[2, "best_match"] == "Y" and table.loc[2, "match_share"] == 0.5
    back = overlap_table(reference, ours).set_index("cluster")  # vice versa
    assert back.loc["Y", "best_match"] == 1  # tie 1-1: first in sorted order
    assert best_match(ours, reference) == {1: "X", 2: "Y"}


def test_baselines() -> None:
    reference = pd.Series(np.repeat(np.arange(10), 10), index=[f"i{k}" for k in range(100)])
    assert abs(random_baseline_ari(reference, reference, rng=0)) < 0.05
    assert 0.5 < perturbed_ari(reference, share=0.1, rng=0) < 1.0
    assert perturbed_ari(reference, share=0.0, rng=0) == 1.0
    with pytest.raises(SchemaError, match="share no industry"):
        adjusted_rand(reference, pd.Series([1], index=["other"]))
