"""Relatedness density at its edges (written for mutation survivors, issue 16).

``DATA``: A does x only, B does y and z (each industry 1 job of 3, so A,x has LQ 3 and
B,y, B,z LQ 1.5). The incidence is A (1, 0, 0), B (0, 1, 1). ``PHI`` (rows i, columns
j, diagonal 1) is asymmetric, has a missing phi_zx and an extra industry w, and its
rows and columns are not in order:

====  ====  ====  ====
      x     y     z
====  ====  ====  ====
x     1     0.5   0.25
y     0.5   1     1
z     NaN   0.75  1
====  ====  ====  ====

Row convention, diagonal dropped, missing = 0, density = sum_j phi_ij M_rj / sum_j phi_ij:
A: x 0/0.75 = 0, y 0.5/1.5 = 1/3, z 0/0.75 = 0; B: x 0.75/0.75 = 1, y 1/1.5 = 2/3,
z 0.75/0.75 = 1.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from clusteratlas.errors import ParameterError, SchemaError
from clusteratlas.measures import opportunities, relatedness_density

DATA = pd.DataFrame(
    {"region": ["A", "B", "B"], "industry": ["x", "y", "z"], "employment": [1.0, 1.0, 1.0]}
)
_ORDER = ["z", "w", "y", "x"]
_FULL = {
    ("x", "x"): 1.0, ("x", "y"): 0.5, ("x", "z"): 0.25, ("x", "w"): 1.0,
    ("y", "x"): 0.5, ("y", "y"): 1.0, ("y", "z"): 1.0, ("y", "w"): 1.0,
    ("z", "x"): np.nan, ("z", "y"): 0.75, ("z", "z"): 1.0, ("z", "w"): 1.0,
    ("w", "x"): 1.0, ("w", "y"): 1.0, ("w", "z"): 1.0, ("w", "w"): 1.0,
}  # fmt: skip
PHI = pd.DataFrame([[_FULL[(i, j)] for j in _ORDER] for i in _ORDER], index=_ORDER, columns=_ORDER)
EXPECTED = [0.0, 1 / 3, 0.0, 1.0, 2 / 3, 1.0]


def test_density_of_an_unordered_square_frame_with_an_extra_industry() -> None:
    result = relatedness_density(DATA, PHI)
    assert list(result.columns) == ["region", "industry", "rca", "density"]
    assert result["region"].tolist() == ["A", "A", "A", "B", "B", "B"]
    assert result["industry"].tolist() == ["x", "y", "z", "x", "y", "z"]
    assert result["rca"].tolist() == [1, 0, 0, 0, 1, 1]
    np.testing.assert_allclose(result["density"], EXPECTED, rtol=1e-12, atol=0)


def test_a_nullable_float_frame_gives_the_same_density() -> None:
    result = relatedness_density(DATA, PHI.astype("Float64"))
    np.testing.assert_allclose(result["density"], EXPECTED, rtol=1e-12, atol=0)


def test_own_labels_and_threshold_are_passed_on() -> None:
    # threshold 2: only A,x (LQ 3) is an RCA; B has none, so its densities are all 0.
    data = DATA.rename(columns={"region": "nuts", "industry": "nace", "employment": "jobs"})
    result = relatedness_density(
        data, PHI, region="nuts", industry="nace", value="jobs", threshold=2.0
    )
    assert list(result.columns) == ["nuts", "nace", "rca", "density"]
    assert result["rca"].tolist() == [1, 0, 0, 0, 0, 0]
    np.testing.assert_allclose(
        result["density"], [0.0, 1 / 3, 0.0, 0.0, 0.0, 0.0], rtol=1e-12, atol=0
    )


def test_opportunities_drop_the_diagonal() -> None:
    # The missing industries of A are y (1/3) and z (0), of B x (1); keeping phi_ii
    # would give A,y 0.5 / 2.5 = 0.2.
    result = opportunities(DATA, PHI)
    assert list(zip(result["region"], result["industry"], strict=True)) == [
        ("A", "y"),
        ("A", "z"),
        ("B", "x"),
    ]
    np.testing.assert_allclose(result["density"], [1 / 3, 0.0, 1.0], rtol=1e-12, atol=0)


def test_an_industry_related_to_nothing_has_a_missing_density_without_warning() -> None:
    tidy = pd.DataFrame(
        {"industry_a": ["x", "y"], "industry_b": ["y", "x"], "relatedness": [0.5, 0.5]}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = relatedness_density(DATA, tidy)
    # A (1, 0, 0): x 0/0.5, y 0.5/0.5, z no relatedness; B (0, 1, 1): x 0.5/0.5, y 0/0.5.
    np.testing.assert_array_equal(result["density"], [0.0, 1.0, np.nan, 1.0, 0.0, np.nan])


def test_relatedness_summing_to_zero_gives_a_missing_density_without_warning() -> None:
    # x is related to nothing (its row is 0), so it has no density in any region.
    data = pd.DataFrame(
        {"region": ["A", "B", "C"], "industry": ["x", "y", "z"], "employment": [1.0, 1.0, 1.0]}
    )
    phi = pd.DataFrame(
        [[0.0, 0.0, 0.0], [1.0, 0.0, 1.0], [1.0, 1.0, 0.0]],
        index=["x", "y", "z"],
        columns=["x", "y", "z"],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = relatedness_density(data, phi)
    assert result.loc[result["industry"] == "x", "density"].isna().all()
    # y: (phi_yx M_rx + phi_yz M_rz) / 2 = A 0.5, B 0, C 0.5.
    np.testing.assert_array_equal(result.loc[result["industry"] == "y", "density"], [0.5, 0.0, 0.5])


def test_negative_relatedness_is_refused_naming_the_first_pair() -> None:
    # Correlations can be negative; with phi_xy = -0.5 and phi_xz = 1 (weight 0.5) region
    # C (z only) would get a density of 1 / 0.5 = 2 in x, region B (y only) -0.5 / 0.5 = -1.
    data = pd.DataFrame(
        {"region": ["A", "B", "C"], "industry": ["x", "y", "z"], "employment": [1.0, 1.0, 1.0]}
    )
    phi = pd.DataFrame(
        [[0.0, -0.5, 1.0], [1.0, 0.0, 1.0], [-0.25, 1.0, 0.0]],
        index=["x", "y", "z"],
        columns=["x", "y", "z"],
    )
    message = (
        r"^relatedness must be non-negative \(a proximity, as in Hidalgo et al\. 2007 and "
        r"EconGeo's relatedness_density\)\. Got -0\.5 for the pair \('x', 'y'\) and 2 "
        r"negative value\(s\) in all; a correlation \(e\.g\. from colocation\) can be "
        r"clipped at 0 first: relatedness\.clip\(lower=0\) for a square frame, or "
        r"tidy\.assign\(relatedness=tidy\['relatedness'\]\.clip\(lower=0\)\) for a tidy "
        r"table\.$"
    )
    with pytest.raises(SchemaError, match=message):
        relatedness_density(data, phi)
    with pytest.raises(SchemaError, match=message):
        opportunities(data, phi)
    # A tidy table: the pair is named by its industries, whatever the row order.
    tidy = pd.DataFrame(
        {
            "industry_a": ["y", "x", "x", "z"],
            "industry_b": ["z", "z", "y", "x"],
            "relatedness": [1.0, 1.0, -0.5, 0.25],
        }
    )
    with pytest.raises(
        SchemaError, match=r"Got -0\.5 for the pair \('x', 'y'\) and 1 negative value"
    ):
        relatedness_density(data, tidy)
    # Clipped at 0 as the message says: x is related to z only, so its density is M_rz.
    clipped = relatedness_density(data, phi.clip(lower=0))
    np.testing.assert_array_equal(
        clipped.loc[clipped["industry"] == "x", "density"], [0.0, 0.0, 1.0]
    )


def test_negative_relatedness_of_an_industry_absent_from_the_data_is_refused_too() -> None:
    # w is not in DATA, so phi_xw = -1 would not enter any density: refused all the same,
    # a table with negative values is not a proximity.
    phi = PHI.copy()
    phi.loc["x", "w"] = -1.0
    with pytest.raises(SchemaError, match=r"Got -1\.0 for the pair \('x', 'w'\) and 1 "):
        relatedness_density(DATA, phi)


def test_infinite_relatedness_is_refused_naming_the_first_pair() -> None:
    # phi_yz = inf: z-regions would dominate y's density without bound (inf/inf is NaN);
    # it used to be read as 0, as if y and z were unrelated.
    phi = PHI.copy()
    phi.loc["y", "z"] = np.inf
    message = (
        r"^relatedness must be finite\. Got inf for the pair \('y', 'z'\) and 1 infinite "
        r"value\(s\) in all \(a ratio with a zero denominator\?\); replace them by the largest "
        r"finite value, or by NaN to leave the pair out\.$"
    )
    with pytest.raises(SchemaError, match=message):
        relatedness_density(DATA, phi)
    with pytest.raises(SchemaError, match=message):
        opportunities(DATA, phi)
    # NaN, as the message offers, leaves the pair out: the density of y is then that of
    # the same table with the pair at 0.
    phi.loc["y", "z"] = np.nan
    zero = PHI.copy()
    zero.loc["y", "z"] = 0.0
    pd.testing.assert_frame_equal(relatedness_density(DATA, phi), relatedness_density(DATA, zero))


def test_malformed_relatedness_is_refused_with_its_message() -> None:
    with pytest.raises(
        TypeError, match=r"^relatedness must be a pandas DataFrame\. Got list instead\.$"
    ):
        relatedness_density(DATA, [[1.0]])  # type: ignore[arg-type]
    with pytest.raises(
        SchemaError,
        match=r"^relatedness must be a tidy table \(industry_a, industry_b, relatedness\) or a "
        r"square industry x industry frame\.$",
    ):
        relatedness_density(DATA, PHI.iloc[:, :3])


def test_option_messages_name_the_parameter() -> None:
    with pytest.raises(
        ParameterError,
        match=r"^The 'convention' parameter must be one of 'hidalgo', 'econgeo'\. Got 'atlas' instead\.",
    ):
        relatedness_density(DATA, PHI, convention="atlas")  # type: ignore[arg-type]
    with pytest.raises(
        ParameterError,
        match=r"^The 'diagonal' parameter must be one of 'drop', 'keep'\. Got 'none' instead\.",
    ):
        relatedness_density(DATA, PHI, diagonal="none")  # type: ignore[arg-type]
    with pytest.raises(
        ParameterError,
        match=r"^Pass either 'convention' or 'orientation'/'diagonal' to relatedness_density, "
        r"not both \(convention='hidalgo' sets orientation='row', diagonal='drop'\)\.$",
    ):
        relatedness_density(DATA, PHI, convention="hidalgo", orientation="row")
