from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clusteratlas.engine import aggregate_to_categories, aggregate_to_parents
from clusteratlas.errors import SchemaError


def _observations() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region": ["R1", "R1", "R1", "R2", "R2", "R2"],
            "industry": ["111", "112", "211", "111", "112", "211"],
            "year": [2019] * 6,
            "employment": [10.0, 5.0, 7.0, np.nan, 4.0, np.nan],
            "establishments": [1.0, 1.0, 2.0, 3.0, 1.0, 1.0],
            "wages": [np.nan] * 6,
        }
    )


DEFINITIONS = pd.DataFrame(
    {"industry": ["111", "112", "211", "211"], "category": ["Farm", "Farm", "Mine", "Energy"]}
)


def test_categories_sum_available_members_and_count_missing() -> None:
    out = aggregate_to_categories(_observations(), DEFINITIONS).set_index(["region", "category"])
    # R1 Farm = 10 + 5; R2 Farm = 4 (111 suppressed); R2 Mine has only missing members.
    assert out.loc[("R1", "Farm"), "employment"] == 15.0
    assert out.loc[("R2", "Farm"), "employment"] == 4.0
    assert out.loc[("R2", "Farm"), "n_missing"] == 1
    assert np.isnan(out.loc[("R2", "Mine"), "employment"])
    assert out.loc[("R2", "Mine"), "establishments"] == 1.0
    # An industry in two categories counts in both.
    assert out.loc[("R1", "Energy"), "employment"] == out.loc[("R1", "Mine"), "employment"] == 7.0
    assert np.isnan(out["wages"]).all()


def test_parents_sum_children() -> None:
    out = aggregate_to_parents(_observations(), {"R1": "P", "R2": "P"})
    farm = out.set_index("industry").loc["112"]
    assert farm["employment"] == 9.0 and farm["n_children"] == 2
    assert out.set_index("industry").loc["111", "employment"] == 10.0


def test_missing_columns_are_named() -> None:
    with pytest.raises(SchemaError, match="'category'"):
        aggregate_to_categories(_observations(), DEFINITIONS[["industry"]])
