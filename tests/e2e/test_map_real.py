"""End-to-end tests of cluster mapping on the real data (skipped without the mirror).

The maps are built through the Python API (:func:`clusteratlas.mapping.service.make_map`)
with a store in a temporary directory. Every expected value is computed independently
here, from the raw files, with the ``csv`` and ``gzip`` modules of the standard library
(never with the package's readers); the only literals are published facts (the 51 traded
clusters, the 933 CBSAs of CBP 2019, the Panorama 2021 count of 1,501 specialisations).
"""

from __future__ import annotations

import csv
import gzip
import math
import re
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytestmark = pytest.mark.e2e

EU_YEAR = 2014
US_YEAR = 2019
STUTTGART, C29 = "DE11", "C29"
SAN_JOSE = "41940"
IT_CLUSTER = "Information Technology and Analytical Instruments"
DIVISION = re.compile(r"[A-U]\d{2}")
PANORAMA_2021_COUNT = 1501  # European Cluster Panorama 2021: 1,501 sector specialisations
PANORAMA_2021_REGIONS = 201  # … in 201 EU-27 regions
TRADED_CLUSTERS = 51  # Delgado, Porter & Stern (2016)
CBP_2019_CBSAS = 933  # data/CATALOG.md: County Business Patterns 2019, 933 CBSAs


# --------------------------------------------------------------------------- raw readings


def _sbs_number(cell: str) -> float | None:
    """A Eurostat cell by hand: ':' is missing, flag 'c' (confidential) is missing too."""
    number, _, flags = cell.strip().partition(" ")
    if number == ":" or "c" in flags:
        return None
    return float(number)


def _is_nuts2(code: str) -> bool:
    return len(code) == 4 and set(code[2:]) != {"Z"}  # xxZZ are extra-regio


@pytest.fixture(scope="module")
def raw_sbs(data_dir: Path) -> dict[tuple[str, str], float | None]:
    """Persons employed (V16110) in EU_YEAR by (NUTS-2 region, NACE division), from the TSV."""
    cells: dict[tuple[str, str], float | None] = {}
    with gzip.open(data_dir / "eu" / "sbs_r_nuts06_r2.tsv.gz", "rt", encoding="utf-8") as handle:
        rows = csv.reader(handle, delimiter="\t")
        header = next(rows)
        column = [label.strip() for label in header].index(str(EU_YEAR))
        for row in rows:
            nace, indicator, geo = row[0].split(",")
            if indicator == "V16110" and DIVISION.fullmatch(nace) and _is_nuts2(geo):
                cells[(geo, nace)] = _sbs_number(row[column])
    return cells


@pytest.fixture(scope="module")
def raw_cbp(data_dir: Path) -> tuple[dict[tuple[str, str], tuple[float | None, float]], set[str]]:
    """6-digit CBP cells (cbsa, naics) → (employment or None when suppressed, establishments)."""
    cells: dict[tuple[str, str], tuple[float | None, float]] = {}
    cbsas: set[str] = set()
    with gzip.open(data_dir / "us" / "cbp2019_cbsa_naics.csv.gz", "rt", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            cbsas.add(row["cbsa_code"])
            if row["naics_level"] != "6":
                continue
            emp, est = float(row["EMP"]), float(row["ESTAB"])
            suppressed = emp == 0 and est > 0
            cells[(row["cbsa_code"], row["naics_code"])] = (None if suppressed else emp, est)
    return cells, cbsas


@pytest.fixture(scope="module")
def raw_traded(data_dir: Path) -> dict[str, str]:
    """Traded 6-digit NAICS → benchmark cluster, from the definitions CSV."""
    path = data_dir / "clusters" / "us_benchmark_clusters_naics.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        return {
            row["NAICS"].strip(): row["Cluster"].strip()
            for row in csv.DictReader(handle)
            if row["TradedLocal"].strip() == "Traded"
        }


# --------------------------------------------------------------------------- maps


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    from clusteratlas.store import Store

    return Store(tmp_path_factory.mktemp("store") / "atlas.duckdb")


@pytest.fixture(scope="module")
def eu_map(data_dir: Path, store):
    from clusteratlas.mapping.service import make_map

    return make_map("eu-sbs", year=EU_YEAR, rules="eco2007", store=store)


