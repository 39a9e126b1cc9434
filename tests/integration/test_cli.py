"""Integration tests of the ``clusteratlas`` command line, run as a real subprocess.

Every error a user can cause must come back as ONE line on stderr starting with ``error:``,
naming the file, line, field or option at fault and what was expected, with exit status 1
and no partial output file. Bad inputs are hand-written into tiny mirrors under ``tmp_path``
(next to copies of the real classification and boundary files); the happy paths run on the
real mirror (``CLUSTERATLAS_DATA``) with one DuckDB store per module so that parsing is cached.

The subprocesses never reach the network: every HTTP(S) proxy variable points at a closed
loopback port, so an accidental download fails at once on 127.0.0.1.
"""

from __future__ import annotations

import csv
import gzip
import shutil
from pathlib import Path

import pytest
from _cli import assert_nothing_written, assert_one_line_error, run_cli

SBS_FILE = "eu/sbs_r_nuts06_r2.tsv.gz"
CBP_FILE = "us/cbp2019_cbsa_naics.csv.gz"
YEARS = (2015, 2014, 2013, 2012, 2011, 2010, 2009, 2008)
SBS_HEADER = "nace_r2,indic_sb,geo\\time\t" + "\t".join(f"{year} " for year in YEARS)


# --------------------------------------------------------------------------- helpers


def normalised(text: str) -> str:
    """Collapse whitespace (rich wraps long lines at word boundaries)."""
    return " ".join(text.split())


def sbs_line(key: str, values: dict[int, str]) -> str:
    """One line of the Eurostat bulk TSV: ``values`` by year, ':' elsewhere."""
    return key + "\t" + "\t".join(f"{values.get(year, ':')} " for year in YEARS)


