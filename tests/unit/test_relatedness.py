"""Relatedness measures checked against hand calculations, pandas and EconGeo's formulas."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import clusteratlas.measures.relatedness as relatedness
from clusteratlas.errors import ParameterError, SchemaError
from clusteratlas.measures.relatedness import (
    as_matrix,
    as_tidy,
    colocation,
    cooccurrence,
    normalise_cooccurrence,
    percentile_ranks,
    rca_incidence,
)

EXACT = {"rel": 1e-12, "abs": 1e-12}


def tidy(values: np.ndarray, regions: list[str], industries: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region": np.repeat(regions, len(industries)),
            "industry": np.tile(industries, len(regions)),
            "employment": values.ravel(),
        }
    )


def pair(table: pd.DataFrame, a: str, b: str, column: str = "relatedness") -> float:
    row = table[(table["industry_a"] == a) & (table["industry_b"] == b)]
    assert len(row) == 1
    return float(row[column].iloc[0])


def random_table(seed: int, n_regions: int = 40, n_industries: int = 12) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    values = rng.lognormal(2.0, 1.0, (n_regions, n_industries))
    values *= rng.random((n_regions, n_industries)) < 0.8
    return tidy(
        values, [f"r{i:02d}" for i in range(n_regions)], [f"i{j:02d}" for j in range(n_industries)]
    )


def test_doctests() -> None:
    result = doctest.testmod(relatedness)
    assert result.attempted >= 3  # the colocation example's three statements ran
    assert result.failed == 0


def test_colocation_hand_example() -> None:
    # x = (1, 2, 3), y = 2x, z = (3, 2, 1) across regions A, B, C.
    # Shares of each industry: x/6, y/12, z/6 -> corr(x, y) = 1, corr(x, z) = -1.
    values = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 2.0], [3.0, 6.0, 1.0]])
    out = colocation(tidy(values, ["A", "B", "C"], ["x", "y", "z"]))
    assert pair(out, "x", "y") == pytest.approx(1.0, **EXACT)
    assert pair(out, "x", "z") == pytest.approx(-1.0, **EXACT)
    assert pair(out, "z", "x") == pytest.approx(-1.0, **EXACT)
    assert len(out) == 6 and list(out.columns) == list(relatedness.TIDY_COLUMNS)


def test_colocation_lq_hand_example() -> None:
    # Regions A (x=10, y=30), B (20, 20), C (60, 20): T = 40, 40, 80; E_x = 90, E_y = 70.
    # LQ_x = (4/9, 8/9, 4/3), LQ_y = (12/7, 8/7, 4/7): perfectly opposed, r = -1.
    values = np.array([[10.0, 30.0], [20.0, 20.0], [60.0, 20.0]])
    out = colocation(tidy(values, ["A", "B", "C"], ["x", "y"]), on="lq")
    assert pair(out, "x", "y") == pytest.approx(-1.0, **EXACT)
    # On shares of the industries: x/90 = (1/9, 2/9, 6/9), y/70 = (3/7, 2/7, 2/7).
    # Deviations from the means (1/3 each): x (-2/9, -1/9, 3/9), y (2/21, -1/21, -1/21);
    # r = (-4 + 1 - 3) / sqrt(14 * 6) = -6 / sqrt(84).
    shares = colocation(tidy(values, ["A", "B", "C"], ["x", "y"]), on="share")
    assert pair(shares, "x", "y") == pytest.approx(-6 / np.sqrt(84), **EXACT)


@pytest.mark.parametrize("method", ["pearson", "spearman"])
def test_colocation_matches_pandas_corr(method: str) -> None:
    data = random_table(1)
    wide = data.pivot(index="region", columns="industry", values="employment")
    expected = (wide / wide.sum()).corr(method=method)  # type: ignore[arg-type]
    got = as_matrix(colocation(data, method=method))  # type: ignore[arg-type]
    got = got.reindex(index=expected.index, columns=expected.columns)
    off = ~np.eye(len(expected), dtype=bool)
    np.testing.assert_allclose(got.to_numpy()[off], expected.to_numpy()[off], atol=1e-12)


def test_colocation_missing_values_are_pairwise() -> None:
    data = random_table(2)
    data.loc[data.sample(frac=0.2, random_state=3).index, "employment"] = np.nan
    wide = data.pivot(index="region", columns="industry", values="employment")
    expected = (wide / wide.sum()).corr()
    got = as_matrix(colocation(data)).reindex(index=expected.index, columns=expected.columns)
    off = ~np.eye(len(expected), dtype=bool)
    np.testing.assert_allclose(got.to_numpy()[off], expected.to_numpy()[off], atol=1e-12)


def test_colocation_invariant_under_row_order_and_scaling() -> None:
    data = random_table(4)
    base = colocation(data, on="lq")
    shuffled = data.sample(frac=1.0, random_state=5).assign(employment=lambda f: f.employment * 7)
    again = colocation(shuffled, on="lq")
    pd.testing.assert_frame_equal(base, again, atol=1e-12, rtol=1e-12)


def test_colocation_constant_industry_gives_nan() -> None:
    values = np.array([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0]])  # y is the same everywhere
    out = colocation(tidy(values, ["A", "B", "C"], ["x", "y"]))
    assert np.isnan(out["relatedness"]).all() and np.isnan(out["percentile"]).all()


def test_colocation_errors() -> None:
    data = random_table(6, 5, 3)
    with pytest.raises(ParameterError, match="'on' parameter"):
        colocation(data, on="lqs")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="'method'"):
        colocation(data, method="kendall")  # type: ignore[arg-type]
    with pytest.raises(SchemaError, match="must appear once"):
        colocation(pd.concat([data, data.head(1)]))
    with pytest.raises(SchemaError, match="missing column"):
        colocation(data, value="emp")


def test_percentile_ranks_hand_example() -> None:
    # Values 1, 2, 2, 3: 1 -> (0 + 1/2) / 4 = 12.5 %; 2 -> (1 + 2/2) / 4 = 50 %;
    # 3 -> (3 + 1/2) / 4 = 87.5 %. A NaN and a diagonal row are not ranked.
    table = pd.DataFrame(
        {
            "industry_a": ["a", "a", "b", "b", "c", "c"],
            "industry_b": ["b", "c", "a", "c", "a", "c"],
            "relatedness": [1.0, 2.0, 2.0, 3.0, np.nan, 9.0],
        }
    )
    out = percentile_ranks(table)
    assert out["percentile"].iloc[:4].tolist() == [12.5, 50.0, 50.0, 87.5]
    assert out["percentile"].iloc[4:].isna().all()
    assert "percentile" not in table  # not mutated


def test_percentile_same_for_each_order_of_a_symmetric_pair() -> None:
    # Listing each unordered pair in both orders does not change the percentiles.
    once = pd.DataFrame(
        {
            "industry_a": ["a", "a", "b"],
            "industry_b": ["b", "c", "c"],
            "relatedness": [3.0, 1.0, 2.0],
        }
    )
    both = as_tidy(as_matrix(once).fillna(0) + as_matrix(once).fillna(0).T)
    assert pair(both, "a", "b", "percentile") == pair(
        percentile_ranks(once), "a", "b", "percentile"
    )


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-5, 5, allow_nan=False), min_size=2, max_size=30))
def test_percentile_bounds_and_order(values: list[float]) -> None:
    n = len(values)
    table = pd.DataFrame(
        {"industry_a": [f"a{i}" for i in range(n)], "industry_b": ["z"] * n, "relatedness": values}
    )
    pct = percentile_ranks(table)["percentile"].to_numpy()
    assert ((pct > 0) & (pct < 100)).all()
    order = np.argsort(values, kind="stable")
    assert (np.diff(pct[order]) >= 0).all()
    assert pct.mean() == pytest.approx(50.0)


def test_matrix_round_trip() -> None:
    square = pd.DataFrame(
        [[np.nan, 0.3, 0.1], [0.2, np.nan, 0.5], [0.4, 0.6, np.nan]],
        index=["a", "b", "c"],
        columns=["a", "b", "c"],
    )
    long = as_tidy(square)
    assert pair(long, "b", "a") == 0.2
    pd.testing.assert_frame_equal(as_matrix(long), square)
    with pytest.raises(SchemaError, match="square"):
        as_tidy(square.iloc[:, :2])


def incidence_data() -> pd.DataFrame:
    # LQ >= 1 pattern (regions R1..R4 x industries a, b, c) built so that
    # M = R1 (a, b), R2 (a, b), R3 (a, c), R4 (c): see test_cooccurrence_hand_example.
    values = np.array([[10.0, 10.0, 0.0], [10.0, 10.0, 0.0], [10.0, 0.0, 10.0], [0.0, 0.0, 30.0]])
    return tidy(values, ["R1", "R2", "R3", "R4"], ["a", "b", "c"])


def test_cooccurrence_hand_example() -> None:
    # Totals: a 30, b 20, c 40, E 90; shares 1/3, 2/9, 4/9.
    # R1, R2: a (1/2)/(1/3) = 1.5, b (1/2)/(2/9) = 2.25, c 0      -> M = (1, 1, 0)
    # R3: a 1.5, b 0, c (1/2)/(4/9) = 1.125                          -> M = (1, 0, 1)
    # R4: c (30/30)/(4/9) = 2.25                                      -> M = (0, 0, 1)
    incidence = rca_incidence(incidence_data())
    assert incidence.to_numpy().tolist() == [[1, 1, 0], [1, 1, 0], [1, 0, 1], [0, 0, 1]]
    counts = cooccurrence(incidence_data())
    # C = M'M: diagonal = occurrences (3, 2, 2); a-b 2, a-c 1, b-c 0.
    assert counts.to_numpy().tolist() == [[3, 2, 1], [2, 2, 0], [1, 0, 2]]


def test_normalisations_hand_example() -> None:
    counts = cooccurrence(incidence_data())
    # EconGeo: diagonal set to 0; s = row sums (a 3, b 2, c 1); T = 6.
    # association a-b: 2 * 6 / (3 * 2) = 2;  a-c: 1 * 6 / (3 * 1) = 2;  b-c: 0.
    out = normalise_cooccurrence(counts, method="association")
    assert pair(out, "a", "b") == pytest.approx(2.0, **EXACT)
    assert pair(out, "c", "a") == pytest.approx(2.0, **EXACT)
    assert pair(out, "b", "c") == 0.0
    # cosine a-b: 2 / sqrt(6);  jaccard a-b: 2 / (3 + 2 - 2) = 2/3.
    cos = normalise_cooccurrence(counts, method="cosine")
    assert pair(cos, "a", "b") == pytest.approx(2 / np.sqrt(6), **EXACT)
    jac = normalise_cooccurrence(counts, method="jaccard")
    assert pair(jac, "a", "b") == pytest.approx(2 / 3, **EXACT)
    # probability a-b: 2 / ((3/6 * 2/(6-3) + 2/6 * 3/(6-2)) * 6/2) = 2 / 1.75 = 8/7.
    # a-c: 1 / ((3/6 * 1/3 + 1/6 * 3/5) * 3) = 1 / 0.8 = 1.25.
    prob = normalise_cooccurrence(counts, method="probability")
    assert pair(prob, "a", "b") == pytest.approx(8 / 7, **EXACT)
    assert pair(prob, "a", "c") == pytest.approx(1.25, **EXACT)
    # Hidalgo proximity: c_ij / max(n_i, n_j): a-b 2/3, a-c 1/3, b-c 0.
    prox = normalise_cooccurrence(counts, method="proximity")
    assert pair(prox, "b", "a") == pytest.approx(2 / 3, **EXACT)
    assert pair(prox, "a", "c") == pytest.approx(1 / 3, **EXACT)
    given_n = normalise_cooccurrence(
        counts, pd.Series({"a": 4, "b": 2, "c": 2}), method="proximity"
    )
    assert pair(given_n, "a", "b") == pytest.approx(0.5, **EXACT)


def test_normalise_errors() -> None:
    counts = cooccurrence(incidence_data())
    with pytest.raises(ParameterError, match="Did you mean 'jaccard'"):
        normalise_cooccurrence(counts, method="Jacard")  # type: ignore[arg-type]
    with pytest.raises(SchemaError, match="square"):
        normalise_cooccurrence(counts.iloc[:2])
    with pytest.raises(SchemaError, match="occurrences"):
        normalise_cooccurrence(counts, pd.Series({"a": 1}), method="proximity")
    with pytest.raises(TypeError):
        normalise_cooccurrence(counts.to_numpy())  # type: ignore[arg-type]
