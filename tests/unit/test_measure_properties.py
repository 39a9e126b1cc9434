"""Properties every measure must have on any complete table of positive employment."""

from __future__ import annotations

from random import Random

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clusteratlas.measures import herfindahl, krugman_index, location_quotient, locational_gini

PROPERTY = settings(max_examples=50, deadline=None)
TOLERANCE = {"rel": 1e-9, "abs": 1e-9}


@st.composite
def employment_tables(draw: st.DrawFn) -> pd.DataFrame:
    """A complete tidy (region, category) table of positive employment, no missing value."""
    n_regions = draw(st.integers(1, 6))
    n_categories = draw(st.integers(1, 5))
    values = draw(
        st.lists(
            st.floats(min_value=1e-3, max_value=1e6, allow_nan=False, allow_infinity=False),
            min_size=n_regions * n_categories,
            max_size=n_regions * n_categories,
        )
    )
    regions = [f"R{i}" for i in range(n_regions)]
    categories = [f"C{j}" for j in range(n_categories)]
    return pd.DataFrame(
        {
            "region": np.repeat(regions, n_categories),
            "category": np.tile(categories, n_regions),
            "employment": values,
        }
    )


def lq_by_key(frame: pd.DataFrame) -> pd.Series:
    return frame.set_index(["region", "category"])["lq"].sort_index()


@PROPERTY
@given(employment_tables())
def test_weighted_mean_lq_is_one(data: pd.DataFrame) -> None:
    out = location_quotient(data, by=())
    weighted = (out["lq"] * out["region_total"]).groupby(out["category"]).sum()
    weights = out["region_total"].groupby(out["category"]).sum()
    assert (weighted / weights).tolist() == pytest.approx([1.0] * len(weights), **TOLERANCE)


@PROPERTY
@given(employment_tables())
def test_category_weighted_lq_sums_to_one_in_each_region(data: pd.DataFrame) -> None:
    out = location_quotient(data, by=())
    terms = out["reference_category_total"] / out["reference_total"] * out["lq"]
    sums = terms.groupby(out["region"]).sum()
    assert sums.tolist() == pytest.approx([1.0] * len(sums), **TOLERANCE)


@PROPERTY
@given(employment_tables(), st.randoms(use_true_random=False))
def test_lq_invariant_to_row_order(data: pd.DataFrame, random: Random) -> None:
    order = list(range(len(data)))
    random.shuffle(order)
    shuffled = data.iloc[order].reset_index(drop=True)
    original = lq_by_key(location_quotient(data, by=()))
    permuted = lq_by_key(location_quotient(shuffled, by=()))
    assert permuted.tolist() == pytest.approx(original.tolist(), rel=1e-12)


@PROPERTY
@given(employment_tables(), st.floats(min_value=1e-3, max_value=1e3))
def test_lq_invariant_to_unit_scaling(data: pd.DataFrame, factor: float) -> None:
    original = location_quotient(data, by=())["lq"]
    scaled = location_quotient(data.assign(employment=data["employment"] * factor), by=())["lq"]
    assert scaled.tolist() == pytest.approx(original.tolist(), rel=1e-9)


@PROPERTY
@given(employment_tables())
def test_herfindahl_between_one_over_n_and_one(data: pd.DataFrame) -> None:
    for within, across in (("category", "region"), ("region", "category")):
        out = herfindahl(data, within=within, across=across, by=())
        assert (out["herfindahl"] >= 1.0 / out["n"]).all()
        assert (out["herfindahl"] <= 1.0).all()
        normalised = out["herfindahl_normalised"].dropna()
        assert ((normalised >= 0.0) & (normalised <= 1.0)).all()


@PROPERTY
@given(employment_tables(), st.data())
def test_herfindahl_same_with_zero_cells_listed_or_absent(
    data: pd.DataFrame, draw: st.DataObject
) -> None:
    # Zero some cells (the first cell of each region and of each category stays positive,
    # so every unit stays in the table), then drop a random subset of the zero rows: the
    # indices must not change.
    n_rows = data.shape[0]
    zeroed = np.array(draw.draw(st.lists(st.booleans(), min_size=n_rows, max_size=n_rows)))
    keep = ~data["region"].duplicated() | ~data["category"].duplicated()
    data = data.assign(employment=data["employment"].where(keep | ~zeroed, 0.0))
    dropped = np.array(draw.draw(st.lists(st.booleans(), min_size=n_rows, max_size=n_rows)))
    sparse = data[~((data["employment"] == 0.0) & dropped)]
    for within, across in (("category", "region"), ("region", "category")):
        full = herfindahl(data, within=within, across=across, by=()).set_index(within)
        part = herfindahl(sparse, within=within, across=across, by=()).set_index(within)
        assert part["n"].tolist() == full["n"].tolist()
        pd.testing.assert_frame_equal(part, full, rtol=1e-12, check_dtype=False)


@PROPERTY
@given(employment_tables())
def test_krugman_between_zero_and_two(data: pd.DataFrame) -> None:
    out = krugman_index(data, by=())
    assert out["krugman"].notna().all()
    assert ((out["krugman"] >= 0.0) & (out["krugman"] <= 2.0)).all()


@PROPERTY
@given(employment_tables())
def test_gini_between_zero_and_one(data: pd.DataFrame) -> None:
    out = locational_gini(data, by=())
    assert out["gini"].notna().all()
    assert ((out["gini"] >= 0.0) & (out["gini"] <= 1.0)).all()


@PROPERTY
@given(employment_tables())
def test_krugman_and_gini_match_a_direct_computation(data: pd.DataFrame) -> None:
    matrix = data.pivot(index="region", columns="category", values="employment").to_numpy()
    region_share = matrix / matrix.sum(axis=1, keepdims=True)
    reference_share = matrix.sum(axis=0) / matrix.sum()
    krugman = np.abs(region_share - reference_share).sum(axis=1)
    assert krugman_index(data, by=())["krugman"].tolist() == pytest.approx(
        krugman.tolist(), **TOLERANCE
    )
    total_share = matrix.sum(axis=1) / matrix.sum()
    ginis = []
    for column in matrix.T:
        category_share = column / column.sum()
        order = np.argsort(category_share / total_share, kind="stable")
        x = np.concatenate([[0.0], np.cumsum(total_share[order])])
        y = np.concatenate([[0.0], np.cumsum(category_share[order])])
        ginis.append(1.0 - np.sum(np.diff(x) * (y[1:] + y[:-1])))
    assert locational_gini(data, by=())["gini"].tolist() == pytest.approx(ginis, **TOLERANCE)