@pytest.fixture(scope="module")
def eu_ecosystems(data_dir: Path, store):
    from clusteratlas.mapping.service import make_map

    return make_map("eu-sbs", year=EU_YEAR, rules="eco2007", categories="ecosystems", store=store)


@pytest.fixture(scope="module")
def us_map(data_dir: Path, store):
    from clusteratlas.mapping.service import make_map

    return make_map("us-cbp", year=US_YEAR, rules="uscmp", store=store)


def _cell(frame: pd.DataFrame, region: str, category: str) -> pd.Series:
    match = frame[(frame["region"] == region) & (frame["category"] == category)]
    assert len(match) == 1, f"{region}/{category}: {len(match)} rows"
    return match.iloc[0]


# --------------------------------------------------------------------------- EU spot value


def test_eu_lq_stuttgart_c29(eu_map, raw_sbs) -> None:
    regions_with_data = {r for (r, _), v in raw_sbs.items() if v is not None}
    region_total: dict[str, float] = defaultdict(float)  # T_r over available divisions
    category_total: dict[str, float] = defaultdict(float)  # E_c over the reference area
    for (region, nace), value in raw_sbs.items():
        if value is not None and region in regions_with_data:
            region_total[region] += value
            category_total[nace] += value
    grand_total = sum(region_total.values())  # E
    e_rc = raw_sbs[(STUTTGART, C29)]
    assert e_rc is not None
    expected = (e_rc / region_total[STUTTGART]) / (category_total[C29] / grand_total)

    row = _cell(eu_map.frame, STUTTGART, C29)
    assert row["employment"] == e_rc
    assert row["region_total"] == pytest.approx(region_total[STUTTGART], rel=1e-12)
    assert row["lq"] == pytest.approx(expected, rel=1e-9)
    assert row["year"] == EU_YEAR


def test_eu_region_count(eu_map, raw_sbs) -> None:
    regions_with_data = {r for (r, _), v in raw_sbs.items() if v is not None}
    assert set(eu_map.frame["region"]) == regions_with_data


# --------------------------------------------------------------------------- US spot values


def _us_cells(raw_cbp, raw_traded):
    """(cbsa, cluster) → (employment or None, establishments) and traded employment per CBSA."""
    cells, _ = raw_cbp
    emp: dict[tuple[str, str], float] = defaultdict(float)
    est: dict[tuple[str, str], float] = defaultdict(float)
    present: dict[tuple[str, str], int] = defaultdict(int)
    known: dict[tuple[str, str], int] = defaultdict(int)
    traded_total: dict[str, float] = defaultdict(float)
    for (cbsa, naics), (employment, establishments) in cells.items():
        cluster = raw_traded.get(naics)
        if cluster is None:
            continue
        key = (cbsa, cluster)
        present[key] += 1
        est[key] += establishments
        if employment is not None:
            known[key] += 1
            emp[key] += employment
            traded_total[cbsa] += employment
    cluster_emp = {key: (emp[key] if known[key] else None) for key in present}
    return cluster_emp, dict(est), dict(traded_total)


def _hand_lq_table(raw_cbp, raw_traded, cluster: str) -> pd.DataFrame:
    """Every CBSA of CBP: the cluster's employment, establishments and LQ, by hand."""
    _, cbsas = raw_cbp
    cluster_emp, cluster_est, traded_total = _us_cells(raw_cbp, raw_traded)
    national_cluster = sum(v for (_, c), v in cluster_emp.items() if c == cluster and v)
    ratio = national_cluster / sum(traded_total.values())
    table = []
    for cbsa in sorted(cbsas):
        emp = cluster_emp.get((cbsa, cluster), 0.0)  # absent from CBP: no establishment
        est = cluster_est.get((cbsa, cluster), 0.0)
        total = traded_total.get(cbsa, 0.0)
        lq = (emp / total) / ratio if emp is not None and total > 0 else math.nan
        table.append((cbsa, math.nan if emp is None else emp, est, total, lq))
    return pd.DataFrame(table, columns=["region", "emp", "est", "total", "lq"])


