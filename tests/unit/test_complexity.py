"""Density, ECI/PCI and opportunities checked by hand, by properties and against ecomplexity."""

from __future__ import annotations

import contextlib
import importlib.util
import io

import numpy as np
import pandas as pd
import pytest

from clusteratlas.errors import ParameterError, SchemaError
from clusteratlas.measures.complexity import (
    _density,
    economic_complexity,
    opportunities,
    relatedness_density,
    subnational_eci,
)
from clusteratlas.measures.relatedness import as_matrix, cooccurrence, normalise_cooccurrence

EXACT = {"rel": 1e-12, "abs": 1e-12}
ROOT6 = np.sqrt(6.0)


def tidy(values: np.ndarray, regions: list[str], industries: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region": np.repeat(regions, len(industries)),
            "industry": np.tile(industries, len(regions)),
            "employment": values.ravel(),
        }
    )


def nested() -> pd.DataFrame:
    # r1 (10, 10, 10), r2 (10, 10, 0), r3 (10, 0, 0); totals p1 30, p2 20, p3 10, E 60.
    # LQ r1 (2/3, 1, 2), r2 (1, 1.5, 0), r3 (2, 0, 0). With threshold 0.6:
    # M = [[1, 1, 1], [1, 1, 0], [1, 0, 0]], diversity (3, 2, 1), ubiquity (3, 2, 1).
    values = np.array([[10.0, 10.0, 10.0], [10.0, 10.0, 0.0], [10.0, 0.0, 0.0]])
    return tidy(values, ["r1", "r2", "r3"], ["p1", "p2", "p3"])


def random_table(seed: int, n_regions: int = 15, n_industries: int = 10) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    values = rng.lognormal(2.0, 1.0, (n_regions, n_industries))
    values *= rng.random((n_regions, n_industries)) < 0.8
    return tidy(
        values, [f"r{i:02d}" for i in range(n_regions)], [f"i{j:02d}" for j in range(n_industries)]
    )


def test_eci_pci_hand_example() -> None:
    # M~C = D^-1 M U^-1 M' = [[11/18, 5/18, 2/18], [5/12, 5/12, 2/12], [1/3, 1/3, 1/3]].
    # Trace 49/36 = 1 + l2 + l3 and det = det(D^-1) det(M)^2 det(U^-1) = 1/36 = l2 l3,
    # so l2 = 1/4, l3 = 1/9. (M~C - I/4) K = 0 gives K = (2, -1, -4) (positive with
    # diversity); mean -1, population sd sqrt(6) -> ECI = (3, 0, -3) / sqrt(6).
    # Q ~ U^-1 M' K = (-3/3, 1/2, 2/1) = (-1, 0.5, 2); mean 0.5, sd sqrt(1.5)
    # -> PCI = (-1.5, 0, 1.5) / sqrt(1.5).
    result = economic_complexity(nested(), threshold=0.6)
    assert result.eci["eci"].tolist() == pytest.approx([3 / ROOT6, 0.0, -3 / ROOT6], **EXACT)
    assert result.pci["pci"].tolist() == pytest.approx(
        [-1.5 / np.sqrt(1.5), 0.0, 1.5 / np.sqrt(1.5)], **EXACT
    )
    assert result.eci["diversity"].tolist() == [3, 2, 1]
    assert result.pci["ubiquity"].tolist() == [3, 2, 1]
    assert result.eigenvalue == pytest.approx(0.25, **EXACT)


def test_pci_on_the_eci_scale_hand_example() -> None:
    # Raw K' = D^-1 M Q with Q = (-1, 0.5, 2): (0.5, -0.25, -1); mean -0.25,
    # sd sqrt(0.375). PCI = (Q + 0.25) / sqrt(0.375) = (-0.75, 0.75, 2.25) / sqrt(0.375).
    result = economic_complexity(nested(), threshold=0.6, pci_scale="eci")
    expected = np.array([-0.75, 0.75, 2.25]) / np.sqrt(0.375)
    assert result.pci["pci"].tolist() == pytest.approx(expected.tolist(), **EXACT)
    # Then each region's ECI is the mean PCI of its RCA industries.
    again = subnational_eci(nested(), result.pci, threshold=0.6)
    assert again["eci"].tolist() == pytest.approx(result.eci["eci"].tolist(), **EXACT)


def test_eci_properties() -> None:
    data = random_table(7)
    result = economic_complexity(data)
    eci = result.eci["eci"].dropna()
    assert eci.mean() == pytest.approx(0.0, abs=1e-12)
    assert eci.std(ddof=0) == pytest.approx(1.0, **EXACT)
    assert np.corrcoef(result.eci["diversity"][eci.index], eci)[0, 1] > 0
    shuffled = economic_complexity(data.sample(frac=1.0, random_state=1))
    pd.testing.assert_frame_equal(result.eci, shuffled.eci, atol=1e-10, rtol=0)


def test_eci_needs_two_regions() -> None:
    with pytest.raises(SchemaError, match="at least two"):
        economic_complexity(tidy(np.array([[1.0, 2.0]]), ["r"], ["a", "b"]))


