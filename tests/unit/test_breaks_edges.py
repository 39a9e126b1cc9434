"""Series breaks at their edges (written for mutation survivors, issue 16).

Every expected note is worked out by hand from the rules of
:func:`~clusteratlas.measures.breaks.growth_breaks`: a flag letter at an end year, a ``b``
inside the period, a year-on-year factor beyond ``max_factor``.
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from clusteratlas.errors import ParameterError, SchemaError
from clusteratlas.measures.breaks import growth_breaks


def _table(rows: list[tuple[str, int, float, str | None]]) -> pd.DataFrame:
    """(region, year, employment, flag) rows of one category ``x``."""
    return pd.DataFrame(
        {
            "region": [r[0] for r in rows],
            "category": ["x"] * len(rows),
            "year": [r[1] for r in rows],
            "employment": [r[2] for r in rows],
            "employment_flag": [r[3] for r in rows],
        }
    )


def _notes(result: pd.DataFrame) -> dict[str, str]:
    return dict(zip(result["region"], result["growth_note"], strict=True))


DATA = _table([("A", 2009, 100.0, ""), ("A", 2010, 110.0, "")])


def test_years_must_be_ints_and_the_message_names_which() -> None:
    with pytest.raises(
        TypeError,
        match=r"^The 'start' parameter must be an int \(a year\)\. Got '2009' of type str instead\.$",
    ):
        growth_breaks(DATA, start="2009", end=2010)  # type: ignore[arg-type]
    with pytest.raises(
        TypeError,
        match=r"^The 'end' parameter must be an int \(a year\)\. Got 2010\.0 of type float instead\.$",
    ):
        growth_breaks(DATA, start=2009, end=2010.0)  # type: ignore[arg-type]


def test_a_period_of_one_year_is_refused() -> None:
    with pytest.raises(
        ParameterError,
        match=r"^The 'end' parameter must be a year after 'start' \(2009\)\. Got 2009 instead\.$",
    ):
        growth_breaks(DATA, start=2009, end=2009)


def test_max_factor_must_be_above_one_and_any_factor_above_one_is_taken() -> None:
    with pytest.raises(
        ParameterError,
        match=r"^The 'max_factor' parameter must be a number above 1\. Got 1\.0 instead\.$",
    ):
        growth_breaks(DATA, start=2009, end=2010, max_factor=1.0)
    # 1.5 is accepted: 100 -> 200 is x2.0, beyond x1.5; 100 -> 140 is x1.4, within.
    data = _table(
        [
            ("A", 2009, 100.0, ""),
            ("A", 2010, 200.0, ""),
            ("B", 2009, 100.0, ""),
            ("B", 2010, 140.0, ""),
        ]
    )
    assert _notes(growth_breaks(data, start=2009, end=2010, max_factor=1.5)) == {
        "A": "break: ×2.0 from 2009 to 2010 (beyond ×1.5)",
        "B": "",
    }


def test_without_a_flag_column_only_the_jumps_are_checked() -> None:
    data = _table([("A", 2009, 100.0, None), ("A", 2010, 500.0, None)]).drop(
        columns="employment_flag"
    )
    result = growth_breaks(data, start=2009, end=2010, flag=None)
    assert result["growth_note"].tolist() == ["break: ×5.0 from 2009 to 2010 (beyond ×3)"]


def test_missing_columns_are_named_with_the_table() -> None:
    with pytest.raises(
        SchemaError,
        match=r"^data is missing column\(s\) 'employment'; it has 'region', 'category', "
        r"'year', 'employment_flag'\.$",
    ):
        growth_breaks(DATA.drop(columns="employment"), start=2009, end=2010)
    with pytest.raises(
        SchemaError,
        match=r"^data is missing column\(s\) 'employment_flag'; it has 'region', 'category', "
        r"'year', 'employment'\.$",
    ):
        growth_breaks(DATA.drop(columns="employment_flag"), start=2009, end=2010)


def test_a_letter_without_a_meaning_is_flagged_and_missing_flags_are_no_letter() -> None:
    # 'X' is not in FLAG_MEANINGS: the note says "flagged". B's flags are missing at both
    # ends, which is no letter at all, whatever break_flags holds.
    data = _table(
        [
            ("A", 2009, 100.0, "X"),
            ("A", 2010, 110.0, ""),
            ("B", 2009, 100.0, None),
            ("B", 2010, 110.0, None),
        ]
    )
    assert _notes(growth_breaks(data, start=2009, end=2010, break_flags="X")) == {
        "A": "break: 2009 value flagged X (flagged)",
        "B": "",
    }


def test_break_flags_are_letters_not_patterns() -> None:
    # '.' is taken literally: A's 'p' (provisional) is no break, B's '.' is.
    data = _table(
        [
            ("A", 2009, 100.0, ""),
            ("A", 2010, 110.0, "p"),
            ("B", 2009, 100.0, ""),
            ("B", 2010, 110.0, "."),
        ]
    )
    assert _notes(growth_breaks(data, start=2009, end=2010, break_flags=".")) == {
        "A": "",
        "B": "break: 2010 value flagged . (flagged)",
    }


def test_zero_values_are_skipped_and_small_positive_values_count() -> None:
    # A: 100, 0, 100 compares 2011 with 2009 (x1.0), the zero year is no jump.
    # B: 1 -> 5 is x5.0 although both values are small.
    data = _table(
        [
            ("A", 2009, 100.0, ""),
            ("A", 2010, 0.0, ""),
            ("A", 2011, 100.0, ""),
            ("B", 2009, 1.0, ""),
            ("B", 2010, 5.0, ""),
            ("B", 2011, 5.0, ""),
        ]
    )
    assert _notes(growth_breaks(data, start=2009, end=2011)) == {
        "A": "",
        "B": "break: ×5.0 from 2009 to 2010 (beyond ×3)",
    }


def test_factors_of_exactly_max_factor_are_growth() -> None:
    # Default ×3: 100 -> 300 (ratio 3) and 300 -> 100 (ratio 1/3, the same double as
    # 1.0 / 3.0) are growth; 100 -> 301 is beyond (×3.0 once rounded).
    data = _table(
        [
            ("A", 2009, 100.0, ""),
            ("A", 2010, 300.0, ""),
            ("B", 2009, 300.0, ""),
            ("B", 2010, 100.0, ""),
            ("C", 2009, 100.0, ""),
            ("C", 2010, 301.0, ""),
        ]
    )
    assert _notes(growth_breaks(data, start=2009, end=2010)) == {
        "A": "",
        "B": "",
        "C": "break: ×3.0 from 2009 to 2010 (beyond ×3)",
    }
    # ×2: exactly 2 and exactly 1/2 are growth; 100 -> 40 (ratio 0.4) is ÷2.5.
    data = _table(
        [
            ("A", 2009, 100.0, ""),
            ("A", 2010, 200.0, ""),
            ("B", 2009, 200.0, ""),
            ("B", 2010, 100.0, ""),
            ("C", 2009, 100.0, ""),
            ("C", 2010, 40.0, ""),
        ]
    )
    assert _notes(growth_breaks(data, start=2009, end=2010, max_factor=2.0)) == {
        "A": "",
        "B": "",
        "C": "break: ÷2.5 from 2009 to 2010 (beyond ×2)",
    }


def test_a_fall_is_shown_as_a_divisor() -> None:
    data = _table([("A", 2009, 500.0, ""), ("A", 2010, 100.0, "")])
    assert growth_breaks(data, start=2009, end=2010)["growth_note"].tolist() == [
        "break: ÷5.0 from 2009 to 2010 (beyond ×3)"
    ]


def test_output_columns_index_and_order_with_own_labels() -> None:
    # Rows in reverse order, own column labels: one row per (nuts, nace), sorted, with
    # a fresh 0..n-1 index and no other column.
    data = pd.DataFrame(
        {
            "nuts": ["B", "B", "A", "A", "A", "A"],
            "nace": ["x", "x", "y", "y", "x", "x"],
            "t": [2010, 2009, 2010, 2009, 2010, 2009],
            "jobs": [100.0, 100.0, 500.0, 100.0, 100.0, 100.0],
            "f": ["", "", "", "", "", "d"],
        },
        index=[10, 11, 12, 13, 14, 15],
    )
    result = growth_breaks(
        data, region="nuts", category="nace", value="jobs", flag="f", year="t", start=2009, end=2010
    )
    assert list(result.columns) == ["nuts", "nace", "growth_note"]
    assert result.index.tolist() == [0, 1, 2]
    assert result["nuts"].tolist() == ["A", "A", "B"]
    assert result["nace"].tolist() == ["x", "y", "x"]
    assert result["growth_note"].tolist() == [
        "break: 2009 value flagged d (definition differs)",
        "break: ×5.0 from 2009 to 2010 (beyond ×3)",
        "",
    ]


def test_a_flag_column_without_any_flag_is_read_as_no_letters() -> None:
    # read_csv gives a float64 column of NaN when no value of the selection is flagged;
    # filling it with "" must not warn (pandas 3 warns, pandas 4 raises, on a float64
    # column) and no letter is found: only the ×5 jump of B is a break.
    data = _table(
        [
            ("A", 2009, 100.0, None),
            ("A", 2010, 110.0, None),
            ("B", 2009, 100.0, None),
            ("B", 2010, 500.0, None),
        ]
    )
    data["employment_flag"] = data["employment_flag"].astype("float64")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = growth_breaks(data, start=2009, end=2010, break_flags="bdena")
    assert _notes(result) == {"A": "", "B": "break: ×5.0 from 2009 to 2010 (beyond ×3)"}
