"""Growth measures' messages at their edges (written for mutation survivors, issue 16)."""

from __future__ import annotations

import pandas as pd
import pytest

from clusteratlas.errors import ParameterError, SchemaError
from clusteratlas.measures import cagr

DATA = pd.DataFrame({"region": ["A", "A"], "category": ["x", "x"], "year": [2009, 2014],
                     "employment": [5.0, 10.0]})  # fmt: skip


def test_years_must_be_ints_and_the_message_names_which() -> None:
    with pytest.raises(
        TypeError,
        match=r"^The 'start' parameter must be an int \(a year\)\. Got '2009' of type str instead\.$",
    ):
        cagr(DATA, start="2009", end=2014)  # type: ignore[arg-type]
    with pytest.raises(
        TypeError,
        match=r"^The 'end' parameter must be an int \(a year\)\. Got 2014\.0 of type float instead\.$",
    ):
        cagr(DATA, start=2009, end=2014.0)  # type: ignore[arg-type]


def test_years_absent_from_the_data_are_named() -> None:
    for start, end, name, wanted in ((2010, 2014, "start", 2010), (2009, 2015, "end", 2015)):
        with pytest.raises(
            ParameterError,
            match=rf"^The '{name}' parameter must be a year present in column 'year'\. "
            rf"Got {wanted} instead; the years present are 2009, 2014\.$",
        ):
            cagr(DATA, start=start, end=end)


def test_a_year_column_of_mixed_types_still_gets_a_clear_message() -> None:
    # A year typed as text in one row: the years present are listed (sorted as text), not a
    # TypeError from comparing an int with a str.
    mixed = DATA.astype({"year": object})
    mixed.loc[1, "year"] = "2014"
    with pytest.raises(ParameterError, match=r"the years present are 2009, '2014'\.$"):
        cagr(mixed, start=2009, end=2014)


def test_a_missing_column_names_the_data_table() -> None:
    with pytest.raises(SchemaError, match=r"^data is missing column\(s\) 'employment'"):
        cagr(DATA.drop(columns="employment"), start=2009, end=2014)


def test_integer_counts_give_float_columns() -> None:
    # Counts read as integers: the start and end values are floats like every value column
    # (a missing one must be NaN), and the rate is (10 / 5) ** (1 / 5) - 1.
    counts = DATA.astype({"employment": "int64"})
    out = cagr(counts, start=2009, end=2014)
    assert out["start_value"].dtype == "float64" and out["end_value"].dtype == "float64"
    assert out["cagr"].tolist() == pytest.approx([2.0**0.2 - 1.0])