def test_us_san_jose_it_employment(us_map, raw_cbp, raw_traded) -> None:
    hand = _hand_lq_table(raw_cbp, raw_traded, IT_CLUSTER).set_index("region")
    row = _cell(us_map.frame, SAN_JOSE, IT_CLUSTER)
    assert row["employment"] == hand.loc[SAN_JOSE, "emp"]
    assert row["establishments"] == hand.loc[SAN_JOSE, "est"]
    assert hand.loc[SAN_JOSE, "lq"] > 1  # sanity of the hand computation: an IT hub


def test_us_lq_san_jose_it(us_map, raw_cbp, raw_traded) -> None:
    hand = _hand_lq_table(raw_cbp, raw_traded, IT_CLUSTER).set_index("region")
    row = _cell(us_map.frame, SAN_JOSE, IT_CLUSTER)
    assert row["region_total"] == pytest.approx(hand.loc[SAN_JOSE, "total"], rel=1e-12)
    assert row["lq"] == pytest.approx(hand.loc[SAN_JOSE, "lq"], rel=1e-9)


def test_us_lq_all_cbsas_it(us_map, raw_cbp, raw_traded) -> None:
    hand = _hand_lq_table(raw_cbp, raw_traded, IT_CLUSTER)
    mapped = us_map.frame[us_map.frame["category"] == IT_CLUSTER].set_index("region")
    lq = mapped.loc[hand["region"], "lq"].to_numpy(dtype=float)
    np.testing.assert_allclose(lq, hand["lq"].to_numpy(), rtol=1e-9, equal_nan=True)


def test_us_national_employment_per_cluster(us_map, raw_cbp, raw_traded) -> None:
    cluster_emp, _, _ = _us_cells(raw_cbp, raw_traded)
    hand: dict[str, float] = defaultdict(float)
    for (_, cluster), value in cluster_emp.items():
        hand[cluster] += value or 0.0
    mapped = us_map.frame.groupby("category")["employment"].sum()
    wrong = {c: (mapped.get(c), v) for c, v in hand.items() if mapped.get(c) != v}
    assert wrong == {}, f"national employment (map, hand) differs: {wrong}"


def test_us_strong_flag_all_cbsas(us_map, raw_cbp, raw_traded) -> None:
    hand = _hand_lq_table(raw_cbp, raw_traded, IT_CLUSTER)
    population = hand[hand["emp"] > 0]
    p75_lq = np.quantile(population["lq"].to_numpy(), 0.75, method="linear")
    p25_emp = np.quantile(population["emp"].to_numpy(), 0.25, method="linear")
    p25_est = np.quantile(population["est"].to_numpy(), 0.25, method="linear")
    hand["strong"] = (
        (hand["emp"] > 0)
        & (hand["lq"] >= p75_lq)
        & (hand["lq"] >= 1)
        & (hand["emp"] > p25_emp)
        & (hand["est"] > p25_est)
    )
    mapped = us_map.frame[us_map.frame["category"] == IT_CLUSTER].set_index("region")
    assert sorted(mapped.index) == sorted(hand["region"])
    got = mapped.loc[hand["region"], "strong"].astype(bool).to_numpy()
    wrong = hand.loc[got != hand["strong"].to_numpy(), "region"].tolist()
    assert wrong == [], f"strong flag differs for CBSAs {wrong[:10]}"
    assert hand["strong"].any() and not hand["strong"].all()
    assert bool(mapped.loc[SAN_JOSE, "strong"])


def test_us_strong_rule_on_the_map_measures(us_map) -> None:
    """The uscmp quantile rule, recomputed from the map's own LQ and sizes, for all clusters."""
    frame = us_map.frame
    wrong = []
    for category, group in frame.groupby("category"):
        population = group[group["employment"] > 0]
        p75_lq = np.quantile(population["lq"].dropna().to_numpy(), 0.75, method="linear")
        p90_lq = np.quantile(population["lq"].dropna().to_numpy(), 0.90, method="linear")
        p25_emp = np.quantile(population["employment"].to_numpy(), 0.25, method="linear")
        p25_est = np.quantile(population["establishments"].to_numpy(), 0.25, method="linear")
        size = (group["employment"] > p25_emp) & (group["establishments"] > p25_est)
        strong = (group["lq"] >= p75_lq) & (group["lq"] >= 1) & size
        strong10 = (group["lq"] >= p90_lq) & (group["lq"] >= 1) & size
        if not (strong == group["strong"].astype(bool)).all():
            wrong.append(("strong", category))
        if not (strong10 == group["strong10"].astype(bool)).all():
            wrong.append(("strong10", category))
    assert wrong == []


