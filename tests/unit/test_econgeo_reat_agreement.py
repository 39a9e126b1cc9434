"""Agreement with the R packages EconGeo 2.1 and REAT 3.0.3, on fixed reference values.

The values in ``data/econgeo_reat.json`` were computed with R 4.2 by
``scripts/regenerate-r-references.sh`` (never by this package) on a hand-made matrix (a zero
row, LQs of exactly 1, an asymmetric relatedness matrix with a diagonal of 1) and on REAT's
own example data (Freiburg 2008-2014, Goettingen 2008-2017, the German Laender in 2015).
EconGeo rounds some outputs (``gini`` and ``entropy`` to 3 decimals, ``hoover_index`` and
``relatedness_density`` to 2 after multiplying by 100): those are compared after the same
rounding, everything else to 1e-9. The tests never need R.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from clusteratlas.measures import (
    dynamic_shift_share,
    economic_complexity,
    gini_coefficient,
    hoover_index,
    location_quotient,
    locational_gini,
    method_of_reflections,
    relatedness_density,
    shift_share,
    specialisation_coefficient,
    specialisation_gini,
    theil_index,
)

REFERENCE = Path(__file__).parent / "data" / "econgeo_reat.json"
TIGHT = {"rel": 1e-9, "abs": 1e-9}  # pytest.approx
CLOSE = {"rtol": 1e-9, "atol": 1e-9}  # numpy.testing.assert_allclose


@cache
def cases() -> dict[str, Any]:
    document = json.loads(REFERENCE.read_text(encoding="utf-8"))
    assert document["about"]["econgeo"] == ["2.1"] and document["about"]["reat"] == ["3.0.3"]
    return document["cases"]  # type: ignore[no-any-return]


def named(values: dict[str, list[float]]) -> pd.Series:
    """A named R vector (written as {name: [value]}) as a Series."""
    return pd.Series({key: value[0] for key, value in values.items()}, dtype="float64")


def numbers(values: list[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype="float64")


def tidy(matrix: list[list[float]], regions: list[str], industries: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(matrix, index=regions, columns=industries, dtype="float64")
    stacked = frame.stack().rename("employment").rename_axis(["region", "industry"])
    return stacked.reset_index()


def hand() -> tuple[dict[str, Any], pd.DataFrame]:
    case = cases()["hand"]
    return case, tidy(case["matrix"], case["all_regions"], case["industries"])


# --------------------------------------------------------------------------- method of reflections


@pytest.mark.parametrize("steps", [1, 2, 3, None])
def test_reflections_match_econgeo_morc_mort(steps: int | None) -> None:
    case, data = hand()
    suffix = "" if steps is None else f"_{steps}"
    options = {} if steps is None else {"region_steps": steps, "industry_steps": steps}
    result = method_of_reflections(data, **options)
    morc = named(case["morc" + suffix])
    mort = named(case["mort" + suffix])
    ours_c = result.regions.set_index("region")["morc"]
    ours_t = result.industries.set_index("industry")["mort"]
    # EconGeo drops the empty region r5 first; here it is kept with a missing score.
    assert np.isnan(ours_c["r5"])
    np.testing.assert_allclose(ours_c[morc.index], morc, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(ours_t[mort.index], mort, rtol=1e-9, atol=1e-9)


# --------------------------------------------------------------------------- Hoover, Gini, Theil, CS


def test_hoover_matches_econgeo_after_its_rounding() -> None:
    case, data = hand()
    data = data.rename(columns={"industry": "category"})
    nonzero = data[data["region"] != "r5"]
    pairs = [
        (hoover_index(data, by=(), reference="uniform"), case["hoover_index_with_zero_row"]),
        (hoover_index(nonzero, by=(), reference="uniform"), case["hoover_uniform"]),
        # EconGeo's pop = rowSums(mat): our default reference, each region's total.
        (hoover_index(nonzero, by=()), case["hoover_total"]),
    ]
    for ours, theirs in pairs:
        np.testing.assert_allclose(np.round(100 * ours["hoover"], 2), theirs, rtol=0, atol=1e-9)


def test_hoover_matches_econgeo_on_the_laender() -> None:
    case = cases()["laender"]
    data = tidy(case["matrix"], case["regions"], case["industries"])
    ours = hoover_index(data, category="industry", by=(), reference="uniform")
    ours = ours.set_index("industry").loc[case["industries"], "hoover"]
    np.testing.assert_allclose(np.round(100 * ours, 2), case["hoover_uniform"], rtol=0, atol=1e-9)


def test_gini_matches_econgeo_after_its_rounding() -> None:
    case, data = hand()
    nonzero = data[data["region"] != "r5"]
    ours = gini_coefficient(nonzero, within="industry", by=())["gini"]
    np.testing.assert_allclose(np.round(ours, 3), case["gini"], rtol=0, atol=1e-9)


def test_specialisation_gini_matches_reat_gini_spec() -> None:
    case, data = hand()
    ours = specialisation_gini(data, category="industry", by=()).set_index("region")["gini"]
    np.testing.assert_allclose(ours[case["regions"]], case["gini_spec"], **CLOSE)
    assert np.isnan(ours["r5"])  # an empty region has no location quotient
    laender = cases()["laender"]
    data = tidy(laender["matrix"], laender["regions"], laender["industries"])
    ours = specialisation_gini(data, category="industry", by=()).set_index("region")["gini"]
    np.testing.assert_allclose(ours[laender["regions"]], laender["gini_spec"], **CLOSE)


def test_specialisation_coefficient_and_entropy_match_econgeo() -> None:
    case, data = hand()
    nonzero = data[data["region"] != "r5"]
    coefficient = specialisation_coefficient(nonzero, category="industry", by=())
    np.testing.assert_allclose(
        coefficient["specialisation_coefficient"], case["spec_coeff"], **CLOSE
    )
    # EconGeo's entropy is in bits, with 1e-9 added inside log2, rounded to 3 decimals.
    entropy = theil_index(nonzero, category="industry", by=())["entropy"] / np.log(2)
    np.testing.assert_allclose(np.round(entropy, 3), case["entropy"], rtol=0, atol=1e-9)


# --------------------------------------------------------------------------- conventions of point 4


def test_locational_gini_econgeo_convention_is_half() -> None:
    case, data = hand()
    data = data.rename(columns={"industry": "category"})
    nonzero = data[data["region"] != "r5"]
    ours = locational_gini(nonzero, by=(), convention="econgeo")["gini"]
    np.testing.assert_allclose(ours, case["locational_gini"], rtol=1e-12, atol=1e-15)
    default = locational_gini(nonzero, by=())["gini"]
    np.testing.assert_allclose(default, 2 * numbers(case["locational_gini"]), rtol=1e-12)


def test_location_quotient_econgeo_convention_gives_zero_for_an_empty_region() -> None:
    case, data = hand()
    data = data.rename(columns={"industry": "category"})
    ours = location_quotient(data, by=(), convention="econgeo")["lq"].to_numpy().reshape(5, 5)
    np.testing.assert_allclose(ours, case["location_quotient"], rtol=1e-12, atol=0)
    default = location_quotient(data, by=())["lq"].to_numpy().reshape(5, 5)
    assert np.isnan(default[4]).all()  # T_r = 0: missing here, 0 in EconGeo
    np.testing.assert_allclose(default[:4], ours[:4], rtol=1e-12)


def test_relatedness_density_econgeo_convention() -> None:
    case, data = hand()
    phi = pd.DataFrame(case["relatedness"], index=case["industries"], columns=case["industries"])
    ours = relatedness_density(data, phi, convention="econgeo")["density"].to_numpy().reshape(5, 5)
    theirs = numbers([v for row in case["relatedness_density"] for v in row])
    # EconGeo gives the empty region r5 a density of 0 (its RCA row is all 0); so do we.
    np.testing.assert_allclose(np.round(100 * ours, 2).ravel(), theirs, rtol=0, atol=1e-9)
    explicit = relatedness_density(data, phi, orientation="column", diagonal="keep")
    np.testing.assert_array_equal(explicit["density"].to_numpy().reshape(5, 5), ours)
    # The default (row convention, diagonal dropped) differs on this asymmetric matrix.
    default = relatedness_density(data, phi)["density"].to_numpy().reshape(5, 5)
    assert np.nanmax(np.abs(default - ours)) * 100 == pytest.approx(55.5556, abs=1e-4)


def test_complexity_signs_econgeo_convention() -> None:
    case, data = hand()
    econgeo = economic_complexity(data, convention="econgeo")
    consistent = economic_complexity(data)
    kci, tci = numbers(case["kci"]), numbers(case["tci"])
    standard_kci = (kci - kci.mean()) / kci.std()
    standard_tci = (tci - tci.mean()) / tci.std()
    # EconGeo takes eigenvectors of a transition matrix rounded to 4 decimals: ~1e-3.
    np.testing.assert_allclose(econgeo.eci["eci"].iloc[:4], standard_kci, atol=5e-4)
    np.testing.assert_allclose(econgeo.pci["pci"], standard_tci, atol=5e-4)
    # On this matrix EconGeo's independent PCI sign is the opposite of the consistent one.
    np.testing.assert_allclose(consistent.eci["eci"], econgeo.eci["eci"], rtol=1e-12)
    np.testing.assert_allclose(consistent.pci["pci"], -econgeo.pci["pci"], rtol=1e-12)


# --------------------------------------------------------------------------- shift-share (REAT)


def two_regions(region: list[list[float]], nation: list[list[float]], years: list[int],
                industries: list[str]) -> pd.DataFrame:  # fmt: skip
    """The region and the rest of the nation, so that their sum is REAT's national e_i."""
    rows = []
    for year, own, whole in zip(years, region, nation, strict=True):
        for code, e_r, e_n in zip(industries, own, whole, strict=True):
            rows.append(("region", code, year, e_r))
            rows.append(("rest", code, year, e_n - e_r))
    return pd.DataFrame(rows, columns=["region", "category", "year", "employment"])


