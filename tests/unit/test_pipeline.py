"""build_map on a hand-worked 3 regions × 2 industries case.

Employment in 2014 (2009 in brackets):

    region   I1      I2      total
    A        10 (5)  30 (30)  40
    B        20 (20) 20 (10)  40
    C        30 (30) 10 (10)  40
    all      60      60      120

LQ(A, I1) = (10/40) / (60/120) = 0.5; LQ(A, I2) = (30/40)/(60/120) = 1.5;
LQ(C, I1) = 1.5. CAGR(A, I1) over 2009–2014 = (10/5)^(1/5) − 1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clusteratlas.data.schemas import validate_definitions, validate_observations
from clusteratlas.errors import ParameterError, SchemaError
from clusteratlas.mapping.pipeline import MAP_COLUMNS, build_map
from clusteratlas.mapping.rulesets import load_ruleset


def observations(extra: list[tuple[str, str, int, float]] | None = None) -> pd.DataFrame:
    rows = [
        ("A", "I1", 2014, 10.0), ("A", "I2", 2014, 30.0),
        ("B", "I1", 2014, 20.0), ("B", "I2", 2014, 20.0),
        ("C", "I1", 2014, 30.0), ("C", "I2", 2014, 10.0),
        ("A", "I1", 2009, 5.0), ("A", "I2", 2009, 30.0),
        ("B", "I1", 2009, 20.0), ("B", "I2", 2009, 10.0),
        ("C", "I1", 2009, 30.0), ("C", "I2", 2009, 10.0),
    ] + (extra or [])  # fmt: skip
    frame = pd.DataFrame(rows, columns=["region", "industry", "year", "employment"])
    frame["establishments"] = frame["employment"] / 5
    return validate_observations(frame)


def definitions(mapping: dict[str, list[str]], kind: str = "") -> pd.DataFrame:
    rows = [(i, c) for c, members in mapping.items() for i in members]
    frame = pd.DataFrame(rows, columns=["industry", "category"]).assign(category_type=kind)
    return validate_definitions(frame)


def cell(frame: pd.DataFrame, region: str, category: str) -> pd.Series:
    return frame.set_index(["region", "category"]).loc[(region, category)]


def test_hand_worked_location_quotients_and_growth() -> None:
    out = build_map(observations(), definitions({"X": ["I1"], "Y": ["I2"]}), year=2014)
    assert list(out.columns) == list(MAP_COLUMNS)
    assert cell(out, "A", "X")["lq"] == pytest.approx(0.5, rel=1e-12)
    assert cell(out, "A", "Y")["lq"] == pytest.approx(1.5, rel=1e-12)
    assert cell(out, "C", "X")["lq"] == pytest.approx(1.5, rel=1e-12)
    assert cell(out, "B", "X")["lq"] == pytest.approx(1.0, rel=1e-12)
    assert cell(out, "A", "Y")["share_of_region"] == pytest.approx(30 / 40)
    assert cell(out, "A", "Y")["share_of_category"] == pytest.approx(30 / 60)
    assert cell(out, "A", "X")["growth"] == pytest.approx(2 ** (1 / 5) - 1, rel=1e-12)
    assert int(cell(out, "A", "X")["growth_start_year"]) == 2009
    # 2009: A total 35, B 30, C 40, all 105; X = 5 + 20 + 30 = 55 -> LQ (5/35) / (55/105)
    assert cell(out, "A", "X")["lq_change"] == pytest.approx(0.5 - (5 / 35) / (55 / 105), rel=1e-12)


def test_overlapping_categories_do_not_double_count_the_region_total() -> None:
    # "Both" contains I1 and I2, "X" only I1: A's total must stay 40, not 40 + 10.
    out = build_map(observations(), definitions({"X": ["I1"], "Both": ["I1", "I2"]}), year=2014)
    assert cell(out, "A", "X")["region_total"] == 40
    assert cell(out, "A", "Both")["lq"] == pytest.approx(1.0)
    assert cell(out, "A", "X")["lq"] == pytest.approx(0.5)


def test_totals_by_type_use_the_type_s_own_industries() -> None:
    defs = pd.concat(
        [definitions({"X": ["I1"]}, kind="traded"), definitions({"Y": ["I2"]}, kind="local")]
    )
    out = build_map(observations(), defs, year=2014, totals_by_type=True)
    # Each type has one category, so every LQ is (E/E)/(Ec/Ec) = 1 where employment > 0.
    assert np.allclose(out["lq"], 1.0)
    assert cell(out, "A", "X")["region_total"] == 10


def test_suppressed_cell_stays_missing_and_leaves_the_total() -> None:
    obs = observations()
    obs.loc[
        (obs["region"] == "A") & (obs["industry"] == "I1") & (obs["year"] == 2014), "employment"
    ] = np.nan
    out = build_map(obs, definitions({"X": ["I1"], "Y": ["I2"]}), year=2014)
    assert np.isnan(cell(out, "A", "X")["lq"])
    assert cell(out, "A", "X")["n_missing"] == 1
    assert cell(out, "A", "Y")["region_total"] == 30
    # reference: X = 50 of E = 30 + 40 + 40 = 110
    assert cell(out, "B", "X")["lq"] == pytest.approx((20 / 40) / (50 / 110))


def test_absent_cells_are_zero_only_when_the_source_says_so() -> None:
    obs = observations()
    obs = obs[~((obs["region"] == "C") & (obs["industry"] == "I2"))]
    defs = definitions({"X": ["I1"], "Y": ["I2"]})
    unknown = build_map(obs, defs, year=2014)
    assert ("C", "Y") not in set(zip(unknown["region"], unknown["category"], strict=True))
    zero = build_map(obs, defs, year=2014, absent_is_zero=True)
    assert cell(zero, "C", "Y")["employment"] == 0
    assert cell(zero, "C", "Y")["lq"] == 0
    # The added cell counts no establishment, no member industry and no missing one.
    assert cell(zero, "C", "Y")[["establishments", "n_industries", "n_missing"]].tolist() == [
        0,
        0,
        0,
    ]
    assert zero["n_industries"].dtype == "int64" and zero["n_missing"].dtype == "int64"


def test_regions_without_any_value_are_dropped() -> None:
    extra = [("OLD1", "I1", 2014, np.nan), ("OLD1", "I2", 2014, np.nan)]
    out = build_map(observations(extra), definitions({"X": ["I1"], "Y": ["I2"]}), year=2014)
    assert "OLD1" not in set(out["region"])


def test_ruleset_is_applied_and_labelled() -> None:
    out = build_map(
        observations(),
        definitions({"X": ["I1"], "Y": ["I2"]}),
        year=2014,
        ruleset=load_ruleset("eco2007"),
        region_names={"A": "Alpha"},
    )
    assert {"stars", "ruleset", "unconfirmed"} <= set(out.columns)
    assert set(out["ruleset"]) == {"eco2007@1.0"}
    assert cell(out, "A", "Y")["region_name"] == "Alpha"
    assert cell(out, "B", "Y")["region_name"] == "B"


def test_bad_year_and_unmatched_definitions_are_clear_errors() -> None:
    defs = definitions({"X": ["I1"]})
    with pytest.raises(ParameterError, match=r"'year' option must be one of .*2009, 2014"):
        build_map(observations(), defs, year=2020)
    with pytest.raises(ParameterError, match="growth_start"):
        build_map(observations(), defs, year=2014, growth_start=2014)
    with pytest.raises(SchemaError, match="None of the industries"):
        build_map(observations(), definitions({"X": ["Z9"]}), year=2014)


def test_reference_groups_compare_each_region_with_its_own_group() -> None:
    # Group 1 = {A, B}, group 2 = {C}: C alone is its own reference, so every LQ of C is 1;
    # A vs {A, B}: X = 30 of 80 -> LQ(A, X) = (10/40) / (30/80).
    out = build_map(
        observations(),
        definitions({"X": ["I1"], "Y": ["I2"]}),
        year=2014,
        reference_groups={"A": "1", "B": "1", "C": "2"},
    )
    assert cell(out, "C", "X")["lq"] == pytest.approx(1.0)
    assert cell(out, "A", "X")["lq"] == pytest.approx((10 / 40) / (30 / 80))


def test_shift_share_effects_on_paper() -> None:
    # 2009 -> 2014: all 105 -> 120 (g = 1/7); X 55 -> 60 (1/11); Y 50 -> 60 (1/5).
    out = build_map(
        observations(), definitions({"X": ["I1"], "Y": ["I2"]}), year=2014,
        shift_share_effects=True,
    )  # fmt: skip
    effects = ["ss_national", "ss_mix", "ss_competitive"]
    expected = {
        ("A", "X"): (5 / 7, 5 * (1 / 11 - 1 / 7), 5 * (1 - 1 / 11)),  # change 5
        ("B", "Y"): (10 / 7, 10 * (1 / 5 - 1 / 7), 10 * (1 - 1 / 5)),  # change 10
        ("C", "X"): (30 / 7, 30 * (1 / 11 - 1 / 7), 30 * (0 - 1 / 11)),  # change 0
    }
    for (region, category), values in expected.items():
        row = cell(out, region, category)
        assert tuple(row[effects]) == pytest.approx(values, rel=1e-12)
        assert row["ss_status"] == "ok"
    assert list(out.columns[: len(MAP_COLUMNS)]) == list(MAP_COLUMNS)


def test_shift_share_leaves_breaks_out_of_the_reference() -> None:
    frame = observations()
    frame["employment_flag"] = ""
    flagged = (frame["region"] == "B") & (frame["industry"] == "I2") & (frame["year"] == 2009)
    frame.loc[flagged, "employment_flag"] = "d"
    out = build_map(
        frame, definitions({"X": ["I1"], "Y": ["I2"]}), year=2014, shift_share_effects=True
    )
    assert cell(out, "B", "Y")["ss_status"] == "break"
    assert np.isnan(cell(out, "B", "Y")["ss_national"])
    # Without B x Y the reference grows 95 -> 100 (g = 1/19).
    assert cell(out, "A", "X")["ss_national"] == pytest.approx(5 / 19, rel=1e-12)


def test_shift_share_needs_a_growth_period() -> None:
    only_2014 = observations()
    only_2014 = only_2014[only_2014["year"] == 2014]
    with pytest.raises(ParameterError, match="growth period"):
        build_map(only_2014, definitions({"X": ["I1"]}), year=2014, shift_share_effects=True)
