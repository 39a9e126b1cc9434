"""End-to-end: the micro-electronics meta-cluster on real data (skipped without the mirror).

Builds the EU map (Eurostat SBS 2014, NUTS-2 × NACE divisions, eco2007 stars), measures
stage strength, solves the integer programme and checks properties that could fail: every
stage covered, size respected, every pick specialised (LQ ≥ 1) in its stage, and an
objective at least that of a greedy heuristic computed here. The overlap with the real
Silicon Europe members is printed as a finding, not asserted as a target.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from clusteratlas.store import Store
from clusteratlas.valuechains import compare_with, load_chain
from clusteratlas.valuechains.service import metacluster, silicon_europe_regions, valuechain_table

pytestmark = pytest.mark.e2e
SIZE = 12


def _greedy(scores: pd.DataFrame, stages: list[str], size: int) -> tuple[set[str], float]:
    """Cover each stage with its best region, then add the regions of largest total score."""
    chosen: set[str] = set()
    for stage in stages:
        eligible = scores[scores["stage"] == stage]
        if not eligible["region"].isin(chosen).any():
            chosen.add(eligible.sort_values("score", ascending=False)["region"].iloc[0])
    totals = scores.groupby("region")["score"].sum().sort_values(ascending=False)
    for region in totals.index:
        if len(chosen) >= size:
            break
        chosen.add(region)
    return chosen, float(scores.loc[scores["region"].isin(chosen), "score"].sum())


def _plain_scores(
    strength: pd.DataFrame, *, size_power: float = 0.5
) -> dict[str, dict[str, float]]:
    """Region → stage → score, re-implemented from the formula (not the package's code).

    Eligible: LQ >= 1 and employment > 0. score = ln LQ / max ln LQ of the stage
    + (E / max E of the stage) ** 0.5 + 0.5 * stars / 3.
    """
    eligible = [
        row
        for row in strength.to_dict("records")
        if row["lq"] == row["lq"] and row["lq"] >= 1.0 and row["employment"] > 0
    ]
    top_log: dict[str, float] = {}
    top_emp: dict[str, float] = {}
    for row in eligible:
        stage = row["stage"]
        top_log[stage] = max(top_log.get(stage, 0.0), math.log(row["lq"]))
        top_emp[stage] = max(top_emp.get(stage, 0.0), row["employment"])
    scores: dict[str, dict[str, float]] = {}
    for row in eligible:
        stage = row["stage"]
        lq_part = math.log(row["lq"]) / top_log[stage] if top_log[stage] > 0 else 0.0
        size_part = (row["employment"] / top_emp[stage]) ** size_power
        stars = 0.0 if row["stars"] != row["stars"] else float(row["stars"])
        scores.setdefault(row["region"], {})[stage] = lq_part + size_part + 0.5 * stars / 3
    return scores


def _best_cover(
    scores: dict[str, dict[str, float]], stages: list[str], size: int
) -> tuple[float, frozenset[str]]:
    """Exact optimum by dynamic programming over (regions used, stages covered).

    Scores are >= 0, so a chosen region serves every stage it is eligible for; the value of
    a set is the sum of its regions' totals. best[k][mask] is the largest value of k regions
    covering the stages in ``mask``; the answer is the best full mask with k <= size.
    """
    bit = {stage: 1 << i for i, stage in enumerate(stages)}
    full = (1 << len(stages)) - 1
    best: list[dict[int, tuple[float, frozenset[str]]]] = [{0: (0.0, frozenset())}]
    best += [{} for _ in range(size)]
    for region in sorted(scores):
        total = sum(scores[region].values())
        covers = sum(bit[s] for s in scores[region] if s in bit)
        for k in range(size - 1, -1, -1):  # each region at most once
            for mask, (value, chosen) in list(best[k].items()):
                new_mask, new_value = mask | covers, value + total
                if new_value > best[k + 1].get(new_mask, (-1.0, frozenset()))[0]:
                    best[k + 1][new_mask] = (new_value, chosen | {region})
    answers = [best[k][full] for k in range(size + 1) if full in best[k]]
    return max(answers, key=lambda answer: answer[0])


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return Store(tmp_path_factory.mktemp("db") / "atlas.duckdb")


def test_microelectronics_metacluster_eu(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, store: Store
) -> None:
    monkeypatch.setenv("CLUSTERATLAS_DATA", str(data_dir))
    chain = load_chain("microelectronics")
    strength = valuechain_table(chain, source="eu-sbs", year=2014, rules="eco2007", store=store)
    result = metacluster(chain, source="eu-sbs", year=2014, rules="eco2007", size=SIZE, store=store)
    picks = result.frame
    assert "Optimal" in result.status
    assert 1 <= len(result.selected) <= SIZE
    assert set(picks["stage"]) == set(chain.stage_names)  # every stage covered
    assert set(picks["region"]) <= set(result.selected)
    lq = strength.set_index(["region", "stage"])["lq"]
    assert all(lq[(r, s)] >= 1.0 for r, s in zip(picks["region"], picks["stage"], strict=True))
    assert picks["reason"].str.contains("LQ ").all()
    assert picks["score"].sum() == pytest.approx(result.objective)
    greedy_regions, greedy_objective = _greedy(result.scores, list(chain.stage_names), SIZE)
    assert len(greedy_regions) <= SIZE
    assert result.objective >= greedy_objective - 1e-6
    # The selected set, solved here independently: plain scores and a dynamic programme.
    stages = list(chain.stage_names)
    optimum, expected = _best_cover(_plain_scores(strength), stages, SIZE)
    assert set(result.selected) == expected
    assert result.objective == pytest.approx(optimum, rel=1e-9)
    # The check discriminates: a linear size term would pick another set on these data.
    _, linear = _best_cover(_plain_scores(strength, size_power=1.0), stages, SIZE)
    assert linear != expected
    # SBS has divisions only: wafer fabrication and assembly both fall on C26.
    stages = strength.drop_duplicates("stage").set_index("stage")
    assert stages.loc["wafer_fab", "categories"] == stages.loc["assembly", "categories"] == "C26"
    assert set(stages["resolution"]) == {"coarser"}
    assert any("cannot be told apart" in note for note in result.notes)

    members = silicon_europe_regions()
    regions = compare_with(result.selected, members)
    countries = compare_with(result.selected, members, key=lambda code: code[:2])
    print(f"\nPicked ({len(result.selected)}): {', '.join(result.selected)}")
    print(f"Objective {result.objective:.3f}; greedy {greedy_objective:.3f}")
    print(
        f"Silicon Europe NUTS-2 members ({len(members)}): {', '.join(members)}\n"
        f"Region overlap {regions.n_common} ({', '.join(regions.common) or 'none'}), "
        f"Jaccard {regions.jaccard:.3f}; country overlap {countries.n_common} "
        f"({', '.join(countries.common)}), Jaccard {countries.jaccard:.3f}"
    )


def test_microelectronics_stages_are_distinct_in_cbp(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, store: Store
) -> None:
    monkeypatch.setenv("CLUSTERATLAS_DATA", str(data_dir))
    chain = load_chain("microelectronics")
    strength = valuechain_table(chain, source="us-cbp", year=2019, rules="uscmp", store=store)
    stages = strength.drop_duplicates("stage").set_index("stage")
    assert set(stages["resolution"]) == {"exact"}
    assert stages["categories"].nunique() == len(chain.stages)
    result = metacluster(chain, source="us-cbp", year=2019, rules="uscmp", size=SIZE, store=store)
    assert set(result.frame["stage"]) == set(chain.stage_names)
    assert len(result.selected) <= SIZE
