"""`clusteratlas skills tag|match|gaps|search` as subprocesses, on a tiny hand-made ESCO file.

ESCO fixture (mirror layout): a "weld metal", b "cut metal", c "bake bread" (see
tests/unit/test_skills_tagging.py for the hand-worked cosines: a programme "weld metal"
scores 1 for a, w2²/(w1²+w2²) ≈ 0.3665 for b, 0 for c).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from _cli import assert_nothing_written, assert_one_line_error, run_cli

pytest.importorskip("sklearn")

S = "http://data.europa.eu/esco/skill/"
ATTRIBUTION = "ESCO – European Skills, Competences, Qualifications and Occupations"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "esco.csv").write_text(
        "id,description\n"
        f"{S}a,weld metal Join metal parts.\n"
        f"{S}b,cut metal Separate metal parts.\n"
        f"{S}c,bake bread Prepare loaves in an oven.\n",
        encoding="utf-8",
    )
    (tmp_path / "programmes.csv").write_text(
        "id,text\np1,weld metal\np2,bake bread in an oven\n", encoding="utf-8"
    )
    return tmp_path


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_tag_writes_ranked_skills_with_attribution(folder: Path) -> None:
    out = folder / "tags.csv"
    proc = run_cli(
        "skills", "tag", "--input", folder / "programmes.csv", "--id-column", "id",
        "--text-column", "text", "--top", "2", "--esco", folder / "esco.csv", "--output", out,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    rows = _rows(out)
    assert list(rows[0]) == ["id", "rank", "skill_id", "label", "score", "source", "attribution"]
    assert [(r["id"], r["rank"], r["skill_id"]) for r in rows] == [
        ("p1", "1", f"{S}a"),
        ("p1", "2", f"{S}b"),
        ("p2", "1", f"{S}c"),
    ]
    assert rows[0]["label"] == "weld metal"
    assert float(rows[0]["score"]) > float(rows[1]["score"]) > 0
    assert all(r["attribution"].startswith(ATTRIBUTION) for r in rows)


def test_tag_applies_hand_corrections(folder: Path) -> None:
    fixes = folder / "fix.csv"
    fixes.write_text(f"id,skill_id,action\np1,{S}b,remove\np2,{S}a,add\n", encoding="utf-8")
    out = folder / "tags.csv"
    proc = run_cli(
        "skills", "tag", "--input", folder / "programmes.csv", "--top", "2", "--esco",
        folder / "esco.csv", "--corrections", fixes, "--output", out,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert [(r["id"], r["skill_id"], r["source"]) for r in _rows(out)] == [
        ("p1", f"{S}a", "auto"),
        ("p2", f"{S}a", "hand"),
        ("p2", f"{S}c", "auto"),
    ]


def test_tag_errors_are_one_line_and_write_nothing(folder: Path) -> None:
    args = ["skills", "tag", "--esco", folder / "esco.csv", "--output", folder / "t.csv"]
    proc = run_cli(*args, "--input", folder / "programmes.csv", "--id-column", "code")
    assert_one_line_error(proc, "'code'", "programmes.csv")
    proc = run_cli(*args, "--input", folder / "absent.csv")
    assert_one_line_error(proc, "'--input'", "absent.csv")
    (folder / "dup.csv").write_text("id,text\np,a\np,b\n", encoding="utf-8")
    proc = run_cli(*args, "--input", folder / "dup.csv")
    assert_one_line_error(proc, "row 3", "'id'", "appears twice")
    bad_esco = folder / "bad.csv"
    bad_esco.write_text("id,description\nhttp://example.org/x,y\n", encoding="utf-8")
    proc = run_cli("skills", "tag", "--input", folder / "programmes.csv", "--esco", bad_esco,
                   "--output", folder / "t.csv")  # fmt: skip
    assert_one_line_error(proc, "bad.csv", "row 2", "ESCO skill URI")
    assert_nothing_written(folder, "t.csv")


def test_match_and_gaps(folder: Path) -> None:
    (folder / "needs.csv").write_text(
        f"need_id,cluster,region,text,skills,people,horizon\nn1,K,R1,,{S}a {S}b,5,2027\n",
        encoding="utf-8",
    )
    (folder / "prog.csv").write_text(
        "programme_id,provider_id,title,description,duration_hours,format,location,region,"
        "level,language\n"
        "w,x,Welding,weld metal,35,in-person,Talence,R1,EQF 4,fr\n"
        "b,x,Baking,bake bread,,online,,,,fr\n",
        encoding="utf-8",
    )
    common = ["--needs", folder / "needs.csv", "--programmes", folder / "prog.csv",
              "--esco", folder / "esco.csv"]  # fmt: skip
    out = folder / "m.csv"
    proc = run_cli("skills", "match", *common, "--output", out)
    assert proc.returncode == 0, proc.stderr
    rows = _rows(out)
    # "weld metal" tags w with a (1.0) and b (0.3665): both needed skills → coverage 1.
    assert [(r["programme_id"], r["coverage"], r["gap_skills"]) for r in rows] == [("w", "1.0", "")]
    out = folder / "g.csv"
    proc = run_cli("skills", "gaps", *common, "--by", "region", "--output", out)
    assert proc.returncode == 0, proc.stderr
    assert {(r["region"], r["skill_id"], r["gap"]) for r in _rows(out)} == {
        ("R1", f"{S}a", "False"),
        ("R1", f"{S}b", "False"),
    }
    proc = run_cli("skills", "gaps", *common, "--by", "country", "--output", out)
    assert_one_line_error(proc, "'--by'", "'country'")
    # Reviewed tags given as a file replace the automatic ones: only the online baking
    # programme, tagged by hand with a, is left; it covers half the need.
    (folder / "tags.csv").write_text(f"programme_id,skill_id\nb,{S}a\n", encoding="utf-8")
    out = folder / "m2.csv"
    proc = run_cli("skills", "match", *common, "--tags", folder / "tags.csv", "--output", out)
    assert proc.returncode == 0, proc.stderr
    assert [(r["programme_id"], r["coverage"], r["reachable"], r["gap_skills"])
            for r in _rows(out)] == [("b", "0.5", "True", "cut metal")]  # fmt: skip
    (folder / "tags.csv").write_text(f"programme_id,skill_id\nzz,{S}a\n", encoding="utf-8")
    proc = run_cli("skills", "match", *common, "--tags", folder / "tags.csv", "--output", out)
    assert_one_line_error(proc, "--tags", "row 2", "'zz'")


def test_search_prints_best_first(folder: Path) -> None:
    proc = run_cli("skills", "search", "bread", "--esco", folder / "esco.csv")
    assert proc.returncode == 0, proc.stderr
    assert "bake bread" in proc.stdout and "weld metal" not in proc.stdout
    assert ATTRIBUTION in proc.stderr


def _registry(folder: Path) -> Path:
    """A registry seeded from the tiny mirror and the skills seed, with one recorded programme.

    The recorded programme ``x-weld`` ("weld metal") is tagged with a and b; a hand
    correction stored on the registry removes b from it.
    """
    import sys

    sys.path.insert(0, str(Path(__file__).parents[1] / "unit"))
    from _registry_support import write_mirror
    from sqlalchemy import select

    from clusteratlas.api.app import seed_if_empty
    from clusteratlas.registry import make_engine, make_session_factory, migrate, session_scope
    from clusteratlas.registry.models import Organisation, ProgrammeTagCorrection
    from clusteratlas.registry.services_programmes import create_programme
    from clusteratlas.registry.services_training import create_partnership

    path = folder / "registry.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    try:
        migrate(engine=engine)
        factory = make_session_factory(engine)
        seed_if_empty(factory, data_dir=write_mirror(folder / "mirror"))
        with session_scope(factory) as session:
            ids = dict(session.execute(select(Organisation.key, Organisation.id)).all())
            create_programme(session, actor=None, provider_organisation_id=ids["provider:pyla"],
                             data={"programme_id": "x-weld", "title": "Welding",
                                   "description": "weld metal", "format": "online"})  # fmt: skip
            session.add(ProgrammeTagCorrection(programme_id="x-weld", skill_id=f"{S}b",
                                               action="remove"))  # fmt: skip
            create_partnership(session, actor=None, provider_organisation_id=ids["provider:pyla"],
                               cluster_id=ids["fr:systematic-paris-region"],
                               purpose="Recorded welding courses")  # fmt: skip
    finally:
        engine.dispose()
    return path


def test_match_gaps_and_partnerships_read_the_registry(folder: Path) -> None:
    db = _registry(folder)
    (folder / "needs.csv").write_text(
        f"need_id,cluster,region,text,skills,people,horizon\nn1,K,R1,,{S}a {S}b,5,2027\n",
        encoding="utf-8",
    )
    common = ["--needs", folder / "needs.csv", "--esco", folder / "esco.csv", "--db", db]
    out = folder / "m.csv"
    proc = run_cli("skills", "match", *common, "--output", out)
    assert proc.returncode == 0, proc.stderr
    rows = {r["programme_id"]: r for r in _rows(out)}
    # recorded through the registry, not in the seed; b removed by the stored correction
    assert (rows["x-weld"]["coverage"], rows["x-weld"]["gap_skills"]) == ("0.5", "cut metal")
    out = folder / "g.csv"
    proc = run_cli("skills", "gaps", *common, "--output", out)
    assert proc.returncode == 0, proc.stderr
    assert {(r["skill_id"], r["gap"]) for r in _rows(out)} == {(f"{S}a", "False"),
                                                               (f"{S}b", "True")}  # fmt: skip
    proc = run_cli("skills", "partnerships", "--db", db)
    assert proc.returncode == 0, proc.stderr
    assert "Recorded welding courses" in proc.stdout and "WEBFORCE3" in proc.stdout  # seed too
    proc = run_cli("skills", "partnerships", "--db", db, "--status", "ended")
    assert proc.returncode == 0 and "Recorded welding courses" not in proc.stdout
    proc = run_cli("skills", "partnerships", "--db", db, "--status", "over")
    assert_one_line_error(proc, "'status'", "'over'")


def test_an_empty_registry_lists_nothing_and_says_how_to_seed_it(folder: Path) -> None:
    db = folder / "empty.sqlite"
    proc = run_cli("skills", "partnerships", "--db", db)
    assert proc.returncode == 0, proc.stderr
    assert "registry upgrade" in proc.stderr
    (folder / "needs.csv").write_text(
        f"need_id,cluster,region,text,skills,people,horizon\nn1,K,R1,,{S}a,5,2027\n",
        encoding="utf-8",
    )
    out = folder / "m.csv"
    proc = run_cli("skills", "match", "--needs", folder / "needs.csv", "--esco",
                   folder / "esco.csv", "--db", db, "--output", out)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "no training programmes" in proc.stderr and _rows(out) == []
