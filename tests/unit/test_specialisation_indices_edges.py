"""Specialisation indices with a reference area other than all regions.

Written for a survivor of the mutation run of ``measures/specialisation_indices.py``
(issue 16: the reference regions of ``specialisation_gini`` were never used by a test);
expected values worked out by hand in the comments.
"""

from __future__ import annotations

import pandas as pd
import pytest

from clusteratlas.measures import specialisation_gini

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