# --------------------------------------------------------------------------- properties


def _assert_weighted_mean_lq_is_one(frame: pd.DataFrame) -> None:
    # sum_r T_r LQ_rc = sum_r E_rc E / E_c = E for every category with data, E = sum_r T_r.
    grand_total = frame.drop_duplicates("region")["region_total"].sum()
    checked = 0
    for category, group in frame.groupby("category"):
        if group["lq"].notna().sum() == 0:
            continue
        assert group["region"].is_unique
        weighted = (group["region_total"] * group["lq"]).sum(min_count=1)
        assert weighted / grand_total == pytest.approx(1.0, abs=1e-9), category
        checked += 1
    assert checked > 0


def test_weighted_mean_lq_is_one_eu(eu_map) -> None:
    _assert_weighted_mean_lq_is_one(eu_map.frame)


def test_weighted_mean_lq_is_one_eu_ecosystems(eu_ecosystems) -> None:
    _assert_weighted_mean_lq_is_one(eu_ecosystems.frame)


def test_weighted_mean_lq_is_one_us(us_map) -> None:
    _assert_weighted_mean_lq_is_one(us_map.frame)


def test_us_row_count(us_map, raw_cbp, raw_traded) -> None:
    _, cbsas = raw_cbp
    assert len(cbsas) == CBP_2019_CBSAS
    assert len(set(raw_traded.values())) == TRADED_CLUSTERS
    frame = us_map.frame
    assert len(frame) == CBP_2019_CBSAS * TRADED_CLUSTERS
    assert set(frame["region"]) == cbsas
    assert frame["category"].nunique() == TRADED_CLUSTERS
    assert not frame.duplicated(["region", "category"]).any()


def test_eco2007_unconfirmed_entries_name_the_unconfirmed_thresholds(eu_map) -> None:
    entries = eu_map.frame["unconfirmed"].fillna("")
    parts = [part for text in entries if text for part in text.split("; ")]
    assert parts, "eco2007 has UNCONFIRMED specialisation and focus thresholds"
    for part in set(parts):
        assert "specialisation" in part or "focus" in part, part
    assert any("specialisation" in p for p in parts) and any("focus" in p for p in parts)
    # Every row earning a star from an unconfirmed criterion must say so.
    flagged = eu_map.frame["star_specialisation"] | eu_map.frame["star_focus"]
    assert (entries[flagged] != "").all()


def test_ecosystems_definition_status(eu_ecosystems, data_dir: Path) -> None:
    path = data_dir / "reference" / "ecosystems_nace.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        statuses = [
            row["status"].strip()
            for row in csv.DictReader(handle)
            if row["ecosystem"].strip() == "Digital" and row["nace_code"].strip()
        ]
    assert statuses and any(s.startswith("UNCONFIRMED") for s in statuses)
    digital = eu_ecosystems.frame[eu_ecosystems.frame["category"] == "Digital"]
    assert len(digital) > 0
    assert set(digital["definition_status"]) == {"UNCONFIRMED"}
    assert any("Digital" in note for note in eu_ecosystems.notes)


# --------------------------------------------------------------------------- the headline number


def _brute_force_calibration(
    frame: pd.DataFrame, grid: tuple[float, ...]
) -> tuple[float, float, int, int]:
    """(threshold, minimum employment, count, regions) by trying every candidate cut-off.

    For each minimum employment m and each distinct eligible LQ value t, count the cells
    with LQ >= t (a plain comparison over every cell); keep the count closest to 1,501,
    ties by the region count closest to 201, then the higher t; over m, the closest count,
    then the closest region count, then the smaller m. Only the 3 x 1,501 highest distinct
    values can be best: any lower one already selects more than 3 x 1,501 cells.
    """
    lq = frame["lq"].to_numpy(dtype=float)
    emp = frame["employment"].to_numpy(dtype=float)
    regions = frame["region"].to_numpy()
    best: tuple[tuple[float, ...], tuple[float, float, int, int]] | None = None
    for minimum in grid:
        with np.errstate(invalid="ignore"):
            eligible = ~np.isnan(lq) & (emp >= minimum)
        values = lq[eligible]
        candidates = np.unique(values)[::-1][: 3 * PANORAMA_2021_COUNT]
        counts = np.array([int((values >= t).sum()) for t in candidates])
        gap = np.abs(counts - PANORAMA_2021_COUNT)
        for t, n in zip(candidates[gap == gap.min()], counts[gap == gap.min()], strict=True):
            with np.errstate(invalid="ignore"):
                n_regions = len(set(regions[eligible & (lq >= t)]))
            key = (abs(n - PANORAMA_2021_COUNT), abs(n_regions - PANORAMA_2021_REGIONS))
            candidate = ((*key, -t, minimum), (float(t), float(minimum), int(n), n_regions))
            if best is None or _better(candidate[0], best[0]):
                best = candidate
    assert best is not None
    return best[1]


