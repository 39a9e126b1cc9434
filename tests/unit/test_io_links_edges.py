"""Input-output links at their edges (written for mutation survivors, issue 16).

Every expected number is worked out by hand in the comments.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from clusteratlas.errors import SchemaError
from clusteratlas.measures.io_links import industry_flows, io_links, naics_io_links

EXACT = {"rel": 1e-12, "abs": 1e-12}


def quiet(function, *args, **kwargs):  # type: ignore[no-untyped-def]
    """Call ``function`` with every warning turned into an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return function(*args, **kwargs)


def pair(table: pd.DataFrame, a: str, b: str, column: str = "relatedness") -> float:
    row = table[(table["industry_a"] == a) & (table["industry_b"] == b)]
    assert len(row) == 1
    return float(row[column].iloc[0])


# V (industry x commodity): c3 is made by nobody (q = 0), c4 by A (+2) and B (-2, a
# negative cell kept as published: q = 0 with non-zero cells), c2 by A alone (q = 1).
MAKE = pd.DataFrame(
    [[3.0, 1.0, 0.0, 2.0], [1.0, 0.0, 0.0, -2.0]], ["A", "B"], ["c1", "c2", "c3", "c4"]
)
# U (commodity x industry).
USE = pd.DataFrame(
    [[4.0, 8.0], [2.0, 3.0], [5.0, 7.0], [1.0, 1.0]], ["c1", "c2", "c3", "c4"], ["A", "B"]
)


def test_commodities_without_output_flow_from_no_industry() -> None:
    # q = (4, 1, 0, 0): D = A (3/4, 1, 0, 0), B (1/4, 0, 0, 0) (c3 and c4 give 0).
    # Z_AA = 3/4 x 4 + 1 x 2 = 5, Z_AB = 3/4 x 8 + 3 = 9, Z_BA = 1/4 x 4 = 1, Z_BB = 2.
    z = quiet(industry_flows, USE, MAKE)
    np.testing.assert_allclose(z.to_numpy(), [[5.0, 9.0], [1.0, 2.0]], rtol=1e-12)
    assert z.index.tolist() == ["A", "B"] and z.columns.tolist() == ["A", "B"]
    assert z.dtypes.tolist() == [np.float64, np.float64]


def test_flows_follow_the_order_of_make_whatever_the_order_of_use() -> None:
    shuffled = USE.loc[["c4", "c2", "c1", "c3"], ["B", "A"]]
    z = quiet(industry_flows, shuffled, MAKE.loc[["B", "A"]])
    # Make's order B, A: the same Z read backwards.
    np.testing.assert_allclose(z.to_numpy(), [[2.0, 1.0], [9.0, 5.0]], rtol=1e-12)
    assert z.index.tolist() == ["B", "A"] and z.columns.tolist() == ["B", "A"]


def test_nullable_floats_give_float_flows() -> None:
    z = quiet(industry_flows, USE.astype("Float64"), MAKE.astype("Float64"))
    assert z.dtypes.tolist() == [np.float64, np.float64]
    np.testing.assert_allclose(z.to_numpy(), [[5.0, 9.0], [1.0, 2.0]], rtol=1e-12)
    links = quiet(io_links, USE.astype("Float64"), MAKE.astype("Float64"))
    # X = (12, 19), g = (6, -1): A-B: input_AB = Z_BA / X_A = 1/12, input_BA = 9/19,
    # output_AB = Z_AB / g_A = 9/6 = 1.5, output_BA = Z_BA / g_B = -1: IO = 1.5.
    assert links["relatedness"].dtype == np.float64
    assert pair(links, "A", "B") == pytest.approx(1.5, **EXACT)
    assert pair(links, "A", "B", "input_ab") == pytest.approx(1 / 12, **EXACT)
    assert pair(links, "A", "B", "input_ba") == pytest.approx(9 / 19, **EXACT)
    assert pair(links, "A", "B", "output_ba") == pytest.approx(-1.0, **EXACT)
    by_output = quiet(io_links, USE.astype("Float64"), MAKE.astype("Float64"), inputs="output")
    # Denominator g: input_AB = 1/6, input_BA = 9/(-1) = -9; IO still 1.5.
    assert pair(by_output, "A", "B", "input_ab") == pytest.approx(1 / 6, **EXACT)
    assert pair(by_output, "A", "B", "input_ba") == pytest.approx(-9.0, **EXACT)


def test_messages_are_exact() -> None:
    with pytest.raises(TypeError, match=r"^use must be a UseTable or a DataFrame\. Got list\.$"):
        industry_flows([[1.0]], MAKE)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^make must be a MakeTable or a DataFrame\. Got dict\.$"):
        industry_flows(USE, {})  # type: ignore[arg-type]
    with pytest.raises(
        TypeError, match=r"^use must be a UseTable or a DataFrame\. Got NoneType\.$"
    ):
        io_links(None, MAKE)  # type: ignore[arg-type]
    mismatch = (
        r"^use and make must cover the same commodities \(use rows = make columns\) and "
        r"industries \(use columns = make rows\)\.$"
    )
    with pytest.raises(SchemaError, match=mismatch):
        industry_flows(USE.drop(index="c3"), MAKE)
    with pytest.raises(SchemaError, match=mismatch):
        industry_flows(USE.drop(columns="B"), MAKE)
    links = pd.DataFrame({"industry_a": ["1"], "industry_b": ["2"], "relatedness": [0.5]})
    mapping = pd.DataFrame({"io_industry": ["1", "2"], "naics": ["11", "21"]})
    with pytest.raises(SchemaError, match=r"^links is missing column\(s\) 'relatedness'; it has"):
        naics_io_links(links.drop(columns="relatedness"), mapping)
    with pytest.raises(SchemaError, match=r"^mapping is missing column\(s\) 'naics'; it has"):
        naics_io_links(links, mapping.drop(columns="naics"))


