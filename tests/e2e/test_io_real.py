"""End-to-end: the real BEA tables, with values recomputed from the raw CSV files by hand.

The independent values use only the standard library (csv, plain loops), never the readers.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from clusteratlas.data.io_tables import (
    bea_naics_crosswalk,
    io_industry_naics,
    naics_to_nace_division,
    read_bea_make,
    read_bea_use,
)
from clusteratlas.measures.io_links import io_links

pytestmark = pytest.mark.e2e

DATA = Path(os.environ.get("CLUSTERATLAS_DATA", "."))
BEA = DATA / "io" / "bea"
SUMMARY_USE = BEA / "Summary_Use_2022_PRO_BeforeRedef_17sch.csv"
SUMMARY_MAKE = BEA / "Summary_Make_2022_BeforeRedef_17sch.csv"
DETAIL_USE = BEA / "Detail_Use_2017_PRO_BeforeRedef_17sch.csv"
DETAIL_MAKE = BEA / "Detail_Make_2017_BeforeRedef_17sch.csv"


@pytest.fixture(scope="module", autouse=True)
def _mirror() -> None:
    if not SUMMARY_USE.is_file():
        pytest.skip(f"BEA tables not found under {BEA}")


def raw(path: Path) -> tuple[list[str], dict[str, dict[str, float]]]:
    """Return the header and {row code: {column: value}} of a BEA table, with csv only."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = csv.reader(handle)
        header = next(rows)[1:]
        table = {
            row[0].strip(): {h: float(v) for h, v in zip(header, row[1:], strict=True) if v != ""}
            for row in rows
        }
    return header, table


def test_summary_totals_match_the_raw_file() -> None:
    header, use = raw(SUMMARY_USE)
    _, make = raw(SUMMARY_MAKE)
    industries = header[: header.index("Total Intermediate")]
    commodities = [r for r in use if r not in ("Total Intermediate", "Total Value Added")]
    commodities = [r for r in commodities if not r.startswith(("V00", "Total"))]
    table = read_bea_use(SUMMARY_USE)
    assert table.flows.columns.tolist() == industries
    assert table.flows.index.tolist() == commodities
    # Intermediate inputs of motor vehicles: the column sum by hand, and the BEA total.
    by_hand = sum(use[c]["3361MV"] for c in commodities)
    assert table.flows["3361MV"].sum() == pytest.approx(by_hand, abs=1e-6)
    assert by_hand == pytest.approx(use["Total Intermediate"]["3361MV"], abs=50)
    assert table.industry_totals.loc["3361MV", "output"] == use["Total Industry Output"]["3361MV"]
    # Make: primary metals' output is its row sum (within BEA rounding).
    made = read_bea_make(SUMMARY_MAKE)
    row_sum = sum(v for k, v in make["331"].items() if k != "Total Industry Output")
    assert made.flows.loc["331"].sum() == pytest.approx(row_sum, abs=1e-6)
    assert row_sum == pytest.approx(make["331"]["Total Industry Output"], abs=50)
    assert made.flows.shape == (71, 73) and table.final_demand.shape[1] == 20


def hand_links(use_path: Path, make_path: Path, focus: str) -> dict[str, float]:
    """IO_{focus, j} for every other industry j, by plain loops over the raw CSV files."""
    _, use = raw(use_path)
    _, make = raw(make_path)
    industries = [r for r in make if not r.startswith("T") and r != "Total Commodity Output"]
    commodities = [c for c in make[industries[0]] if c not in ("T008", "Total Industry Output")]
    q = {c: sum(make[i].get(c, 0.0) for i in industries) for c in commodities}
    g = {i: sum(make[i].get(c, 0.0) for c in commodities) for i in industries}
    inputs = {i: sum(use[c][i] for c in commodities) for i in industries}

    def flow(seller: str, buyer: str) -> float:  # Z = D U, D = V / q
        return sum(make[seller][c] / q[c] * use[c][buyer] for c in commodities if q[c] != 0)

    out = {}
    for j in industries:
        if j == focus:
            continue
        shares = [
            flow(j, focus) / inputs[focus],  # share of focus' inputs bought from j
            flow(focus, j) / inputs[j],  # share of j's inputs bought from focus
            flow(focus, j) / g[focus],  # share of focus' output sold to j
            flow(j, focus) / g[j],  # share of j's output sold to focus
        ]
        out[j] = max(shares)
    return out


def test_motor_vehicles_strongest_link_is_primary_metals() -> None:
    expected = hand_links(SUMMARY_USE, SUMMARY_MAKE, "3361MV")
    links = io_links(read_bea_use(SUMMARY_USE), read_bea_make(SUMMARY_MAKE))
    ours = links[links["industry_a"] == "3361MV"].set_index("industry_b")["relatedness"]
    assert ours.to_dict() == pytest.approx(expected, rel=1e-9)
    top = max(expected, key=expected.__getitem__)
    # In the 2022 summary table, 17.5 % of primary metals' (331) output goes to motor
    # vehicles, bodies, trailers and parts: its strongest link. Parts (3363) are inside
    # 3361MV at this level, so they are an own-industry flow.
    assert top == "331" and ours.idxmax() == "331"
    assert ours["331"] == pytest.approx(0.1752, abs=5e-4)
    assert links.loc[links["industry_a"] == "3361MV", "percentile"].max() > 95


def test_detail_automobiles_are_linked_most_to_parts() -> None:
    links = io_links(
        read_bea_use(DETAIL_USE, level="detail"), read_bea_make(DETAIL_MAKE, level="detail")
    )
    autos = links[links["industry_a"] == "336111"].nlargest(3, "relatedness")
    # Seating and interior trim, engines, stampings: all motor vehicle parts (3363).
    assert all(code.startswith("3363") for code in autos["industry_b"])
    assert len(links) == 402 * 401


def test_crosswalks_on_real_files() -> None:
    crosswalk = bea_naics_crosswalk(BEA / "MasterCrosswalk2017.csv")
    mapping = io_industry_naics(crosswalk, level="summary")
    motor = mapping.loc[mapping["io_industry"] == "3361MV", "naics"]
    assert len(motor) == 15 and motor.str.match(r"^336[123]\d\d$").all()
    concordance = DATA / "classifications" / "naics2017_to_isic4.csv"
    assert naics_to_nace_division("336111", path=concordance) == ("C29",)
    assert naics_to_nace_division("541511", path=concordance) == ("J62",)
