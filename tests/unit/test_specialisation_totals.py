"""The totals of the location quotient at their edges: national totals, empty groups, messages.

Written for the last survivors of the mutation run of ``measures/specialisation.py``
(issue 16); every expected value is worked out by hand in the comments.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clusteratlas.errors import SchemaError
from clusteratlas.measures import location_quotient, shares

# A: x 10, y 30 (T_A = 40); B: x 30, y 30 (T_B = 60).
DATA = pd.DataFrame(
    {"region": ["A", "A", "B", "B"], "category": ["x", "y", "x", "y"],
     "employment": [10.0, 30.0, 30.0, 30.0]}
)  # fmt: skip


def _national(total: list[float], **by: list[object]) -> pd.DataFrame:
    """National E_x = 100, E_y = 300 with the given E column (one row per category)."""
    return pd.DataFrame(
        {"category": ["x", "y"] * (len(total) // 2), **by,
         "category_total": [100.0, 300.0] * (len(total) // 2), "total": total}
    )  # fmt: skip


def test_a_national_total_without_by_columns() -> None:
    # E = 1000: E_x / E = 0.1, E_y / E = 0.3.
    # A: (10/40)/0.1 = 2.5, (30/40)/0.3 = 2.5; B: (30/60)/0.1 = 5, (30/60)/0.3 = 5/3.
    out = location_quotient(DATA, by=(), reference_totals=_national([1000.0, 1000.0]))
    assert out["reference_total"].tolist() == [1000.0] * 4
    assert out["lq"].tolist() == pytest.approx([2.5, 2.5, 5.0, 5.0 / 3.0])


def test_a_national_total_per_year() -> None:
    # 2020: the data above, E = 1000 (as in the test before); 2021: the same employment,
    # E = 500: E_x / E = 0.2, E_y / E = 0.6, so every LQ of 2021 is half that of 2020.
    data = pd.concat([DATA.assign(year=2020), DATA.assign(year=2021)], ignore_index=True)
    totals = _national([1000.0, 1000.0, 500.0, 500.0], year=[2020, 2020, 2021, 2021])
    out = location_quotient(data, by="year", reference_totals=totals)
    assert out["reference_total"].tolist() == [1000.0] * 4 + [500.0] * 4
    first = [2.5, 2.5, 5.0, 5.0 / 3.0]
    assert out["lq"].tolist() == pytest.approx(first + [v / 2 for v in first])


def test_a_national_total_must_be_one_value_without_by_columns() -> None:
    with pytest.raises(SchemaError) as info:
        location_quotient(DATA, by=(), reference_totals=_national([1000.0, 900.0]))
    assert str(info.value) == (
        "reference_totals: column 'total' must be the same for all rows of one (table) group."
    )


def test_a_national_total_must_be_one_value_per_by_group() -> None:
    data = DATA.assign(year=2020, sex="f")
    totals = _national([1000.0, 900.0], year=[2020, 2020], sex=["f", "f"])
    with pytest.raises(SchemaError) as info:
        location_quotient(data, by=("year", "sex"), reference_totals=totals)
    assert str(info.value) == (
        "reference_totals: column 'total' must be the same for all rows of one (year, sex) group."
    )


def test_a_national_total_is_checked_like_the_category_totals() -> None:
    with pytest.raises(SchemaError, match=r"^reference_totals: .*'total'"):
        location_quotient(DATA, by=(), reference_totals=_national([-1000.0, -1000.0]))


def test_a_national_total_must_be_numeric() -> None:
    totals = _national([1000.0, 1000.0]).astype({"total": str})
    with pytest.raises(SchemaError) as info:
        location_quotient(DATA, by=(), reference_totals=totals)
    assert str(info.value).startswith("reference_totals: column 'total' must be numeric")


def test_reference_totals_messages_name_the_table() -> None:
    totals = _national([1000.0, 1000.0]).drop(columns="category_total")
    with pytest.raises(SchemaError) as info:
        location_quotient(DATA, by=(), reference_totals=totals)
    assert str(info.value).startswith("reference_totals is missing column(s) 'category_total';")


def test_a_category_with_only_missing_values_has_a_zero_reference_total() -> None:
    # x is suppressed in both regions: E_x = 0 (no available value), not missing; its LQ
    # is missing (E_rc missing). y: T_A = 10, T_B = 30, E_y = 40, E = 40 -> LQ 1 and 1.
    data = DATA.assign(employment=[np.nan, 10.0, np.nan, 30.0])
    out = location_quotient(data, by=())
    assert out["reference_category_total"].tolist() == [0.0, 40.0, 0.0, 40.0]
    assert out["lq"].tolist()[1::2] == [1.0, 1.0]
    assert out["lq"].isna().tolist() == [True, False, True, False]
    # EconGeo's convention gives 0 only where E_rc is present: still missing here.
    assert out["lq"].isna().tolist() == (
        location_quotient(data, by=(), convention="econgeo")["lq"].isna().tolist()
    )


def test_a_category_missing_in_every_reference_region_has_a_zero_reference_total() -> None:
    # Reference A only: x is missing there -> E_x = 0, so share_of_category of B x (30/0)
    # is missing; y: E_y = 30 -> 30/30 = 1 for both regions.
    data = DATA.assign(employment=[np.nan, 30.0, 30.0, 30.0])
    out = shares(data, by=(), reference_regions=["A"])
    assert out["reference_category_total"].tolist() == [0.0, 30.0, 0.0, 30.0]
    assert out["share_of_category"].isna().tolist() == [True, False, True, False]
    assert out["share_of_category"].tolist()[1::2] == [1.0, 1.0]


def test_a_year_without_a_reference_region_gives_missing_quotients() -> None:
    # Reference A, which has no row in 2021: E (2021) is missing and E_c (2021) is 0, so the
    # 2021 quotients of B are missing, not an error. 2020 as in DATA with reference A:
    # E_x = 10, E_y = 30, E = 40 -> A 1, 1; B (30/60)/(10/40) = 2, (30/60)/(30/40) = 2/3.
    later = pd.DataFrame(
        {"region": ["B", "B"], "category": ["x", "y"], "employment": [5.0, 15.0], "year": 2021}
    )
    data = pd.concat([DATA.assign(year=2020), later], ignore_index=True)
    out = location_quotient(data, by="year", reference_regions=["A"])
    assert out["lq"].tolist()[:4] == pytest.approx([1.0, 1.0, 2.0, 2.0 / 3.0])
    assert out["lq"].isna().tolist() == [False] * 4 + [True] * 2
    assert out["reference_total"].isna().tolist() == [False] * 4 + [True] * 2
    assert out["reference_category_total"].tolist()[4:] == [0.0, 0.0]
