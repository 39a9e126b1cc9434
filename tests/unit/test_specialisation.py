"""Location quotients and shares, checked against values worked out by hand."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

import clusteratlas.measures.specialisation as specialisation
from clusteratlas.errors import ParameterError, SchemaError, UnknownCodeError
from clusteratlas.measures import location_quotient, shares

EXACT = {"rel": 1e-12}


def hand_frame() -> pd.DataFrame:
    """3 regions x 2 industries, one year.

    region  x   y   T_r
    A       10  30   40
    B       20  20   40
    C       60  20   80
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


def by_cell(frame: pd.DataFrame, column: str) -> dict[tuple[str, str], float]:
    return {
        (r, c): v for r, c, v in zip(frame["region"], frame["category"], frame[column], strict=True)
    }


def test_location_quotient_hand_example() -> None:
    lq = by_cell(location_quotient(hand_frame()), "lq")
    # E_x / E = 90/160 = 9/16 and E_y / E = 70/160 = 7/16.
    # A: (10/40) / (9/16) = 4/9    (30/40) / (7/16) = 12/7
    # B: (20/40) / (9/16) = 8/9    (20/40) / (7/16) = 8/7
    # C: (60/80) / (9/16) = 4/3    (20/80) / (7/16) = 4/7
    expected = {
        ("A", "x"): 4 / 9,
        ("A", "y"): 12 / 7,
        ("B", "x"): 8 / 9,
        ("B", "y"): 8 / 7,
        ("C", "x"): 4 / 3,
        ("C", "y"): 4 / 7,
    }
    assert lq == pytest.approx(expected, **EXACT)


def test_location_quotient_totals_columns() -> None:
    out = location_quotient(hand_frame())
    assert list(out.columns) == [
        "region",
        "category",
        "year",
        "employment",
        "region_total",
        "reference_category_total",
        "reference_total",
        "lq",
    ]
    assert out["region_total"].tolist() == [40.0, 40.0, 40.0, 40.0, 80.0, 80.0]
    assert out["reference_category_total"].tolist() == [90.0, 70.0] * 3
    assert out["reference_total"].tolist() == [160.0] * 6


def test_location_quotient_symmetric_example_and_empty_by() -> None:
    # A: 10/30, B: 20/20, C: 30/10; every T_r = 40, E_x = E_y = 60, E = 120.
    data = pd.DataFrame(
        {
            "region": list("AABBCC"),
            "category": list("xyxyxy"),
            "employment": [10.0, 30.0, 20.0, 20.0, 30.0, 10.0],
        }
    )
    out = location_quotient(data, by=())
    assert out["lq"].tolist() == pytest.approx([0.5, 1.5, 1.0, 1.0, 1.5, 0.5], **EXACT)


def test_location_quotient_groups_by_year() -> None:
    other = hand_frame().assign(year=2021, employment=[10.0, 30.0, 20.0, 20.0, 30.0, 10.0])
    data = pd.concat([hand_frame(), other], ignore_index=True)
    out = location_quotient(data, by="year")
    assert out["lq"].iloc[:6].tolist() == pytest.approx(
        [4 / 9, 12 / 7, 8 / 9, 8 / 7, 4 / 3, 4 / 7], **EXACT
    )
    assert out["lq"].iloc[6:].tolist() == pytest.approx([0.5, 1.5, 1.0, 1.0, 1.5, 0.5], **EXACT)


def test_missing_value_is_left_out_of_totals_and_gives_nan() -> None:
    data = hand_frame()
    data.loc[0, "employment"] = np.nan  # A, x suppressed
    out = location_quotient(data)
    # T_A = 30 (not 40: the missing cell is not a zero), E_x = 80, E_y = 70, E = 150.
    assert out.loc[0, "region_total"] == 30.0
    assert np.isnan(out.loc[0, "lq"])
    lq = by_cell(out, "lq")
    assert lq[("A", "y")] == pytest.approx((30 / 30) / (70 / 150), **EXACT)  # 15/7
    assert lq[("B", "x")] == pytest.approx((20 / 40) / (80 / 150), **EXACT)  # 15/16
    assert lq[("C", "x")] == pytest.approx((60 / 80) / (80 / 150), **EXACT)  # 45/32
    assert out["reference_total"].tolist() == [150.0] * 6