def test_shift_share_matches_reat_shift_shifti() -> None:
    fr = cases()["freiburg"]
    data = two_regions([fr["e_ij1"], fr["e_ij2"]], [fr["e_i1"], fr["e_i2"]], [2008, 2014],
                       fr["industries"])  # fmt: skip
    dunn = shift_share(data, start=2008, end=2014)
    own = dunn[dunn["region"] == "region"].set_index("category").loc[fr["industries"]]
    assert (own["status"] == "ok").all()
    reat = named(fr["dunn"])
    assert own["change"].sum() == pytest.approx(reat["Growth (t1-t)"], **TIGHT)
    assert own["national"].sum() == pytest.approx(reat["National share"], **TIGHT)
    assert own["mix"].sum() == pytest.approx(reat["Industrial mix"], **TIGHT)
    assert own["competitive"].sum() == pytest.approx(reat["Regional share"], **TIGHT)
    net = own["mix"].sum() + own["competitive"].sum()
    assert net == pytest.approx(reat["Net total shift"], **TIGHT)
    # shifti: per industry, REAT's "national share" uses the industry's own growth.
    per = {key: numbers(value) for key, value in fr["shifti"].items()}
    np.testing.assert_allclose(own["change"], per["Growth (t1-t)"], **CLOSE)
    np.testing.assert_allclose(own["national"] + own["mix"], per["National share"], **CLOSE)
    np.testing.assert_allclose(own["competitive"], per["Regional share"], **CLOSE)
    em = shift_share(data, start=2008, end=2014, method="esteban-marquillas")
    own = em[em["region"] == "region"]
    reat = named(fr["esteban"])
    assert own["competitive"].sum() == pytest.approx(reat["Regional share"], **TIGHT)
    assert own["allocation"].sum() == pytest.approx(reat["Allocation effect"], **TIGHT)


