from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clusteratlas.errors import ParameterError, UnknownCodeError
from clusteratlas.mapping.portfolio import (
    cluster_strength,
    compare_regions,
    portfolio,
    rank_regions,
)

MAP = pd.DataFrame(
    {
        "region": ["A", "A", "A", "B", "B", "B"],
        "region_name": ["Alpha", "Alpha", "Alpha", "Beta", "Beta", "Beta"],
        "category": ["X", "Y", "Z", "X", "Y", "Z"],
        "category_label": ["Ex", "Why", "Zed", "Ex", "Why", "Zed"],
        "employment": [100.0, 300.0, 600.0, 50.0, np.nan, 50.0],
        "lq": [2.0, 0.5, 1.2, 1.0, np.nan, 3.0],
        "strong": [True, False, True, False, False, True],
    }
)
RELATED = pd.DataFrame(
    {
        "category": ["X", "X", "Y"],
        "related": ["Z", "Y", "X"],
        "strength": ["strong", "weak", "weak"],
    }
)


def test_portfolio_sorted_by_lq_with_ranks_and_related_clusters() -> None:
    rows = portfolio(MAP, "A", related=RELATED)
    assert list(rows["category"]) == ["X", "Z", "Y"]
    # X: A has LQ 2 > B's 1 -> rank 1; Z: B's 3 beats A's 1.2 -> rank 2.
    assert list(rows["rank_in_category"]) == [1, 2, 1]
    x = rows.set_index("category").loc["X"]
    assert x["strongly_related"] == "Z*"  # Z is strong in A, so starred
    assert x["weakly_related"] == "Y"


def test_a_region_is_found_by_its_name_and_a_near_miss_is_suggested() -> None:
    # An exact name in any case is the region; a misspelt one gets its code suggested.
    assert set(portfolio(MAP, "beta")["region"]) == {"B"}
    with pytest.raises(UnknownCodeError, match=r"Did you mean 'B' \(Beta\)"):
        portfolio(MAP, "Betta")
    with pytest.raises(UnknownCodeError, match="Unknown region 'Q'"):
        portfolio(MAP, "Q")


def test_cluster_strength_is_share_of_employment_in_strong_clusters() -> None:
    out = cluster_strength(MAP).set_index("region")
    assert out.loc["A", "cluster_strength"] == pytest.approx(700 / 1000)
    assert out.loc["B", "cluster_strength"] == pytest.approx(50 / 100)
    assert out.loc["A", "n_clusters"] == 2


def test_rank_regions_puts_missing_last_and_accepts_a_label() -> None:
    ranked = rank_regions(MAP, "Y")
    assert list(ranked["region"]) == ["A", "B"]
    assert pd.isna(ranked["rank"].iloc[1])
    assert list(rank_regions(MAP, "zed")["region"]) == ["B", "A"]  # Z by its label
    with pytest.raises(UnknownCodeError, match=r"Did you mean 'Z' \(Zed\)"):
        rank_regions(MAP, "Zee")


def test_compare_regions_side_by_side() -> None:
    wide = compare_regions(MAP, ["B", "A"]).set_index("category")
    assert list(wide.columns[:3]) == ["category_label", "B", "A"]
    assert wide.loc["Z", "B"] == 3.0 and wide.loc["Z", "A_strong"]
    with pytest.raises(ParameterError, match="between 1 and 10"):
        compare_regions(MAP, [f"R{i}" for i in range(11)])