def test_nullable_float_with_pd_na() -> None:
    data = hand_frame().astype({"employment": "Float64"})
    data.loc[0, "employment"] = pd.NA
    out = location_quotient(data)
    assert np.isnan(out.loc[0, "lq"])
    assert out.loc[1, "lq"] == pytest.approx(15 / 7, **EXACT)


def test_zero_totals_give_nan() -> None:
    data = pd.concat(
        [
            hand_frame(),
            pd.DataFrame(
                {"region": ["D", "D"], "category": ["x", "y"], "year": 2020, "employment": 0.0}
            ),
            pd.DataFrame({"region": ["A"], "category": ["z"], "year": 2020, "employment": [0.0]}),
        ],
        ignore_index=True,
    )
    lq = by_cell(location_quotient(data), "lq")
    assert np.isnan(lq[("D", "x")]) and np.isnan(lq[("D", "y")])  # T_D = 0
    assert np.isnan(lq[("A", "z")])  # E_z = 0
    assert lq[("A", "x")] == pytest.approx(4 / 9, **EXACT)


def test_reference_regions() -> None:
    out = location_quotient(hand_frame(), reference_regions=["A", "B"])
    # Reference A + B: E_x = 30, E_y = 50, E = 80; C is outside but still gets an LQ.
    lq = by_cell(out, "lq")
    assert lq[("A", "x")] == pytest.approx((10 / 40) / (30 / 80), **EXACT)  # 2/3
    assert lq[("C", "x")] == pytest.approx((60 / 80) / (30 / 80), **EXACT)  # 2
    assert lq[("C", "y")] == pytest.approx((20 / 80) / (50 / 80), **EXACT)  # 2/5
    assert out["reference_total"].tolist() == [80.0] * 6


def test_reference_regions_accepts_a_generator_and_a_single_code() -> None:
    from_generator = location_quotient(hand_frame(), reference_regions=(r for r in ["A", "B"]))
    from_list = location_quotient(hand_frame(), reference_regions=["A", "B"])
    pd.testing.assert_frame_equal(from_generator, from_list)
    single = location_quotient(hand_frame(), reference_regions="B")
    assert by_cell(single, "lq")[("B", "x")] == pytest.approx(1.0, **EXACT)


def test_region_totals_replace_the_sum_of_categories() -> None:
    totals = pd.DataFrame({"region": ["A", "B", "C"], "year": 2020, "total": [100.0, 50.0, 250.0]})
    out = location_quotient(hand_frame(), region_totals=totals)
    # E = 400, E_x / E = 90/400, E_y / E = 70/400.
    lq = by_cell(out, "lq")
    assert lq[("A", "x")] == pytest.approx((10 / 100) / (90 / 400), **EXACT)  # 4/9
    assert lq[("B", "x")] == pytest.approx((20 / 50) / (90 / 400), **EXACT)  # 16/9
    assert lq[("C", "y")] == pytest.approx((20 / 250) / (70 / 400), **EXACT)  # 16/35
    assert out["reference_total"].tolist() == [400.0] * 6


def test_region_totals_must_cover_data() -> None:
    totals = pd.DataFrame({"region": ["A", "B"], "year": 2020, "total": [100.0, 50.0]})
    with pytest.raises(SchemaError, match=r"region_totals has no row.*\('C', 2020\)"):
        location_quotient(hand_frame(), region_totals=totals)


def test_reference_totals_national_figures() -> None:
    national = pd.DataFrame(
        {"category": ["x", "y"], "year": 2020, "category_total": [900.0, 700.0], "total": 1e4}
    )
    lq = by_cell(location_quotient(hand_frame(), reference_totals=national), "lq")
    assert lq[("A", "x")] == pytest.approx((10 / 40) / (900 / 1e4), **EXACT)  # 25/9
    # Without "total", E is still the sum of the regions' totals (160).
    categories_only = national.drop(columns="total")
    lq = by_cell(location_quotient(hand_frame(), reference_totals=categories_only), "lq")
    assert lq[("A", "x")] == pytest.approx((10 / 40) / (900 / 160), **EXACT)  # 2/45


