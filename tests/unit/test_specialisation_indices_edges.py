"""Specialisation indices with a reference area other than all regions.

Written for a survivor of the mutation run of ``measures/specialisation_indices.py``
(issue 16: the reference regions of ``specialisation_gini`` were never used by a test);
expected values worked out by hand in the comments.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from clusteratlas.measures import specialisation_coefficient, specialisation_gini, theil_index

# A: x 10, y 30; B: x 30, y 30.
DATA = pd.DataFrame(
    {"region": ["A", "A", "B", "B"], "category": ["x", "y", "x", "y"],
     "employment": [10.0, 30.0, 30.0, 30.0]}
)  # fmt: skip


def test_specialisation_gini_uses_the_reference_regions() -> None:
    # Reference A: s_c = (.25, .75). A's LQs (1, 1): G = 0. B's LQs (.5/.25, .5/.75) =
    # (2, 2/3), mean 4/3: G = 2 / (2² · 4/3) · [1 · (2/3 - 4/3) + 2 · (2 - 4/3)] = 1/4.
    out = specialisation_gini(DATA, by=(), reference_regions=["A"])
    assert out["region"].tolist() == ["A", "B"]
    assert out["gini"].tolist() == pytest.approx([0.0, 0.25])


def test_specialisation_gini_against_all_regions_differs() -> None:
    # All regions: s_c = (.4, .6). A's LQs (.625, 1.25), mean .9375:
    # G = 2 / (4 · .9375) · [1 · (-.3125) + 2 · .3125] = 1/6. B's LQs (1.25, 5/6), mean
    # 25/24: G = 2 / (4 · 25/24) · [1 · (-5/24) + 2 · (5/24)] = 0.1.
    out = specialisation_gini(DATA, by=())
    assert out["gini"].tolist() == pytest.approx([1.0 / 6.0, 0.1])


def test_specialisation_gini_leaves_out_categories_absent_from_the_reference() -> None:
    # z has 20 jobs in B only, none in the reference A: s_c = (.25, .75, 0), so z has no LQ
    # and n = 2. A: (1, 1), G = 0. B (total 80): shares (.375, .375, .25), LQs over x, y
    # (1.5, .5), mean 1: G = 2 / (2² · 1) · [1 · (.5 - 1) + 2 · (1.5 - 1)] = 1/4. Counting z
    # would divide by s_z = 0 and leave both indices missing.
    data = pd.concat(
        [DATA, pd.DataFrame({"region": ["B"], "category": ["z"], "employment": [20.0]})],
        ignore_index=True,
    )
    out = specialisation_gini(data, by=(), reference_regions=["A"])
    assert out["gini"].tolist() == pytest.approx([0.0, 0.25])


def test_specialisation_gini_is_missing_when_the_reference_has_no_employment() -> None:
    # The reference C employs nobody: no category has s_c > 0, so no LQ exists and every
    # region's index is missing (not 0, which would claim an even structure), in the
    # order of the regions.
    data = pd.concat(
        [DATA, pd.DataFrame({"region": ["C", "C"], "category": ["x", "y"],
                             "employment": [0.0, 0.0]})],
        ignore_index=True,
    )  # fmt: skip
    out = specialisation_gini(data, by=(), reference_regions=["C"])
    assert out["region"].tolist() == ["A", "B", "C"]
    assert out["gini"].isna().all()
    assert len(out) == 3


def test_theil_index_uses_the_reference_regions() -> None:
    # Reference A: s_c = (.25, .75). A is alike: T = 0, H = -(.25 ln .25 + .75 ln .75).
    # B (.5, .5): T = .5 ln(.5/.25) + .5 ln(.5/.75) = .5 ln(4/3); H = ln 2. Against all
    # regions (s_c = (.4, .6)) A's T would be .25 ln(.25/.4) + .75 ln(.75/.6) > 0.
    out = theil_index(DATA, by=(), reference_regions=["A"])
    assert out["region"].tolist() == ["A", "B"]
    assert out["theil"].tolist() == pytest.approx([0.0, 0.5 * math.log(4.0 / 3.0)], abs=1e-15)
    h_a = -(0.25 * math.log(0.25) + 0.75 * math.log(0.75))
    assert out["entropy"].tolist() == pytest.approx([h_a, math.log(2.0)])


def test_theil_index_with_a_category_the_reference_lacks_is_infinite() -> None:
    # z: 20 jobs in B, none in the reference A, so s_z = 0: A's term for z is 0 ln 0 = 0 and
    # T_A = 0; B's is .25 ln(.25 / 0) = +inf (the relative entropy of a structure the
    # reference cannot produce). H_B = -(2 · .375 ln .375 + .25 ln .25). No warning escapes
    # (the tests turn warnings into errors).
    data = pd.concat(
        [DATA, pd.DataFrame({"region": ["B"], "category": ["z"], "employment": [20.0]})],
        ignore_index=True,
    )
    out = theil_index(data, by=(), reference_regions=["A"]).set_index("region")
    assert out.loc["A", "theil"] == pytest.approx(0.0, abs=1e-15)
    assert out.loc["B", "theil"] == math.inf
    h_b = -(2 * 0.375 * math.log(0.375) + 0.25 * math.log(0.25))
    assert out.loc["B", "entropy"] == pytest.approx(h_b)


def test_theil_index_zero_employment_and_missing_values() -> None:
    # A: x 10, y 0 (a zero, not a gap): absolute T = ln 2 - H with H = -(1 ln 1 + 0 ln 0) = 0.
    # B: x 5, y 5: T = 0, H = ln 2. C: x missing, y 10: both indices missing, and only C's.
    data = pd.DataFrame(
        {"region": list("AABBCC"), "category": list("xyxyxy"),
         "employment": [10.0, 0.0, 5.0, 5.0, np.nan, 10.0]}
    )  # fmt: skip
    out = theil_index(data, by=(), kind="absolute").set_index("region")
    assert out["theil"].dtype == "float64" and out["entropy"].dtype == "float64"
    assert out.loc["A", "theil"] == pytest.approx(math.log(2.0))
    assert out.loc["A", "entropy"] == pytest.approx(0.0, abs=1e-15)
    assert out.loc["B", "theil"] == pytest.approx(0.0, abs=1e-15)
    assert out.loc["B", "entropy"] == pytest.approx(math.log(2.0))
    assert out.loc[["A", "B"]].notna().all().all()
    assert out.loc["C"].isna().all()


def test_specialisation_coefficient_passes_its_options_to_krugman() -> None:
    # Half Krugman's index, with the same column names and reference area: against A
    # ((.25, .75)), B ((.5, .5)) is at (|.5 - .25| + |.5 - .75|) / 2 = .25.
    data = DATA.rename(columns={"region": "nuts2", "category": "nace", "employment": "jobs"})
    out = specialisation_coefficient(data, region="nuts2", category="nace", value="jobs", by=(),
                                     reference_regions=["A"])  # fmt: skip
    assert out["nuts2"].tolist() == ["A", "B"]
    assert out.iloc[:, -1].tolist() == pytest.approx([0.0, 0.25])
