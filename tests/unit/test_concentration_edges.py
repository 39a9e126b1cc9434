"""Concentration measures at their edges: the documented row order of the results.

Written for survivors of the mutation run of ``measures/concentration.py`` (issue 16);
expected values worked out by hand in the comments.
"""

from __future__ import annotations

import pandas as pd
import pytest

from clusteratlas.errors import SchemaError
from clusteratlas.measures import herfindahl, krugman_index, locational_gini


def test_krugman_rows_are_sorted_by_region_whatever_the_input_order() -> None:
    # A: x 10, y 30 (shares .25, .75); B: .5, .5; C: .75, .25; reference: x 60, y 60 of
    # 120 (.5, .5). K_A = .25 + .25 = 0.5, K_B = 0, K_C = 0.5. Input rows C, B, A.
    data = pd.DataFrame(
        {"region": ["C", "C", "B", "B", "A", "A"], "category": ["x", "y"] * 3,
         "employment": [30.0, 10.0, 20.0, 20.0, 10.0, 30.0]}
    )  # fmt: skip
    out = krugman_index(data, by=())
    assert out["region"].tolist() == ["A", "B", "C"]
    assert out["krugman"].tolist() == pytest.approx([0.5, 0.0, 0.5])


def test_herfindahl_rows_are_sorted_by_category_whatever_the_input_order() -> None:
    # y: A 10, B 10 -> H = .25 + .25 = 0.5; x: A 10, B 30 -> H = .0625 + .5625 = 0.625.
    # n = 2, H* = (H - 1/2) / (1 - 1/2): y 0, x 0.25. Input rows y before x.
    data = pd.DataFrame(
        {"region": ["A", "B", "A", "B"], "category": ["y", "y", "x", "x"],
         "employment": [10.0, 10.0, 10.0, 30.0]}
    )  # fmt: skip
    out = herfindahl(data, by=())
    assert out["category"].tolist() == ["x", "y"]
    assert out["herfindahl"].tolist() == pytest.approx([0.625, 0.5])
    assert out["herfindahl_normalised"].tolist() == pytest.approx([0.25, 0.0])


def test_krugman_stays_within_0_and_2_despite_rounding() -> None:
    # K = Σ_c |s_rc - s_c| lies in [0, 2]. Computed as Σ_rows (|s_rc - s_c| - s_c) + Σ_c s_c,
    # a region whose structure is the reference's comes out at -1.1e-16 for these values
    # (found by a search over random tables), and a region disjoint from its reference at
    # 2 + 4.4e-16: both are clipped to the exact bounds.
    alike = pd.DataFrame({"region": ["A"] * 3 + ["B"] * 3, "category": ["x", "y", "z"] * 2,
                          "employment": [498.0, 485.0, 117.0, 1494.0, 1455.0, 351.0]})  # fmt: skip
    assert krugman_index(alike, by=())["krugman"].tolist() == [0.0, 0.0]
    a = [61.250585961364735, 64.90491172816213, 84.5746906083545, 17.83179000033045,
         17.76641824807468, 77.86642446232787, 1.6373091361861158, 31.177376498567668]  # fmt: skip
    b = [32.471457712512596, 16.180014966580025]
    disjoint = pd.DataFrame({"region": ["A"] * 8 + ["B"] * 2,
                             "category": [f"a{i}" for i in range(8)] + ["b0", "b1"],
                             "employment": a + b})  # fmt: skip
    assert krugman_index(disjoint, by=(), reference_regions=["B"])["krugman"].tolist() == [2.0, 0.0]


def test_a_missing_column_of_herfindahl_names_the_data_table() -> None:
    data = pd.DataFrame({"region": ["A"], "category": ["x"]})
    with pytest.raises(SchemaError, match=r"^data is missing column\(s\) 'employment'"):
        herfindahl(data, by=())


def test_herfindahl_of_a_filtered_table_keeps_its_rows_together() -> None:
    # The same table as above, cut out of a bigger one (index 7, 3, 9, 5, not 0-3): the
    # values must stay with their own rows.
    data = pd.DataFrame(
        {"region": ["A", "B", "A", "B"], "category": ["y", "y", "x", "x"],
         "employment": [10.0, 10.0, 10.0, 30.0]},
        index=[7, 3, 9, 5],
    )  # fmt: skip
    out = herfindahl(data, by=())
    assert out["herfindahl"].tolist() == pytest.approx([0.625, 0.5])


def test_herfindahl_at_its_lower_bound_despite_rounding() -> None:
    # 44 regions with the same employment: every share is 1/44 and H = 1/44 (the lower bound
    # 1/n), H* = 0. Summed in floating point the squares give 0.022727272727272717, below
    # 1/44 = 0.022727272727272728 (found by a search over random tables): clipped to it.
    value = 5.113275528143616
    data = pd.DataFrame({"region": [f"r{i}" for i in range(44)], "category": "x",
                         "employment": value})  # fmt: skip
    out = herfindahl(data, by=())
    assert out["herfindahl"].tolist() == [1.0 / 44.0]
    assert out["herfindahl_normalised"].tolist() == [0.0]


def test_herfindahl_counts_the_units_of_each_year() -> None:
    # 2020: A 10, B 30 (n = 2): H = .0625 + .5625 = .625, H* = (.625 - .5) / .5 = .25.
    # 2021: A 10, B 30, C 0 (n = 3): H = .625, H* = (.625 - 1/3) / (2/3) = .4375.
    data = pd.DataFrame({"region": ["A", "B", "A", "B", "C"], "category": "x",
                         "year": [2020, 2020, 2021, 2021, 2021],
                         "employment": [10.0, 30.0, 10.0, 30.0, 0.0]})  # fmt: skip
    out = herfindahl(data)
    assert out["n"].tolist() == [2, 3]
    assert out["herfindahl"].tolist() == pytest.approx([0.625, 0.625])
    assert out["herfindahl_normalised"].tolist() == pytest.approx([0.25, 0.4375])


def test_locational_gini_of_an_even_spread_is_zero_despite_rounding() -> None:
    # x and y have the structure of the whole (y = 3 x in every region), so every LQ is 1 and
    # G = 0. Summed in floating point the Lorenz areas give 1 + 2.2e-16 for these values
    # (found by a search over random tables): G is clipped to 0, never -2.2e-16.
    sizes = [68.0, 13.0, 87.0, 34.0]
    data = pd.DataFrame({"region": ["a", "b", "c", "d"] * 2, "category": ["x"] * 4 + ["y"] * 4,
                         "employment": sizes + [3.0 * s for s in sizes]})  # fmt: skip
    assert locational_gini(data, by=())["gini"].tolist() == [0.0, 0.0]
