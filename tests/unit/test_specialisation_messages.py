"""Shares with every option, and the messages of the location quotient, word for word.

Written for the survivors of a mutation run (issue 16); values worked out by hand.
"""

from __future__ import annotations

import pandas as pd
import pytest

from clusteratlas.errors import ParameterError, SchemaError, UnknownCodeError
from clusteratlas.measures import location_quotient, shares

# A: x 10, y 30 (T_A = 40); B: x 30, y 30 (T_B = 60).
DATA = pd.DataFrame(
    {"region": ["A", "A", "B", "B"], "category": ["x", "y", "x", "y"],
     "employment": [10.0, 30.0, 30.0, 30.0]}
)  # fmt: skip


def test_shares_use_given_region_totals() -> None:
    # T_A = 80 and T_B = 120 (all-industry): 10/80, 30/80, 30/120, 30/120.
    totals = pd.DataFrame({"region": ["A", "B"], "total": [80.0, 120.0]})
    out = shares(DATA, by=(), region_totals=totals)
    assert out["share_of_region"].tolist() == pytest.approx([0.125, 0.375, 0.25, 0.25])


def test_shares_use_the_reference_regions() -> None:
    # E_c over A only: x 10, y 30 -> 10/10, 30/30, 30/10, 30/30.
    out = shares(DATA, by=(), reference_regions=["A"])
    assert out["share_of_category"].tolist() == pytest.approx([1.0, 1.0, 3.0, 1.0])


def test_shares_use_given_reference_totals() -> None:
    # E_x = 100, E_y = 300: 10/100, 30/300, 30/100, 30/300.
    totals = pd.DataFrame({"category": ["x", "y"], "category_total": [100.0, 300.0]})
    out = shares(DATA, by=(), reference_totals=totals)
    assert out["share_of_category"].tolist() == pytest.approx([0.1, 0.1, 0.3, 0.1])


def _repeated(n: int) -> pd.DataFrame:
    """``n`` (region, category) keys that each appear twice."""
    keys = pd.DataFrame({"region": [f"R{i}" for i in range(n)], "category": "x"})
    return pd.concat([keys, keys], ignore_index=True).assign(employment=1.0)


def test_repeated_keys_are_listed_up_to_five() -> None:
    head = "data: each (region, category) must appear once; repeated key(s) "
    five = ", ".join(f"('R{i}', 'x')" for i in range(5))
    with pytest.raises(SchemaError) as info:
        location_quotient(_repeated(5), by=())
    assert str(info.value) == f"{head}{five}."
    with pytest.raises(SchemaError) as info:
        location_quotient(_repeated(6), by=())
    assert str(info.value) == f"{head}{five} …."


def test_data_messages_name_the_data_table() -> None:
    with pytest.raises(SchemaError) as info:
        location_quotient(DATA.drop(columns="employment"), by=())
    assert str(info.value) == "data is missing column(s) 'employment'; it has 'region', 'category'."


def test_a_key_named_like_an_output_column_is_refused() -> None:
    data = DATA.rename(columns={"category": "reference_total"})
    with pytest.raises(ParameterError) as info:
        location_quotient(data, category="reference_total", by=())
    assert str(info.value) == (
        "Key column(s) ['reference_total'] clash with output columns "
        "('region_total', 'reference_category_total', 'reference_total')."
    )


def test_reference_regions_and_a_national_total_exclude_each_other() -> None:
    totals = pd.DataFrame(
        {"category": ["x", "y"], "category_total": [100.0, 300.0], "total": 400.0}
    )
    with pytest.raises(ParameterError) as info:
        location_quotient(DATA, by=(), reference_regions=["A"], reference_totals=totals)
    assert str(info.value) == (
        "The 'reference_regions' parameter has no effect when reference_totals has a "
        "'total' column; pass one or the other."
    )


def test_an_unknown_convention_is_named() -> None:
    with pytest.raises(ParameterError) as info:
        location_quotient(DATA, by=(), convention="porter")  # type: ignore[arg-type]
    assert str(info.value) == (
        "The 'convention' parameter must be one of 'observatory', 'econgeo'. Got 'porter' instead."
    )


def test_data_that_is_not_a_frame_is_named() -> None:
    with pytest.raises(TypeError) as info:
        location_quotient([1, 2], by=())  # type: ignore[arg-type]
    assert str(info.value) == "data must be a pandas DataFrame. Got list instead."


def test_key_parameters_naming_the_same_columns_are_listed() -> None:
    data = DATA.rename(columns={"region": "a", "category": "b"})
    with pytest.raises(ParameterError) as info:
        location_quotient(data, region="a", category="b", by=("a", "b"))
    assert str(info.value) == (
        "The key columns of data must be distinct; 'a', 'b' is given for more than one key "
        "parameter."
    )


def test_a_boolean_value_column_is_refused() -> None:
    with pytest.raises(SchemaError) as info:
        location_quotient(DATA.assign(employment=True), by=())
    assert str(info.value) == (
        "data: column 'employment' must be numeric (NaN for missing values); it has dtype bool."
    )