def test_density_hand_example() -> None:
    # phi: a-b 0.5, a-c 0.2, b-c 0.8. Region X has an RCA in a only (LQ a = 2 with
    # threshold 1: X (10, 0, 0), Y (0, 10, 10) -> totals 10, 10, 10, E 30).
    # density X,b = (0.5 * 1 + 0.8 * 0) / (0.5 + 0.8) = 5/13; X,c = 0.2 / 1.0;
    # X,a = (0.5 * 0 + 0.2 * 0) / 0.7 = 0. Y,a = (0.5 + 0.2) / 0.7 = 1.
    phi = pd.DataFrame(
        {
            "industry_a": ["a", "b", "a", "c", "b", "c"],
            "industry_b": ["b", "a", "c", "a", "c", "b"],
            "relatedness": [0.5, 0.5, 0.2, 0.2, 0.8, 0.8],
        }
    )
    data = tidy(np.array([[10.0, 0.0, 0.0], [0.0, 10.0, 10.0]]), ["X", "Y"], ["a", "b", "c"])
    out = relatedness_density(data, phi).set_index(["region", "industry"])
    assert out.loc[("X", "b"), "density"] == pytest.approx(5 / 13, **EXACT)
    assert out.loc[("X", "c"), "density"] == pytest.approx(0.2, **EXACT)
    assert out.loc[("X", "a"), "density"] == 0.0
    assert out.loc[("Y", "a"), "density"] == pytest.approx(1.0, **EXACT)
    # A square frame gives the same.
    square = relatedness_density(data, as_matrix(phi))
    assert square["density"].tolist() == out["density"].tolist()
    ranked = opportunities(data, phi)
    assert ranked[ranked["region"] == "X"]["industry"].tolist() == ["b", "c"]
    assert ranked["rank"].tolist() == [1, 2, 1]
    assert opportunities(data, phi, top=1)["industry"].tolist() == ["b", "a"]


def test_opportunity_gain_is_the_change_in_complexity_outlook() -> None:
    data = random_table(11)
    phi = normalise_cooccurrence(cooccurrence(data), method="proximity")
    pci = economic_complexity(data).pci
    out = opportunities(data, phi, pci=pci)
    # Recompute COI_r = sum_j (1 - M_rj) density_rj PCI_j before and after a gain.
    base = relatedness_density(data, phi)
    m = base.pivot(index="region", columns="industry", values="rca")
    phi_m = as_matrix(phi).reindex(index=m.columns, columns=m.columns).fillna(0.0).to_numpy()
    q = pci.set_index("industry")["pci"].reindex(m.columns).to_numpy()

    def coi(matrix: np.ndarray) -> np.ndarray:
        return ((1 - matrix) * _density(matrix, phi_m) * q).sum(axis=1)

    before = coi(m.to_numpy().astype(float))
    for row in out.sample(5, random_state=2).itertuples():
        after_m = m.to_numpy().astype(float)
        r, i = m.index.get_loc(row.region), m.columns.get_loc(row.industry)
        after_m[r, i] = 1.0
        assert row.opportunity_gain == pytest.approx(coi(after_m)[r] - before[r], abs=1e-12)


def test_opportunities_errors() -> None:
    data = nested()
    with pytest.raises(ParameterError, match="'top'"):
        opportunities(data, as_matrix(normalise_cooccurrence(cooccurrence(data))), top=0)
    with pytest.raises(SchemaError, match="tidy table"):
        opportunities(data, pd.DataFrame({"x": [1]}))
    with pytest.raises(ParameterError, match="pci_scale"):
        economic_complexity(data, pci_scale="mine")  # type: ignore[arg-type]


def test_subnational_eci_hand_example() -> None:
    # External PCI p1 = -1, p2 = 0, p3 = 3 (p4 unknown). Threshold 0.6 as in nested():
    # r1 mean(-1, 0, 3) = 2/3, r2 mean(-1, 0) = -0.5, r3 = -1.
    pci = pd.Series({"p1": -1.0, "p2": 0.0, "p3": 3.0, "p4": 9.0})
    out = subnational_eci(nested(), pci, threshold=0.6)
    assert out["eci"].tolist() == pytest.approx([2 / 3, -0.5, -1.0], **EXACT)
    standard = subnational_eci(nested(), pci, threshold=0.6, standardise=True)["eci"]
    assert standard.std(ddof=0) == pytest.approx(1.0, **EXACT)


@pytest.mark.skipif(
    importlib.util.find_spec("ecomplexity") is None, reason="ecomplexity is not installed"
)
@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_matches_the_ecomplexity_package() -> None:
    from ecomplexity import ecomplexity

    data = random_table(3, 12, 9)
    with contextlib.redirect_stdout(io.StringIO()):
        ref = ecomplexity(
            data.assign(year=2020),
            {"time": "year", "loc": "region", "prod": "industry", "val": "employment"},
        )
    ours = economic_complexity(data, pci_scale="eci")
    eci = ref.groupby("region")["eci"].first()
    pci = ref.groupby("industry")["pci"].first()
    np.testing.assert_allclose(ours.eci.set_index("region")["eci"][eci.index], eci, atol=1e-10)
    np.testing.assert_allclose(ours.pci.set_index("industry")["pci"][pci.index], pci, atol=1e-10)
    # ecomplexity keeps phi_ii = 1 in the density; ours leaves the diagonal out:
    # theirs = (ours * W_i + M_ri) / (W_i + 1), W_i = sum_{j != i} phi_ij.
    phi = normalise_cooccurrence(cooccurrence(data), method="proximity")
    ours_d = relatedness_density(data, phi)
    weight = as_matrix(phi).fillna(0.0).sum(axis=1)
    w = weight.reindex(ours_d["industry"]).to_numpy()
    converted = (ours_d["density"].to_numpy() * w + ours_d["rca"].to_numpy()) / (w + 1)
    theirs = ref.set_index(["region", "industry"])["density"]
    keys = pd.MultiIndex.from_frame(ours_d[["region", "industry"]])
    np.testing.assert_allclose(converted, theirs.reindex(keys).to_numpy(), atol=1e-12)
