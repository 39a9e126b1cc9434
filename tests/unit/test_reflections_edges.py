"""The method of reflections at its edges (written for mutation survivors, issue 16).

The scores are iterated by hand from the incidence of ``DATA`` (threshold 1):

====  ===  ===  ===
      x    y    z
====  ===  ===  ===
A     1    0    0
B     1    1    0
C     0    1    0
D     0    1    0
====  ===  ===  ===

(A: x=4; B: x=2, y=3, the overall shares 0.4/0.6, so both LQs are exactly 1; C, D:
y=3; z has no employment anywhere). Diversity (1, 2, 1, 1), ubiquity (2, 3, 0).
Step 1: regions (2, 2.5, 3, 3), industries x = (1 + 2)/2 = 1.5, y = (2 + 1 + 1)/3 = 4/3.
Step 2: regions (1.5, (1.5 + 4/3)/2 = 17/12, 4/3, 4/3).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from clusteratlas.errors import ParameterError
from clusteratlas.measures import method_of_reflections

DATA = pd.DataFrame(
    {
        "nuts": ["A", "A", "B", "B", "C", "D"],
        "nace": ["x", "z", "x", "y", "y", "y"],
        "jobs": [4.0, 0.0, 2.0, 3.0, 3.0, 3.0],
    }
)


def test_steps_must_be_non_negative_ints_and_the_message_names_which() -> None:
    with pytest.raises(
        TypeError,
        match=r"^The 'region_steps' parameter of method_of_reflections must be an int in "
        r"\[0, inf\)\. Got float instead\.$",
    ):
        method_of_reflections(DATA, region="nuts", industry="nace", value="jobs", region_steps=2.0)  # type: ignore[arg-type]
    with pytest.raises(
        TypeError,
        match=r"^The 'industry_steps' parameter of method_of_reflections must be an int in "
        r"\[0, inf\)\. Got bool instead\.$",
    ):
        method_of_reflections(
            DATA, region="nuts", industry="nace", value="jobs", industry_steps=True
        )
    with pytest.raises(
        ParameterError,
        match=r"^The 'region_steps' parameter must be a number in \[0, inf\]\. Got -1 instead\.$",
    ):
        method_of_reflections(DATA, region="nuts", industry="nace", value="jobs", region_steps=-1)
    with pytest.raises(
        ParameterError,
        match=r"^The 'industry_steps' parameter must be a number in \[0, inf\]\. Got -1 instead\.$",
    ):
        method_of_reflections(DATA, region="nuts", industry="nace", value="jobs", industry_steps=-1)


def test_scores_of_a_rectangular_incidence_with_an_industry_without_rca() -> None:
    result = method_of_reflections(
        DATA, region="nuts", industry="nace", value="jobs", region_steps=2, industry_steps=1
    )
    assert (result.region_steps, result.industry_steps) == (2, 1)
    regions, industries = result.regions, result.industries
    assert list(regions.columns) == ["nuts", "diversity", "morc"]
    assert list(industries.columns) == ["nace", "ubiquity", "mort"]
    assert regions["nuts"].tolist() == ["A", "B", "C", "D"]
    assert industries["nace"].tolist() == ["x", "y", "z"]
    assert regions["diversity"].dtype == np.dtype("int64")
    assert industries["ubiquity"].dtype == np.dtype("int64")
    assert regions["diversity"].tolist() == [1, 2, 1, 1]
    assert industries["ubiquity"].tolist() == [2, 3, 0]
    np.testing.assert_allclose(regions["morc"], [1.5, 17 / 12, 4 / 3, 4 / 3], rtol=1e-12)
    np.testing.assert_allclose(industries["mort"], [1.5, 4 / 3, np.nan], rtol=1e-12)


def test_the_threshold_is_passed_on() -> None:
    # threshold 1.5: B's LQs of exactly 1 are no RCA; A,x = 2.5, C,y = D,y = 5/3 are.
    result = method_of_reflections(
        DATA,
        region="nuts",
        industry="nace",
        value="jobs",
        threshold=1.5,
        region_steps=0,
        industry_steps=0,
    )
    assert result.regions["diversity"].tolist() == [1, 0, 1, 1]
    assert result.industries["ubiquity"].tolist() == [1, 2, 0]
    np.testing.assert_array_equal(result.regions["morc"], [1.0, np.nan, 1.0, 1.0])


def test_equal_scores_rescale_to_missing_without_a_warning() -> None:
    # A does only x, B only y: every score is 1 at steps 1 and 2, and the min-max
    # rescaling of step 3 is 0/0 for all of them.
    data = pd.DataFrame(
        {
            "region": ["A", "A", "B", "B"],
            "industry": ["x", "y", "x", "y"],
            "employment": [1.0, 0.0, 0.0, 1.0],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = method_of_reflections(data, region_steps=3, industry_steps=3)
    assert result.regions["morc"].isna().all()
    assert result.industries["mort"].isna().all()
    np.testing.assert_array_equal(
        method_of_reflections(data, region_steps=2, industry_steps=2).regions["morc"], [1.0, 1.0]
    )


def test_all_missing_scores_stay_missing_at_later_steps_without_a_warning() -> None:
    # As above, A does only x and B only y: step 3 is all-NaN, and each later step
    # averages NaNs; step 4 on must neither warn ("All-NaN slice") nor fail.
    data = pd.DataFrame({"region": ["A", "B"], "industry": ["x", "y"], "employment": [1.0, 1.0]})
    for region_steps, industry_steps in [(4, 4), (20, 19)]:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            result = method_of_reflections(
                data, region_steps=region_steps, industry_steps=industry_steps
            )
        assert result.regions["diversity"].tolist() == [1, 1]
        assert result.industries["ubiquity"].tolist() == [1, 1]
        assert result.regions["morc"].isna().all()
        assert result.industries["mort"].isna().all()
    # Without rescaling nothing is 0/0: every step keeps the score 1.
    raw = method_of_reflections(data, region_steps=20, industry_steps=19, rescale=False)
    np.testing.assert_array_equal(raw.regions["morc"], [1.0, 1.0])
    np.testing.assert_array_equal(raw.industries["mort"], [1.0, 1.0])
