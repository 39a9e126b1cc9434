"""Concentration measures at their edges: the documented row order of the results.

Written for survivors of the mutation run of ``measures/concentration.py`` (issue 16);
expected values worked out by hand in the comments.
"""

from __future__ import annotations

import pandas as pd
import pytest

from clusteratlas.measures import herfindahl, krugman_index


def test_krugman_rows_are_sorted_by_region_whatever_the_input_order() -> None:
    # A: x 10, y 30 (shares .25, .75); B: .5, .5; C: .75, .25; reference: x 60, y 60 of
    # 120 (.5, .5). K_A = .25 + .25 = 0.5, K_B = 0, K_C = 0.5. Input rows C, B, A.
    data = pd.DataFrame(
        {"region": ["C", "C", "B", "B", "A", "A"], "category": ["x", "y"] * 3,
         "employment": [30.0, 10.0, 20.0, 20.0, 10.0, 30.0]}
    )  # fmt: skip
    out = krugman_index(data, by=())
    assert out["region"].tolist() == ["A", "B", "C"]
    assert out["krugman"].tolist() == pytest.approx([0.5, 0.0, 0.5])


def test_herfindahl_rows_are_sorted_by_category_whatever_the_input_order() -> None:
    # y: A 10, B 10 -> H = .25 + .25 = 0.5; x: A 10, B 30 -> H = .0625 + .5625 = 0.625.
    # n = 2, H* = (H - 1/2) / (1 - 1/2): y 0, x 0.25. Input rows y before x.
    data = pd.DataFrame(
        {"region": ["A", "B", "A", "B"], "category": ["y", "y", "x", "x"],
         "employment": [10.0, 10.0, 10.0, 30.0]}
    )  # fmt: skip
    out = herfindahl(data, by=())
    assert out["category"].tolist() == ["x", "y"]
    assert out["herfindahl"].tolist() == pytest.approx([0.625, 0.5])
    assert out["herfindahl_normalised"].tolist() == pytest.approx([0.25, 0.0])
