"""Shift-share analysis, checked against decompositions worked out by hand."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

import clusteratlas.measures.shiftshare as shiftshare_module
from clusteratlas.errors import ParameterError, SchemaError
from clusteratlas.measures import dynamic_shift_share, shift_share

EXACT = {"rel": 1e-12, "abs": 1e-12}


def hand_frame() -> pd.DataFrame:
    """2 regions x 2 categories, 2000 and 2010 (and 2005 for flags).

    region  x: 2000 -> 2010   y: 2000 -> 2010
    A          100 -> 150         50 -> 40
    B          100 -> 110        150 -> 200
    E_x: 200 -> 260 (g_x = 1.3), E_y: 200 -> 240 (g_y = 1.2), E: 400 -> 500 (g = 1.25)
    """
    rows = [
        ("A", "x", 100.0, 120.0, 150.0),
        ("A", "y", 50.0, 45.0, 40.0),
        ("B", "x", 100.0, 105.0, 110.0),
        ("B", "y", 150.0, 170.0, 200.0),
    ]
    records = [
        {"region": r, "category": c, "year": year, "employment": v, "flag": ""}
        for r, c, *values in rows
        for year, v in zip((2000, 2005, 2010), values, strict=True)
    ]
    return pd.DataFrame(records)


def by_cell(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index(["region", "category"])


def test_dunn_hand_example() -> None:
    out = by_cell(shift_share(hand_frame(), start=2000, end=2010))
    # A,x: national 100 (1.25 - 1) = 25, mix 100 (1.3 - 1.25) = 5, competitive 150 - 130 = 20
    # A,y: 12.5, 50 (1.2 - 1.25) = -2.5, 40 - 60 = -20
    # B,x: 25, 5, 110 - 130 = -20;  B,y: 37.5, -7.5, 200 - 180 = 20
    expected = {
        ("A", "x"): (50, 25, 5, 20),
        ("A", "y"): (-10, 12.5, -2.5, -20),
        ("B", "x"): (10, 25, 5, -20),
        ("B", "y"): (50, 37.5, -7.5, 20),
    }
    for key, (change, national, mix, competitive) in expected.items():
        row = out.loc[key]
        assert row["change"] == pytest.approx(change, **EXACT)
        assert row["national"] == pytest.approx(national, **EXACT)
        assert row["mix"] == pytest.approx(mix, **EXACT)
        assert row["competitive"] == pytest.approx(competitive, **EXACT)
        assert row["status"] == "ok"
    assert list(out.columns) == [
        "start", "end", "start_value", "end_value", "change", "national", "mix",
        "competitive", "status",
    ]  # fmt: skip


def test_esteban_marquillas_hand_example() -> None:
    out = by_cell(shift_share(hand_frame(), start=2000, end=2010, method="esteban-marquillas"))
    # Homothetic e^ = T_r0 E_c0 / E0: A (T = 150) 75, 75; B (T = 250) 125, 125.
    # A,x: g_rc - g_c = 1.5 - 1.3 = 0.2: competitive 75 x 0.2 = 15, allocation 25 x 0.2 = 5
    # A,y: 0.8 - 1.2 = -0.4: -30 and (50 - 75)(-0.4) = 10
    # B,x: 1.1 - 1.3 = -0.2: -25 and 5;  B,y: 4/3 - 1.2 = 2/15: 50/3 and 10/3
    expected = {
        ("A", "x"): (75, 15, 5),
        ("A", "y"): (75, -30, 10),
        ("B", "x"): (125, -25, 5),
        ("B", "y"): (125, 50 / 3, 10 / 3),
    }
    for key, (homothetic, competitive, allocation) in expected.items():
        row = out.loc[key]
        assert row["homothetic"] == pytest.approx(homothetic, **EXACT)
        assert row["competitive"] == pytest.approx(competitive, **EXACT)
        assert row["allocation"] == pytest.approx(allocation, **EXACT)
        total = row["national"] + row["mix"] + row["competitive"] + row["allocation"]
        assert total == pytest.approx(row["change"], **EXACT)


def test_break_flag_is_not_decomposed_and_leaves_the_reference() -> None:
    data = hand_frame()
    data.loc[(data["region"] == "B") & (data["category"] == "y") & (data["year"] == 2005),
             "flag"] = "b"  # fmt: skip
    out = by_cell(shift_share(data, start=2000, end=2010, flags="flag"))
    assert out.loc[("B", "y"), "status"] == "break"
    assert np.isnan(out.loc[("B", "y"), ["change", "national", "mix", "competitive"]]).all()
    # Without B,y: E_y 50 -> 40 (g_y = 0.8), E 250 -> 300 (g = 1.2).
    # A,y: national 50 x 0.2 = 10, mix 50 (0.8 - 1.2) = -20, competitive 40 - 40 = 0
    row = out.loc[("A", "y")]
    assert (row["national"], row["mix"], row["competitive"]) == pytest.approx((10, -20, 0), **EXACT)


def test_which_flags_break_a_series() -> None:
    data = hand_frame()
    cell = (data["region"] == "A") & (data["category"] == "x")
    # A break ('b') in the start year is between start - 1 and start: it does not count.
    data.loc[cell & (data["year"] == 2000), "flag"] = "b"
    assert by_cell(shift_share(data, start=2000, end=2010, flags="flag")).loc[
        ("A", "x"), "status"] == "ok"  # fmt: skip
    # A differing definition ('d', also inside 'cd') in any year of the period does.
    data.loc[cell & (data["year"] == 2000), "flag"] = "cd"
    out = by_cell(shift_share(data, start=2000, end=2010, flags="flag"))
    assert out.loc[("A", "x"), "status"] == "break"
    # Flags outside the chosen letters do nothing.
    out = by_cell(shift_share(data, start=2000, end=2010, flags="flag", break_flags="b"))
    assert out.loc[("A", "x"), "status"] == "ok"


def test_missing_value_and_absent_row() -> None:
    data = hand_frame()
    data.loc[(data["region"] == "A") & (data["category"] == "y") & (data["year"] == 2010),
             "employment"] = np.nan  # fmt: skip
    extra = pd.DataFrame(
        [{"region": "B", "category": "z", "year": 2010, "employment": 30.0, "flag": ""}]
    )
    data = pd.concat([data, extra], ignore_index=True)
    out = by_cell(shift_share(data, start=2000, end=2010))
    assert out.loc[("A", "y"), "status"] == "missing"
    assert out.loc[("B", "z"), "status"] == "missing"  # no row in 2000: no information
    # County Business Patterns style: an absent row is a zero. z is then new everywhere:
    # no reference growth rate to compare with.
    zero = by_cell(shift_share(data, start=2000, end=2010, absent="zero"))
    assert zero.loc[("B", "z"), "start_value"] == 0.0
    assert zero.loc[("B", "z"), "status"] == "no-reference"


def test_entry_with_esteban_marquillas() -> None:
    data = hand_frame()
    extra = pd.DataFrame(
        [
            {"region": "A", "category": "z", "year": 2000, "employment": 0.0, "flag": ""},
            {"region": "A", "category": "z", "year": 2010, "employment": 10.0, "flag": ""},
            {"region": "B", "category": "z", "year": 2000, "employment": 20.0, "flag": ""},
            {"region": "B", "category": "z", "year": 2010, "employment": 20.0, "flag": ""},
        ]
    )
    data = pd.concat([data, extra], ignore_index=True)
    dunn = by_cell(shift_share(data, start=2000, end=2010))
    assert dunn.loc[("A", "z"), "status"] == "ok"  # Dunn: competitive = e1 - e0 g_c = 10
    assert dunn.loc[("A", "z"), "competitive"] == pytest.approx(10.0, **EXACT)
    em = by_cell(shift_share(data, start=2000, end=2010, method="esteban-marquillas"))
    assert em.loc[("A", "z"), "status"] == "entry"  # no own growth rate


def test_effects_sum_to_the_change_on_random_data() -> None:
    rng = np.random.default_rng(7)
    regions, categories = [f"R{i}" for i in range(6)], [f"C{j}" for j in range(5)]
    rows = [
        (r, c, year, float(rng.integers(0, 5000)))
        for r in regions for c in categories for year in (2008, 2009, 2010, 2011)
    ]  # fmt: skip
    data = pd.DataFrame(rows, columns=["region", "category", "year", "employment"])
    for method in ("dunn", "esteban-marquillas"):
        out = shift_share(data, start=2008, end=2011, method=method)
        ok = out[out["status"] == "ok"]
        effects = ["national", "mix", "competitive"] + (["allocation"] if method != "dunn" else [])
        np.testing.assert_allclose(ok[effects].sum(axis=1), ok["change"], rtol=1e-12, atol=1e-9)
        # Over all regions, national + mix = the reference economy's change per category:
        # the competitive effects of a category sum to 0.
        if method == "dunn":
            by_category = out.groupby("category")["competitive"].sum()
            np.testing.assert_allclose(by_category, 0.0, atol=1e-8)


def test_dynamic_is_the_sum_of_yearly_decompositions() -> None:
    # The hand frame's 2000, 2005, 2010 renumbered as consecutive years 1, 2, 3.
    data = hand_frame().assign(year=lambda f: f["year"].map({2000: 1, 2005: 2, 2010: 3}))
    yearly = dynamic_shift_share(data, start=1, end=3, yearly=True)
    first = by_cell(shift_share(data, start=1, end=2))
    second = by_cell(shift_share(data, start=2, end=3))
    summed = by_cell(dynamic_shift_share(data, start=1, end=3))
    for column in ("change", "national", "mix", "competitive"):
        np.testing.assert_allclose(summed[column], first[column] + second[column], rtol=1e-12)
    np.testing.assert_allclose(summed["change"], summed["end_value"] - summed["start_value"])
    assert len(yearly) == 8 and set(yearly["start"]) == {1, 2}


def test_errors_name_the_problem() -> None:
    data = hand_frame()
    with pytest.raises(ParameterError, match=r"2001.*years present are 2000, 2005, 2010"):
        shift_share(data, start=2001, end=2010)
    with pytest.raises(ParameterError, match="'end' year must come after"):
        shift_share(data, start=2010, end=2000)
    with pytest.raises(ParameterError, match="2001"):  # dynamic: every year is needed
        dynamic_shift_share(data, start=2000, end=2010)
    with pytest.raises(ParameterError, match="'end' year must come after"):
        dynamic_shift_share(data, start=2010, end=2000)
    with pytest.raises(TypeError, match="must be ints"):
        shift_share(data, start="2000", end=2010)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="'method'"):
        shift_share(data, start=2000, end=2010, method="gerfin")  # type: ignore[arg-type]
    with pytest.raises(SchemaError, match="flags_column"):
        shift_share(data, start=2000, end=2010, flags="flags_column")
    repeated = pd.concat([data, data.head(1)], ignore_index=True)
    with pytest.raises(SchemaError, match="must appear once"):
        shift_share(repeated, start=2000, end=2010)
    negative = data.assign(employment=-data["employment"])
    with pytest.raises(SchemaError):
        shift_share(negative, start=2000, end=2010)


def test_input_not_mutated_and_doctests() -> None:
    data = hand_frame()
    before = data.copy()
    shift_share(data, start=2000, end=2010, method="esteban-marquillas", flags="flag")
    pd.testing.assert_frame_equal(data, before)
    failures, _ = doctest.testmod(shiftshare_module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert failures == 0
