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
from clusteratlas.mapping.rulesets import load_ruleset

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
    assert len(out) == 4 and starts.dtype == "Int64"
    if expected is None:  # no growth period: the growth columns are there, empty
        assert out["growth"].dtype == "float64" and out["lq_change"].dtype == "float64"
        assert out[["growth", "lq_change"]].isna().all().all()
        assert (out["growth_note"] == "").all()
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


def test_reference_regions_reach_every_measure() -> None:
    # Reference {A, B}: X 30, Y 50 of 80 in 2014; X 25 of 65 in 2009.
    # LQ(C, X) = (30/40) / (30/80) = 2; share of the category (C, X) = 30 / 30 = 1,
    # (C, Y) = 10 / 50 = .2; share of the region (C, X) = 30 / 40 = .75 (unchanged).
    # LQ(C, X) in 2009 = (30/40) / (25/65) = 1.95, so the LQ change is 0.05.
    out = build_map(observations(), definitions(TWO), year=2014, reference_regions=["A", "B"])
    c_x, c_y = cell(out, "C", "X"), cell(out, "C", "Y")
    assert c_x["lq"] == pytest.approx(2.0)
    assert (c_x["share_of_category"], c_y["share_of_category"]) == pytest.approx((1.0, 0.2))
    assert c_x["share_of_region"] == pytest.approx(0.75)
    assert c_x["lq_change"] == pytest.approx(2.0 - 1.95)


def test_shares_of_the_category_within_reference_groups() -> None:
    # Groups {A, B} and {C}: share of the category (A, X) = 10 / (10 + 20); C holds all of
    # its group's X and Y.
    out = build_map(observations(), definitions(TWO), year=2014,
                    reference_groups={"A": "1", "B": "1", "C": "2"})  # fmt: skip
    assert cell(out, "A", "X")["share_of_category"] == pytest.approx(1 / 3)
    assert cell(out, "C", "Y")["share_of_category"] == pytest.approx(1.0)


def test_a_category_new_in_the_year_stays_on_the_map_without_growth() -> None:
    # Z = {I3} exists in A in 2014 only: it is mapped (LQ (5/45) / (5/125) = 25/9), with
    # no growth rate rather than dropped.
    data = observations([("A", "I3", 2014, 5.0)])
    out = build_map(data, definitions({**TWO, "Z": ["I3"]}), year=2014)
    a_z = cell(out, "A", "Z")
    assert a_z["lq"] == pytest.approx(25 / 9)
    assert np.isnan(a_z["growth"]) and np.isnan(a_z["lq_change"])


def test_break_flags_and_the_jump_factor_are_options() -> None:
    # A's I1 is flagged b in 2011: a break by default, not with break_flags="" (then
    # 20 / 5 = 4 is a jump beyond the default 3, but not beyond a factor of 5).
    data = observations([("A", "I1", 2011, 20.0), ("A", "I2", 2011, 30.0)])
    data.loc[(data["industry"] == "I1") & (data["year"] == 2011), "employment_flag"] = "b"
    flagged = build_map(data, definitions(TWO), year=2014)
    assert cell(flagged, "A", "X")["growth_note"] == "break: series break (b) in 2011"
    assert np.isnan(cell(flagged, "A", "X")["lq_change"])
    jumped = build_map(data, definitions(TWO), year=2014, break_flags="")
    assert cell(jumped, "A", "X")["growth_note"] == "break: ×4.0 from 2009 to 2011 (beyond ×3)"
    kept = build_map(data, definitions(TWO), year=2014, break_flags="", max_growth_factor=5.0)
    assert cell(kept, "A", "X")["growth_note"] == ""
    assert cell(kept, "A", "X")["growth"] == pytest.approx(2.0**0.2 - 1.0)


def test_share_of_the_region_is_of_all_its_employment() -> None:
    # Only X = {I1} is defined: A's share of its region is 10 of its 40 jobs, not of the
    # 10 jobs its categories hold.
    out = build_map(observations(), definitions({"X": ["I1"]}), year=2014)
    assert cell(out, "A", "X")["share_of_region"] == pytest.approx(0.25)
    assert cell(out, "C", "X")["share_of_region"] == pytest.approx(0.75)


def test_shift_share_against_the_reference_regions() -> None:
    # Reference {A, B}, 2009 -> 2014: all 65 -> 80 (g = 3/13), X 25 -> 30 (1/5).
    # C x X: 30 -> 30: national 30 · 3/13, mix 30 (1/5 - 3/13), competitive 30 (0 - 1/5).
    out = build_map(observations(), definitions(TWO), year=2014, reference_regions=["A", "B"],
                    shift_share_effects=True)  # fmt: skip
    row = cell(out, "C", "X")
    effects = (row["ss_national"], row["ss_mix"], row["ss_competitive"])
    assert effects == pytest.approx((30 * 3 / 13, 30 * (1 / 5 - 3 / 13), -6.0), rel=1e-12)


def test_shift_share_of_an_absent_cell() -> None:
    # C x Y has no 2009 row. Unknown by default (status missing); with absent_is_zero it
    # grew from 0 to 10: national and mix 0, competitive 10.
    data = observations()
    data = data[~((data["region"] == "C") & (data["industry"] == "I2") & (data["year"] == 2009))]
    unknown = cell(build_map(data, definitions(TWO), year=2014, shift_share_effects=True), "C", "Y")
    assert unknown["ss_status"] == "missing" and np.isnan(unknown["ss_national"])
    zero = build_map(data, definitions(TWO), year=2014, absent_is_zero=True,
                     shift_share_effects=True)  # fmt: skip
    row = cell(zero, "C", "Y")
    assert row["ss_status"] == "ok"
    assert (row["ss_national"], row["ss_mix"], row["ss_competitive"]) == (0.0, 0.0, 10.0)


def test_shift_share_without_a_growth_period_says_so() -> None:
    data = observations()
    with pytest.raises(
        ParameterError,
        match=r"^Shift-share effects need a growth period: the data hold no year before 2014, "
        r"or give one with the 'growth_start' option\.$",
    ):
        build_map(data[data["year"] == 2014], definitions(TWO), year=2014, shift_share_effects=True)


def test_rule_set_overrides_reach_the_rating() -> None:
    # eco2007's specialisation star needs LQ >= 2; A x Y has LQ 1.5. Lowered to 1.4 the star
    # is given; the map is otherwise the same.
    ruleset = load_ruleset("eco2007")
    plain = build_map(observations(), definitions(TWO), year=2014, ruleset=ruleset)
    lowered = build_map(observations(), definitions(TWO), year=2014, ruleset=ruleset,
                        overrides={"stars.specialisation.lq": 1.4})  # fmt: skip
    assert not cell(plain, "A", "Y")["star_specialisation"]
    assert cell(lowered, "A", "Y")["star_specialisation"]
    pd.testing.assert_series_equal(plain["lq"], lowered["lq"])


def test_the_map_has_a_fresh_index_in_region_order() -> None:
    # Categories of two types are measured type by type (X's rows, then Y's): the map comes
    # sorted by (region, category), indexed 0..n-1.
    defs = pd.concat([definitions({"X": ["I1"]}, kind="traded"),
                      definitions({"Y": ["I2"]}, kind="local")], ignore_index=True)  # fmt: skip
    out = build_map(observations(), defs, year=2014)
    assert out.index.equals(pd.RangeIndex(6))
    assert list(zip(out["region"], out["category"], strict=True)) == [
        ("A", "X"), ("A", "Y"), ("B", "X"), ("B", "Y"), ("C", "X"), ("C", "Y")
    ]  # fmt: skip