def test_region_totals_messages_name_the_table_and_its_row_labels() -> None:
    with pytest.raises(SchemaError) as info:
        location_quotient(DATA, by=(), region_totals=pd.DataFrame({"region": ["A", "B"]}))
    assert str(info.value) == "region_totals is missing column(s) 'total'; it has 'region'."
    negative = pd.DataFrame({"region": ["A", "B"], "total": [80.0, -1.0]}, index=[3, 7])
    with pytest.raises(SchemaError) as info:
        location_quotient(DATA, by=(), region_totals=negative)
    assert str(info.value) == (
        "region_totals: column 'total' must be non-negative (missing values are allowed); "
        "1 negative value(s) at row(s) 7."
    )


def test_a_repeated_key_is_found_whatever_its_values() -> None:
    # (B, x) twice with different values, and (A, y) twice: listed in order of first
    # appearance, each once.
    data = pd.DataFrame(
        {"region": ["A", "B", "B", "A"], "category": ["y", "x", "x", "y"],
         "employment": [1.0, 2.0, 3.0, 4.0]}
    )  # fmt: skip
    with pytest.raises(SchemaError) as info:
        location_quotient(data, by=())
    assert str(info.value) == (
        "data: each (region, category) must appear once; repeated key(s) ('A', 'y'), ('B', 'x')."
    )


def test_totals_with_keys_of_another_type_are_refused_with_the_table_named() -> None:
    totals = pd.DataFrame({"region": [1, 2], "total": [80.0, 120.0]})
    with pytest.raises(SchemaError) as info:
        location_quotient(DATA, by=(), region_totals=totals)
    assert str(info.value).startswith("region_totals cannot be matched to data on ['region']: ")


def test_region_totals_without_a_row_for_a_key_of_data_are_named() -> None:
    data = DATA.assign(year=2020)
    totals = pd.DataFrame({"region": ["A"], "year": [2020], "total": [80.0]})
    with pytest.raises(SchemaError) as info:
        location_quotient(data, region_totals=totals)
    assert str(info.value) == (
        "region_totals has no row for 1 key(s) of data (region, year): ('B', 2020)."
    )


def test_reference_regions_as_one_code_and_their_messages() -> None:
    data = DATA.replace({"region": {"A": "AT", "B": "DE"}})
    # One code given as a string: E_c over AT only (x 10, y 30), so B's share of x is 30/10.
    out = shares(data, by=(), reference_regions="AT")
    assert out["share_of_category"].tolist() == pytest.approx([1.0, 1.0, 3.0, 1.0])
    with pytest.raises(ParameterError) as info:
        shares(data, by=(), reference_regions=[])
    assert str(info.value) == "The 'reference_regions' parameter must name at least one region."
    with pytest.raises(UnknownCodeError) as info:
        shares(data, by=(), reference_regions=["XK", "QQ"])
    assert str(info.value) == (
        "reference_regions names region(s) 'XK', 'QQ' that are not in column 'region' of data."
    )


def test_totals_are_float_columns_even_for_integer_counts() -> None:
    # Employment as integers: T_A = 40, T_B = 60, E = 100 all come back as floats.
    counts = DATA.astype({"employment": "int64"})
    for by, data in (((), counts), (("year",), counts.assign(year=2020))):
        out = location_quotient(data, by=by)
        for column in ("region_total", "reference_category_total", "reference_total"):
            assert str(out[column].dtype) == "float64", (by, column)
        assert out["region_total"].tolist() == [40.0, 40.0, 60.0, 60.0]


@pytest.mark.parametrize(
    ("infinite", "expected"),
    [
        (float("inf"), "must be finite (missing values are allowed); 1 infinite value(s)"),
        # -inf is negative too, and the sign is checked first.
        (float("-inf"), "must be non-negative (missing values are allowed); 1 negative value(s)"),
    ],
)
def test_infinite_totals_are_refused_naming_the_row(infinite: float, expected: str) -> None:
    # Left in, an infinite total makes 10/inf = 0 a "share" and the LQ 0, without a word.
    totals = pd.DataFrame({"region": ["A", "B"], "total": [80.0, infinite]}, index=[3, 7])
    with pytest.raises(SchemaError) as caught:
        location_quotient(DATA, by=(), region_totals=totals)
    assert str(caught.value) == f"region_totals: column 'total' {expected} at row(s) 7."


def test_infinite_counts_in_the_data_are_refused() -> None:
    data = DATA.assign(employment=[10.0, float("inf"), 30.0, 30.0])
    with pytest.raises(SchemaError, match=r"column 'employment' must be finite.*row\(s\) 1\."):
        location_quotient(data, by=())


def test_missing_counts_stay_allowed() -> None:
    # NaN is a suppressed value: refused neither by the finite nor the non-negative check.
    data = DATA.assign(employment=[10.0, float("nan"), 30.0, 30.0])
    out = location_quotient(data, by=())
    assert out["employment"].isna().sum() == 1
