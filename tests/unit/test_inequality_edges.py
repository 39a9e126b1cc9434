"""Edge cases of the inequality measures (Hoover, Gini) found by the mutation run (issue 16).

Expected values worked out by hand in the comments.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from clusteratlas.errors import ParameterError, SchemaError
from clusteratlas.measures import (
    gini_coefficient,
    hoover_index,
    specialisation_gini,
    theil_index,
)


def test_a_missing_column_names_the_data_table() -> None:
    data = pd.DataFrame({"region": ["A"], "category": ["x"]})
    with pytest.raises(SchemaError, match=r"^data is missing column\(s\) 'employment'"):
        hoover_index(data, by=())


def test_gini_of_a_category_without_employment_is_missing() -> None:
    # x employs nobody anywhere: its Gini is 0/0, missing (no warning escapes: the tests
    # turn warnings into errors). y: values (1, 3), sorted; G = (2·1 - 3)·1 + (2·2 - 3)·3
    # over n · total = 2 · 4, i.e. (-1 + 3) / 8 = 0.25.
    data = pd.DataFrame({"region": list("AABB"), "category": list("xyxy"),
                         "employment": [0.0, 3.0, 0.0, 1.0]})  # fmt: skip
    out = gini_coefficient(data, by=())
    assert out["category"].tolist() == ["x", "y"]
    assert np.isnan(out["gini"].iloc[0])
    assert out["gini"].iloc[1] == pytest.approx(0.25)


def test_gini_of_values_summing_to_one() -> None:
    # Shares that sum to exactly 1 are an ordinary case: (.25, .75) gives
    # G = (-1 · .25 + 1 · .75) / (2 · 1) = 0.25, not a missing value.
    data = pd.DataFrame({"region": ["A", "B"], "category": ["x", "x"],
                         "employment": [0.25, 0.75]})  # fmt: skip
    assert gini_coefficient(data, by=())["gini"].tolist() == pytest.approx([0.25])


def test_hoover_reference_table_errors_name_the_reference() -> None:
    data = pd.DataFrame({"region": ["A", "B"], "category": ["x", "x"],
                         "employment": [1.0, 3.0]})  # fmt: skip
    with pytest.raises(SchemaError, match=r"^reference is missing column\(s\) 'weight'"):
        hoover_index(data, by=(), reference=pd.DataFrame({"region": ["A", "B"]}))
    with pytest.raises(
        ParameterError,
        match=r"^The 'reference' parameter of hoover_index must be 'total', 'uniform' or a "
        r"DataFrame\. Got int instead\.$",
    ):
        hoover_index(data, by=(), reference=3)  # type: ignore[arg-type]


def test_hoover_weights_per_year() -> None:
    # x: A 10, B 30 in both years, y = (.25, .75). 2020 weights (1, 1): x̂ = (.5, .5),
    # H = (|.25 - .5| + |.75 - .5|) / 2 = .25. 2021 weights (1, 3): x̂ = (.25, .75), H = 0.
    data = pd.DataFrame({"region": ["A", "B", "A", "B"], "category": ["x"] * 4,
                         "year": [2020, 2020, 2021, 2021],
                         "employment": [10.0, 30.0, 10.0, 30.0]})  # fmt: skip
    weights = pd.DataFrame({"region": ["A", "B", "A", "B"], "year": [2020, 2020, 2021, 2021],
                            "weight": [1.0, 1.0, 1.0, 3.0]})  # fmt: skip
    out = hoover_index(data, reference=weights)
    assert out["year"].tolist() == [2020, 2021]
    assert out["hoover"].tolist() == pytest.approx([0.25, 0.0], abs=1e-15)


def test_hoover_of_a_category_without_employment_is_missing() -> None:
    # x employs nobody: its distribution is 0/0, missing, with no warning. y: (1, 3) against
    # the total employment (1, 3): H = 0.
    data = pd.DataFrame({"region": list("AABB"), "category": list("xyxy"),
                         "employment": [0.0, 1.0, 0.0, 3.0]})  # fmt: skip
    out = hoover_index(data, by=())
    assert np.isnan(out["hoover"].iloc[0])
    assert out["hoover"].iloc[1] == pytest.approx(0.0, abs=1e-15)


def test_shares_below_one_are_ordinary_values() -> None:
    # A table of shares (every total ≤ 1) measures like counts: A (.1, .3), B (.3, .3) is
    # the DATA of the specialisation edges tests divided by 100, so the same indices.
    data = pd.DataFrame({"region": list("AABB"), "category": list("xyxy"),
                         "employment": [0.1, 0.3, 0.3, 0.3]})  # fmt: skip
    out = theil_index(data, by=(), reference_regions=["A"])
    assert out["theil"].tolist() == pytest.approx([0.0, 0.5 * math.log(4.0 / 3.0)], abs=1e-15)
    assert specialisation_gini(data, by=())["gini"].tolist() == pytest.approx([1 / 6, 0.1])
