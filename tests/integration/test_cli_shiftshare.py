"""The ``clusteratlas shiftshare`` command on a tiny hand-written Eurostat mirror.

Two regions, three NACE divisions, 2008 and 2014; the effects are worked out on paper.
"""

from __future__ import annotations

import csv
import gzip
import shutil
from pathlib import Path

import pytest
from _cli import assert_one_line_error, run_cli

SBS_FILE = "eu/sbs_r_nuts06_r2.tsv.gz"
YEARS = (2015, 2014, 2013, 2012, 2011, 2010, 2009, 2008)
SBS_HEADER = "nace_r2,indic_sb,geo\\time\t" + "\t".join(f"{year} " for year in YEARS)


def sbs_line(key: str, values: dict[int, str]) -> str:
    return key + "\t" + "\t".join(f"{values.get(year, ':')} " for year in YEARS)


#: DE11: C29 100 -> 150, J62 50 -> 40; FR10: C29 100 -> 110, J62 150 -> 200.
#: E_C29 200 -> 260 (g = 1.3), E_J62 200 -> 240 (1.2), E 400 -> 500 (1.25).
#: C28 is flagged: a break ('b') in 2011 in DE11, a definition change ('d') in FR10.
BODY = [
    sbs_line("C29,V16110,DE11", {2008: "100", 2014: "150"}),
    sbs_line("J62,V16110,DE11", {2008: "50", 2014: "40"}),
    sbs_line("C29,V16110,FR10", {2008: "100", 2014: "110"}),
    sbs_line("J62,V16110,FR10", {2008: "150", 2014: "200"}),
    sbs_line("C28,V16110,DE11", {2008: "80", 2011: "70 b", 2014: "90"}),
    sbs_line("C28,V16110,FR10", {2008: "60 d", 2014: "65"}),
]


@pytest.fixture
def mirror(tmp_path: Path, data_dir: Path) -> Path:
    root = tmp_path / "mirror"
    for relative in ("eu/nuts2013_level2.geojson", "classifications/nace_rev2_divisions_en_fr.csv"):
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(data_dir / relative, root / relative)
    (root / SBS_FILE).parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(root / SBS_FILE, "wt", encoding="utf-8", newline="") as handle:
        handle.write("\n".join([SBS_HEADER, *BODY]) + "\n")
    return root


def test_shiftshare_region_on_paper(tmp_path: Path, mirror: Path) -> None:
    proc = run_cli(
        "shiftshare", "--source", "eu-sbs", "--from", "2008", "--to", "2014",
        "--region", "DE11", "--output", "ss.csv", "--db", tmp_path / "db.duckdb",
        data=mirror, cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    with (tmp_path / "ss.csv").open(newline="", encoding="utf-8") as handle:
        rows = {row["industry"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {"C28", "C29", "J62"}
    # C29: national 100 x 0.25 = 25, mix 100 (1.3 - 1.25) = 5, competitive 150 - 130 = 20
    # J62: 12.5, 50 (1.2 - 1.25) = -2.5, 40 - 60 = -20
    for code, expected in {"C29": (50, 25, 5, 20), "J62": (-10, 12.5, -2.5, -20)}.items():
        got = tuple(float(rows[code][c]) for c in ("change", "national", "mix", "competitive"))
        assert got == pytest.approx(expected, rel=1e-12)
        assert rows[code]["status"] == "ok"
    assert rows["C28"]["status"] == "break" and rows["C28"]["national"] == ""
    assert "Eurostat" in rows["C29"]["attribution"]
    out = " ".join(proc.stdout.split())
    assert "C29" in out and "25.0" in out and "20.0" in out
    # The decomposed categories: change 40 = national 37.5 + mix 2.5 + competitive 0.
    assert "sum of decomposed categories" in out and "37.5" in out
    assert "1 break" in out


def test_shiftshare_every_region_and_esteban(tmp_path: Path, mirror: Path) -> None:
    proc = run_cli(
        "shiftshare", "--from", "2008", "--to", "2014", "--method", "esteban-marquillas",
        "--output", "all.csv", "--db", tmp_path / "db.duckdb", data=mirror, cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    with (tmp_path / "all.csv").open(newline="", encoding="utf-8") as handle:
        rows = {(r["region"], r["industry"]): r for r in csv.DictReader(handle)}
    # FR10 C28 carries a 'd' flag in 2008: not decomposed either.
    assert rows[("FR10", "C28")]["status"] == "break"
    # DE11 C29: homothetic 150 x 200 / 400 = 75; g_rc - g_c = 0.2: 15 and 5.
    assert float(rows[("DE11", "C29")]["competitive"]) == pytest.approx(15.0, rel=1e-12)
    assert float(rows[("DE11", "C29")]["allocation"]) == pytest.approx(5.0, rel=1e-12)
    assert "allocation" in proc.stdout


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (("--from", "2007", "--to", "2014"), ("2007", "2008, 2009")),
        (("--from", "2014", "--to", "2008"), ("'end' year must come after",)),
        (("--from", "2008", "--to", "2014", "--region", "XX99"), ("XX99",)),
        (("--from", "2008", "--to", "2014", "--method", "gerfin"), ("'method'", "dunn")),
        (("--from", "2008", "--to", "2014", "--reference", "nation"), ("'reference'",)),
    ],
)
def test_shiftshare_errors_are_one_line(
    tmp_path: Path, mirror: Path, args: tuple[str, ...], needles: tuple[str, ...]
) -> None:
    proc = run_cli("shiftshare", *args, "--db", tmp_path / "db.duckdb", data=mirror, cwd=tmp_path)
    assert_one_line_error(proc, *needles)
