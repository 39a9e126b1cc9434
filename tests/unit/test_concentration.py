"""Krugman, Herfindahl and locational Gini indices, checked against values worked out by hand."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

import clusteratlas.measures.concentration as concentration
from clusteratlas.errors import SchemaError
from clusteratlas.measures import herfindahl, krugman_index, locational_gini

EXACT = {"rel": 1e-12}


def hand_frame() -> pd.DataFrame:
    """3 regions x 2 industries, one year.

    region  x   y   T_r   T_r / E
    A       10  30   40   1/4
    B       20  20   40   1/4
    C       60  20   80   1/2
    E_c     90  70  E = 160
    """
    return pd.DataFrame(
        {
            "region": ["A", "A", "B", "B", "C", "C"],
            "category": ["x", "y", "x", "y", "x", "y"],
            "year": [2020] * 6,
            "employment": [10.0, 30.0, 20.0, 20.0, 60.0, 20.0],
        }
    )


# ---------------------------------------------------------------------------- Krugman


def test_krugman_hand_example() -> None:
    out = krugman_index(hand_frame())
    assert list(out.columns) == ["region", "year", "krugman"]
    # s_x = 9/16, s_y = 7/16
    # A: |1/4 - 9/16| + |3/4 - 7/16| = 5/16 + 5/16 = 5/8
    # B: |1/2 - 9/16| + |1/2 - 7/16| = 1/16 + 1/16 = 1/8
    # C: |3/4 - 9/16| + |1/4 - 7/16| = 3/16 + 3/16 = 3/8
    assert out["region"].tolist() == ["A", "B", "C"]
    assert out["krugman"].tolist() == pytest.approx([5 / 8, 1 / 8, 3 / 8], **EXACT)


def test_krugman_absent_row_counts_as_zero() -> None:
    data = pd.DataFrame(
        {"region": ["A", "B", "B"], "category": ["x", "x", "y"], "employment": [10.0, 5.0, 5.0]}
    )
    # A has no y row. Against B alone: s = (0.5, 0.5); A = (1, 0) -> K_A = 1/2 + 1/2 = 1.
    out = krugman_index(data, by=(), reference_regions=["B"])
    assert out["krugman"].tolist() == pytest.approx([1.0, 0.0], **EXACT)
    # Nothing in common with the reference: the maximum, 2.
    disjoint = pd.DataFrame(
        {"region": ["A", "B"], "category": ["x", "y"], "employment": [10.0, 5.0]}
    )
    out = krugman_index(disjoint, by=(), reference_regions=["B"])
    assert out["krugman"].tolist() == pytest.approx([2.0, 0.0], **EXACT)
    explicit = pd.concat(
        [data, pd.DataFrame({"region": ["A"], "category": ["y"], "employment": [0.0]})]
    )
    pd.testing.assert_frame_equal(
        krugman_index(data, by=()), krugman_index(explicit, by=()), rtol=1e-12
    )


def test_krugman_missing_value() -> None:
    data = hand_frame()
    data.loc[0, "employment"] = np.nan
    out = krugman_index(data)
    assert np.isnan(out["krugman"].iloc[0])
    # With A's x missing: T_A = 30, E_x = 80, E_y = 70, E = 150; B = (1/2, 1/2)
    # K_B = |1/2 - 8/15| + |1/2 - 7/15| = 1/30 + 1/30 = 1/15
    assert out["krugman"].iloc[1] == pytest.approx(1 / 15, **EXACT)


# ---------------------------------------------------------------------------- Herfindahl


def test_herfindahl_hand_example_across_regions() -> None:
    out = herfindahl(hand_frame())
    assert list(out.columns) == ["category", "year", "herfindahl", "n", "herfindahl_normalised"]
    # x: 10, 20, 60 of 90 -> (1 + 4 + 36) / 81 = 41/81; H* = (41/81 - 1/3) / (2/3) = 7/27
    # y: 30, 20, 20 of 70 -> (9 + 4 + 4) / 49 = 17/49; H* = (17/49 - 1/3) / (2/3) = 1/49
    assert out["herfindahl"].tolist() == pytest.approx([41 / 81, 17 / 49], **EXACT)
    assert out["n"].tolist() == [3, 3]
    assert out["herfindahl_normalised"].tolist() == pytest.approx([7 / 27, 1 / 49], **EXACT)


def test_herfindahl_across_categories() -> None:
    out = herfindahl(hand_frame(), within="region", across="category")
    # A: (1/4)^2 + (3/4)^2 = 5/8, B: 1/2, C: 5/8; n = 2; H* = 1/4, 0, 1/4
    assert out["region"].tolist() == ["A", "B", "C"]
    assert out["herfindahl"].tolist() == pytest.approx([5 / 8, 1 / 2, 5 / 8], **EXACT)
    assert out["herfindahl_normalised"].tolist() == pytest.approx([1 / 4, 0, 1 / 4], abs=1e-12)


def test_herfindahl_bounds_and_edge_cases() -> None:
    data = pd.DataFrame(
        {
            "category": ["even"] * 4 + ["one"] * 3 + ["alone", "gap", "gap", "zero", "zero"],
            "region": list("abcd") + list("abc") + ["a", "a", "b", "a", "b"],
            "employment": [5.0] * 4 + [0.0, 7.0, 0.0, 3.0, 1.0, np.nan, 0.0, 0.0],
        }
    )
    out = herfindahl(data, by=()).set_index("category")
    assert out.loc["even", "herfindahl"] == pytest.approx(1 / 4, **EXACT)  # the lower bound 1/n
    assert out.loc["even", "herfindahl_normalised"] == pytest.approx(0.0, abs=1e-12)
    assert out.loc["one", "herfindahl"] == 1.0  # the upper bound
    assert out.loc["one", "herfindahl_normalised"] == 1.0
    # "alone" has a row for region a only: b, c and d count as zeros (n = 4), so one unit
    # holds everything, H* = 1.
    assert out.loc["alone", "herfindahl"] == 1.0 and out.loc["alone", "n"] == 4
    assert out.loc["alone", "herfindahl_normalised"] == 1.0
    single = herfindahl(data[data["region"] == "a"], by=())
    assert single["n"].tolist() == [1] * 5
    assert np.isnan(single.set_index("category").loc["alone", "herfindahl_normalised"])  # n = 1
    assert np.isnan(out.loc["gap", "herfindahl"])  # a missing value
    assert np.isnan(out.loc["zero", "herfindahl"])  # sums to 0


def test_herfindahl_zero_row_listed_or_absent() -> None:
    # The example: x = 3, 1 and a zero in c; H = (9 + 1) / 16 = 5/8 and with n = 3
    # regions H* = (5/8 - 1/3) / (2/3) = 7/16 = 0.4375, listed or not (it was 0.25 absent).
    listed = pd.DataFrame(
        {
            "category": ["x", "x", "x", "y", "y", "y"],
            "region": list("abcabc"),
            "employment": [3.0, 1.0, 0.0, 1.0, 1.0, 2.0],
        }
    )
    absent = listed[listed["employment"] > 0]
    for frame in (listed, absent):
        out = herfindahl(frame, by=()).set_index("category")
        assert out.loc["x", "n"] == 3
        assert out.loc["x", "herfindahl"] == pytest.approx(5 / 8, **EXACT)
        assert out.loc["x", "herfindahl_normalised"] == pytest.approx(7 / 16, **EXACT)


# ---------------------------------------------------------------------------- Gini


def test_locational_gini_hand_example() -> None:
    out = locational_gini(hand_frame())
    assert list(out.columns) == ["category", "year", "gini"]
    # x: x_r = (1/4, 1/4, 1/2), y_r = (1/9, 2/9, 6/9), LQ = (4/9, 8/9, 4/3): order A, B, C
    #    X = 1/4, 1/2, 1;  Y = 1/9, 3/9, 1
    #    sum = 1/4 (1/9) + 1/4 (3/9 + 1/9) + 1/2 (1 + 3/9) = 1/36 + 4/36 + 24/36 = 29/36
    #    G = 7/36
    # y: y_r = (3/7, 2/7, 2/7), LQ = (12/7, 8/7, 4/7): order C, B, A
    #    X = 1/2, 3/4, 1;  Y = 2/7, 4/7, 1
    #    sum = 1/2 (2/7) + 1/4 (6/7) + 1/4 (11/7) = 4/28 + 6/28 + 11/28 = 3/4
    #    G = 1/4
    assert out["gini"].tolist() == pytest.approx([7 / 36, 1 / 4], **EXACT)


def test_locational_gini_even_and_concentrated() -> None:
    even = pd.DataFrame(
        {"region": list("AABB"), "category": list("xyxy"), "employment": [10.0, 20.0, 20.0, 40.0]}
    )
    assert locational_gini(even, by=())["gini"].tolist() == pytest.approx([0.0, 0.0], abs=1e-12)
    # x sits entirely in T, which holds 1/1000 of all jobs: X = .999, 1; Y = 0, 1 -> G = .999
    tiny = pd.DataFrame({"region": ["T", "B"], "category": ["x", "y"], "employment": [1.0, 999.0]})
    out = locational_gini(tiny, by=()).set_index("category")["gini"]
    assert out["x"] == pytest.approx(0.999, **EXACT)
    assert out["y"] == pytest.approx(0.001, rel=1e-9)


def test_locational_gini_absent_row_is_zero_and_missing_is_nan() -> None:
    data = hand_frame()
    d_rows = pd.DataFrame(
        {"region": ["D", "D"], "category": ["x", "y"], "year": 2020, "employment": [0.0, 5.0]}
    )
    with_zero = pd.concat([data, d_rows], ignore_index=True)
    without_row = pd.concat([data, d_rows.iloc[[1]]], ignore_index=True)
    pd.testing.assert_frame_equal(
        locational_gini(with_zero), locational_gini(without_row), rtol=1e-12
    )
    data.loc[0, "employment"] = np.nan
    out = locational_gini(data)
    assert np.isnan(out["gini"].iloc[0]) and not np.isnan(out["gini"].iloc[1])


def test_locational_gini_reference_regions() -> None:
    # Over A and B only: x_r = (1/2, 1/2); category x: y_r = (1/3, 2/3) -> order A, B
    # X = 1/2, 1; Y = 1/3, 1 -> sum = 1/6 + 1/2 (4/3) = 5/6 -> G = 1/6
    out = locational_gini(hand_frame(), reference_regions=["A", "B"])
    assert out["gini"].iloc[0] == pytest.approx(1 / 6, **EXACT)
    # A category found only outside the reference area gets a row, with a missing value.
    extra = pd.DataFrame({"region": ["C"], "category": ["z"], "year": [2020], "employment": [5.0]})
    data = pd.concat([hand_frame(), extra], ignore_index=True)
    out = locational_gini(data, reference_regions=["A", "B"])
    assert out["category"].tolist() == ["x", "y", "z"]
    assert np.isnan(out["gini"].iloc[2])


# ---------------------------------------------------------------------------- shared


def test_inputs_not_mutated_and_by_variants() -> None:
    data = hand_frame()
    before = data.copy()
    for function in (krugman_index, herfindahl, locational_gini):
        function(data)
        pd.testing.assert_frame_equal(data, before)
        no_year = function(data.drop(columns="year"), by=())
        with_year = function(data, by="year").drop(columns="year")
        pd.testing.assert_frame_equal(no_year, with_year)


def test_schema_errors() -> None:
    repeated = pd.concat([hand_frame(), hand_frame().iloc[[0]]], ignore_index=True)
    for function in (krugman_index, herfindahl, locational_gini):
        with pytest.raises(SchemaError, match="'employment'"):
            function(hand_frame().drop(columns="employment"))
        with pytest.raises(SchemaError, match=r"repeated key\(s\)"):
            function(repeated)


def test_docstring_examples_run() -> None:
    result = doctest.testmod(concentration, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