def _better(new: tuple[float, ...], old: tuple[float, ...]) -> bool:
    """Closest count, then closest region count; within one m the higher t, across m the smaller m."""
    if new[:2] != old[:2]:
        return new[:2] < old[:2]
    if new[3] == old[3]:
        return new[2] < old[2]  # -t: higher threshold first
    return new[3] < old[3]


def test_calibrate_panorama_2021(data_dir: Path, store, raw_sbs) -> None:
    from clusteratlas.mapping.service import calibrate

    grid = (0.0, 3500.0)
    result, built = calibrate(year=EU_YEAR, min_employment_grid=grid, store=store)
    message = (
        f"LQ threshold {result.threshold!r} (next lower {result.next_lower!r}), minimum "
        f"employment {result.min_employment:g}: {result.count} cells in {result.regions} regions, "
        f"{result.employment_share:.3%} of employment"
    )
    threshold, minimum, count, n_regions = _brute_force_calibration(built.frame, grid)
    assert result.threshold == threshold, message
    assert result.min_employment == minimum, message
    assert result.count == count and result.regions == n_regions, message

    # Recount by hand from the calibrated frame: the cells with LQ >= t and enough employment.
    frame = built.frame
    lq = frame["lq"].to_numpy(dtype=float)
    emp = frame["employment"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        eligible = ~np.isnan(lq) & (emp >= result.min_employment)
        chosen = eligible & (lq >= result.threshold)
        above_lower = eligible & (lq > result.next_lower)
    assert int(chosen.sum()) == count, message
    # (next_lower, threshold] semantics: every cut-off in that interval selects the same cells,
    # next_lower is an eligible LQ value, and none lies strictly between the two.
    assert result.next_lower < result.threshold, message
    assert (above_lower == chosen).all(), message
    between = eligible & (lq > result.next_lower) & (lq < result.threshold)
    assert not between.any(), message
    if math.isfinite(result.next_lower):
        assert (eligible & (lq == result.next_lower)).any(), message
        assert int((eligible & (lq >= result.next_lower)).sum()) > count, message
    assert (eligible & (lq == result.threshold)).any(), message
    assert frame.loc[chosen, "region"].nunique() == result.regions, message
    share = np.nansum(emp[chosen]) / np.nansum(emp)
    assert share == pytest.approx(result.employment_share, rel=1e-12), message
    # The published comparisons (201 regions, about 25 % of employment) recomputed from the
    # raw TSV: the chosen cells' persons employed over every cell of the mapped regions.
    picked = set(zip(frame.loc[chosen, "region"], frame.loc[chosen, "category"], strict=True))
    mapped = set(frame["region"])
    raw_total = sum(v for (r, _), v in raw_sbs.items() if r in mapped and v is not None)
    raw_picked = sum(raw_sbs[cell] or 0.0 for cell in picked)
    assert raw_picked / raw_total == pytest.approx(result.employment_share, rel=1e-9), message
    assert len({r for r, _ in picked}) == result.regions, message
    print(
        f"\nCalibration: {result.count} cells (published {PANORAMA_2021_COUNT}) in "
        f"{result.regions} regions (published {PANORAMA_2021_REGIONS}), "
        f"{raw_picked / raw_total:.1%} of employment (published about 25 %)"
    )
    # The reference area of the calibration is the EU-27 only.
    assert not frame["region"].str[:2].isin({"NO", "CH", "IS", "UK", "TR", "MK", "RS"}).any()
