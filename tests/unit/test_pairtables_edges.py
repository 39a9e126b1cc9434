"""Tidy pair tables at their edges (written for mutation survivors, issue 16).

Every expected value is worked out by hand from the definitions of
:mod:`clusteratlas.measures._pairtables`: ``as_tidy`` lists the off-diagonal cells in
row-major order, ``as_matrix`` spreads them back, and the percentile of a pair is
``100 (L + E/2) / n`` (``L`` pairs strictly below, ``E`` equal pairs, the pair included,
``n`` the off-diagonal pairs with a value).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from clusteratlas.errors import SchemaError
from clusteratlas.measures import as_matrix, as_tidy, percentile_ranks


def _tidy(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["industry_a", "industry_b", "relatedness"])


@pytest.mark.parametrize("function", [as_matrix, percentile_ranks])
def test_a_tidy_table_must_be_a_frame(function) -> None:
    message = "tidy must be a pandas DataFrame. Got list instead."
    with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
        function([("a", "b", 1.0)])


def test_a_matrix_must_be_a_frame() -> None:
    message = "matrix must be a pandas DataFrame. Got ndarray instead."
    with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
        as_tidy(np.eye(2))


def test_a_matrix_must_be_square_with_the_same_industries() -> None:
    message = "matrix must be square with the same industries in index and columns."
    square = pd.DataFrame([[1.0, 0.5], [0.5, 1.0]], index=["a", "b"], columns=["a", "c"])
    with pytest.raises(SchemaError, match=f"^{re.escape(message)}$"):
        as_tidy(square)


@pytest.mark.parametrize("function", [as_matrix, percentile_ranks])
def test_a_missing_pair_column_is_named(function) -> None:
    frame = pd.DataFrame({"industry_a": ["a"], "relatedness": [1.0]})
    message = "tidy is missing column(s) 'industry_b'; it has 'industry_a', 'relatedness'."
    with pytest.raises(SchemaError, match=f"^{re.escape(message)}$"):
        function(frame)


@pytest.mark.parametrize(
    ("values", "dtype"),
    [(pd.Series(["0.5", "0.25"], dtype=object), "object"), (pd.Series([True, False]), "bool")],
)
@pytest.mark.parametrize("function", [as_matrix, percentile_ranks])
def test_the_value_column_must_be_numeric_and_not_boolean(function, values, dtype) -> None:
    frame = pd.DataFrame({"industry_a": ["a", "b"], "industry_b": ["b", "a"]})
    frame["relatedness"] = values
    message = f"tidy: column 'relatedness' must be numeric; it has dtype {dtype}."
    with pytest.raises(SchemaError, match=f"^{re.escape(message)}$"):
        function(frame)


def test_a_repeated_pair_is_refused_by_as_matrix_even_with_different_values() -> None:
    # The same ordered pair twice with two values: which one to spread is undefined.
    frame = _tidy([("a", "b", 0.2), ("a", "b", 0.4), ("b", "a", 0.3)])
    message = "tidy: each (industry_a, industry_b) pair must appear once."
    with pytest.raises(SchemaError, match=f"^{re.escape(message)}$"):
        as_matrix(frame)


def test_percentiles_accept_a_repeated_pair_and_rank_each_row() -> None:
    # Two rows of the same pair, 0.2 and 0.4: n = 2; 0.2 has L = 0, E = 1 -> 100 * 0.5 / 2
    # = 25; 0.4 has L = 1, E = 1 -> 100 * 1.5 / 2 = 75.
    out = percentile_ranks(_tidy([("a", "b", 0.2), ("a", "b", 0.4)]))
    np.testing.assert_allclose(out["percentile"], [25.0, 75.0], rtol=0, atol=1e-12)


def test_a_single_ranked_pair_is_at_the_50th_percentile() -> None:
    # One off-diagonal pair with a value (n = 1, L = 0, E = 1): 100 * 0.5 / 1 = 50. The
    # diagonal row and the missing value are not ranked and not counted in n.
    frame = _tidy([("a", "b", 0.7), ("a", "a", 1.0), ("b", "a", np.nan)])
    out = percentile_ranks(frame)
    np.testing.assert_array_equal(out["percentile"], [50.0, np.nan, np.nan])


def test_as_tidy_of_an_integer_matrix_gives_float_relatedness() -> None:
    # Off-diagonal cells in row-major order: (a, b) = 2, (b, a) = 3; percentiles of two
    # distinct values: 100 * 0.5 / 2 = 25 and 100 * 1.5 / 2 = 75.
    square = pd.DataFrame([[1, 2], [3, 4]], index=["a", "b"], columns=["a", "b"])
    out = as_tidy(square)
    assert out["relatedness"].dtype == np.float64
    assert out["relatedness"].tolist() == [2.0, 3.0]
    assert out["percentile"].tolist() == [25.0, 75.0]


def test_as_tidy_without_percentile_has_three_columns() -> None:
    square = pd.DataFrame([[1.0, 0.5], [0.25, 1.0]], index=["a", "b"], columns=["a", "b"])
    out = as_tidy(square, percentile=False)
    assert list(out.columns) == ["industry_a", "industry_b", "relatedness"]
    assert out["relatedness"].tolist() == [0.5, 0.25]
