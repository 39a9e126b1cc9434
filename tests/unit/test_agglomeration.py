"""Tests of the Ellison–Glaeser, Maurel–Sédillot and coagglomeration indices on micro-data."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from clusteratlas.data.synthetic import synthetic_establishments
from clusteratlas.detect import agglomeration_table, coagglomeration_table
from clusteratlas.errors import ParameterError, SchemaError, UnknownCodeError
from clusteratlas.measures.agglomeration import (
    coagglomeration,
    coagglomeration_group,
    ellison_glaeser,
    maurel_sedillot,
    micro_locational_gini,
)


def plants(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["industry", "area", "weight"])


# Case 1: 2 areas × 2 industries × 4 plants of 2 employees.
#   P: p1 in A, p2 in A;  Q: q1 in A, q2 in B.
#   Totals A = 6, B = 2, E = 8 → x = (3/4, 1/4), Σx² = 9/16 + 1/16 = 5/8, 1 − Σx² = 3/8.
#   P: z = (1/2, 1/2), H = 1/2; s = (1, 0); G = (1/4)² + (1/4)² = 1/8;
#      G/(1 − Σx²) = 1/3; γ = (1/3 − 1/2)/(1/2) = −1/3.
#      MS: Σs² = 1, G_MS = (1 − 5/8)/(3/8) = 1, γ_MS = (1 − 1/2)/(1/2) = 1.
#   Q: H = 1/2; s = (1/2, 1/2); G = (−1/4)² + (1/4)² = 1/8; γ = −1/3.
#      MS: Σs² = 1/2, G_MS = (1/2 − 5/8)/(3/8) = −1/3, γ_MS = (−1/3 − 1/2)/(1/2) = −5/3.
#   EGK: Σ(s_P − x)(s_Q − x) = (1/4)(−1/4) + (−1/4)(1/4) = −1/8; γᶜ = (−1/8)/(3/8) = −1/3.
#   E[G] under γ = 0: (1 − Σx²) H = 3/8 · 1/2 = 3/16.
CASE1 = plants([("P", "A", 2), ("P", "A", 2), ("Q", "A", 2), ("Q", "B", 2)])


def test_case1_by_hand() -> None:
    eg = ellison_glaeser(CASE1, region="area").set_index("industry")
    assert eg.loc["P", "H"] == pytest.approx(0.5) and eg.loc["Q", "H"] == pytest.approx(0.5)
    assert eg["G"].tolist() == pytest.approx([1 / 8, 1 / 8])
    assert eg["sum_x2"].tolist() == pytest.approx([5 / 8, 5 / 8])
    assert eg["gamma"].tolist() == pytest.approx([-1 / 3, -1 / 3])
    assert eg["expected_G"].tolist() == pytest.approx([3 / 16, 3 / 16])
    assert eg["n_plants"].tolist() == [2, 2] and eg["employment"].tolist() == [4.0, 4.0]
    ms = maurel_sedillot(CASE1, region="area").set_index("industry")
    assert ms["G_ms"].tolist() == pytest.approx([1.0, -1 / 3])
    assert ms["gamma_ms"].tolist() == pytest.approx([1.0, -5 / 3])
    co = coagglomeration(CASE1, region="area")
    assert co[["industry_a", "industry_b"]].iloc[0].tolist() == ["P", "Q"]
    assert co["gamma_c"].tolist() == pytest.approx([-1 / 3])
    # EG (1997) group index: the group's shares equal x, so G = 0; H = 4 · (1/4)² = 1/4;
    # w = (1/2, 1/2); Σ γ_k w_k² (1 − H_k) = 2 · (−1/3)(1/4)(1/2) = −1/12;
    # γᶜ = (0 − 1/4 + 1/12)/(1 − 1/2) = −1/3, as the pairwise EGK version.
    group = coagglomeration_group(CASE1, industries=["Q", "P"], region="area").iloc[0]
    assert group["group"] == "P+Q" and group["H"] == pytest.approx(0.25)
    assert group["G"] == pytest.approx(0.0) and group["gamma_c"] == pytest.approx(-1 / 3)


# Case 2: 3 areas, unequal plants and a plant without employees.
#   P: 3 in A, 1 in A, 0 in B;  Q: 2 in B, 2 in C.
#   Totals A = 4, B = 2, C = 2, E = 8 → x = (1/2, 1/4, 1/4), Σx² = 3/8, 1 − Σx² = 5/8.
#   P: z = (3/4, 1/4, 0), H = 9/16 + 1/16 = 5/8 (the empty plant adds nothing); s = (1, 0, 0);
#      G = (1/2)² + (1/4)² + (1/4)² = 3/8; G/(1 − Σx²) = 3/5; γ = (3/5 − 5/8)/(3/8) = −1/15.
#      MS: G_MS = (1 − 3/8)/(5/8) = 1, γ_MS = (1 − 5/8)/(3/8) = 1.
#   Q: H = 1/2; s = (0, 1/2, 1/2); G = 1/4 + 1/16 + 1/16 = 3/8; γ = (3/5 − 1/2)/(1/2) = 1/5.
#      MS: G_MS = (1/2 − 3/8)/(5/8) = 1/5, γ_MS = (1/5 − 1/2)/(1/2) = −3/5.
#   EGK: (1/2)(−1/2) + (−1/4)(1/4) + (−1/4)(1/4) = −3/8; γᶜ = (−3/8)/(5/8) = −3/5.
#   Gini of P: LQs B = C = 0 < A = 2; Lorenz points (1/4, 0), (1/2, 0), (1, 1):
#      1 − [1/4 · 0 + 1/4 · 0 + 1/2 · (1 + 0)] = 1/2.
CASE2 = plants([("P", "A", 3), ("P", "A", 1), ("P", "B", 0), ("Q", "B", 2), ("Q", "C", 2)])


def test_case2_by_hand() -> None:
    eg = ellison_glaeser(CASE2, region="area").set_index("industry")
    assert eg.loc["P", "n_plants"] == 3
    assert eg["H"].tolist() == pytest.approx([5 / 8, 1 / 2])
    assert eg["G"].tolist() == pytest.approx([3 / 8, 3 / 8])
    assert eg["gamma"].tolist() == pytest.approx([-1 / 15, 1 / 5])
    ms = maurel_sedillot(CASE2, region="area").set_index("industry")
    assert ms["gamma_ms"].tolist() == pytest.approx([1.0, -3 / 5])
    assert coagglomeration(CASE2, region="area")["gamma_c"].tolist() == pytest.approx([-3 / 5])
    gini = micro_locational_gini(CASE2, region="area").set_index("industry")
    assert gini.loc["P", "gini"] == pytest.approx(0.5)


def test_null_variance_matches_exact_enumeration() -> None:
    # Q's two plants (z = 1/2, 1/2) and a 3-plant industry R with z = (1/2, 1/3, 1/6) in
    # the 3 areas of case 2: enumerate every location of the plants with probabilities x
    # and compare the exact variance of G = Σ(s − x)² with the formula of EG (1997).
    data = pd.concat([CASE2, plants([("R", "A", 3), ("R", "B", 2), ("R", "C", 1)])])
    eg = ellison_glaeser(data, region="area").set_index("industry")
    x = data.groupby("area")["weight"].sum() / data["weight"].sum()
    for code, z in (("Q", [0.5, 0.5]), ("R", [0.5, 1 / 3, 1 / 6])):
        mean = second = 0.0
        for areas in itertools.product(range(3), repeat=len(z)):
            probability = np.prod([x.iloc[a] for a in areas])
            s = np.zeros(3)
            for a, share in zip(areas, z, strict=True):
                s[a] += share
            g = float(((s - x.to_numpy()) ** 2).sum())
            mean += probability * g
            second += probability * g**2
        assert mean == pytest.approx(eg.loc[code, "expected_G"])
        assert np.sqrt(second - mean**2) == pytest.approx(eg.loc[code, "sd_G"])


def test_herfindahl_is_one_over_n_for_equal_plants() -> None:
    rows = [("a", f"r{j % 3}", 5.0) for j in range(8)] + [("b", "r0", 1.0)] * 3
    eg = ellison_glaeser(plants(rows), region="area").set_index("industry")
    assert eg.loc["a", "H"] == pytest.approx(1 / 8) and eg.loc["b", "H"] == pytest.approx(1 / 3)


def test_gamma_is_unbiased_under_random_location() -> None:
    # Many replications of a test industry (10 plants, lognormal sizes) placed at random
    # in 6 areas with probabilities p; each replication is its own industry, so one call
    # gives every γ. A background industry much larger than all of them fixes x ≈ p.
    rng = np.random.default_rng(20240601)
    p = np.array([0.4, 0.2, 0.15, 0.1, 0.1, 0.05])
    replications, n = 4000, 10
    areas = rng.choice(6, size=(replications, n), p=p)
    sizes = np.maximum(1.0, np.rint(rng.lognormal(1.0, 1.0, (replications, n))))
    test = pd.DataFrame(
        {
            "industry": np.repeat([f"t{r}" for r in range(replications)], n),
            "area": areas.ravel().astype(str),
            "weight": sizes.ravel(),
        }
    )
    background = pd.DataFrame(
        {"industry": "bg", "area": np.arange(6).astype(str), "weight": p * 1e9}
    )
    eg = ellison_glaeser(pd.concat([test, background]), region="area")
    eg = eg[eg["industry"] != "bg"]
    ms = maurel_sedillot(pd.concat([test, background]), region="area")
    ms = ms[ms["industry"] != "bg"]
    for gamma in (eg["gamma"], ms["gamma_ms"]):
        se = gamma.std() / np.sqrt(replications)
        assert abs(gamma.mean()) < 4 * se, (gamma.mean(), se)
    # The null standard deviation of EG: the standardised γ has variance ≈ 1.
    assert (eg["gamma"] / eg["sd_gamma"]).var() == pytest.approx(1.0, abs=0.15)


def brute_force_gamma(data: pd.DataFrame, code: str) -> float:
    total = data["weight"].sum()
    areas = sorted(data["area"].unique())
    x = np.array([data.loc[data["area"] == a, "weight"].sum() / total for a in areas])
    own = data[data["industry"] == code]
    s = np.array([own.loc[own["area"] == a, "weight"].sum() for a in areas]) / own["weight"].sum()
    z = own["weight"].to_numpy() / own["weight"].sum()
    g, h = float(((s - x) ** 2).sum()), float((z**2).sum())
    return (g / (1 - (x**2).sum()) - h) / (1 - h)


def random_plants(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "industry": rng.choice(list("abcde"), 300),
            "area": rng.choice([f"r{i}" for i in range(12)], 300),
            "weight": rng.integers(0, 50, 300).astype(float),
        }
    )


def test_matches_brute_force_and_invariances() -> None:
    data = random_plants(1)
    eg = ellison_glaeser(data, region="area").set_index("industry")
    for code in "abcde":
        assert eg.loc[code, "gamma"] == pytest.approx(brute_force_gamma(data, code))
    shuffled = data.sample(frac=1.0, random_state=3).assign(weight=lambda f: f["weight"] * 7)
    again = ellison_glaeser(shuffled, region="area").set_index("industry")
    pd.testing.assert_series_equal(eg["gamma"], again["gamma"])
    counts = ellison_glaeser(data, region="area", weight=None).set_index("industry")
    assert counts["employment"].tolist() == data["industry"].value_counts().sort_index().tolist()


def test_pairwise_coagglomeration_equals_the_group_of_two() -> None:
    data = random_plants(2)
    pairs = coagglomeration(data, region="area", pairs=[("a", "c"), ("e", "b")])
    assert pairs[["industry_a", "industry_b"]].values.tolist() == [["a", "c"], ["e", "b"]]
    everything = coagglomeration(data, region="area")
    assert len(everything) == 10
    for a, b, gamma in pairs.itertuples(index=False):
        group = coagglomeration_group(data, industries=[a, b], region="area")
        assert group["gamma_c"].iloc[0] == pytest.approx(gamma)
        key = tuple(sorted((a, b)))
        row = everything[
            (everything["industry_a"] == key[0]) & (everything["industry_b"] == key[1])
        ]
        assert row["gamma_c"].iloc[0] == pytest.approx(gamma)
    with pytest.raises(UnknownCodeError, match="'f'"):
        coagglomeration(data, region="area", pairs=[("a", "f")])


def test_missing_and_bad_values_are_named() -> None:
    data = CASE2.assign(weight=[3.0, np.nan, 0.0, 2.0, 2.0])
    data.index = [10, 11, 12, 13, 14]
    with pytest.raises(SchemaError, match=r"'weight'.*row\(s\) 11.*missing='drop'"):
        ellison_glaeser(data, region="area")
    dropped = ellison_glaeser(data, region="area", missing="drop").set_index("industry")
    assert dropped.loc["P", "n_plants"] == 2
    with pytest.raises(SchemaError, match=r"non-negative.*row\(s\) 13"):
        ellison_glaeser(data.assign(weight=[3.0, 1.0, 0.0, -2.0, 2.0]), region="area")
    with pytest.raises(SchemaError, match=r"'area'.*row\(s\) 14"):
        maurel_sedillot(
            CASE2.assign(area=["A", "A", "B", "B", None]).set_axis(data.index), region="area"
        )
    with pytest.raises(ParameterError, match="missing"):
        ellison_glaeser(CASE2, region="area", missing="zero")
    with pytest.raises(SchemaError, match="'commune'"):
        ellison_glaeser(CASE2, region="commune")


def test_single_plant_industry_has_no_gamma() -> None:
    eg = ellison_glaeser(plants([("a", "A", 1), ("b", "B", 1), ("b", "A", 2)]), region="area")
    assert np.isnan(eg.set_index("industry").loc["a", "gamma"])


@pytest.fixture(scope="module")
def synthetic():
    # A large CSR background makes x close to the areas' shares of the window, so the CSR
    # industry is close to EG's null (random location with probabilities x).
    industries = {
        "background": {"process": "csr", "n": 4000},
        "random": {"process": "csr", "n": 400},
        "thomas": {"process": "thomas", "n_parents": 4, "mean_children": 60, "sigma": 200.0},
        "matern": {"process": "matern", "n_parents": 4, "mean_children": 60, "radius": 400.0},
    }
    return synthetic_establishments(industries=industries, grid=(8, 8), rng=99)


def test_clustered_industries_have_higher_gamma(synthetic) -> None:
    eg = ellison_glaeser(synthetic, region="cell").set_index("industry")
    assert abs(eg.loc["random", "gamma"]) < 3 * eg.loc["random", "sd_gamma"]
    for code in ("thomas", "matern"):
        assert eg.loc[code, "gamma"] > eg.loc["random", "gamma"] + 0.1
        assert eg.loc[code, "gamma"] > 4 * eg.loc[code, "sd_gamma"]


def test_agglomeration_table_service(synthetic) -> None:
    table = agglomeration_table(synthetic, levels=("cell", "block"))
    assert table["level"].tolist() == ["cell"] * 4 + ["block"] * 4
    cell = table[table["level"] == "cell"].set_index("industry")
    eg = ellison_glaeser(synthetic, region="cell").set_index("industry")
    pd.testing.assert_series_equal(cell["gamma"], eg["gamma"])
    assert cell["gini"].between(0, 1).all()
    with pytest.raises(TypeError, match="levels"):
        agglomeration_table(synthetic, levels="cell")
    with pytest.raises(UnknownCodeError):
        agglomeration_table(synthetic, levels=("cell",), industry_level="division")
    naf = synthetic.assign(
        industry=synthetic["industry"].map(
            {"background": "4711F", "random": "6201Z", "thomas": "6202A", "matern": "1011Z"}
        )
    )
    divisions = agglomeration_table(naf, levels=("cell",), industry_level="division")
    assert divisions["industry"].tolist() == ["10", "47", "62"]
    assert divisions["n_plants"].sum() == len(naf)


def test_coagglomeration_table_service(synthetic) -> None:
    table = coagglomeration_table(synthetic, levels=("cell", "block"))
    assert len(table) == 12 and table.groupby("level")["gamma_c"].is_monotonic_decreasing.all()
    top = coagglomeration_table(synthetic, levels=("cell",), pairs=1)
    assert (
        len(top) == 1 and top["gamma_c"].iloc[0] == table[table["level"] == "cell"]["gamma_c"].max()
    )
    chosen = coagglomeration_table(synthetic, levels=("block",), pairs=[("thomas", "random")])
    assert chosen[["industry_a", "industry_b"]].iloc[0].tolist() == ["thomas", "random"]
    assert coagglomeration_table(synthetic, levels=("cell",), min_plants=10_000).empty


def test_ms_minus_eg_follows_the_documented_identity() -> None:
    # gamma_MS - gamma_EG = 2 sum_i x_i (s_i - x_i) / ((1 - sum x^2)(1 - H)), by hand on case 1:
    # P crowds into the large area A: sum x (s - x) = 3/4 * 1/4 - 1/4 * 1/4 = 1/8 -> +4/3;
    # Q is under-represented in A: -1/8 -> -4/3 (MS lower than EG only there).
    eg = ellison_glaeser(CASE1, region="area").set_index("industry")["gamma"]
    ms = maurel_sedillot(CASE1, region="area").set_index("industry")["gamma_ms"]
    assert (ms - eg).tolist() == pytest.approx([4 / 3, -4 / 3])
    table = agglomeration_table(
        CASE1.assign(commune=CASE1["area"]), levels=("commune",), industry_level="naf"
    )
    assert table["gamma_gap"].tolist() == pytest.approx([4 / 3, -4 / 3])


def test_coagglomeration_min_plants_keeps_pairs_at_the_boundary(synthetic) -> None:
    plants = synthetic["industry"].value_counts()
    assert plants["random"] == 400  # the CSR industry of the fixture has exactly 400 plants
    every = coagglomeration_table(synthetic, levels=("cell",))
    for m in (400, 401):  # pairs whose both industries have >= m plants, as documented
        kept = coagglomeration_table(synthetic, levels=("cell",), min_plants=m)
        big = set(plants[plants >= m].index)
        expected = every[every["industry_a"].isin(big) & every["industry_b"].isin(big)]
        pd.testing.assert_frame_equal(kept, expected.reset_index(drop=True))
    at = coagglomeration_table(synthetic, levels=("cell",), min_plants=400)
    assert ((at["industry_a"] == "random") | (at["industry_b"] == "random")).any()
    for _, row in at.iterrows():  # the plant counts are those of each industry
        assert (row["n_plants_a"], row["n_plants_b"]) == (
            plants[row["industry_a"]],
            plants[row["industry_b"]],
        )
    with pytest.raises(ValueError, match="min_plants"):
        coagglomeration_table(synthetic, levels=("cell",), min_plants=0)
    with pytest.raises(ValueError, match="pairs"):
        coagglomeration_table(synthetic, levels=("cell",), pairs=0)


def test_coagglomeration_table_passes_missing_regions_on(synthetic) -> None:
    holed = synthetic.copy()
    holed.loc[holed.index[0], "cell"] = None
    with pytest.raises(ValueError, match="missing"):
        coagglomeration_table(holed, levels=("cell",))
    dropped = coagglomeration_table(holed, levels=("cell",), missing="drop")
    kept = coagglomeration_table(synthetic.drop(index=holed.index[0]), levels=("cell",))
    pd.testing.assert_frame_equal(dropped, kept)