def test_reference_totals_errors() -> None:
    national = pd.DataFrame(
        {"category": ["x", "y"], "year": 2020, "category_total": [900.0, 700.0], "total": 1e4}
    )
    with pytest.raises(ParameterError, match="reference_regions"):
        location_quotient(hand_frame(), reference_totals=national, reference_regions=["A"])
    with pytest.raises(SchemaError, match="'total' must be the same"):
        location_quotient(hand_frame(), reference_totals=national.assign(total=[1e4, 2e4]))
    with pytest.raises(SchemaError, match=r"reference_totals has no row.*\('y', 2020\)"):
        location_quotient(hand_frame(), reference_totals=national.iloc[:1])


def test_shares_hand_example() -> None:
    out = shares(hand_frame())
    assert by_cell(out, "share_of_region") == pytest.approx(
        {
            ("A", "x"): 1 / 4,
            ("A", "y"): 3 / 4,
            ("B", "x"): 1 / 2,
            ("B", "y"): 1 / 2,
            ("C", "x"): 3 / 4,
            ("C", "y"): 1 / 4,
        },
        **EXACT,
    )
    assert by_cell(out, "share_of_category") == pytest.approx(
        {
            ("A", "x"): 1 / 9,
            ("A", "y"): 3 / 7,
            ("B", "x"): 2 / 9,
            ("B", "y"): 2 / 7,
            ("C", "x"): 6 / 9,
            ("C", "y"): 2 / 7,
        },
        **EXACT,
    )
    # LQ = share_of_region / (E_c / E).
    lq = location_quotient(hand_frame())["lq"]
    expected = out["share_of_region"] / (out["reference_category_total"] / out["reference_total"])
    assert lq.tolist() == pytest.approx(expected.tolist(), **EXACT)


def test_shares_missing_value() -> None:
    data = hand_frame()
    data.loc[0, "employment"] = np.nan
    out = shares(data)
    assert np.isnan(out.loc[0, "share_of_region"]) and np.isnan(out.loc[0, "share_of_category"])
    assert out.loc[1, "share_of_region"] == 1.0  # 30 / 30
    assert out.loc[2, "share_of_category"] == pytest.approx(20 / 80, **EXACT)


def test_inputs_are_not_mutated_and_index_is_kept() -> None:
    data = hand_frame().set_axis([10, 11, 12, 13, 14, 15])
    before = data.copy()
    out = location_quotient(data)
    shares(data)
    pd.testing.assert_frame_equal(data, before)
    assert out.index.tolist() == [10, 11, 12, 13, 14, 15]
    assert out is not data


def test_recomputing_on_an_output_overwrites_the_totals() -> None:
    once = location_quotient(hand_frame())
    twice = location_quotient(once.drop(columns="lq"))
    pd.testing.assert_frame_equal(once, twice)


def test_missing_columns_are_named() -> None:
    with pytest.raises(SchemaError, match="'employment'"):
        location_quotient(hand_frame().drop(columns="employment"))
    with pytest.raises(SchemaError, match="'sector'"):
        shares(hand_frame(), category="sector")


def test_duplicated_keys_are_named() -> None:
    data = pd.concat([hand_frame(), hand_frame().iloc[[2]]], ignore_index=True)
    with pytest.raises(SchemaError, match=r"repeated key\(s\) \('B', 'x', 2020\)"):
        location_quotient(data)


def test_bad_values_and_parameters() -> None:
    with pytest.raises(SchemaError, match="numeric"):
        location_quotient(hand_frame().astype({"employment": str}))
    with pytest.raises(SchemaError, match="non-negative"):
        location_quotient(hand_frame().assign(employment=-1.0))
    renamed = hand_frame().assign(region=["DE11", "DE11", "B", "B", "C", "C"])
    with pytest.raises(UnknownCodeError, match=r"'DE12'.*Did you mean 'DE11'"):
        location_quotient(renamed, reference_regions=["DE12"])
    with pytest.raises(ParameterError, match="at least one"):
        location_quotient(hand_frame(), reference_regions=[])
    with pytest.raises(ParameterError, match="distinct"):
        location_quotient(hand_frame(), by=("region",))
    with pytest.raises(TypeError, match="DataFrame"):
        location_quotient(hand_frame().to_dict())  # type: ignore[arg-type]


def test_docstring_examples_run() -> None:
    result = doctest.testmod(specialisation, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
