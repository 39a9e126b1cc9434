"""Input-output links checked against a 3-industry table worked out by hand; tiny BEA files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clusteratlas.data.io_tables import (
    io_industry_naics,
    naics_isic_concordance,
    naics_to_nace_division,
    read_bea_make,
    read_bea_use,
)
from clusteratlas.errors import ParameterError, ParseError, SchemaError, UnknownCodeError
from clusteratlas.measures.io_links import industry_flows, io_links, naics_io_links

EXACT = {"rel": 1e-12, "abs": 1e-12}
IND = ["A", "B", "C"]
COM = ["c1", "c2", "c3"]


def make() -> pd.DataFrame:
    # V (industry x commodity): A makes 90 of c1 and 10 of c2 (g_A = 100); B 40 of c2
    # (g_B = 40); C 10 of c1 and 50 of c3 (g_C = 60). q = (100, 50, 50).
    return pd.DataFrame([[90.0, 10.0, 0.0], [0.0, 40.0, 0.0], [10.0, 0.0, 50.0]], IND, COM)


def use() -> pd.DataFrame:
    # U (commodity x industry); intermediate inputs X = column sums = (15, 30, 15).
    return pd.DataFrame([[5.0, 20.0, 10.0], [10.0, 0.0, 5.0], [0.0, 10.0, 0.0]], COM, IND)


def pair(table: pd.DataFrame, a: str, b: str, column: str = "relatedness") -> float:
    row = table[(table["industry_a"] == a) & (table["industry_b"] == b)]
    assert len(row) == 1
    return float(row[column].iloc[0])


def test_industry_flows_hand_example() -> None:
    # D = V / q: A (0.9, 0.2, 0), B (0, 0.8, 0), C (0.1, 0, 1).
    # Z = D U:  A = 0.9 c1 + 0.2 c2 = (4.5 + 2, 18 + 0, 9 + 1) = (6.5, 18, 10)
    #           B = 0.8 c2          = (8, 0, 4)
    #           C = 0.1 c1 + c3     = (0.5, 2 + 10, 1) = (0.5, 12, 1)
    z = industry_flows(use(), make())
    expected = [[6.5, 18.0, 10.0], [8.0, 0.0, 4.0], [0.5, 12.0, 1.0]]
    np.testing.assert_allclose(z.to_numpy(), expected, rtol=1e-12)
    # Every commodity is made by some industry: Z keeps all intermediate inputs.
    np.testing.assert_allclose(z.sum(axis=0), use().sum(axis=0), rtol=1e-12)


def test_io_links_hand_example() -> None:
    # input_ij = Z_ji / X_i, output_ij = Z_ij / g_i, X = (15, 30, 15), g = (100, 40, 60).
    # A-B: input_AB 8/15, input_BA 18/30 = 0.6, output_AB 18/100, output_BA 8/40 -> 0.6
    # A-C: input_AC 0.5/15, input_CA 10/15 = 2/3, output_AC 0.1, output_CA 0.5/60 -> 2/3
    # B-C: input_BC 12/30 = 0.4, input_CB 4/15, output_BC 0.1, output_CB 0.2 -> 0.4
    links = io_links(use(), make())
    assert pair(links, "A", "B") == pytest.approx(0.6, **EXACT)
    assert pair(links, "B", "A") == pytest.approx(0.6, **EXACT)
    assert pair(links, "A", "C") == pytest.approx(2 / 3, **EXACT)
    assert pair(links, "C", "B") == pytest.approx(0.4, **EXACT)
    assert pair(links, "A", "B", "input_ab") == pytest.approx(8 / 15, **EXACT)
    assert pair(links, "A", "B", "output_ba") == pytest.approx(0.2, **EXACT)
    assert pair(links, "C", "A", "output_ab") == pytest.approx(0.5 / 60, **EXACT)
    # Values 0.4, 0.4, 0.6, 0.6, 2/3, 2/3: percentiles (0 + 1) / 6, (2 + 1) / 6, (4 + 1) / 6.
    assert pair(links, "B", "C", "percentile") == pytest.approx(100 / 6, **EXACT)
    assert pair(links, "A", "B", "percentile") == pytest.approx(50.0, **EXACT)
    assert pair(links, "C", "A", "percentile") == pytest.approx(500 / 6, **EXACT)
    # Denominator = output: A-B becomes max(8/100, 18/40, 0.18, 0.2) = 0.45.
    by_output = io_links(use(), make(), inputs="output")
    assert pair(by_output, "A", "B") == pytest.approx(0.45, **EXACT)
    assert "industry_a" in links and len(links) == 6


def test_io_links_order_of_rows_does_not_matter() -> None:
    shuffled = io_links(use().loc[["c3", "c1", "c2"], ["C", "A", "B"]], make())
    assert pair(shuffled, "A", "C") == pytest.approx(2 / 3, **EXACT)


def test_io_links_errors() -> None:
    with pytest.raises(SchemaError, match="same commodities"):
        industry_flows(use().drop(index="c3"), make())
    with pytest.raises(ParameterError, match="'inputs'"):
        io_links(use(), make(), inputs="total")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        industry_flows(use().to_numpy(), make())  # type: ignore[arg-type]


def test_naics_io_links() -> None:
    mapping = pd.DataFrame(
        {"io_industry": ["A", "A", "B", "C"], "naics": ["111", "112", "211", "311"]}
    )
    out = naics_io_links(io_links(use(), make()), mapping)
    assert pair(out, "111", "211") == pytest.approx(0.6, **EXACT)
    assert pair(out, "311", "112") == pytest.approx(2 / 3, **EXACT)
    # Two NAICS industries of the same IO industry have no pair.
    assert out[(out["industry_a"] == "111") & (out["industry_b"] == "112")].empty
    assert len(out) == 4 * 3 - 2


def write_summary(folder: Path) -> tuple[Path, Path]:
    use_csv = folder / "Summary_Use.csv"
    use_csv.write_text(
        "rownames,A,B,Total Intermediate,F010,F040,Total Final Uses (GDP),Total Commodity Output\n"
        "c1,5.0,20.0,25.0,70.0,5.0,75.0,100.0\n"
        "c2,10.0,0.0,10.0,40.0,0.0,40.0,50.0\n"
        "Total Intermediate,15.0,20.0,35.0,110.0,5.0,115.0,150.0\n"
        "V001,50.0,10.0,60.0,,,,\n"
        "Total Value Added,85.0,20.0,105.0,,,,\n"
        "Total Industry Output,100.0,40.0,140.0,,,,\n"
    )
    make_csv = folder / "Summary_Make.csv"
    make_csv.write_text(
        "rownames,c1,c2,Total Industry Output\n"
        "A,90.0,10.0,100.0\n"
        "B,10.0,40.0,50.0\n"
        "Total Commodity Output,100.0,50.0,150.0\n"
    )
    (folder / "Summary_IndustryCodeName_2017.csv").write_text("code,name\nA,Alpha\nB,Beta\n")
    return use_csv, make_csv


def test_read_summary_tables_split_totals_and_final_demand(tmp_path: Path) -> None:
    use_csv, make_csv = write_summary(tmp_path)
    table = read_bea_use(use_csv)
    assert table.flows.index.tolist() == ["c1", "c2"]
    assert table.flows.columns.tolist() == ["A", "B"]
    assert table.final_demand.columns.tolist() == ["F010", "F040"]
    assert table.value_added.index.tolist() == ["V001"]
    assert table.industry_totals.loc["A"].tolist() == [15.0, 85.0, 100.0]
    assert table.commodity_totals.loc["c1"].tolist() == [25.0, 75.0, 100.0]
    assert table.industries["name"].tolist() == ["Alpha", "Beta"]
    assert table.commodities["name"].isna().all()  # no commodity code-name file here
    made = read_bea_make(make_csv)
    assert made.flows.shape == (2, 2)
    assert made.industry_output.tolist() == [100.0, 50.0]
    assert made.commodity_output.tolist() == [100.0, 50.0]


def test_read_use_rejects_totals_that_do_not_add_up(tmp_path: Path) -> None:
    use_csv, _ = write_summary(tmp_path)
    use_csv.write_text(
        use_csv.read_text().replace(
            "c1,5.0,20.0,25.0,70.0,5.0,75.0,100.0", "c1,5.0,20.0,25.0,70.0,5.0,75.0,900.0"
        )
    )
    with pytest.raises(ParseError, match="do not add up"):
        read_bea_use(use_csv)
    with pytest.raises(ParseError, match="not found"):
        read_bea_use(use_csv, level="detail")
    with pytest.raises(ParameterError, match="'level'"):
        read_bea_use(use_csv, level="sector")  # type: ignore[arg-type]


def test_io_industry_naics_keeps_the_most_detailed_codes() -> None:
    crosswalk = pd.DataFrame(
        {
            "sector": ["31G"] * 5 + ["23"],
            "summary": ["3361MV"] * 5 + ["23"],
            "detail": ["336111", "336111", "336111", "336112", "336112", "233210"],
            "naics": ["336", "3361", "336111", "3361", "336112", "23"],
        }
    )
    out = io_industry_naics(crosswalk, level="summary")
    assert out.values.tolist() == [["23", "23"], ["3361MV", "336111"], ["3361MV", "336112"]]


def test_concordance_and_nace_division(tmp_path: Path) -> None:
    path = tmp_path / "concordance.csv"
    path.write_text(
        "naics_part,naics2017,naics2017_title,isic_part,isic4,isic4_title,notes\n"
        ",111110,Soybean Farming,*,111,Growing of cereals, \n"
        "*,111998,Other crops,*,12,Growing of perennial crops,group level link\n"
        ",336111,Automobile Manufacturing,*,2910,Manufacture of motor vehicles, \n"
    )
    table = naics_isic_concordance(path)
    assert table["isic4"].tolist() == ["0111", "012", "2910"]
    assert table["naics_partial"].tolist() == [False, True, False]
    assert table["isic4_partial"].tolist() == [True, True, True]
    assert naics_to_nace_division("336111", path=path) == ("C29",)
    assert naics_to_nace_division("111", path=path) == ("A01",)
    assert naics_to_nace_division("31-33", path=path) == ("C29",)
    with pytest.raises(UnknownCodeError, match="no 6-digit"):
        naics_to_nace_division("5411", path=path)