def test_dynamic_shift_share_matches_reat_shiftd() -> None:
    go = cases()["goettingen"]
    years = list(range(2008, 2018))
    data = two_regions(go["region"], go["nation"], years, go["industries"])
    summed = dynamic_shift_share(data, start=2008, end=2017)
    own = summed[summed["region"] == "region"]
    assert (own["status"] == "ok").all()
    reat = named(go["shiftd"])
    assert own["change"].sum() == pytest.approx(reat["Growth (t1-t)"], **TIGHT)
    assert own["national"].sum() == pytest.approx(reat["National share"], **TIGHT)
    assert own["mix"].sum() == pytest.approx(reat["Industrial mix"], **TIGHT)
    assert own["competitive"].sum() == pytest.approx(reat["Regional share"], **TIGHT)
    yearly = dynamic_shift_share(data, start=2008, end=2017, yearly=True)
    first = yearly[(yearly["region"] == "region") & (yearly["start"] == 2008)]
    expected = numbers(go["shiftd_2008_2009"])  # growth, national, mix, regional, net
    assert first["change"].sum() == pytest.approx(expected[0], **TIGHT)
    assert first["national"].sum() == pytest.approx(expected[1], **TIGHT)
    assert first["mix"].sum() == pytest.approx(expected[2], **TIGHT)
    assert first["competitive"].sum() == pytest.approx(expected[3], **TIGHT)
