"""Hoover, Gini, specialisation Gini, Theil, coefficient of specialisation and the method of
reflections, checked against values worked out by hand; the named EconGeo conventions."""

from __future__ import annotations

import doctest
import math

import numpy as np
import pandas as pd
import pytest

import clusteratlas.measures.inequality as inequality
import clusteratlas.measures.reflections as reflections
import clusteratlas.measures.specialisation_indices as specialisation_indices
from clusteratlas.errors import ParameterError, SchemaError
from clusteratlas.measures import (
    gini_coefficient,
    hoover_index,
    location_quotient,
    locational_gini,
    method_of_reflections,
    relatedness_density,
    specialisation_coefficient,
    specialisation_gini,
    theil_index,
)

EXACT = {"rel": 1e-12, "abs": 1e-15}


def hand_frame() -> pd.DataFrame:
    """3 regions x 2 categories (as in test_concentration).

    region  x   y   T_r
    A       10  30   40
    B       20  20   40
    C       60  20   80
    E_c     90  70  E = 160
    """
    return pd.DataFrame(
        {
            "region": ["A", "A", "B", "B", "C", "C"],
            "category": ["x", "y", "x", "y", "x", "y"],
            "year": [2020] * 6,
            "employment": [10.0, 30.0, 20.0, 20.0, 60.0, 20.0],
        }
    )


def test_hoover_hand_example() -> None:
    out = hoover_index(hand_frame())
    assert list(out.columns) == ["category", "year", "hoover"]
    # x: y_r = 1/9, 2/9, 6/9 against x_r = 1/4, 1/4, 1/2 -> (5 + 1 + 6) / 36 / 2 = 1/6
    # y: y_r = 3/7, 2/7, 2/7 -> (5 + 1 + 6) / 28 / 2 = 3/14
    assert out["hoover"].tolist() == pytest.approx([1 / 6, 3 / 14], **EXACT)
    uniform = hoover_index(hand_frame(), reference="uniform")
    # x against 1/3 each: (2/9 + 1/9 + 1/3) / 2 = 1/3
    assert uniform["hoover"].iloc[0] == pytest.approx(1 / 3, **EXACT)
    population = pd.DataFrame({"region": ["A", "B", "C"], "weight": [2.0, 1.0, 1.0]})
    weighted = hoover_index(hand_frame(), reference=population)
    # x against 1/2, 1/4, 1/4: (7/18 + 1/36 + 5/12) / 2 = 5/12
    assert weighted["hoover"].iloc[0] == pytest.approx(5 / 12, **EXACT)


def test_hoover_errors_and_missing() -> None:
    with pytest.raises(SchemaError, match="reference has no row"):
        hoover_index(hand_frame(), reference=pd.DataFrame({"region": ["A"], "weight": [1.0]}))
    with pytest.raises(ParameterError, match="'reference'"):
        hoover_index(hand_frame(), reference="population")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="DataFrame"):
        hoover_index(hand_frame(), reference=3)  # type: ignore[arg-type]
    data = hand_frame()
    data.loc[0, "employment"] = np.nan
    out = hoover_index(data)
    assert np.isnan(out["hoover"].iloc[0]) and np.isfinite(out["hoover"].iloc[1])


def test_gini_hand_example_and_absent_units() -> None:
    out = gini_coefficient(hand_frame())
    # x: 10, 20, 60 -> (-2*10 + 0 + 2*60) / (3 * 90) = 10/27; y: 20, 20, 30 -> 20/210
    assert out["gini"].tolist() == pytest.approx([10 / 27, 2 / 21], **EXACT)
    extra = pd.DataFrame({"region": ["D"], "category": ["y"], "year": [2020], "employment": [10.0]})
    out = gini_coefficient(pd.concat([hand_frame(), extra], ignore_index=True))
    # D has no x row: a zero. x: 0, 10, 20, 60 -> (-0 - 10 + 20 + 180) / (4 * 90) = 19/36
    assert out["gini"].iloc[0] == pytest.approx(19 / 36, **EXACT)
    one = gini_coefficient(hand_frame().assign(employment=[0.0, 1.0, 0.0, 1.0, 5.0, 1.0]))
    assert one["gini"].iloc[0] == pytest.approx(2 / 3, **EXACT)  # all in one of 3: (n-1)/n


def test_specialisation_gini_hand_example() -> None:
    out = specialisation_gini(hand_frame()).set_index("region")
    # A: LQ_x = (1/4) / (9/16) = 4/9, LQ_y = (3/4) / (7/16) = 12/7
    #    G = (-4/9 + 12/7) / (2 (4/9 + 12/7)) = 80/272 = 5/17
    assert out.loc["A", "gini"] == pytest.approx(5 / 17, **EXACT)
    even = hand_frame().assign(employment=[10.0, 20.0, 10.0, 20.0, 5.0, 10.0])
    assert specialisation_gini(even)["gini"].tolist() == pytest.approx([0.0] * 3, abs=1e-15)


