"""`clusteratlas labels …` as a subprocess: schemes, assess (JSON + HTML), benchmark, errors."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from _cli import assert_nothing_written, assert_one_line_error, run_cli

from clusteratlas.labels import (
    Answer,
    load_scheme,
    new_assessment,
    parse_scheme,
    score_assessment,
    submit,
)
from clusteratlas.labels.io import result_to_dict

PROFILE = {
    "name": "Test Cluster",
    "country": "FR",
    "ecosystems": ["Digital"],
    "founding_year": 2010,
    "management_fte": 3.5,
    "members": {"sme": 40, "large": 6, "startup": 5, "research": 4, "public": 2, "other": 1},
    "field_sources": {
        "founding_year": {"source": "https://example.org/about", "status": "CONFIRMED"}
    },
}


def test_schemes_list_show_and_toml() -> None:
    listing = run_cli("labels", "schemes")
    assert listing.returncode == 0, listing.stderr
    for name in ("esca-bronze", "esca-gold", "poles-phase5"):
        assert name in listing.stdout
    shown = run_cli("labels", "schemes", "esca-gold")
    assert "Gold [CONFIRMED]: score >= 80%" in shown.stdout
    assert "G31" in shown.stdout
    toml = run_cli("labels", "schemes", "esca-gold", "--toml")
    assert parse_scheme(toml.stdout) == load_scheme("esca-gold")


def test_assess_writes_the_result_and_the_report(tmp_path: Path) -> None:
    (tmp_path / "answers.csv").write_text(
        "indicator,value,evidence_url\nG01,3,https://example.org/strategy.pdf\nG02,consulted,\n"
        "G27,yes,\nG28,,\n"
    )
    (tmp_path / "org.json").write_text(json.dumps(PROFILE))
    out = tmp_path / "out"
    out.mkdir()
    proc = run_cli(
        "labels", "assess", "--scheme", "esca-gold", "--organisation", "12", "--answers",
        tmp_path / "answers.csv", "--profile", tmp_path / "org.json", "--output", out, "--submit",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    data = json.loads((out / "12-esca-gold.json").read_text())
    # G01 3 >= 3, G02 level 2 >= 2, G27 yes: 3 points; pre-filled G09 58 members >= 50,
    # G10 6 types >= 3, G11 40/58 = 69 % >= 50, G12 3.5 FTE >= 3, G13 years >= 5: 5 points.
    assert data["score"]["earned"] == 8 and data["score"]["max_points"] == 31
    assert data["level"] is None and data["next_level"]["level"] == "Gold"
    assert len(data["missing"]) == 31 - 8  # G28 left blank counts as missing
    assert "G28" in data["missing"]
    assessment = data["assessment"]
    assert assessment["status"] == "submitted"
    assert assessment["peer"] == {"country": "FR", "ecosystem": "Digital", "size_band": "50-149"}
    g13 = next(a for a in assessment["answers"] if a["indicator"] == "G13")
    assert g13["origin"] == "prefilled" and "https://example.org/about (CONFIRMED)" in g13["source"]
    html = (out / "12-esca-gold.html").read_text()
    assert "Label readiness: Test Cluster" in html and "<svg" in html
    assert "To reach Gold: score 25.81% below 80%" in proc.stdout  # 8 / 31


def test_bad_answers_give_one_line_and_write_nothing(tmp_path: Path) -> None:
    (tmp_path / "answers.csv").write_text("indicator,value\nG01,3\nG02,sometimes\n")
    proc = run_cli(
        "labels", "assess", "--scheme", "esca-gold", "--organisation", "12", "--answers",
        tmp_path / "answers.csv", "--output", tmp_path,
    )  # fmt: skip
    assert_one_line_error(proc, "answers.csv, row 3", "'G02'", "got 'sometimes'")
    assert_nothing_written(tmp_path, "12-esca-gold.json")
    assert_nothing_written(tmp_path, "12-esca-gold.html")


def test_bad_scheme_file_names_line_and_key(tmp_path: Path) -> None:
    proc = run_cli("labels", "schemes", "esca-gold", "--toml")
    broken = proc.stdout.replace('op = ">="', 'op = "=>"', 1)
    (tmp_path / "mine.toml").write_text(broken)
    bad = run_cli("labels", "schemes", tmp_path / "mine.toml")
    assert_one_line_error(
        bad, "mine.toml", "groups[0].indicators[0].threshold.op", "Did you mean '>='?"
    )
    (tmp_path / "mine.toml").write_text(proc.stdout.replace("[[levels]]", "[[levels]", 1))
    line = proc.stdout.splitlines().index("[[levels]]") + 1
    assert_one_line_error(run_cli("labels", "schemes", tmp_path / "mine.toml"), f"line {line}")


def _results(folder: Path) -> None:
    gold = load_scheme("esca-gold")
    people = [
        ("a", "digital"),
        ("b", "digital"),
        ("c", "digital"),
        ("d", "digital"),
        ("e", "digital"),
        ("f", "health"),
    ]
    for k, (org, ecosystem) in enumerate(people):
        answers = tuple(Answer(i.id, i.threshold.value) for i in gold.indicators[: 5 * k + 1])
        assessment = submit(
            new_assessment(gold, organisation_id=org, answers=answers,
                           peer={"country": "FR", "ecosystem": ecosystem}),
            on=dt.date(2026, 11, 1),
        )  # fmt: skip
        record = result_to_dict(score_assessment(gold, assessment), assessment)
        (folder / f"{org}.json").write_text(json.dumps(record))


def test_benchmark_shows_only_safe_groups(tmp_path: Path) -> None:
    _results(tmp_path)
    digital = run_cli(
        "labels",
        "benchmark",
        "--assessments",
        tmp_path,
        "--group",
        "ecosystem=digital",
        "--organisation",
        "c",
    )
    assert digital.returncode == 0, digital.stderr
    assert "5 peers." in digital.stdout and "p50" in digital.stdout
    # everyone in FR differs from FR-digital by the one health cluster: not shown
    everyone = run_cli("labels", "benchmark", "--assessments", tmp_path, "--group", "country=FR")
    assert (
        everyone.returncode == 0 and "Not shown" in everyone.stdout and "p50" not in everyone.stdout
    )
    bad = run_cli("labels", "benchmark", "--assessments", tmp_path, "--group", "country")
    assert_one_line_error(bad, "'--group' option takes KEY=VALUE")


@pytest.mark.parametrize("within", ["6"])
def test_expiring(tmp_path: Path, within: str) -> None:
    (tmp_path / "awards.csv").write_text(
        "organisation_id,scheme,level,awarded\na,esca-bronze,Bronze,2024-03-12\nb,esca-gold,Gold,2025-01-10\n"
    )
    proc = run_cli(
        "labels",
        "expiring",
        "--awards",
        tmp_path / "awards.csv",
        "--within",
        within,
        "--today",
        "2026-01-15",
    )
    assert proc.returncode == 0, proc.stderr
    assert "2026-03-31" in proc.stdout and " 75 " in proc.stdout and "2027-01-09" not in proc.stdout
    bad = run_cli(
        "labels", "expiring", "--awards", tmp_path / "awards.csv", "--today", "15/01/2026"
    )
    assert_one_line_error(bad, "'--today' option must be a date YYYY-MM-DD")


def test_template_then_score(tmp_path: Path) -> None:
    template = run_cli(
        "labels", "template", "--scheme", "poles-phase5", "--output", tmp_path / "q.csv"
    )
    assert template.returncode == 0, template.stderr
    lines = (tmp_path / "q.csv").read_text().splitlines()
    assert len(lines) == 1 + 13 and lines[0].startswith("indicator,group,question")
    assert lines[10].startswith("P10,") and lines[10].endswith("UNCONFIRMED,,,,")
    lines[10] = lines[10].removesuffix(",,,") + ",yes,,"  # prefill empty, value yes
    (tmp_path / "q.csv").write_text("\n".join(lines) + "\n")
    scored = run_cli("labels", "score", "--scheme", "poles-phase5", "--answers", tmp_path / "q.csv",
                     "--output", tmp_path / "scores.csv")  # fmt: skip
    assert scored.returncode == 0, scored.stderr
    assert "1 of 13 points (7.7%)" in scored.stdout  # P10 = yes passes, 12 missing
    assert (tmp_path / "scores.csv").read_text().count("\n") == 14


def test_assess_prefills_from_the_registry_database(tmp_path: Path) -> None:
    pytest.importorskip("sqlalchemy")
    from clusteratlas.registry import (
        create_organisation,
        make_engine,
        make_session_factory,
        migrate,
        session_scope,
    )

    engine = make_engine(f"sqlite:///{tmp_path / 'registry.db'}")
    migrate(engine=engine)
    members = {"sme": 30, "large": 3, "startup": 2, "research": 5, "public": 1, "other": 0}
    with session_scope(make_session_factory(engine)) as session:
        org = create_organisation(
            session, actor=None,
            data={
                "name": "Reg Cluster", "country": "DE", "founding_year": 2000, "management_fte": 2.0,
                "ecosystems": ["Health"], **{f"members_{k}": v for k, v in members.items()},
                "field_sources": {"members_sme": {"source": "https://reg.example/m", "status": "CONFIRMED"}},
            },
        )  # fmt: skip
        org_id = str(org.id)
    engine.dispose()
    (tmp_path / "none.csv").write_text("indicator,value\n")
    proc = run_cli(
        "labels", "assess", "--scheme", "esca-bronze", "--organisation", org_id, "--answers",
        tmp_path / "none.csv", "--db", tmp_path / "registry.db", "--output", tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    data = json.loads((tmp_path / f"{org_id}-esca-bronze.json").read_text())
    answers = {a["indicator"]: a for a in data["assessment"]["answers"]}
    # 30 + 3 + 2 + 5 + 1 + 0 = 41 members of 5 types, 30 / 41 SMEs; research 5, large 3
    assert {k: a["value"] for k, a in answers.items() if k != "B03"} == {
        "B01": 41, "B02": 5, "B04": 5, "B05": 3, "B08": 2.0,
        "B07": dt.date.today().year - 2000,
    }  # fmt: skip
    assert answers["B03"]["value"] == pytest.approx(100 * 30 / 41)
    assert "https://reg.example/m (CONFIRMED)" in answers["B01"]["source"]
    assert data["assessment"]["peer"] == {
        "country": "DE",
        "ecosystem": "Health",
        "size_band": "1-49",
    }
    missing = run_cli(
        "labels", "assess", "--scheme", "esca-bronze", "--organisation", "999", "--answers",
        tmp_path / "none.csv", "--db", tmp_path / "registry.db", "--output", tmp_path,
    )  # fmt: skip
    assert_one_line_error(missing, "There is no organisation with id 999")


def test_assess_adds_the_peer_benchmark_to_the_report(tmp_path: Path) -> None:
    peers = tmp_path / "peers"
    peers.mkdir()
    _results(peers)
    (tmp_path / "org.json").write_text(json.dumps({"country": "FR", "ecosystems": ["digital"]}))
    (tmp_path / "a.csv").write_text("indicator,value\nG01,3\n")
    proc = run_cli(
        "labels", "assess", "--scheme", "esca-gold", "--organisation", "z", "--answers",
        tmp_path / "a.csv", "--profile", tmp_path / "org.json", "--peers", peers,
        "--output", tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    html = (tmp_path / "z-esca-gold.html").read_text()
    assert "5 peers." in html and 'class="peers"' in html  # FR + digital: a, b, c, d, e
    proc = run_cli(
        "labels", "assess", "--scheme", "esca-gold", "--organisation", "z", "--answers",
        tmp_path / "a.csv", "--profile", tmp_path / "org.json", "--peers", peers,
        "--min-peers", "6", "--output", tmp_path,
    )  # fmt: skip
    html = (tmp_path / "z-esca-gold.html").read_text()
    assert "Not shown" in html and 'class="peers"' not in html


def test_assess_prefills_the_regional_quotient_from_an_api_profile(tmp_path: Path) -> None:
    """A profile saved from GET /api/v1/organisations/ID: its statistics rows give P13."""
    profile = {
        "country": "FR",
        "region": "FRK2",
        "statistics": {
            "source": "eu-sbs", "year": 2014, "categories": "divisions", "rules": "eco2007",
            "rows": [
                {"region": "FRK2", "category": "C26", "lq": 2.5},
                {"region": "FRK2", "category": "C27", "lq": None},  # suppressed
                {"region": "FRK2", "category": "C28", "lq": 0.75},
            ],
        },
    }  # fmt: skip
    (tmp_path / "org.json").write_text(json.dumps(profile))
    (tmp_path / "none.csv").write_text("indicator,value\n")
    proc = run_cli(
        "labels", "assess", "--scheme", "poles-phase5", "--organisation", "7", "--answers",
        tmp_path / "none.csv", "--profile", tmp_path / "org.json", "--output", tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    data = json.loads((tmp_path / "7-poles-phase5.json").read_text())
    answers = {a["indicator"]: a for a in data["assessment"]["answers"]}
    assert set(answers) == {"P13"} and answers["P13"]["value"] == 2.5
    assert "FRK2 in C26, the highest of its 2 categories" in answers["P13"]["source"]
    assert "map eu-sbs 2014, categories divisions, rule-set eco2007" in answers["P13"]["source"]
    p13 = next(r for r in data["indicators"] if r["indicator"] == "P13")
    assert p13["passed"] is True
