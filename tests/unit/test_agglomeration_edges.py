"""Agglomeration indices on plants at their edges (written for mutation survivors, issue 16).

Each expected number is worked out by hand in the comment above it, from the formulas of
:mod:`clusteratlas.measures.agglomeration` (x: areas' shares of all employment, s: an
industry's shares, z: plants' shares of their industry, H = sum z^2).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from clusteratlas.errors import SchemaError, UnknownCodeError
from clusteratlas.measures.agglomeration import (
    coagglomeration,
    coagglomeration_group,
    ellison_glaeser,
    maurel_sedillot,
    micro_locational_gini,
)


def plants(rows: list[tuple[object, object, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["industry", "area", "weight"])


# CASE1 of test_agglomeration.py: x = (3/4, 1/4), sum x^2 = 5/8; P and Q have H = 1/2,
# G = 1/8 and gamma = -1/3; P: G_MS = 1, gamma_MS = 1.
CASE1 = plants([("P", "A", 2.0), ("P", "A", 2.0), ("Q", "A", 2.0), ("Q", "B", 2.0)])


def _exact(message: str) -> str:
    return f"^{re.escape(message)}$"


def test_missing_values_name_their_columns_and_rows() -> None:
    # Row 1 lacks its industry (a blank code counts as missing), row 2 its area and row 3
    # its weight: the columns in the order industry, region, weight.
    data = plants([("P", "A", 2.0), ("  ", "A", 2.0), ("Q", None, 2.0), ("Q", "B", np.nan)])
    message = (
        "establishments: missing value(s) in column(s) 'industry', 'area', 'weight' at row(s) "
        "1, 2, 3; pass missing='drop' to leave those establishments out."
    )
    with pytest.raises(SchemaError, match=_exact(message)):
        ellison_glaeser(data, region="area")


def test_only_the_first_five_bad_rows_are_listed() -> None:
    data = plants([("P", "A", -1.0)] * 7 + [("Q", "B", 1.0)])
    message = (
        "establishments: column 'weight' must hold non-negative finite numbers; bad value(s) "
        "at row(s) 0, 1, 2, 3, 4 …."
    )
    with pytest.raises(SchemaError, match=_exact(message)):
        ellison_glaeser(data, region="area")
    five = plants([("P", "A", -1.0)] * 5 + [("Q", "B", 1.0)])
    with pytest.raises(SchemaError, match=r"row\(s\) 0, 1, 2, 3, 4\.$"):
        ellison_glaeser(five, region="area")


@pytest.mark.parametrize("bad", [np.inf, -np.inf, -0.5, "many"])
def test_a_weight_that_is_not_a_non_negative_finite_number_is_refused(bad) -> None:
    data = plants([("P", "A", 2.0), ("P", "A", 2.0), ("Q", "A", bad), ("Q", "B", 2.0)])
    data["weight"] = data["weight"].astype(object)
    message = (
        "establishments: column 'weight' must hold non-negative finite numbers; bad value(s) "
        "at row(s) 2."
    )
    with pytest.raises(SchemaError, match=_exact(message)):
        ellison_glaeser(data, region="area", missing="drop")


@pytest.mark.parametrize("missing", ["raise", "drop"])
def test_no_employment_at_all_is_refused(missing) -> None:
    data = plants([("P", "A", 0.0), ("Q", "B", 0.0)])
    message = "establishments: the total of 'weight' is 0; no shares can be formed."
    with pytest.raises(SchemaError, match=_exact(message)):
        maurel_sedillot(data, region="area", missing=missing)


def test_dropped_rows_leave_the_shares_of_the_rest() -> None:
    # The three incomplete rows are dropped before x is formed: what is left is CASE1,
    # with its gamma -1/3 for both industries; codes are read with spaces stripped.
    data = plants(
        [
            (" P ", "A", 2.0),
            ("P", " A", 2.0),
            ("Q", "A", 2.0),
            ("Q", "B", 2.0),
            ("", "B", 50.0),
            ("P", None, 50.0),
            ("Q", "B", None),
        ]
    )
    eg = ellison_glaeser(data, region="area", missing="drop")
    assert eg["industry"].tolist() == ["P", "Q"]
    assert eg["n_plants"].tolist() == [2, 2]
    assert eg["n_plants"].dtype == np.int64
    np.testing.assert_allclose(eg["gamma"], [-1 / 3, -1 / 3], rtol=1e-12)
    np.testing.assert_allclose(eg["sum_x2"], [5 / 8, 5 / 8], rtol=1e-12)


def test_plant_counts_without_a_weight_column() -> None:
    # weight=None: every plant weighs 1, so CASE1 (equal weights) keeps its indices;
    # employment is the plant count.
    data = CASE1.drop(columns="weight")
    eg = ellison_glaeser(data, region="area", weight=None)
    assert eg["employment"].tolist() == [2.0, 2.0]
    np.testing.assert_allclose(eg["gamma"], [-1 / 3, -1 / 3], rtol=1e-12)
    ms = maurel_sedillot(data, region="area", weight=None)
    np.testing.assert_allclose(ms["gamma_ms"], [1.0, -5 / 3], rtol=1e-12)


def test_an_industry_without_employment_has_missing_indices() -> None:
    # Z has one plant with no employee: it counts as a plant, adds nothing to x, and every
    # index of Z is missing; P and Q keep their CASE1 values.
    data = pd.concat([CASE1, plants([("Z", "B", 0.0)])], ignore_index=True)
    eg = ellison_glaeser(data, region="area").set_index("industry")
    assert eg.loc["Z", "n_plants"] == 1 and eg.loc["Z", "employment"] == 0.0
    for column in ("H", "G", "gamma", "expected_G", "sd_G", "sd_gamma"):
        assert np.isnan(eg.loc["Z", column]), column
    np.testing.assert_allclose(eg.loc[["P", "Q"], "G"], [1 / 8, 1 / 8], rtol=1e-12)
    ms = maurel_sedillot(data, region="area").set_index("industry")
    assert np.isnan(ms.loc["Z", "G_ms"]) and np.isnan(ms.loc["Z", "gamma_ms"])
    np.testing.assert_allclose(ms.loc[["P", "Q"], "G_ms"], [1.0, -1 / 3], rtol=1e-12)
    gini = micro_locational_gini(data, region="area").set_index("industry")
    assert np.isnan(gini.loc["Z", "gini"])


def test_a_single_employing_plant_has_no_gamma_nor_its_deviation() -> None:
    # P: one plant of 2 in A (H = 1); Q: 2 in A, 2 in B. x = (2/3, 1/3), sum x^2 = 5/9.
    # Q: s = (1/2, 1/2), G = 1/36 + 1/36 = 1/18, G / (4/9) = 1/8, H = 1/2,
    # gamma = (1/8 - 1/2) / (1/2) = -3/4; G_MS = (1/2 - 5/9) / (4/9) = -1/8,
    # gamma_MS = (-1/8 - 1/2) / (1/2) = -5/4.
    data = plants([("P", "A", 2.0), ("Q", "A", 2.0), ("Q", "B", 2.0)])
    eg = ellison_glaeser(data, region="area").set_index("industry")
    assert eg.loc["P", "H"] == 1.0
    assert np.isnan(eg.loc["P", "gamma"]) and np.isnan(eg.loc["P", "sd_gamma"])
    assert eg.loc["Q", "gamma"] == pytest.approx(-3 / 4, rel=1e-12)
    ms = maurel_sedillot(data, region="area").set_index("industry")
    assert np.isnan(ms.loc["P", "gamma_ms"])
    assert ms.loc["Q", "gamma_ms"] == pytest.approx(-5 / 4, rel=1e-12)
    # The group P+Q holds every plant, so its shares are x and G = 0;
    # H = (4 + 4 + 4) / 6^2 = 1/3; w = (1/3, 2/3), sum w^2 = 5/9; P's missing gamma counts
    # as 0, Q's own term is -3/4 * 4/9 * 1/2 = -1/6;
    # gamma_c = (0 - 1/3 + 1/6) / (1 - 5/9) = -3/8.
    group = coagglomeration_group(data, industries=["P", "Q"], region="area").iloc[0]
    assert group["n_industries"] == 2 and group["n_plants"] == 3
    assert group["employment"] == 6.0
    assert group["H"] == pytest.approx(1 / 3, rel=1e-12)
    assert group["gamma_c"] == pytest.approx(-3 / 8, rel=1e-12)


def test_a_concentration_of_zero_is_not_below_zero() -> None:
    # Both industries are spread over the four areas in the same proportions (2, 7, 6, 8),
    # so each one's shares are x and G = 0 exactly; in floating point the sum of
    # s^2 - 2 s x + x^2 comes out at -5.6e-17 for these weights (found by a search).
    weights = [2.0, 7.0, 6.0, 8.0]
    rows = [("bg", a, w) for a, w in zip("ABCD", weights, strict=True)]
    rows += [("q", a, 3 * w) for a, w in zip("ABCD", weights, strict=True)]
    eg = ellison_glaeser(plants(rows), region="area")
    assert (eg["G"] >= 0.0).all()
    np.testing.assert_allclose(eg["G"], [0.0, 0.0], rtol=0, atol=1e-15)


def test_coagglomeration_names_an_unknown_industry_and_suggests_one() -> None:
    message = "Industry 'PP' of 'pairs' is not in the establishments. Did you mean 'P'?"
    with pytest.raises(UnknownCodeError, match=_exact(message)):
        coagglomeration(CASE1, region="area", pairs=[("P", "PP")])


def test_coagglomeration_reads_pair_codes_as_strings_and_names_its_columns() -> None:
    # Industries 1 and 2 laid out as P and Q of CASE1: gamma_c = -1/3 (CASE1 by hand).
    data = CASE1.assign(industry=CASE1["industry"].map({"P": "1", "Q": "2"}))
    data = data.rename(columns={"industry": "naf"})
    out = coagglomeration(data, region="area", industry="naf", pairs=[(2, 1)])
    assert list(out.columns) == ["naf_a", "naf_b", "gamma_c"]
    assert out[["naf_a", "naf_b"]].iloc[0].tolist() == ["2", "1"]
    assert out["gamma_c"].tolist() == pytest.approx([-1 / 3], rel=1e-12)
    gini = micro_locational_gini(data, region="area", industry="naf")
    assert list(gini.columns) == ["naf", "gini"]


def test_a_group_needs_two_distinct_known_industries() -> None:
    message = "A group needs at least two distinct industries. Got ['P', 'P']."
    with pytest.raises(UnknownCodeError, match=_exact(message)):
        coagglomeration_group(CASE1, industries=["P", "P"], region="area")
    message = "Industry 'R' is not in the establishments."
    with pytest.raises(UnknownCodeError, match=_exact(message)):
        coagglomeration_group(CASE1, industries=["P", "R"], region="area")


def test_six_bad_rows_are_cut_after_the_fifth() -> None:
    data = plants([("P", "A", -1.0)] * 6 + [("Q", "B", 1.0)])
    with pytest.raises(SchemaError, match=r"row\(s\) 0, 1, 2, 3, 4 …\.$"):
        ellison_glaeser(data, region="area")


def test_a_wrong_missing_option_is_named() -> None:
    message = "The 'missing' parameter must be one of 'raise', 'drop'. Got 'zero' instead."
    with pytest.raises(ValueError, match=_exact(message)):
        micro_locational_gini(CASE1, region="area", missing="zero")


def test_a_missing_column_is_named_weight_column_included() -> None:
    message = (
        "establishments is missing column(s) 'employees'; it has 'industry', 'area', 'weight'."
    )
    with pytest.raises(SchemaError, match=_exact(message)):
        ellison_glaeser(CASE1, region="area", weight="employees")
    message = "establishments is missing column(s) 'commune'; it has 'industry', 'area', 'weight'."
    with pytest.raises(SchemaError, match=_exact(message)):
        coagglomeration(CASE1, region="commune")


def test_a_total_employment_of_one_is_enough() -> None:
    # CASE1 with weights 1/4 (total 1): the shares, and so every index, are unchanged
    # (gamma -1/3 for P and Q, gamma_c -1/3).
    data = CASE1.assign(weight=0.25)
    np.testing.assert_allclose(ellison_glaeser(data, region="area")["gamma"], [-1 / 3, -1 / 3])
    np.testing.assert_allclose(coagglomeration(data, region="area")["gamma_c"], [-1 / 3])


def test_a_variance_of_zero_is_not_below_zero() -> None:
    # Three areas of one employee each; industry "one" is a single plant in area a0.
    # Wherever random location puts that plant, its shares are a unit vector and
    # G = (1 - 1/3)^2 + 2 (1/3)^2 = 2/3: G has no variance (formula: with H = sum z^4 = 1,
    # Var(G) = 4 (S3 - S2^2) = 4 (3/27 - 1/9) = 0), and E[G] = (1 - 1/3) * 1 = 2/3. In
    # floating point the formula comes out at -1.1e-16 for these weights (found by a search).
    rows = [("one", "a0", 1.0), ("bg", "a1", 1.0), ("bg", "a2", 1.0)]
    eg = ellison_glaeser(plants(rows), region="area").set_index("industry")
    assert eg.loc["one", "sd_G"] == 0.0
    assert eg.loc["one", "G"] == pytest.approx(2 / 3, rel=1e-12)
    assert eg.loc["one", "expected_G"] == pytest.approx(2 / 3, rel=1e-12)


def test_an_industry_within_rounding_of_one_plant_has_no_gamma() -> None:
    # P: plants of 1 and 1e-13 employees in the same area, H = (1 + 1e-26) / (1 + 1e-13)^2,
    # about 1 - 2e-13: within the 1e-12 the indices take for H = 1, so both gammas are
    # missing rather than a ratio of rounding errors (here G_MS = 1 and 1 - H ~ 2e-13 would
    # give gamma_MS = 1).
    data = plants([("P", "A", 1.0), ("P", "A", 1e-13), ("Q", "A", 1.0), ("Q", "B", 1.0)])
    eg = ellison_glaeser(data, region="area").set_index("industry")
    ms = maurel_sedillot(data, region="area").set_index("industry")
    assert 1.0 - 1e-12 < eg.loc["P", "H"] < 1.0
    assert np.isnan(eg.loc["P", "gamma"]) and np.isnan(ms.loc["P", "gamma_ms"])
    assert np.isfinite(ms.loc["Q", "gamma_ms"])


def test_an_empty_list_of_pairs_gives_an_empty_table() -> None:
    out = coagglomeration(CASE1, region="area", pairs=[])
    assert list(out.columns) == ["industry_a", "industry_b", "gamma_c"]
    assert out.empty


def test_a_group_passes_its_options_on() -> None:
    # CASE1 as plant counts (weight=None; its weights are equal, so the shares are the
    # same) under another industry column, with an incomplete row dropped: x = (3/4, 1/4);
    # the group P+Q holds every plant, so G = 0; H = 4 (1/4)^2 = 1/4; each industry has
    # gamma -1/3 and H_k 1/2, w = (1/2, 1/2): own = 2 (-1/3)(1/4)(1/2) = -1/12, and
    # gamma_c = (0 - 1/4 + 1/12) / (1 - 1/2) = -1/3 (as in test_agglomeration.py).
    data = pd.concat([CASE1, plants([("P", None, 5.0)])], ignore_index=True)
    data = data.drop(columns="weight").rename(columns={"industry": "naf"})
    group = coagglomeration_group(
        data, industries=["Q", "P"], region="area", industry="naf", weight=None, missing="drop"
    ).iloc[0]
    assert group["group"] == "P+Q" and group["n_plants"] == 4
    assert group["employment"] == 4.0
    assert group["H"] == pytest.approx(0.25, rel=1e-12)
    assert group["G"] == pytest.approx(0.0, abs=1e-15)
    assert group["gamma_c"] == pytest.approx(-1 / 3, rel=1e-12)


def test_a_group_absent_from_an_area_counts_a_zero_share_there() -> None:
    # P: 2 and 2 in A; Q: 2 in A, 2 in B; R: 4 in C. Totals A 6, B 2, C 4 of 12:
    # x = (1/2, 1/6, 1/3), sum x^2 = 7/18, 1 - sum x^2 = 11/18. The group P+Q (8 employees)
    # has shares (3/4, 1/4, 0): G = 1/16 + 1/144 + 1/9 = 13/72; H = 4 (2/8)^2 = 1/4.
    # P: s = (1, 0, 0), G = 7/18, H 1/2, gamma = (7/11 - 1/2) / (1/2) = 3/11;
    # Q: s = (1/2, 1/2, 0), G = 2/9, gamma = (4/11 - 1/2) / (1/2) = -3/11; w = (1/2, 1/2), so
    # the own terms cancel: gamma_c = ((13/72) / (11/18) - 1/4) / (1 - 1/2) = 1/11.
    rows = [("P", "A", 2.0), ("P", "A", 2.0), ("Q", "A", 2.0), ("Q", "B", 2.0), ("R", "C", 4.0)]
    group = coagglomeration_group(plants(rows), industries=["P", "Q"], region="area").iloc[0]
    assert group["G"] == pytest.approx(13 / 72, rel=1e-12)
    assert group["H"] == pytest.approx(1 / 4, rel=1e-12)
    assert group["gamma_c"] == pytest.approx(1 / 11, rel=1e-12)
