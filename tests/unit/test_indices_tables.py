"""The agglomeration and coagglomeration tables of detect/indices.py on hand-made plants.

Written for the survivors of a mutation run (issue 16): the index of the tables, the
boundary and default of ``min_plants``, the order of tied pairs and the messages.
"""

from __future__ import annotations

import pandas as pd
import pytest

from clusteratlas.detect import agglomeration_table, coagglomeration_table
from clusteratlas.errors import ParameterError, SchemaError


def _plants(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["industry", "commune", "weight"])
    return frame.assign(iris=frame["commune"] + "1")


# a: 2 plants, b: 3 plants, c: 1 plant; pairs come as (a, b), (a, c), (b, c).
SMALL = _plants(
    [("a", "A", 2.0), ("a", "B", 2.0), ("b", "A", 2.0), ("b", "A", 1.0), ("b", "C", 3.0),
     ("c", "C", 2.0)]
)  # fmt: skip


def test_agglomeration_table_is_numbered_across_levels() -> None:
    table = agglomeration_table(SMALL, levels=("iris", "commune"))
    assert table["level"].tolist() == ["iris"] * 3 + ["commune"] * 3
    assert list(table.index) == [0, 1, 2, 3, 4, 5]


def test_coagglomeration_table_is_numbered_and_counts_are_integers() -> None:
    table = coagglomeration_table(SMALL, levels=("iris", "commune"))
    assert list(table.index) == list(range(6))
    assert str(table["n_plants_a"].dtype) == "int64"
    assert str(table["n_plants_b"].dtype) == "int64"


def test_min_plants_defaults_to_one_and_keeps_its_boundary_on_both_sides() -> None:
    every = coagglomeration_table(SMALL, levels=("commune",))
    assert sorted(zip(every["industry_a"], every["industry_b"], strict=True)) == [
        ("a", "b"), ("a", "c"), ("b", "c"),
    ]  # fmt: skip  # c has a single plant and still counts by default
    # a has exactly 2 plants and is the first industry of its pair: (a, b) is kept.
    two = coagglomeration_table(SMALL, levels=("commune",), min_plants=2)
    assert list(zip(two["industry_a"], two["industry_b"], strict=True)) == [("a", "b")]
    assert (two["n_plants_a"].tolist(), two["n_plants_b"].tolist()) == ([2], [3])


def test_tied_pairs_keep_their_alphabetical_order() -> None:
    # Ten industries of two kinds (even: 2 plants in A, 1 in B; odd: 1 in B, 2 in C): every
    # pair of one kind has the same gamma_c, so does every mixed pair. Ties are kept in the
    # order of the pairs (industry_a, industry_b), so the table is reproducible.
    rows = []
    for k in range(10):
        areas = ("A", "A", "B") if k % 2 == 0 else ("B", "C", "C")
        rows += [(f"i{k}", area, 2.0) for area in areas]
    table = coagglomeration_table(_plants(rows), levels=("commune",))
    assert table["gamma_c"].nunique() == 2
    expected = table.sort_values(
        ["gamma_c", "industry_a", "industry_b"], ascending=[False, True, True]
    )
    assert list(zip(table["industry_a"], table["industry_b"], strict=True)) == list(
        zip(expected["industry_a"], expected["industry_b"], strict=True)
    )


def test_parameter_messages_name_the_parameter() -> None:
    with pytest.raises(ParameterError) as info:
        coagglomeration_table(SMALL, levels=("commune",), min_plants=0)
    assert str(info.value) == (
        "The 'min_plants' parameter must be a number in [1, inf]. Got 0 instead."
    )
    with pytest.raises(ParameterError) as info:
        coagglomeration_table(SMALL, levels=("commune",), pairs=0)
    assert str(info.value) == "The 'pairs' parameter must be a number in [1, inf]. Got 0 instead."
    for table in (agglomeration_table, coagglomeration_table):
        with pytest.raises(ParameterError) as info:
            table(SMALL, levels=())
        assert str(info.value) == "The 'levels' parameter must name at least one region column."
        with pytest.raises(SchemaError) as info:
            table(SMALL, levels=("canton",))
        assert str(info.value) == (
            "establishments is missing column(s) 'canton'; it has 'industry', 'commune', "
            "'weight', 'iris'."
        )