def test_theil_hand_example() -> None:
    out = theil_index(hand_frame()).set_index("region")
    # A: s = (1/4, 3/4) against (9/16, 7/16)
    relative = 0.25 * math.log(4 / 9) + 0.75 * math.log(12 / 7)
    entropy = -(0.25 * math.log(0.25) + 0.75 * math.log(0.75))
    assert out.loc["A", "theil"] == pytest.approx(relative, **EXACT)
    assert out.loc["A", "entropy"] == pytest.approx(entropy, **EXACT)
    absolute = theil_index(hand_frame(), kind="absolute").set_index("region")
    assert absolute.loc["A", "theil"] == pytest.approx(math.log(2) - entropy, **EXACT)
    assert absolute.loc["B", "theil"] == pytest.approx(0.0, abs=1e-15)  # an even split
    with pytest.raises(ParameterError, match="'kind'"):
        theil_index(hand_frame(), kind="L")  # type: ignore[arg-type]


def test_specialisation_coefficient_is_half_krugman() -> None:
    out = specialisation_coefficient(hand_frame())
    # Krugman: A 5/8, B 1/8, C 3/8 (test_concentration) -> halves
    assert out["specialisation_coefficient"].tolist() == pytest.approx([5 / 16, 1 / 16, 3 / 16])


def test_reflections_hand_example() -> None:
    data = pd.DataFrame(
        {"region": list("AABBC"), "industry": list("xyxzz"), "employment": [1.0] * 5}
    )
    # Every cell is an RCA. k_r0: A 2, B 2, C 1; k_i0: x 2, y 1, z 2.
    # k_r1 = mean ubiquity: 1.5, 2, 2;  k_i1 = mean diversity: 2, 2, 1.5
    # k_r2 = mean k_i1: 2, 1.75, 1.5;  k_i2 = mean k_r1: 1.75, 1.5, 2
    two = method_of_reflections(data, region_steps=2, industry_steps=2)
    assert two.regions["morc"].tolist() == pytest.approx([2.0, 1.75, 1.5], **EXACT)
    assert two.industries["mort"].tolist() == pytest.approx([1.75, 1.5, 2.0], **EXACT)
    # k_r3 = mean k_i2: 1.625, 1.875, 2 -> rescaled to [0, 100]: 0, 200/3, 100
    three = method_of_reflections(data, region_steps=3, industry_steps=0)
    assert three.regions["morc"].tolist() == pytest.approx([0.0, 200 / 3, 100.0], **EXACT)
    assert three.industries["mort"].tolist() == [2.0, 1.0, 2.0]  # step 0: ubiquity
    raw = method_of_reflections(data, region_steps=3, rescale=False)
    assert raw.regions["morc"].tolist() == pytest.approx([1.625, 1.875, 2.0], **EXACT)
    with pytest.raises(ParameterError, match="region_steps"):
        method_of_reflections(data, region_steps=-1)
    with pytest.raises(TypeError, match="industry_steps"):
        method_of_reflections(data, industry_steps=2.5)  # type: ignore[arg-type]


def test_conventions_of_the_r_packages_on_hand_data() -> None:
    data = hand_frame()
    half = locational_gini(data, convention="econgeo")["gini"]
    assert half.tolist() == pytest.approx([7 / 72, 1 / 8], **EXACT)  # 7/36 and 1/4, halved
    with pytest.raises(ParameterError, match="'convention'"):
        locational_gini(data, convention="half")  # type: ignore[arg-type]
    empty = pd.DataFrame(
        {"region": ["A", "A", "Z", "Z"], "category": ["x", "y", "x", "y"],
         "employment": [1.0, 3.0, 0.0, np.nan]}
    )  # fmt: skip
    default = location_quotient(empty, by=())["lq"]
    econgeo = location_quotient(empty, by=(), convention="econgeo")["lq"]
    assert np.isnan(default.iloc[2]) and econgeo.iloc[2] == 0.0  # T_Z = 0
    assert np.isnan(econgeo.iloc[3])  # a missing value stays missing


def test_relatedness_density_options() -> None:
    data = pd.DataFrame(
        {"region": ["A", "A", "B", "B"], "industry": ["x", "y", "x", "y"],
         "employment": [10.0, 0.0, 0.0, 10.0]}
    )  # fmt: skip
    phi = pd.DataFrame([[1.0, 0.25], [0.75, 1.0]], index=["x", "y"], columns=["x", "y"])
    # A has an RCA in x only. Row convention, no diagonal: density_Ay = phi_yx = 0.75 / 0.75
    row = relatedness_density(data, phi).set_index(["region", "industry"])["density"]
    assert row[("A", "y")] == pytest.approx(1.0, **EXACT)
    # Column convention, diagonal kept: (phi_xy M_Ax + phi_yy M_Ay) / (phi_xy + phi_yy)
    # = 0.25 / 1.25 = 0.2
    econgeo = relatedness_density(data, phi, convention="econgeo")
    econgeo = econgeo.set_index(["region", "industry"])["density"]
    assert econgeo[("A", "y")] == pytest.approx(0.2, **EXACT)
    kept = relatedness_density(data, phi, diagonal="keep").set_index(["region", "industry"])
    assert kept.loc[("A", "y"), "density"] == pytest.approx(0.75 / 1.75, **EXACT)
    with pytest.raises(ParameterError, match="either 'convention' or"):
        relatedness_density(data, phi, convention="econgeo", diagonal="keep")
    with pytest.raises(ParameterError, match="'orientation'"):
        relatedness_density(data, phi, orientation="both")  # type: ignore[arg-type]


def test_doctests() -> None:
    for module in (inequality, reflections, specialisation_indices):
        failures, _ = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert failures == 0
