"""Economic complexity, subnational ECI and opportunities at their edges (issue 16).

Written for mutation survivors. Every expected number is worked out by hand in the comment
above it (or is a value of the hand examples of ``test_complexity.py``, whose derivation is
there); the sign conventions are checked as the properties the documentation states.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from clusteratlas.errors import SchemaError
from clusteratlas.measures.complexity import economic_complexity, opportunities, subnational_eci
from clusteratlas.measures.reflections import method_of_reflections

EXACT = {"rtol": 1e-12, "atol": 1e-12}
ROOT6 = np.sqrt(6.0)
OWN = {"region": "geo", "industry": "naf", "employment": "jobs"}


def tidy(values: list[list[float]], regions: list[str], industries: list[str]) -> pd.DataFrame:
    array = np.asarray(values, dtype=float)
    return pd.DataFrame(
        {
            "region": np.repeat(regions, len(industries)),
            "industry": np.tile(industries, len(regions)),
            "employment": array.ravel(),
        }
    )


def nested() -> pd.DataFrame:
    # As in test_complexity.py: LQ r1 (2/3, 1, 2), r2 (1, 1.5, 0), r3 (2, 0, 0); with
    # threshold 0.6, ECI (3, 0, -3)/sqrt(6) and PCI (-1.5, 0, 1.5)/sqrt(1.5).
    values = [[10.0, 10.0, 10.0], [10.0, 10.0, 0.0], [10.0, 0.0, 0.0]]
    return tidy(values, ["r1", "r2", "r3"], ["p1", "p2", "p3"])


def random_table(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    values = rng.lognormal(2.0, 1.0, (8, 6)) * (rng.random((8, 6)) < 0.8)
    return tidy(values.tolist(), [f"r{i}" for i in range(8)], [f"i{j}" for j in range(6)])


@pytest.mark.parametrize("convention", ["consistent", "econgeo"])
def test_own_column_names_and_threshold_reach_every_step(convention) -> None:
    data = nested().rename(columns=OWN)
    result = economic_complexity(
        data, region="geo", industry="naf", value="jobs", threshold=0.6, convention=convention
    )
    assert list(result.eci.columns) == ["geo", "diversity", "eci"]
    assert list(result.pci.columns) == ["naf", "ubiquity", "pci"]
    np.testing.assert_allclose(result.eci["eci"], [3 / ROOT6, 0.0, -3 / ROOT6], **EXACT)
    expected_pci = np.array([-1.5, 0.0, 1.5]) / np.sqrt(1.5)
    np.testing.assert_allclose(result.pci["pci"], expected_pci, **EXACT)
    assert result.eci["diversity"].dtype == np.int64
    assert result.pci["ubiquity"].dtype == np.int64


def test_an_industry_without_any_rca_gets_no_pci_and_changes_nothing() -> None:
    # p4 employs no one: no RCA anywhere (ubiquity 0), so it is left out of the
    # eigenvector problem; the three others keep the hand values of nested().
    data = pd.concat(
        [
            nested(),
            pd.DataFrame({"region": ["r1", "r2", "r3"], "industry": "p4", "employment": 0.0}),
        ],
        ignore_index=True,
    )
    result = economic_complexity(data, threshold=0.6)
    assert result.pci["ubiquity"].tolist() == [3, 2, 1, 0]
    assert np.isnan(result.pci["pci"].iloc[3])
    np.testing.assert_allclose(result.eci["eci"], [3 / ROOT6, 0.0, -3 / ROOT6], **EXACT)
    np.testing.assert_allclose(
        result.pci["pci"].iloc[:3], np.array([-1.5, 0.0, 1.5]) / np.sqrt(1.5), **EXACT
    )


def test_two_regions_are_enough() -> None:
    # A (2, 1, 0, 0), B (0, 1, 1, 1): totals A 3, B 3, E 6; x 2, y 2, z 1, w 1.
    # LQ A (2, 1, 0, 0), B (0, 1, 2, 2): M = [[1, 1, 0, 0], [0, 1, 1, 1]], diversity
    # (2, 3), ubiquity x 1, y 2, z 1, w 1. M~C = D^-1 M U^-1 M' = [[3/4, 1/4], [1/6, 5/6]]:
    # trace 19/12 = 1 + l2, det 7/12 = l2, so l2 = 7/12 and (3/4 - 7/12) kA + kB/4 = 0
    # gives K = (-3, 2) (positive with diversity): ECI (-1, 1). Q ~ U^-1 M' K =
    # x -3, y -1/2, z 2, w 2: mean 1/8, deviations (-25, -5, 15, 15)/8, population variance
    # (625 + 25 + 225 + 225) / 64 / 4 = 1100/256.
    data = tidy([[2.0, 1.0, 0.0, 0.0], [0.0, 1.0, 1.0, 1.0]], ["A", "B"], ["x", "y", "z", "w"])
    result = economic_complexity(data)
    np.testing.assert_allclose(result.eci["eci"], [-1.0, 1.0], **EXACT)
    assert result.pci["industry"].tolist() == ["w", "x", "y", "z"]  # sorted codes
    expected = np.array([15.0, -25.0, -5.0, 15.0]) / 8 / np.sqrt(1100 / 256)
    np.testing.assert_allclose(result.pci["pci"], expected, **EXACT)
    assert result.eigenvalue == pytest.approx(7 / 12, rel=1e-12)


def test_only_one_region_with_an_rca_is_refused_with_its_message() -> None:
    message = "The ECI needs at least two regions and two industries with an RCA."
    with pytest.raises(SchemaError, match=f"^{re.escape(message)}$"):
        economic_complexity(tidy([[1.0, 2.0]], ["r"], ["a", "b"]))


@pytest.mark.parametrize("name", ["pci_scale", "convention"])
def test_a_wrong_option_is_named(name) -> None:
    message = f"The {name!r} parameter must be one of"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}"):
        economic_complexity(nested(), **{name: "mine"})


@pytest.mark.parametrize(
    ("seed", "threshold"),
    [(0, 1.0), (1, 1.0), (2, 1.0), (3, 1.0), (4, 1.0), (5, 1.0), (24, 1.0), (4, 0.5)],
)
def test_econgeo_signs_follow_reflections_and_ubiquity(seed, threshold) -> None:
    # EconGeo's convention as documented: the ECI correlates positively (Pearson) with
    # the method-of-reflections score, the PCI negatively (Spearman) with ubiquity, both
    # at the threshold asked for. Seed 24 is one where Pearson and Spearman disagree on
    # the sign for the raw vector; with seed 4 and threshold 0.5 the ECI correlates
    # positively with the reflections at 0.5 (0.57) but negatively with those at 1 (-0.94).
    data = random_table(seed)
    result = economic_complexity(data, threshold=threshold, convention="econgeo")
    morc = method_of_reflections(data, threshold=threshold).regions["morc"].to_numpy()
    eci = result.eci["eci"].to_numpy()
    known = np.isfinite(eci)
    assert np.corrcoef(morc[known], eci[known])[0, 1] > 0
    pci = result.pci.dropna()
    assert pci["pci"].corr(pci["ubiquity"], method="spearman") < 0


def test_subnational_eci_with_own_names_default_threshold_and_unknown_pci() -> None:
    # Threshold 1 on nested(): r1 has an RCA in p2 (LQ 1) and p3 (2), r2 in p1 (1) and
    # p2 (1.5), r3 in p1 (2). p3's PCI is unknown (missing, as pd.NA of an object Series):
    # r1 counts p2 only (0), r2 mean(-1, 0) = -0.5, r3 -1.
    pci = pd.Series({"p2": 0.0, "p1": -1.0, "p3": pd.NA}, dtype=object)
    data = nested().rename(columns=OWN)
    out = subnational_eci(data, pci, region="geo", industry="naf", value="jobs")
    assert list(out.columns) == ["geo", "diversity", "eci"]
    assert out["diversity"].tolist() == [1, 2, 1]
    assert out["diversity"].dtype == np.int64
    np.testing.assert_allclose(out["eci"], [0.0, -0.5, -1.0], **EXACT)


def test_subnational_eci_of_a_region_without_known_pci_is_missing() -> None:
    # Threshold 1: r3's only RCA industry is p1, whose PCI is not given: diversity 0 and a
    # missing (NaN, float) ECI, without a warning; r1 mean(0, 3) = 1.5, r2 p2 only: 0.
    pci = pd.DataFrame({"industry": ["p2", "p3"], "pci": [0.0, 3.0]})
    out = subnational_eci(nested(), pci)
    assert out["diversity"].tolist() == [2, 1, 0]
    assert out["eci"].dtype == np.float64
    np.testing.assert_allclose(out["eci"], [1.5, 0.0, np.nan], **EXACT)


def test_a_wrong_pci_is_refused_with_its_message() -> None:
    cases = [
        (TypeError, [1.0], "pci must be a pandas Series or DataFrame. Got list."),
        (
            SchemaError,
            pd.DataFrame({"industry": ["p1"], "value": [1.0]}),
            "pci is missing column(s) 'pci'; it has 'industry', 'value'.",
        ),
        (
            SchemaError,
            pd.Series([1.0, 2.0], index=["p1", "p1"]),
            "pci: each industry must appear once.",
        ),
    ]
    for error, pci, message in cases:
        with pytest.raises(error, match=f"^{re.escape(message)}$"):
            subnational_eci(nested(), pci)


def _opportunity_data() -> tuple[pd.DataFrame, pd.DataFrame]:
    # X (10, 0, 0, 0), Y (0, 10, 10, 10) over a, b, c, d: M = X (1, 0, 0, 0), Y (0, 1, 1, 1)
    # (LQ 4 and 4/3). Relatedness a-b 0.5, a-c 0.2, b-c 0.8; d related to nothing.
    data = tidy([[10.0, 0.0, 0.0, 0.0], [0.0, 10.0, 10.0, 10.0]], ["X", "Y"], list("abcd"))
    phi = pd.DataFrame(
        {
            "industry_a": ["a", "b", "a", "c", "b", "c"],
            "industry_b": ["b", "a", "c", "a", "c", "b"],
            "relatedness": [0.5, 0.5, 0.2, 0.2, 0.8, 0.8],
        }
    )
    return data, phi


def test_opportunity_gain_by_hand_with_an_unrelated_industry() -> None:
    # Row sums of phi: a 0.7, b 1.3, c 1.0, d 0 (its shares are 0). Densities: X b 5/13,
    # X c 0.2 (X d is 0/0, left out), Y a 0.7/0.7 = 1. PCI a 1, b 2, c -1, d 4.
    # OG_ri = sum_j (1 - M_rj) PCI_j phi_ji / sum_k phi_jk - density_ri PCI_i:
    # X b: c -1 * 0.8 + d 0 - 5/13 * 2 = -0.8 - 10/13; X c: b 2 * 8/13 - 0.2 * (-1)
    # = 16/13 + 0.2; Y a: a's own share is 0, so 0 - 1 * 1 = -1.
    data, phi = _opportunity_data()
    pci = pd.Series({"e": 9.0, "d": 4.0, "c": -1.0, "b": 2.0, "a": 1.0})
    out = opportunities(data, phi, pci=pci)
    assert list(out.columns) == [
        "region", "industry", "density", "rank", "pci", "opportunity_gain"
    ]  # fmt: skip
    assert out["region"].tolist() == ["X", "X", "Y"]
    assert out["industry"].tolist() == ["b", "c", "a"]
    assert out["rank"].tolist() == [1, 2, 1]
    assert out["rank"].dtype == np.int64
    assert out["pci"].tolist() == [2.0, -1.0, 1.0]
    assert out["opportunity_gain"].dtype == np.float64
    np.testing.assert_allclose(
        out["opportunity_gain"], [-0.8 - 10 / 13, 16 / 13 + 0.2, -1.0], **EXACT
    )
    np.testing.assert_allclose(out["density"], [5 / 13, 0.2, 1.0], **EXACT)


def test_opportunities_with_own_names_and_threshold() -> None:
    # nested() with threshold 0.6: r2 lacks p3 (density of p3 from p1 and p2) and r3
    # lacks p2 and p3; with the default threshold 1, r1 would lack p1 too. Relatedness
    # p1-p2 1, p1-p3 0.5, p2-p3 0.25: r2 p3 = (0.5 + 0.25) / 0.75 = 1; r3 p2 = 1 / 1.25
    # = 0.8, r3 p3 = 0.5 / 0.75 = 2/3.
    phi = pd.DataFrame(
        {
            "industry_a": ["p1", "p2", "p1", "p3", "p2", "p3"],
            "industry_b": ["p2", "p1", "p3", "p1", "p3", "p2"],
            "relatedness": [1.0, 1.0, 0.5, 0.5, 0.25, 0.25],
        }
    )
    data = nested().rename(columns=OWN)
    out = opportunities(data, phi, region="geo", industry="naf", value="jobs", threshold=0.6)
    assert list(out.columns) == ["geo", "naf", "density", "rank"]
    assert out["geo"].tolist() == ["r2", "r3", "r3"]
    assert out["naf"].tolist() == ["p3", "p2", "p3"]
    np.testing.assert_allclose(out["density"], [1.0, 0.8, 2 / 3], **EXACT)


def test_tied_densities_share_the_lowest_rank() -> None:
    # b, c and d are each related to a only (0.5): for X (RCA in a) each has density
    # 0.5 / 0.5 = 1, a three-way tie at rank 1; Y lacks a only (density 1.5 / 1.5 = 1).
    data, _ = _opportunity_data()
    phi = pd.DataFrame(
        {
            "industry_a": ["a", "a", "a", "b", "c", "d"],
            "industry_b": ["b", "c", "d", "a", "a", "a"],
            "relatedness": 0.5,
        }
    )
    out = opportunities(data, phi)
    assert out["industry"].tolist() == ["b", "c", "d", "a"]
    assert out["rank"].tolist() == [1, 1, 1, 1]


@pytest.mark.parametrize(("top", "name"), [(True, "bool"), (1.0, "float")])
def test_top_must_be_an_int(top, name) -> None:
    data, phi = _opportunity_data()
    message = f"The 'top' parameter must be an int. Got {name}."
    with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
        opportunities(data, phi, top=top)
