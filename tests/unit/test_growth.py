"""Growth between two years, checked against values worked out by hand."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

import clusteratlas.measures.growth as growth
from clusteratlas.errors import ParameterError, SchemaError
from clusteratlas.measures import absolute_change, cagr, location_quotient, lq_change

EXACT = {"rel": 1e-12}


def two_years() -> pd.DataFrame:
    """Employment in 2010 and 2012.

    region category  2010   2012   CAGR over 2 years
    A      x          100    121   sqrt(1.21) - 1 = 0.1
    A      y           50     50   0
    B      x            0     10   NaN (start is 0)
    B      y           40    NaN   NaN (end is missing)
    C      x           --     30   NaN (no row in 2010)
    C      y           80      0   -1
    """
    return pd.DataFrame(
        {
            "region": ["A", "A", "B", "B", "C", "A", "A", "B", "B", "C", "C"],
            "category": ["x", "y", "x", "y", "y", "x", "y", "x", "y", "x", "y"],
            "year": [2010] * 5 + [2012] * 6,
            "employment": [100.0, 50.0, 0.0, 40.0, 80.0, 121.0, 50.0, 10.0, np.nan, 30.0, 0.0],
        }
    )


def test_cagr_hand_example() -> None:
    out = cagr(two_years(), start=2010, end=2012)
    assert list(out.columns) == ["region", "category", "start_value", "end_value", "cagr"]
    assert list(zip(out["region"], out["category"], strict=True)) == [
        ("A", "x"),
        ("A", "y"),
        ("B", "x"),
        ("B", "y"),
        ("C", "x"),
        ("C", "y"),
    ]
    assert out["cagr"].iloc[0] == pytest.approx(0.1, **EXACT)
    assert out["cagr"].iloc[1] == 0.0
    assert np.isnan(out["cagr"].iloc[2])
    assert np.isnan(out["cagr"].iloc[3])
    assert np.isnan(out["cagr"].iloc[4]) and np.isnan(out["start_value"].iloc[4])
    assert out["cagr"].iloc[5] == -1.0
    assert out["start_value"].tolist()[:2] == [100.0, 50.0]
    assert out["end_value"].tolist()[:2] == [121.0, 50.0]


def test_cagr_three_years() -> None:
    data = pd.DataFrame(
        {"region": "A", "category": "x", "year": [2010, 2013], "employment": [8.0, 27.0]}
    )
    # (27 / 8) ** (1 / 3) - 1 = 3/2 - 1 = 1/2
    assert cagr(data, start=2010, end=2013)["cagr"].iloc[0] == pytest.approx(0.5, **EXACT)


def test_absolute_change() -> None:
    out = absolute_change(two_years(), start=2010, end=2012)
    assert out["change"].iloc[:3].tolist() == [21.0, 0.0, 10.0]
    assert np.isnan(out["change"].iloc[3]) and np.isnan(out["change"].iloc[4])
    assert out["change"].iloc[5] == -80.0


def test_lq_change_after_location_quotient() -> None:
    # 2010: A x=10, y=30; B x=30, y=30 -> E_x/E = 40/100; LQ_Ax = (10/40)/(40/100) = 5/8
    # 2015: A x=20, y=20; B x=20, y=40 -> E_x/E = 40/100; LQ_Ax = (20/40)/(40/100) = 5/4
    data = pd.DataFrame(
        {
            "region": ["A", "A", "B", "B"] * 2,
            "category": ["x", "y"] * 4,
            "year": [2010] * 4 + [2015] * 4,
            "employment": [10.0, 30.0, 30.0, 30.0, 20.0, 20.0, 20.0, 40.0],
        }
    )
    out = lq_change(location_quotient(data), start=2010, end=2015)
    assert list(out.columns) == ["region", "category", "lq_start", "lq_end", "lq_change"]
    first = out.iloc[0]
    assert (first["region"], first["category"]) == ("A", "x")
    assert first["lq_start"] == pytest.approx(5 / 8, **EXACT)
    assert first["lq_end"] == pytest.approx(5 / 4, **EXACT)
    assert first["lq_change"] == pytest.approx(5 / 8, **EXACT)


def test_other_column_names() -> None:
    data = two_years().rename(
        columns={"region": "nuts", "category": "cluster", "year": "t", "employment": "jobs"}
    )
    out = cagr(
        data, region="nuts", category="cluster", value="jobs", year="t", start=2010, end=2012
    )
    assert list(out.columns) == ["nuts", "cluster", "start_value", "end_value", "cagr"]


def test_input_not_mutated() -> None:
    data = two_years()
    before = data.copy()
    cagr(data, start=2010, end=2012)
    pd.testing.assert_frame_equal(data, before)


def test_year_parameters() -> None:
    with pytest.raises(ParameterError, match="'end' parameter must be a year after"):
        cagr(two_years(), start=2012, end=2012)
    with pytest.raises(ParameterError, match="'end' parameter must be a year after"):
        lq_change(two_years().rename(columns={"employment": "lq"}), start=2012, end=2010)
    with pytest.raises(ParameterError, match=r"Got 2011 instead; the years present are 2010, 2012"):
        cagr(two_years(), start=2011, end=2012)
    with pytest.raises(TypeError, match="'start' parameter must be an int"):
        cagr(two_years(), start=2010.0, end=2012)  # type: ignore[arg-type]


def test_schema_errors() -> None:
    with pytest.raises(SchemaError, match="'employment'"):
        cagr(two_years().drop(columns="employment"), start=2010, end=2012)
    repeated = pd.concat([two_years(), two_years().iloc[[0]]], ignore_index=True)
    with pytest.raises(SchemaError, match=r"repeated key\(s\) \('A', 'x', 2010\)"):
        cagr(repeated, start=2010, end=2012)


def test_docstring_examples_run() -> None:
    result = doctest.testmod(growth, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


# --------------------------------------------------------------------------- breaks


def _series(values: dict[str, list[tuple[int, float, str]]]) -> pd.DataFrame:
    rows = [
        {"region": region, "category": "x", "year": y, "employment": v, "employment_flag": f}
        for region, cells in values.items()
        for y, v, f in cells
    ]
    return pd.DataFrame(rows)


def test_growth_breaks_flags_jumps_and_clean_series() -> None:
    from clusteratlas.measures import growth_breaks

    data = _series(
        {
            "A": [(2009, 100.0, ""), (2010, 120.0, ""), (2011, 150.0, "")],  # ×1.25/yr: fine
            "B": [(2009, 100.0, "d"), (2010, 110.0, ""), (2011, 120.0, "")],  # start flagged d
            "C": [(2009, 100.0, ""), (2010, 110.0, "b"), (2011, 120.0, "")],  # break inside
            "D": [(2009, 100.0, ""), (2010, 110.0, ""), (2011, 400.0, "")],  # ×3.64 in a year
            "E": [(2009, 100.0, ""), (2010, 90.0, "p"), (2011, 95.0, "u")],  # p, u: numbers
            "F": [(2009, 300.0, ""), (2010, 90.0, ""), (2011, 95.0, "e")],  # ÷3.33, then e
        }
    )
    notes = growth_breaks(data, start=2009, end=2011).set_index("region")["growth_note"]
    assert notes["A"] == "" and notes["E"] == ""
    assert notes["B"] == "break: 2009 value flagged d (definition differs)"
    assert notes["C"] == "break: series break (b) in 2010"
    assert notes["D"] == "break: ×3.6 from 2010 to 2011 (beyond ×3)"
    assert notes["F"] == "break: 2011 value flagged e (estimated)"  # flags are named first
    # the factor is configurable: ×3.64 passes at 4, ÷3.33 passes too
    relaxed = growth_breaks(data, start=2009, end=2011, max_factor=4.0, break_flags="bd")
    relaxed_notes = relaxed.set_index("region")["growth_note"]
    assert relaxed_notes["D"] == "" and relaxed_notes["F"] == ""


def test_growth_breaks_checks_its_parameters() -> None:
    from clusteratlas.measures import growth_breaks

    data = _series({"A": [(2009, 1.0, ""), (2010, 1.0, "")]})
    with pytest.raises(ParameterError, match="'max_factor'"):
        growth_breaks(data, start=2009, end=2010, max_factor=0.5)
    with pytest.raises(ParameterError, match="'end'"):
        growth_breaks(data, start=2010, end=2009)