# Five industries: A makes 1 of c1 (g_A = 1), B 4 of c2 (g_B = 4); C, D and E make
# nothing. U: c1 -> B 1, E 2; c2 -> A 1, B 1, E -2 (negative, as published), so
# X = (1, 2, 0, 0, 0). D = V / q: A (1, 0), B (0, 1); Z = D U: Z_A = U_c1 = (0, 1, 0, 0, 2),
# Z_B = U_c2 = (1, 1, 0, 0, -2), Z_C = Z_D = Z_E = 0.
CODES = ["A", "B", "C", "D", "E"]
MAKE5 = pd.DataFrame(
    [[1.0, 0.0], [0.0, 4.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]], CODES, ["c1", "c2"]
)
USE5 = pd.DataFrame([[0.0, 1.0, 0.0, 0.0, 2.0], [1.0, 1.0, 0.0, 0.0, -2.0]], ["c1", "c2"], CODES)


def test_flows_of_the_five_industries() -> None:
    z = quiet(industry_flows, USE5, MAKE5)
    expected = np.zeros((5, 5))
    expected[0] = [0, 1, 0, 0, 2]
    expected[1] = [1, 1, 0, 0, -2]
    np.testing.assert_array_equal(z.to_numpy(), expected)


def test_shares_with_zero_denominators_are_missing_and_the_maximum_skips_them() -> None:
    links = quiet(io_links, USE5, MAKE5)
    assert list(links.columns) == [
        "industry_a", "industry_b", "relatedness", "percentile",
        "input_ab", "input_ba", "output_ab", "output_ba",
    ]  # fmt: skip
    assert len(links) == 20
    assert links[["industry_a", "industry_b"]].values.tolist()[:5] == [
        ["A", "B"], ["A", "C"], ["A", "D"], ["A", "E"], ["B", "A"],
    ]  # fmt: skip
    assert links["relatedness"].dtype == np.float64
    shares = ["input_ab", "input_ba", "output_ab", "output_ba"]
    # A-B: input_AB = Z_BA / X_A = 1/1, input_BA = Z_AB / X_B = 1/2,
    # output_AB = Z_AB / g_A = 1/1, output_BA = Z_BA / g_B = 1/4: IO = 1.
    row = links[(links["industry_a"] == "A") & (links["industry_b"] == "B")]
    assert row[shares].to_numpy().tolist()[0] == pytest.approx([1, 0.5, 1, 0.25], **EXACT)
    assert pair(links, "A", "B") == 1.0
    # A-E: input_AE = Z_EA / X_A = 0, input_EA = Z_AE / X_E = 2/0 (missing),
    # output_AE = Z_AE / g_A = 2, output_EA = 0/0 (missing): IO = 2.
    row = links[(links["industry_a"] == "A") & (links["industry_b"] == "E")]
    values = row[shares].to_numpy()[0]
    assert values[0] == 0.0 and values[2] == 2.0 and np.isnan(values[[1, 3]]).all()
    assert pair(links, "A", "E") == 2.0 and pair(links, "E", "A") == 2.0
    # B-E: input 0, output Z_BE / g_B = -2/4, the others missing: IO = max(0, -0.5) = 0.
    assert pair(links, "B", "E", "output_ab") == -0.5
    assert pair(links, "B", "E") == 0.0
    # A-C: 0/1 twice, 0/0 twice: IO 0.
    assert pair(links, "A", "C") == 0.0
    # C-D: no inputs and no output on either side: every share and the link missing.
    row = links[(links["industry_a"] == "C") & (links["industry_b"] == "D")]
    assert row[[*shares, "relatedness"]].isna().all().all()
    assert np.isnan(pair(links, "D", "C"))


def test_naics_links_take_the_strongest_and_drop_pairs_inside_an_io_industry() -> None:
    links = pd.DataFrame(
        {
            "industry_a": ["2", "3", "1", "1", "2", "3"],
            "industry_b": ["1", "1", "2", "3", "3", "2"],
            "relatedness": [0.5, 0.2, 0.5, 0.2, 0.1, 0.1],
        }
    )
    # NAICS 11 and 12 both belong to IO industry 1 (no pair between them); 13 is split
    # between IO industries 2 and 3 and keeps its strongest link: 11-13 max(0.5, 0.2).
    # The mapping's other columns (here a title) play no part.
    mapping = pd.DataFrame(
        {
            "io_industry": ["1", "1", "2", "3"],
            "naics": ["11", "12", "13", "13"],
            "title": ["a", "b", "c", "d"],
        }
    )
    out = quiet(naics_io_links, links, mapping)
    # Sorted by pair, although 13's pairs come first in links.
    assert out[["industry_a", "industry_b"]].values.tolist() == [
        ["11", "13"], ["12", "13"], ["13", "11"], ["13", "12"],
    ]  # fmt: skip
    assert out["relatedness"].tolist() == [0.5, 0.5, 0.5, 0.5]
    assert list(out.columns) == ["industry_a", "industry_b", "relatedness", "percentile"]
    # 13-13 (IO 2 -> IO 3) is a NAICS industry with itself: dropped.
    assert not ((out["industry_a"] == "13") & (out["industry_b"] == "13")).any()
