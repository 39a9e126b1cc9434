"""Shift-share analysis at its edges (written for mutation survivors, issue 16).

Every expected number is worked out by hand in the comments. ``base()`` is the hand
frame of ``test_shiftshare.py``, 2000 -> 2010 (2005 in between), with g_x = 1.3,
g_y = 1.2 and g = 1.25:

======  ==========  ==========
region  x           y
======  ==========  ==========
A       100 -> 150  50 -> 40
B       100 -> 110  150 -> 200
======  ==========  ==========
"""

from __future__ import annotations

import string
import warnings

import numpy as np
import pandas as pd
import pytest

from clusteratlas.errors import ParameterError, SchemaError
from clusteratlas.measures import dynamic_shift_share, shift_share

EXACT = {"rel": 1e-12, "abs": 1e-12}
EFFECTS = ["change", "national", "mix", "competitive"]


def frame(rows: list[tuple[str, str, int, float, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["region", "category", "year", "employment", "flag"])


def base(extra: list[tuple[str, str, int, float, str]] | None = None) -> pd.DataFrame:
    rows = []
    for r, c, v0, v5, v10 in [
        ("A", "x", 100.0, 120.0, 150.0),
        ("A", "y", 50.0, 45.0, 40.0),
        ("B", "x", 100.0, 105.0, 110.0),
        ("B", "y", 150.0, 170.0, 200.0),
    ]:
        rows += [(r, c, 2000, v0, ""), (r, c, 2005, v5, ""), (r, c, 2010, v10, "")]
    return frame(rows + (extra or []))


def cells(out: pd.DataFrame) -> pd.DataFrame:
    return out.set_index(["region", "category"])


def effects(out: pd.DataFrame, key: tuple[str, str]) -> list[float]:
    return cells(out).loc[key, EFFECTS].astype(float).tolist()


# --- messages -------------------------------------------------------------------------


def test_year_messages_are_exact() -> None:
    data = base()
    with pytest.raises(
        TypeError,
        match=r"^The 'start' and 'end' parameters must be ints\. Got '2000' and 2010\.$",
    ):
        shift_share(data, start="2000", end=2010)  # type: ignore[arg-type]
    with pytest.raises(
        TypeError, match=r"^The 'start' and 'end' parameters must be ints\. Got 2000 and 2010\.0\.$"
    ):
        shift_share(data, start=2000, end=2010.0)  # type: ignore[arg-type]
    with pytest.raises(
        ParameterError,
        match=r"^The 'end' year must come after the 'start' year\. Got start=2010, end=2010\.$",
    ):
        shift_share(data, start=2010, end=2010)
    with pytest.raises(
        ParameterError,
        match=r"^The 'end' year must come after the 'start' year\. Got start=2010, end=2000\.$",
    ):
        shift_share(data, start=2010, end=2000)
    with pytest.raises(
        ParameterError,
        match=r"^Year\(s\) 1999, 2011 have no row in column 'year' of data; the years present "
        r"are 2000, 2005, 2010\.$",
    ):
        shift_share(data, start=1999, end=2011)
    with pytest.raises(
        ParameterError,
        match=r"^Year\(s\) 2011 have no row in column 'year' of data; the years present "
        r"are 2000, 2005, 2010\.$",
    ):
        shift_share(data, start=2000, end=2011)


def test_dynamic_year_messages_are_exact() -> None:
    data = base().assign(year=lambda f: f["year"].map({2000: 1, 2005: 2, 2010: 3}))
    with pytest.raises(
        TypeError, match=r"^The 'start' and 'end' parameters must be ints\. Got '1', 3\.$"
    ):
        dynamic_shift_share(data, start="1", end=3)  # type: ignore[arg-type]
    with pytest.raises(
        TypeError, match=r"^The 'start' and 'end' parameters must be ints\. Got 1, 3\.0\.$"
    ):
        dynamic_shift_share(data, start=1, end=3.0)  # type: ignore[arg-type]
    with pytest.raises(
        ParameterError,
        match=r"^The 'end' year must come after the 'start' year\. Got start=2, end=2\.$",
    ):
        dynamic_shift_share(data, start=2, end=2)
    with pytest.raises(
        ParameterError,
        match=r"^The 'end' year must come after the 'start' year\. Got start=3, end=1\.$",
    ):
        dynamic_shift_share(data, start=3, end=1)
    with pytest.raises(
        ParameterError,
        match=r"^Year\(s\) 4 have no row in column 'year' of data; the years present are "
        r"1, 2, 3\.$",
    ):
        dynamic_shift_share(data, start=2, end=4)


def test_numpy_integer_years_are_accepted() -> None:
    out = shift_share(base(), start=np.int64(2000), end=np.int64(2010))
    assert effects(out, ("A", "x")) == pytest.approx([50, 25, 5, 20], **EXACT)
    summed = dynamic_shift_share(yearly_frame(), start=np.int64(1), end=np.int64(3))
    assert summed["start"].tolist() == [1] * 5 and summed["end"].tolist() == [3] * 5


def test_option_messages_are_exact() -> None:
    data = base()
    with pytest.raises(
        ParameterError,
        match=r"^The 'method' parameter must be one of 'dunn', 'esteban-marquillas'\. Got "
        r"'gerfin' instead\.",
    ):
        shift_share(data, start=2000, end=2010, method="gerfin")  # type: ignore[arg-type]
    with pytest.raises(
        ParameterError,
        match=r"^The 'absent' parameter must be one of 'missing', 'zero'\. Got 'none' instead\.",
    ):
        shift_share(data, start=2000, end=2010, absent="none")  # type: ignore[arg-type]
    with pytest.raises(
        SchemaError, match=r"^The 'break_flags' parameter must be a str\. Got \['b'\]\.$"
    ):
        shift_share(data, start=2000, end=2010, flags="flag", break_flags=["b"])  # type: ignore[arg-type]
    with pytest.raises(SchemaError, match=r"^data is missing column\(s\) 'flags'; it has "):
        shift_share(data, start=2000, end=2010, flags="flags")
    with pytest.raises(SchemaError, match=r"^data is missing column\(s\) 'jobs'"):
        shift_share(data, start=2000, end=2010, value="jobs")


# --- the window, flags and absent rows --------------------------------------------------


def test_years_outside_the_period_are_ignored() -> None:
    # Rows of 1999 and 2011 (one of them missing, both flagged) change nothing.
    outside = [
        ("A", "x", 1999, np.nan, "d"),
        ("B", "y", 2011, 1000.0, "b"),
        ("A", "y", 2011, 5.0, "d"),
    ]
    out = cells(shift_share(base(outside), start=2000, end=2010, flags="flag"))
    assert out["status"].tolist() == ["ok"] * 4
    # The hand example: A,x (50, 25, 5, 20), A,y (-10, 12.5, -2.5, -20), B,y (50, 37.5, -7.5, 20).
    assert out.loc[("A", "x"), EFFECTS].tolist() == pytest.approx([50, 25, 5, 20], **EXACT)
    assert out.loc[("A", "y"), EFFECTS].tolist() == pytest.approx([-10, 12.5, -2.5, -20], **EXACT)
    assert out.loc[("B", "y"), EFFECTS].tolist() == pytest.approx([50, 37.5, -7.5, 20], **EXACT)
    assert (out["start"] == 2000).all() and (out["end"] == 2010).all()


def test_break_in_the_end_year_counts_and_on_a_missing_cell_stays_missing() -> None:
    data = base()
    at = (data["region"] == "A") & (data["category"] == "x") & (data["year"] == 2010)
    data.loc[at, "flag"] = "b"
    missing = (data["region"] == "B") & (data["category"] == "y") & (data["year"] == 2010)
    data.loc[missing, ["employment", "flag"]] = [np.nan, "d"]
    out = cells(shift_share(data, start=2000, end=2010, flags="flag"))
    assert out.loc[("A", "x"), "status"] == "break"
    assert out.loc[("B", "y"), "status"] == "missing"
    assert out.loc[("A", "y"), "status"] == "ok"
    # Left A,y and B,x: E_x 100 -> 110 (g_x = 1.1), E_y 50 -> 40 (g_y = 0.8), E 150 -> 150
    # (g = 1). B,x: national 0, mix 100 (1.1 - 1) = 10, competitive 110 - 110 = 0.
    assert out.loc[("B", "x"), EFFECTS].tolist() == pytest.approx([10, 0, 10, 0], **EXACT)
    # A,y: national 0, mix 50 (0.8 - 1) = -10, competitive 40 - 40 = 0.
    assert out.loc[("A", "y"), EFFECTS].tolist() == pytest.approx([-10, 0, -10, 0], **EXACT)
    assert out.loc[[("A", "x"), ("B", "y")], EFFECTS].isna().all().all()
    # The values themselves are reported for every cell.
    assert out.loc[("A", "x"), ["start_value", "end_value"]].tolist() == [100.0, 150.0]


def test_chosen_flag_letters_count_from_the_start_year_and_missing_flags_are_none() -> None:
    data = base().astype({"flag": object})
    data.loc[data["year"] == 2005, "flag"] = None
    at = (data["region"] == "B") & (data["category"] == "x") & (data["year"] == 2000)
    data.loc[at, "flag"] = "".join(c for c in string.ascii_letters if c not in "bd")
    # Only 'b' and 'd' break a series by default, whatever the other letters;
    # 'p' chosen counts in the start year too.
    assert cells(shift_share(data, start=2000, end=2010, flags="flag")).loc[
        ("B", "x"), "status"] == "ok"  # fmt: skip
    yearly = data.assign(year=data["year"].map({2000: 1, 2005: 2, 2010: 3}))
    assert cells(dynamic_shift_share(yearly, start=1, end=3, flags="flag")).loc[
        ("B", "x"), "status"] == "ok"  # fmt: skip
    assert cells(dynamic_shift_share(yearly, start=1, end=3, flags="flag", break_flags="p")).loc[
        ("B", "x"), "status"] == "break"  # fmt: skip
    out = cells(shift_share(data, start=2000, end=2010, flags="flag", break_flags="p"))
    assert out["status"].tolist() == ["ok", "ok", "break", "ok"]
    # No letter at all: nothing breaks, even a 'b' inside the period.
    data.loc[data["year"] == 2010, "flag"] = "b"
    out = cells(shift_share(data, start=2000, end=2010, flags="flag", break_flags=""))
    assert out["status"].tolist() == ["ok"] * 4
    # flags=None ignores the column.
    out = cells(shift_share(data, start=2000, end=2010))
    assert out["status"].tolist() == ["ok"] * 4


def test_a_cell_without_a_flag_has_no_letter_and_letters_are_matched_literally() -> None:
    data = base().astype({"flag": object})
    data.loc[data["year"] == 2005, "flag"] = None
    data.loc[data["year"] == 2010, "flag"] = np.nan
    # Whatever letters are chosen, a missing flag (None, NaN) or an empty one breaks
    # nothing.
    out = cells(
        shift_share(data, start=2000, end=2010, flags="flag", break_flags=string.ascii_letters)
    )
    assert out["status"].tolist() == ["ok"] * 4
    # A '.' is a letter like any other, not a pattern: it matches only a '.'.
    at = (data["region"] == "A") & (data["category"] == "y") & (data["year"] == 2005)
    data.loc[at, "flag"] = "p"
    out = cells(shift_share(data, start=2000, end=2010, flags="flag", break_flags="."))
    assert out["status"].tolist() == ["ok"] * 4
    data.loc[at, "flag"] = "p."
    out = cells(shift_share(data, start=2000, end=2010, flags="flag", break_flags="."))
    assert out["status"].tolist() == ["ok", "break", "ok", "ok"]


def test_absent_rows_as_zero_are_decomposed() -> None:
    # z: A 20 in 2000 and no row in 2010 (closed), B 20 -> 50; E_z 40 -> 50 (g_z = 1.25),
    # E 440 -> 550 (g = 1.25). A,z: change -20, national 20 x 0.25 = 5, mix 0,
    # competitive 0 - 20 x 1.25 = -25. B,z: 30, 5, 0, 50 - 25 = 25.
    extra = [("A", "z", 2000, 20.0, ""), ("B", "z", 2000, 20.0, ""), ("B", "z", 2010, 50.0, "")]
    zero = shift_share(base(extra), start=2000, end=2010, absent="zero")
    assert effects(zero, ("A", "z")) == pytest.approx([-20, 5, 0, -25], **EXACT)
    assert effects(zero, ("B", "z")) == pytest.approx([30, 5, 0, 25], **EXACT)
    assert effects(zero, ("A", "x")) == pytest.approx([50, 25, 5, 20], **EXACT)
    assert cells(zero).loc[("A", "z"), "end_value"] == 0.0
    # By default the absent row is missing information: A,z is left out of the totals.
    missing = cells(shift_share(base(extra), start=2000, end=2010))
    assert missing.loc[("A", "z"), "status"] == "missing"
    assert np.isnan(missing.loc[("A", "z"), "end_value"])
    # E_z 20 -> 50 (g_z = 2.5), E 420 -> 550: B,z mix 20 (2.5 - 55/42), competitive 0.
    assert missing.loc[("B", "z"), "mix"] == pytest.approx(20 * (2.5 - 55 / 42), **EXACT)
    assert missing.loc[("B", "z"), "competitive"] == pytest.approx(0.0, **EXACT)


def test_a_present_missing_value_stays_missing_when_absent_rows_are_zero() -> None:
    data = base([("A", "z", 2000, 10.0, ""), ("A", "z", 2010, np.nan, "")])
    out = cells(shift_share(data, start=2000, end=2010, absent="zero"))
    assert out.loc[("A", "z"), "status"] == "missing"
    assert np.isnan(out.loc[("A", "z"), "end_value"])
    assert effects(out.reset_index(), ("A", "x")) == pytest.approx([50, 25, 5, 20], **EXACT)


# --- reference regions ------------------------------------------------------------------


def test_reference_regions_set_the_growth_rates() -> None:
    # C is outside the reference: A and B keep the hand example's rates. C,x 10 -> 20:
    # national 10 x 0.25 = 2.5, mix 10 x 0.05 = 0.5, competitive 20 - 13 = 7. Category w
    # exists only in C: no reference growth rate (no-reference); C,v is missing in 2000
    # and stays "missing" although v has no reference either.
    extra = [
        ("C", "x", 2000, 10.0, ""), ("C", "x", 2010, 20.0, ""),
        ("C", "w", 2000, 5.0, ""), ("C", "w", 2010, 10.0, ""),
        ("C", "v", 2000, np.nan, ""), ("C", "v", 2010, 5.0, ""),
    ]  # fmt: skip
    out = shift_share(base(extra), start=2000, end=2010, reference_regions=["A", "B"])
    assert effects(out, ("C", "x")) == pytest.approx([10, 2.5, 0.5, 7], **EXACT)
    assert effects(out, ("A", "x")) == pytest.approx([50, 25, 5, 20], **EXACT)
    status = cells(out)["status"]
    assert status[("C", "w")] == "no-reference"
    assert status[("C", "v")] == "missing"
    assert np.isnan(effects(out, ("C", "w"))).all()
    # With every region in the reference, C changes the rates: E_x 210 -> 280 (g_x = 4/3),
    # E 415 -> 530 (w counted, v not): A,x mix 100 (4/3 - 530/415).
    everyone = shift_share(base(extra), start=2000, end=2010)
    assert cells(everyone).loc[("A", "x"), "mix"] == pytest.approx(
        100 * (4 / 3 - 530 / 415), **EXACT
    )
    assert cells(everyone).loc[("C", "w"), "status"] == "ok"


def test_a_reference_economy_empty_in_the_start_year_decomposes_nothing() -> None:
    # Every reference cell starts at 0 (A): E0 = 0, so no category has a reference growth
    # rate; every ok cell is "no-reference", B's too, silently.
    data = frame(
        [
            ("A", "x", 2000, 0.0, ""), ("A", "x", 2010, 5.0, ""),
            ("A", "y", 2000, 0.0, ""), ("A", "y", 2010, 0.0, ""),
            ("B", "x", 2000, 4.0, ""), ("B", "x", 2010, 4.0, ""),
        ]
    )  # fmt: skip
    for method in ("dunn", "esteban-marquillas"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            out = shift_share(data, start=2000, end=2010, method=method, reference_regions=["A"])
        assert out["status"].tolist() == ["no-reference"] * 3
        assert out[EFFECTS].isna().all().all()


# --- Esteban-Marquillas -----------------------------------------------------------------


def em_frame() -> pd.DataFrame:
    """x: A 100 -> 150, B 100 -> 50; z: A 0 -> 0, B 100 -> 100 (g = g_x = g_z = 1).

    Plus two cells that are not ok: A,w 0 -> 10 flagged 'd' (an entry, but broken) and
    A,v 5 -> missing; neither enters the totals T_A0 = 100, T_B0 = 200, E0 = 300.
    """
    rows = [
        ("A", "x", 2000, 100.0, ""), ("A", "x", 2010, 150.0, ""),
        ("B", "x", 2000, 100.0, ""), ("B", "x", 2010, 50.0, ""),
        ("A", "z", 2000, 0.0, ""), ("A", "z", 2010, 0.0, ""),
        ("B", "z", 2000, 100.0, ""), ("B", "z", 2010, 100.0, ""),
        ("A", "w", 2000, 0.0, ""), ("A", "w", 2010, 10.0, "d"),
        ("A", "v", 2000, 5.0, ""), ("A", "v", 2010, np.nan, ""),
    ]  # fmt: skip
    return frame(rows)


def test_esteban_marquillas_hand_example_with_an_empty_cell() -> None:
    out = shift_share(em_frame(), start=2000, end=2010, method="esteban-marquillas", flags="flag")
    assert list(out.columns) == [
        "region", "category", "start", "end", "start_value", "end_value", "change",
        "national", "mix", "competitive", "allocation", "homothetic", "status",
    ]  # fmt: skip
    rows = cells(out)
    components = ["change", "national", "mix", "competitive", "allocation", "homothetic"]
    # A,x: homothetic 100 x 200 / 300 = 200/3, gap 1.5 - 1 = 0.5: competitive 100/3,
    # allocation (100 - 200/3) 0.5 = 50/3.
    assert rows.loc[("A", "x"), components].tolist() == pytest.approx(
        [50, 0, 0, 100 / 3, 50 / 3, 200 / 3], **EXACT
    )
    # B,x: homothetic 200 x 200 / 300 = 400/3, gap 0.5 - 1 = -0.5: -200/3 and
    # (100 - 400/3)(-0.5) = 50/3.
    assert rows.loc[("B", "x"), components].tolist() == pytest.approx(
        [-50, 0, 0, -200 / 3, 50 / 3, 400 / 3], **EXACT
    )
    # A,z: 0 -> 0 is no entry: gap 0, every effect 0; homothetic 100 x 100 / 300.
    assert rows.loc[("A", "z"), "status"] == "ok"
    assert rows.loc[("A", "z"), components].tolist() == pytest.approx(
        [0, 0, 0, 0, 0, 100 / 3], **EXACT
    )
    # B,z: homothetic 200 x 100 / 300 = 200/3, gap 0.
    assert rows.loc[("B", "z"), components].tolist() == pytest.approx(
        [0, 0, 0, 0, 0, 200 / 3], **EXACT
    )
    # The broken entry stays a break, the missing cell missing; neither is decomposed.
    assert rows.loc[("A", "w"), "status"] == "break"
    assert rows.loc[("A", "v"), "status"] == "missing"
    assert rows.loc[[("A", "w"), ("A", "v")], components].isna().all().all()


def test_esteban_marquillas_with_values_below_one() -> None:
    # x only: A 0.5 -> 1, B 0.5 -> 0.5; E0 = E_x0 = 1, g = g_x = 3/2. T_A0 = T_B0 = 0.5,
    # homothetic 0.5 x 1 / 1 = 0.5 each; national 0.5 x 1/2 = 1/4 each, mix 0.
    # A: gap 1/0.5 - 3/2 = 1/2: competitive 1/4, allocation 0; B: gap -1/2: -1/4, 0.
    data = frame(
        [
            ("A", "x", 2000, 0.5, ""), ("A", "x", 2010, 1.0, ""),
            ("B", "x", 2000, 0.5, ""), ("B", "x", 2010, 0.5, ""),
        ]
    )  # fmt: skip
    out = cells(shift_share(data, start=2000, end=2010, method="esteban-marquillas"))
    columns = ["national", "mix", "competitive", "allocation", "homothetic"]
    assert out.loc[("A", "x"), columns].tolist() == pytest.approx([0.25, 0, 0.25, 0, 0.5], **EXACT)
    assert out.loc[("B", "x"), columns].tolist() == pytest.approx([0.25, 0, -0.25, 0, 0.5], **EXACT)


def test_an_entry_below_one_is_an_entry() -> None:
    # x: A 0 -> 0.5, B 2 -> 2 (E_x 2 -> 2.5). Dunn: A,x competitive 0.5 - 0 x 1.25 = 0.5.
    data = frame(
        [
            ("A", "x", 2000, 0.0, ""), ("A", "x", 2010, 0.5, ""),
            ("B", "x", 2000, 2.0, ""), ("B", "x", 2010, 2.0, ""),
        ]
    )  # fmt: skip
    em = cells(shift_share(data, start=2000, end=2010, method="esteban-marquillas"))
    assert em.loc[("A", "x"), "status"] == "entry"
    assert np.isnan(em.loc[("A", "x"), ["competitive", "allocation"]].astype(float)).all()
    dunn = cells(shift_share(data, start=2000, end=2010))
    assert dunn.loc[("A", "x"), EFFECTS].tolist() == pytest.approx([0.5, 0, 0, 0.5], **EXACT)


def test_an_entry_into_a_category_without_reference_is_no_reference() -> None:
    # Without the flags A,w (0 -> 10) is ok for the totals, but E_w0 = 0: w has no
    # reference growth rate, which is said last, over "entry".
    out = cells(shift_share(em_frame(), start=2000, end=2010, method="esteban-marquillas"))
    assert out.loc[("A", "w"), "status"] == "no-reference"
    assert out.loc[("A", "w"), ["change", "competitive", "allocation", "homothetic"]].isna().all()
    # Dunn decomposes nothing for w either: E_w0 = 0 (no reference growth rate).
    dunn = cells(shift_share(em_frame(), start=2000, end=2010))
    assert dunn.loc[("A", "w"), "status"] == "no-reference"
    assert list(dunn.columns) == [
        "start", "end", "start_value", "end_value", "change", "national", "mix",
        "competitive", "status",
    ]  # fmt: skip


# --- dynamic shift-share -----------------------------------------------------------------


def yearly_frame() -> pd.DataFrame:
    """Years 1, 2, 3. A,x: 10, 20, 30; A,y: 10, 10, missing; B,x: missing, 10, 10;
    B,y: 10, 10, 10; A,z: 10, 10 (flagged 'b' in year 2), 10.
    """
    rows = []
    for r, c, values, flags in [
        ("A", "x", [10.0, 20.0, 30.0], ["", "", ""]),
        ("A", "y", [10.0, 10.0, np.nan], ["", "", ""]),
        ("B", "x", [np.nan, 10.0, 10.0], ["", "", ""]),
        ("B", "y", [10.0, 10.0, 10.0], ["", "", ""]),
        ("A", "z", [10.0, 10.0, 10.0], ["", "b", ""]),
    ]:
        rows += [(r, c, y, v, f) for y, v, f in zip((1, 2, 3), values, flags, strict=True)]
    return frame(rows)


def test_dynamic_reports_the_values_of_the_start_and_end_years() -> None:
    out = cells(dynamic_shift_share(yearly_frame(), start=1, end=3, flags="flag"))
    # A,y is missing in year 3 and B,x in year 1: their start and end values are those
    # years' (missing), not the neighbouring year's.
    assert out.loc[("A", "y"), "start_value"] == 10.0
    assert np.isnan(out.loc[("A", "y"), "end_value"])
    assert np.isnan(out.loc[("B", "x"), "start_value"])
    assert out.loc[("B", "x"), "end_value"] == 10.0
    assert out.loc[("A", "x"), ["start_value", "end_value"]].tolist() == [10.0, 30.0]
    assert out.loc[("A", "y"), "status"] == "missing"
    assert out.loc[("B", "x"), "status"] == "missing"
    # A,z: the 'b' of year 2 breaks the first period only; the row is a break.
    assert out.loc[("A", "z"), "status"] == "break"
    assert out.loc[[("A", "y"), ("B", "x"), ("A", "z")], EFFECTS].isna().all().all()


def test_dynamic_sums_and_statuses_by_hand() -> None:
    out = dynamic_shift_share(yearly_frame(), start=1, end=3, flags="flag")
    assert list(out.columns) == [
        "region", "category", "start", "end", "start_value", "end_value", "change",
        "national", "mix", "competitive", "status",
    ]  # fmt: skip
    assert out[["region", "category"]].values.tolist() == [
        ["A", "x"], ["A", "y"], ["A", "z"], ["B", "x"], ["B", "y"],
    ]  # fmt: skip
    # Period 1-2 (ok: A,x 10 -> 20, A,y 10 -> 10, B,y 10 -> 10): E_x 10 -> 20 (g_x = 2),
    # E_y 20 -> 20 (g_y = 1), E 30 -> 40 (g = 4/3). B,y: national 10/3, mix -10/3, comp. 0.
    # Period 2-3 (ok: A,x 20 -> 30, B,x 10 -> 10, B,y 10 -> 10, A,z 10 -> 10): E_x 30 -> 40
    # (g_x = 4/3), E_y 10 -> 10, E_z 10 -> 10, E 50 -> 60 (g = 6/5).
    # B,y: national 10 x 1/5 = 2, mix 10 (1 - 6/5) = -2, competitive 0.
    rows = cells(out)
    assert rows.loc[("B", "y"), EFFECTS].tolist() == pytest.approx(
        [0, 10 / 3 + 2, -10 / 3 - 2, 0], **EXACT
    )
    # A,x: period 1: national 10/3, mix 10 (2 - 4/3) = 20/3, competitive 20 - 20 = 0;
    # period 2: national 20/5 = 4, mix 20 (4/3 - 6/5) = 8/3, competitive 30 - 80/3 = 10/3.
    assert rows.loc[("A", "x"), EFFECTS].tolist() == pytest.approx(
        [20, 10 / 3 + 4, 20 / 3 + 8 / 3, 10 / 3], **EXACT
    )
    yearly = dynamic_shift_share(yearly_frame(), start=1, end=3, flags="flag", yearly=True)
    assert yearly[["region", "category", "start"]].values.tolist() == [
        ["A", "x", 1], ["A", "x", 2], ["A", "y", 1], ["A", "y", 2], ["A", "z", 1],
        ["A", "z", 2], ["B", "x", 1], ["B", "x", 2], ["B", "y", 1], ["B", "y", 2],
    ]  # fmt: skip
    assert yearly["status"].tolist() == [
        "ok", "ok", "ok", "missing", "break", "ok", "missing", "ok", "ok", "ok",
    ]  # fmt: skip
    assert yearly["end"].tolist() == [2, 3] * 5


def test_dynamic_status_is_the_first_problem() -> None:
    # A,y: broken in period 1-2 ('d' in year 2), missing in period 2-3: "break".
    data = yearly_frame()
    at = (data["region"] == "A") & (data["category"] == "y") & (data["year"] == 2)
    data.loc[at, "flag"] = "d"
    out = cells(dynamic_shift_share(data, start=1, end=3, flags="flag"))
    assert out.loc[("A", "y"), "status"] == "break"


def test_dynamic_over_one_period_is_the_classic_decomposition() -> None:
    data = base().assign(year=lambda f: f["year"].map({2000: 1, 2005: 5, 2010: 2}))
    # Years 1 and 2 are 2000 and 2010 of the hand example.
    out = cells(dynamic_shift_share(data, start=1, end=2))
    assert out.loc[("A", "x"), EFFECTS].tolist() == pytest.approx([50, 25, 5, 20], **EXACT)
    assert out.loc[("B", "y"), EFFECTS].tolist() == pytest.approx([50, 37.5, -7.5, 20], **EXACT)
    assert (out["status"] == "ok").all()
    em = cells(dynamic_shift_share(data, start=1, end=2, method="esteban-marquillas"))
    # Homothetic A,x = 150 x 200 / 400 = 75, competitive 15, allocation 5 (hand example).
    assert em.loc[("A", "x"), ["competitive", "allocation", "homothetic"]].tolist() == (
        pytest.approx([15, 5, 75], **EXACT)
    )


def test_dynamic_passes_the_reference_regions_on() -> None:
    # The reference example over one period (years 1 and 2): C is outside the reference,
    # C,x 10 -> 20: national 2.5, mix 0.5, competitive 7 (see above).
    extra = [("C", "x", 2000, 10.0, ""), ("C", "x", 2010, 20.0, "")]
    data = base(extra).assign(year=lambda f: f["year"].map({2000: 1, 2005: 5, 2010: 2}))
    out = cells(dynamic_shift_share(data, start=1, end=2, reference_regions=["A", "B"]))
    assert out.loc[("C", "x"), EFFECTS].tolist() == pytest.approx([10, 2.5, 0.5, 7], **EXACT)


def test_dynamic_checks_the_order_of_the_years_before_the_options() -> None:
    data = base().assign(year=lambda f: f["year"].map({2000: 1, 2005: 2, 2010: 3}))
    with pytest.raises(
        ParameterError,
        match=r"^The 'end' year must come after the 'start' year\. Got start=2, end=2\.$",
    ):
        dynamic_shift_share(data, start=2, end=2, method="gerfin")  # type: ignore[arg-type]