def write_gzip(path: Path, lines: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8", newline="") as handle:
        handle.write("\n".join(lines) + "\n")
    return path


def eu_mirror(root: Path, data_dir: Path, body: list[str]) -> Path:
    """A tiny EU mirror: the hand-written SBS lines plus copies of the real side files."""
    for relative in ("eu/nuts2013_level2.geojson", "classifications/nace_rev2_divisions_en_fr.csv"):
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(data_dir / relative, root / relative)
    write_gzip(root / SBS_FILE, [SBS_HEADER, *body])
    return root


#: A valid tiny SBS body: two regions × two divisions; the LQs can be worked out on paper.
#: 2014: DE11 C29=300 J62=100 (T=400), FR10 C29=100 J62=300 (T=400); E=800, E_C29=400.
VALID_BODY = [
    sbs_line("C29,V11210,DE11", {2014: "30", 2009: "28"}),
    sbs_line("C29,V16110,DE11", {2014: "300", 2009: "250 d"}),
    sbs_line("C29,V16110,FR10", {2014: "100", 2009: "100"}),
    sbs_line("J62,V16110,DE11", {2014: "100", 2009: "100"}),
    sbs_line("J62,V16110,FR10", {2014: "300", 2009: "200"}),
    sbs_line("C,V16110,DE11", {2014: "300"}),  # a section: not a division, ignored
]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One store for the real-data runs of this module, so the real files are parsed once."""
    return tmp_path_factory.mktemp("store") / "atlas.duckdb"


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# --------------------------------------------------------------------------- (a) malformed TSV


@pytest.mark.parametrize(
    ("bad_line", "needles"),
    [
        pytest.param(
            "C29,V16110,FR10\t100 \t200 ",
            ("line 4", "9 tab-separated fields", "got 3"),
            id="fields",
        ),
        pytest.param(
            sbs_line("C29,V16110,FR10", {2014: "12x"}),
            ("line 4", "2014", "expected a number or ':'", "12x"),
            id="value",
        ),
        pytest.param(
            sbs_line("C29,V16110", {2014: "12"}),
            ("line 4", "key column", "3 comma-separated codes"),
            id="key",
        ),
    ],
)
def test_map_malformed_eurostat_line(
    tmp_path: Path, data_dir: Path, bad_line: str, needles: tuple[str, ...]
) -> None:
    body = [VALID_BODY[1], VALID_BODY[0], bad_line, *VALID_BODY[3:]]  # bad line is line 4
    mirror = eu_mirror(tmp_path / "mirror", data_dir, body)
    proc = run_cli(
        "map", "--source", "eu-sbs", "--year", "2014", "--rules", "eco2007",
        "--output", "out.csv", "--db", tmp_path / "db.duckdb",
        data=mirror, cwd=tmp_path,
    )  # fmt: skip
    assert_one_line_error(proc, str(mirror / SBS_FILE), *needles)
    assert_nothing_written(tmp_path, "out.csv")


# --------------------------------------------------------------------------- (d) negative values


def test_map_negative_employment_eu(tmp_path: Path, data_dir: Path) -> None:
    body = [
        *VALID_BODY[:2],
        sbs_line("C29,V16110,FR10", {2014: "-5", 2009: "100"}),
        *VALID_BODY[3:],
    ]
    mirror = eu_mirror(tmp_path / "mirror", data_dir, body)
    proc = run_cli(
        "map", "--source", "eu-sbs", "--year", "2014", "--output", "out.csv",
        "--db", tmp_path / "db.duckdb", data=mirror, cwd=tmp_path,
    )  # fmt: skip
    assert_one_line_error(
        proc, str(mirror / SBS_FILE), "line 4", "year column 2014", "non-negative employment", "-5"
    )
    assert_nothing_written(tmp_path, "out.csv")


def test_map_negative_employment_us(tmp_path: Path, data_dir: Path) -> None:
    mirror = tmp_path / "mirror"
    definitions = "clusters/us_benchmark_clusters_naics.csv"
    (mirror / definitions).parent.mkdir(parents=True)
    shutil.copy(data_dir / definitions, mirror / definitions)
    write_gzip(
        mirror / CBP_FILE,
        [
            "cbsa_code,naics_code,naics_level,EMP,ESTAB",
            "41940,00,2,1000,50",
            "41940,334111,6,-7,3",  # line 3
        ],
    )
    proc = run_cli(
        "map", "--source", "us-cbp", "--output", "out.csv", "--db", tmp_path / "db.duckdb",
        data=mirror, cwd=tmp_path,
    )  # fmt: skip
    assert_one_line_error(
        proc, str(mirror / CBP_FILE), "line 3", "'EMP'", "non-negative number", "-7"
    )
    assert_nothing_written(tmp_path, "out.csv")


# --------------------------------------------------------------------------- tiny happy path


def test_map_tiny_mirror_lq_on_paper(tmp_path: Path, data_dir: Path) -> None:
    mirror = eu_mirror(tmp_path / "mirror", data_dir, VALID_BODY)
    proc = run_cli(
        "map", "--source", "eu-sbs", "--year", "2014", "--rules", "panorama2021",
        "--output", "out.csv", "--db", tmp_path / "db.duckdb", data=mirror, cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    rows = {(r["region"], r["category"]): r for r in read_csv_rows(tmp_path / "out.csv")}
    assert set(rows) == {("DE11", "C29"), ("DE11", "J62"), ("FR10", "C29"), ("FR10", "J62")}
    # LQ = (E_rc / T_r) / (E_c / E): T_DE11 = T_FR10 = 400, E = 800, E_C29 = E_J62 = 400.
    expected = {
        ("DE11", "C29"): (300 / 400) / (400 / 800),
        ("DE11", "J62"): (100 / 400) / (400 / 800),
        ("FR10", "C29"): (100 / 400) / (400 / 800),
        ("FR10", "J62"): (300 / 400) / (400 / 800),
    }
    for key, lq in expected.items():
        assert float(rows[key]["lq"]) == pytest.approx(lq, rel=1e-12)
        assert rows[key]["specialised"] == "False"  # employment < 3,500 everywhere
        assert rows[key]["year"] == "2014"
    assert float(rows[("DE11", "C29")]["employment"]) == 300
    assert float(rows[("DE11", "C29")]["establishments"]) == 30
    assert {r["attribution"] for r in rows.values()} != {""}
    assert all("Source: Eurostat" in r["attribution"] for r in rows.values())


# --------------------------------------------------------------------------- (b) (c) unknown codes


def test_portfolio_unknown_region(data_dir: Path, db: Path) -> None:
    proc = run_cli("portfolio", "XX99", "--source", "eu-sbs", "--db", db, data=data_dir)
    assert_one_line_error(proc, "XX99")


def test_rank_unknown_category(data_dir: Path, db: Path) -> None:
    proc = run_cli("rank", "C99", "--source", "eu-sbs", "--db", db, data=data_dir)
    assert_one_line_error(proc, "C99", "category")


# --------------------------------------------------------------------------- (e) (f) rule-sets, source


def test_map_ruleset_with_typo_key(tmp_path: Path) -> None:
    builtin = Path(__file__).parents[2] / "src/clusteratlas/mapping/rulesets/panorama2021.toml"
    text = builtin.read_text(encoding="utf-8")
    assert 'value = 3500, status = "UNCONFIRMED"' in text
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace("value = 3500, status", "valeu = 3500, status"), encoding="utf-8")
    proc = run_cli("map", "--source", "eu-sbs", "--rules", bad, "--output", "out.csv", cwd=tmp_path)
    assert_one_line_error(proc, str(bad), "'valeu'", "value")
    assert_nothing_written(tmp_path, "out.csv")


def test_map_ruleset_with_typo_top_level_key(tmp_path: Path) -> None:
    builtin = Path(__file__).parents[2] / "src/clusteratlas/mapping/rulesets/eco2007.toml"
    bad = tmp_path / "bad.toml"
    bad.write_text(
        builtin.read_text(encoding="utf-8").replace("group_by =", "groupby ="), encoding="utf-8"
    )
    proc = run_cli("map", "--rules", bad, "--output", "out.csv", cwd=tmp_path)
    assert_one_line_error(proc, str(bad), "'groupby'", "group_by")
    assert_nothing_written(tmp_path, "out.csv")


def test_map_unknown_builtin_ruleset(tmp_path: Path) -> None:
    proc = run_cli("map", "--rules", "eco2008", "--output", "out.csv", cwd=tmp_path)
    assert_one_line_error(proc, "eco2008", "eco2007", "panorama2021", "uscmp")
    assert_nothing_written(tmp_path, "out.csv")


def test_map_unknown_source(tmp_path: Path) -> None:
    proc = run_cli("map", "--source", "eu-sbz", "--output", "out.csv", cwd=tmp_path)
    assert_one_line_error(proc, "'source'", "eu-sbz", "eu-sbs", "us-cbp")
    assert_nothing_written(tmp_path, "out.csv")


# --------------------------------------------------------------------------- (g) missing data set


@pytest.mark.parametrize("source", ["eu-sbs", "us-cbp"])
def test_map_missing_data_set(tmp_path: Path, source: str) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = run_cli(
        "map", "--source", source, "--output", "out.csv", "--db", tmp_path / "db.duckdb",
        data=empty, cwd=tmp_path,
    )  # fmt: skip
    assert_one_line_error(proc, "not available", "set CLUSTERATLAS_DATA to a directory holding")
    assert_nothing_written(tmp_path, "out.csv")


# --------------------------------------------------------------------------- (h) unwritable output


def test_map_output_in_missing_directory(tmp_path: Path) -> None:
    target = tmp_path / "nowhere" / "out.csv"
    proc = run_cli("map", "--output", target, cwd=tmp_path)
    assert_one_line_error(proc, str(target), "does not exist")
    assert not (tmp_path / "nowhere").exists()


def test_map_output_under_a_regular_file(tmp_path: Path) -> None:
    # Tests run as root, for whom permission bits do not stop a write: a parent that is a
    # regular file makes the directory impossible to write for anyone.
    blocker = tmp_path / "blocker"
    blocker.write_text("not a directory\n", encoding="utf-8")
    target = blocker / "out.csv"
    proc = run_cli("map", "--output", target, cwd=tmp_path)
    assert_one_line_error(proc, str(target))
    assert blocker.read_text(encoding="utf-8") == "not a directory\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker"]


def test_map_output_with_unknown_format(tmp_path: Path) -> None:
    proc = run_cli("map", "--output", "out.txt", cwd=tmp_path)
    assert_one_line_error(proc, "out.txt", ".csv")
    assert_nothing_written(tmp_path, "out.txt")


# --------------------------------------------------------------------------- (i) --set


@pytest.mark.parametrize("value", ["specialised.lq=abc", "specialised.lq", "=1.8"])
def test_map_set_with_bad_value(tmp_path: Path, value: str) -> None:
    proc = run_cli(
        "map", "--rules", "panorama2021", "--set", value, "--output", "out.csv", cwd=tmp_path
    )
    assert_one_line_error(proc, "'--set'", "KEY=NUMBER", repr(value))
    assert_nothing_written(tmp_path, "out.csv")


# --------------------------------------------------------------------------- happy paths, real data


def test_map_eu_eco2007_real(tmp_path: Path, data_dir: Path, db: Path) -> None:
    out = tmp_path / "eu.csv"
    proc = run_cli(
        "map", "--source", "eu-sbs", "--year", "2014", "--rules", "eco2007",
        "--output", out, "--db", db, data=data_dir,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "error" not in proc.stderr
    rows = read_csv_rows(out)
    assert f"Wrote {len(rows):,} rows" in normalised(proc.stdout)
    columns = set(rows[0])
    assert {"region", "category", "year", "employment", "establishments", "lq"} <= columns
    assert {"stars", "attribution"} <= columns
    assert {r["year"] for r in rows} == {"2014"}
    assert {r["stars"] for r in rows} <= {"0", "1", "2", "3"}
    assert all("Source: Eurostat" in r["attribution"] for r in rows)
    assert all("EuroGeographics" in r["attribution"] for r in rows)
    assert "UNCONFIRMED" in proc.stderr  # the unconfirmed thresholds are announced


def test_map_us_uscmp_real(tmp_path: Path, data_dir: Path, db: Path) -> None:
    out = tmp_path / "us.csv"
    proc = run_cli(
        "map", "--source", "us-cbp", "--year", "2019", "--rules", "uscmp",
        "--output", out, "--db", db, data=data_dir,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    rows = read_csv_rows(out)
    columns = set(rows[0])
    assert {"region", "category", "year", "employment", "establishments", "lq"} <= columns
    assert {"strong", "strong10", "attribution"} <= columns
    assert {r["strong"] for r in rows} == {"True", "False"}
    # strong10 (p90) implies strong (p75): same other conditions, a higher LQ cut-off.
    assert all(r["strong"] == "True" for r in rows if r["strong10"] == "True")
    assert all("County Business Patterns 2019" in r["attribution"] for r in rows)
    assert all("Delgado, Porter & Stern" in r["attribution"] for r in rows)
    assert len({r["category"] for r in rows}) == 51  # the 51 traded benchmark clusters


def test_map_eu_panorama2021_real(tmp_path: Path, data_dir: Path, db: Path) -> None:
    out = tmp_path / "panorama.csv"
    proc = run_cli(
        "map", "--rules", "panorama2021", "--set", "specialised.lq=1.8",
        "--output", out, "--db", db, data=data_dir,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    rows = read_csv_rows(out)
    assert {"region", "category", "year", "lq", "specialised", "attribution"} <= set(rows[0])
    for row in rows:  # the override is applied: LQ >= 1.8 and employment >= 3,500
        lq = float(row["lq"]) if row["lq"] else float("nan")
        emp = float(row["employment"]) if row["employment"] else float("nan")
        assert (row["specialised"] == "True") == (lq >= 1.8 and emp >= 3500), row


# --------------------------------------------------------------------------- informational commands


def test_data_list(data_dir: Path) -> None:
    proc = run_cli("data", "list", data=data_dir)
    assert proc.returncode == 0, proc.stderr
    text = normalised(proc.stdout)
    for name in ("sbs_r_nuts06_r2", "cbp2019_cbsa", "us_benchmark_clusters", "nuts2013_level2"):
        assert name in text
    assert f"mirror: {data_dir / SBS_FILE}" in text


def test_data_info_shows_licence_and_attribution(data_dir: Path) -> None:
    proc = run_cli("data", "info", "sbs_r_nuts06_r2", data=data_dir)
    assert proc.returncode == 0, proc.stderr
    text = normalised(proc.stdout)
    # Published terms (data/CATALOG.md): Commission Decision 2011/833/EU, "Source: Eurostat".
    assert "licence:" in text and "2011/833/EU" in text
    assert "attribution: Source: Eurostat" in text
    assert str(data_dir / SBS_FILE) in text


def test_data_info_unknown_name() -> None:
    proc = run_cli("data", "info", "sbs_r_nuts06_r3")
    assert_one_line_error(proc, "sbs_r_nuts06_r3", "sbs_r_nuts06_r2")


def test_rules_list() -> None:
    proc = run_cli("rules", "list")
    assert proc.returncode == 0, proc.stderr
    names = {line.split("@")[0] for line in proc.stdout.splitlines() if "@" in line}
    assert names == {"eco2007", "panorama2021", "uscmp"}


def test_rules_show_uscmp() -> None:
    proc = run_cli("rules", "show", "uscmp")
    assert proc.returncode == 0, proc.stderr
    text = normalised(proc.stdout)
    assert text.startswith("uscmp@")
    for needle in ("strong", "strong10", "significant", "qualifying", "CONFIRMED", "p75"):
        assert needle in text


def test_map_help_shows_an_example() -> None:
    proc = run_cli("map", "--help")
    assert proc.returncode == 0, proc.stderr
    text = normalised(proc.stdout)
    assert "Example: clusteratlas map --source" in text
    assert "--output" in text and "--rules" in text


def test_map_us_local_clusters_real(tmp_path: Path, data_dir: Path, db: Path) -> None:
    out = tmp_path / "local.csv"
    proc = run_cli(
        "map", "--source", "us-cbp", "--categories", "local", "--output", out,
        "--db", db, data=data_dir,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    # The local clusters of the benchmark definitions file, read here with the csv module.
    # The file also tags Federal, State and Local Government Services (kept apart by the US
    # Cluster Mapping Project) and one unassigned code (Private Households) as Local.
    with (data_dir / "clusters" / "us_benchmark_clusters_naics.csv").open(newline="") as handle:
        local = {
            r["Cluster"]
            for r in csv.DictReader(handle)
            if r["TradedLocal"] == "Local"
            and r["Cluster"].strip()
            and not r["Cluster"].endswith("Government Services")
        }
    assert len(local) == 16  # Delgado, Porter & Stern (2016): 16 local clusters
    assert {r["category"] for r in read_csv_rows(out)} == local
