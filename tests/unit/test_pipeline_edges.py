"""build_map at its edges: raw (unvalidated) tables, flags, jumps, defaults and messages.

Written for survivors of the mutation run of ``mapping/pipeline.py`` (issue 16). The
hand-worked table is the one of ``test_pipeline.py`` (A: I1 10, I2 30; B: 20, 20; C: 30, 10
in 2014; A's I1 5 in 2009), expected values worked out in the comments.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_pipeline import cell, definitions, observations

from clusteratlas.errors import ParameterError, SchemaError
from clusteratlas.mapping.pipeline import build_map

TWO = {"X": ["I1"], "Y": ["I2"]}


def raw_observations() -> pd.DataFrame:
    """The hand-worked table with its value columns and no flag columns."""
    return observations()[["region", "industry", "year", "employment", "establishments", "wages"]]


def test_observations_without_flag_columns() -> None:
    # No employment_flag column: growth is computed, and no break is noted.
    # CAGR(A, X) = (10 / 5) ** (1 / 5) - 1.
    out = build_map(raw_observations(), definitions(TWO), year=2014)
    assert cell(out, "A", "X")["growth"] == pytest.approx(2.0**0.2 - 1.0)
    assert (out["growth_note"] == "").all()


def test_missing_flags_are_no_flags() -> None:
    # Canonical flags are strings, missing (NaN) where a file leaves them out.
    data = observations()
    data.loc[:, "employment_flag"] = None
    assert data["employment_flag"].isna().all() and data["employment_flag"].dtype == "str"
    out = build_map(data, definitions(TWO), year=2014)
    assert cell(out, "A", "X")["growth"] == pytest.approx(2.0**0.2 - 1.0)
    assert (out["growth_note"] == "").all()


def test_a_jump_of_a_one_industry_category_is_a_break() -> None:
    # X = {I1} alone. A's I1: 5 (2009), 20 (2011), 10 (2014): 20 / 5 = 4 > 3, the default
    # largest yearly factor, so the growth is left out with a note, though every value is
    # there and none is flagged.
    data = observations([("A", "I1", 2011, 20.0), ("A", "I2", 2011, 30.0)])
    out = build_map(data, definitions(TWO), year=2014)
    assert cell(out, "A", "X")["growth_note"] == "break: ×4.0 from 2009 to 2011 (beyond ×3)"
    assert np.isnan(cell(out, "A", "X")["growth"])
    assert cell(out, "A", "Y")["growth_note"] == ""


def test_region_totals_default_to_every_industry() -> None:
    # X (traded) = {I1}, Y (local) = {I2}. By default a region's total is all its
    # employment: LQ(A, X) = (10 / 40) / (60 / 120) = 0.5. By type, A's traded total is
    # 10 and the reference's 60: LQ = (10 / 10) / (60 / 60) = 1.
    defs = pd.concat([definitions({"X": ["I1"]}, kind="traded"),
                      definitions({"Y": ["I2"]}, kind="local")], ignore_index=True)  # fmt: skip
    assert cell(build_map(observations(), defs, year=2014), "A", "X")["lq"] == pytest.approx(0.5)
    by_type = build_map(observations(), defs, year=2014, totals_by_type=True)
    assert cell(by_type, "A", "X")["lq"] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("years", "expected"),
    [((2007, 2009, 2014), 2009), ((2007, 2008, 2014), 2007), ((2014,), None)],
)
def test_growth_starts_five_years_back_or_at_the_first_year(
    years: tuple[int, ...], expected: int | None
) -> None:
    # Five years before 2014 when the data hold it, else the first year, else no growth.
    rows = [(region, industry, year, 10.0) for region in "AB" for industry in ("I1", "I2")
            for year in years]  # fmt: skip
    data = pd.DataFrame(rows, columns=["region", "industry", "year", "employment"])
    data = data.assign(establishments=np.nan, wages=np.nan)
    out = build_map(data, definitions(TWO), year=2014)
    starts = out["growth_start_year"]
    assert len(out) == 4
    assert starts.isna().all() if expected is None else starts.tolist() == [expected] * 4


def test_definition_status_follows_the_member_industries() -> None:
    # A category is UNCONFIRMED when any member industry's definition is.
    defs = definitions({"X": ["I1"], "Y": ["I2"]})
    defs.loc[defs["industry"] == "I2", "status"] = "UNCONFIRMED (our reading of the source)"
    out = build_map(observations(), defs, year=2014)
    status = out.drop_duplicates("category").set_index("category")["definition_status"]
    assert status.to_dict() == {"X": "CONFIRMED", "Y": "UNCONFIRMED"}


def test_a_category_labelled_twice_still_gives_one_row_per_region() -> None:
    defs = definitions({"X": ["I1", "I2"]})
    defs["category_label"] = ["first label", "second label"]
    out = build_map(observations(), defs, year=2014)
    assert out["region"].tolist() == ["A", "B", "C"]
    assert set(out["category_label"]) == {"first label"}


def test_messages_name_the_table_and_list_the_years() -> None:
    with pytest.raises(SchemaError, match=r"^observations is missing column\(s\) 'employment';"):
        build_map(raw_observations().drop(columns="employment"), definitions(TWO), year=2014)
    with pytest.raises(
        ParameterError,
        match=r"^The 'year' option must be one of the years in the data \(2009, 2014\)\. "
        r"Got 2020 instead\.$",
    ):
        build_map(observations(), definitions(TWO), year=2020)
    for start in (2010, 2014):  # not in the data; not before the year
        with pytest.raises(
            ParameterError,
            match=r"^The 'growth_start' option must be a year before 2014 in the data "
            rf"\(2009, 2014\)\. Got {start} instead\.$",
        ):
            build_map(observations(), definitions(TWO), year=2014, growth_start=start)


def test_unmatched_definitions_show_three_codes_of_each_side() -> None:
    defs = definitions({"X": ["Z1", "Z2", "Z3", "Z4"]})
    data = observations([("A", "I3", 2014, 1.0), ("A", "I4", 2014, 1.0)])
    with pytest.raises(
        SchemaError,
        match=r"^None of the industries in the category definitions occur in the data "
        r"\(definitions use e\.g\. Z1, Z2, Z3; data has e\.g\. I1, I2, I3\)\.$",
    ):
        build_map(data, defs, year=2014)


def test_a_region_left_out_of_the_reference_groups_is_its_own_group() -> None:
    # Groups {A, B}; C is not named, so it is compared with itself: every LQ of C is 1, and
    # A against {A, B}: LQ(A, X) = (10 / 40) / (30 / 80).
    out = build_map(observations(), definitions(TWO), year=2014,
                    reference_groups={"A": "1", "B": "1"})  # fmt: skip
    assert cell(out, "C", "X")["lq"] == pytest.approx(1.0)
    assert cell(out, "C", "Y")["lq"] == pytest.approx(1.0)
    assert cell(out, "A", "X")["lq"] == pytest.approx((10 / 40) / (30 / 80))
