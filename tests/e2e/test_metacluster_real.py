"""End-to-end: the micro-electronics meta-cluster on real data (skipped without the mirror).

Builds the EU map (Eurostat SBS 2014, NUTS-2 × NACE divisions, eco2007 stars), measures
stage strength, solves the integer programme and checks properties that could fail: every
stage covered, size respected, every pick specialised (LQ ≥ 1) in its stage, and an
objective at least that of a greedy heuristic computed here. The overlap with the real
Silicon Europe members is printed as a finding, not asserted as a target.
"""

from __future__ import annotations

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
