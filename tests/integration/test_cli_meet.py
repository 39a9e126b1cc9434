"""`clusteratlas meet schedule` as a subprocess, on the hand-solved "first come loses" case.

Slots s1 < s2, one table each; A free in both, B only in s1, C in both; requests A–C then
A–B. First come places A–C in s1 and loses A–B; the optimum is A–B in s1, A–C in s2.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from _cli import assert_nothing_written, assert_one_line_error, run_cli

pytest.importorskip("ortools")


@pytest.fixture
def event(tmp_path: Path) -> Path:
    (tmp_path / "wanted.csv").write_text("a,b,priority\nA,C,accepted\nA,B,accepted\n")
    (tmp_path / "free.csv").write_text("participant,slot\nA,s1\nA,s2\nB,s1\nC,s1\nC,s2\n")
    (tmp_path / "slots.csv").write_text("slot,tables\ns1,1\ns2,1\n")
    return tmp_path


def _args(folder: Path, output: Path) -> list[str | Path]:
    return [
        "meet", "schedule", "--meetings", folder / "wanted.csv", "--availability",
        folder / "free.csv", "--slots", folder / "slots.csv", "--output", output,
    ]  # fmt: skip


def test_schedule_places_both_meetings_where_first_come_places_one(event: Path) -> None:
    proc = run_cli(*_args(event, event / "schedule.csv"))
    assert proc.returncode == 0, proc.stderr
    with (event / "schedule.csv").open(newline="") as handle:
        rows = [(r["a"], r["b"], r["slot"], r["table"]) for r in csv.DictReader(handle)]
    assert rows == [("A", "B", "s1", "1"), ("A", "C", "s2", "1")]
    assert "2 of 2 wanted meetings placed (optimal" in proc.stdout
    assert "First come, first served would place 1" in proc.stdout


def test_schedule_with_cp_sat_gives_the_same_optimum(event: Path) -> None:
    proc = run_cli(*_args(event, event / "schedule.csv"), "--solver", "cp-sat")
    assert proc.returncode == 0, proc.stderr
    assert "2 of 2 wanted meetings placed (optimal, cp-sat" in proc.stdout
    proc = run_cli(*_args(event, event / "other.csv"), "--solver", "gurobi")
    assert_one_line_error(proc, "'--solver'", "gurobi")
    assert_nothing_written(event, "other.csv")


def test_a_missing_file_is_named_and_nothing_written(event: Path) -> None:
    (event / "slots.csv").unlink()
    proc = run_cli(*_args(event, event / "schedule.csv"))
    assert_one_line_error(proc, "'--slots' file", "does not exist")
    assert_nothing_written(event, "schedule.csv")


def test_a_bad_priority_is_named(event: Path) -> None:
    (event / "wanted.csv").write_text("a,b,priority\nA,C,perhaps\n")
    proc = run_cli(*_args(event, event / "schedule.csv"))
    assert_one_line_error(proc, "'priority' takes", "'perhaps'")
    assert_nothing_written(event, "schedule.csv")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    pytest.importorskip("icalendar")
    pytest.importorskip("scipy")
    folder = tmp_path_factory.mktemp("demo") / "out"
    proc = run_cli("meet", "demo", "--participants", "60", "--seed", "3", "--time-limit", "10",
                   "--output", folder)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return folder, proc.stdout


def test_demo_writes_the_promised_files(demo: tuple[Path, str]) -> None:
    import json

    import pandas as pd

    folder, stdout = demo
    assert {p.name for p in folder.iterdir()} == {
        "participants.csv", "availability.csv", "requests.csv", "schedule.csv",
        "table_plan.csv", "stats.json", "ics", "items.csv", "recommendations.csv",
    }  # fmt: skip
    stats = json.loads((folder / "stats.json").read_text())
    for key in ("participants", "requests", "meetings_scheduled", "upper_bound", "solver_status",
                "wall_s", "coverage", "min_meetings"):  # fmt: skip
        assert key in stats
    people = pd.read_csv(folder / "participants.csv", dtype=str)
    assert list(people.columns[:4]) == ["participant_id", "organisation_id", "type", "country"]
    schedule = pd.read_csv(
        folder / "schedule.csv", dtype={"participant_a": str, "participant_b": str}
    )
    assert list(schedule.columns[:8]) == [
        "event", "session", "slot_start", "slot_end", "table", "participant_a", "participant_b", "status",
    ]  # fmt: skip
    assert stats["participants"] == 60 and stats["meetings_scheduled"] == len(schedule) > 0
    assert stats["objective"] <= stats["upper_bound"] + 1e-6
    assert stats["weighted"] >= stats["first_come_weighted"]  # never worse than first come
    with_meeting = set(schedule["participant_a"]) | set(schedule["participant_b"])
    assert {p.stem for p in (folder / "ics").iterdir()} == with_meeting
    assert "SYNTHETIC" in stdout


def test_demo_schedule_breaks_no_rule(demo: tuple[Path, str]) -> None:
    import pandas as pd

    folder, _ = demo
    schedule = pd.read_csv(folder / "schedule.csv", dtype=str)
    free = pd.read_csv(folder / "availability.csv", dtype=str)
    requests = pd.read_csv(folder / "requests.csv", dtype=str)
    seats = pd.concat([schedule[["slot_start", "participant_a"]].set_axis(["slot", "p"], axis=1),
                       schedule[["slot_start", "participant_b"]].set_axis(["slot", "p"], axis=1)])  # fmt: skip
    assert not seats.duplicated().any()  # nobody in two places at once
    available = set(zip(free["participant_id"], free["slot_start"], strict=True))
    assert all((p, s) in available for s, p in seats.itertuples(index=False))
    assert schedule.groupby("slot_start").size().max() <= 75  # tables of the conference
    assert not schedule.duplicated(["slot_start", "table"]).any()
    pairs = [
        frozenset(p) for p in zip(schedule["participant_a"], schedule["participant_b"], strict=True)
    ]
    assert len(pairs) == len(set(pairs))  # each pair once
    live = requests[requests["status"].isin(["accepted", "requested"])]
    asked = {frozenset(p) for p in zip(live["from"], live["to"], strict=True)}
    assert set(pairs) <= asked  # only meetings somebody asked for


def test_demo_agendas_agree_with_the_schedule(demo: tuple[Path, str], tmp_path: Path) -> None:
    import datetime as dt

    import pandas as pd

    ics = pytest.importorskip("ics")
    folder, _ = demo
    schedule = pd.read_csv(folder / "schedule.csv", dtype=str)
    for path in sorted((folder / "ics").iterdir())[:10]:
        mine = schedule[
            (schedule["participant_a"] == path.stem) | (schedule["participant_b"] == path.stem)
        ]
        starts = sorted(e.begin.datetime for e in ics.Calendar(path.read_text()).events)
        assert starts == sorted(dt.datetime.fromisoformat(s) for s in mine["slot_start"])
    person = schedule["participant_a"].iloc[0]
    out = tmp_path / "me.ics"
    proc = run_cli("meet", "agenda", "--participant", person, "--ics", out, "--schedule",
                   folder / "schedule.csv", "--participants", folder / "participants.csv")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes().count(b"BEGIN:VEVENT") == (
        folder / "ics" / f"{person}.ics"
    ).read_bytes().count(b"BEGIN:VEVENT")
    proc = run_cli("meet", "stats", folder)
    assert proc.returncode == 0 and "coverage:" in proc.stdout


def test_demo_and_agenda_errors_are_one_line(tmp_path: Path) -> None:
    proc = run_cli("meet", "demo", "--participants", "1", "--output", tmp_path / "x")
    assert_one_line_error(proc, "'--participants'", "[2, inf]")
    proc = run_cli("meet", "agenda", "--participant", "P1", "--ics", tmp_path / "a.ics", "--schedule",
                   tmp_path / "none.csv", "--participants", tmp_path / "none.csv")  # fmt: skip
    assert_one_line_error(proc, "does not exist")
    assert_nothing_written(tmp_path, "a.ics")
    bad = tmp_path / "event.toml"
    bad.write_text('[event]\nid = "x"\n')
    proc = run_cli("meet", "demo", "--event", bad, "--output", tmp_path / "y")
    assert_one_line_error(proc, "'event.name'", "is missing")


def test_demo_writes_a_marketplace_and_explained_recommendations(demo: tuple[Path, str]) -> None:
    import pandas as pd

    from clusteratlas.meet.marketplace import SYNTHETIC_SOURCE, read_items
    from clusteratlas.meet.participants import read_participants

    folder, _ = demo
    people = read_participants(folder / "participants.csv")
    items = read_items(folder / "items.csv", participants=people)
    assert set(items["participant_id"]) == set(people["participant_id"])
    assert items["source"].eq(SYNTHETIC_SOURCE).all()
    ranked = pd.read_csv(folder / "recommendations.csv", dtype={"item_id": str})
    assert ranked.groupby(["participant_id", "kind"]).size().max() == 5
    assert (ranked["participant_id"] != ranked["candidate"]).all()
    parts = sum(ranked[c] * ranked[f"w_{c}"]
                for c in ("text", "related", "value_chain", "region", "cross_border"))  # fmt: skip
    assert (ranked["score"] - parts).abs().max() < 1e-9
    assert ranked["explanation"].str.contains("TF-IDF cosine|No text match").all()


MARKET = """participant_id,item_id,kind,category,text,industries,stages
A,A-r1,request,product,battery cells,Automotive,automotive:assembly
A,A-o1,offer,service,vehicle assembly,Automotive,automotive:assembly
B,B-o1,offer,product,battery cells supply,Lighting and Electrical Equipment,automotive:batteries_drives
C,C-o1,offer,service,battery recycling,Environmental Services,automotive:parts
C,C-r1,request,product,assembly tooling,Environmental Services,
D,D-o1,offer,product,battery cells,Automotive,
E,E-o1,offer,investment,venture capital,Financial Services,
"""


@pytest.fixture
def market(tmp_path: Path) -> Path:
    (tmp_path / "participants.csv").write_text(
        "participant_id,organisation_id,type,country\nA,x:a,SME,FR\nB,x:b,SME,DE\n"
        "C,x:c,SME,FR\nD,x:a,SME,FR\nE,x:e,investor,IT\n"
    )
    (tmp_path / "items.csv").write_text(MARKET)
    return tmp_path


def _recommend(folder: Path, *extra: str | Path):  # type: ignore[no-untyped-def]
    return run_cli("meet", "recommend", "--participants", folder / "participants.csv",
                   "--items", folder / "items.csv", *extra)  # fmt: skip


def test_recommend_ranks_and_explains_as_worked_out(market: Path) -> None:
    import io
    import json

    import pandas as pd

    pytest.importorskip("sklearn")
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [line.split(",")[4] for line in MARKET.splitlines()[1:]]
    x = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(texts)
    cos = (x @ x.T).toarray()
    t_ab, t_ac = cos[0, 2], max(cos[0, 3], cos[4, 1])
    # DPS 2016: Automotive–Lighting is weak (scores 0), Automotive–Environmental unrelated;
    # B's stage is 3 steps from A's (1/3), C's 1 step (1).
    expected = {"B": 0.45 * t_ab + 0.15 / 3, "C": 0.45 * t_ac + 0.15}
    proc = _recommend(market, "--participant", "A", "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(io.StringIO(proc.stdout), dtype={"item_id": str})
    people = table[table["kind"] == "participant"]
    assert list(people["candidate"]) == sorted(expected, key=lambda k: -expected[k])
    for who, score in expected.items():
        assert people.set_index("candidate").at[who, "score"] == pytest.approx(score, abs=1e-9)
    proc = _recommend(market, "--participant", "A", "--format", "json", "--top", "1")
    rows = json.loads(proc.stdout)
    assert [(r["kind"], r["rank"]) for r in rows] == [("participant", 1), ("item", 1)]
    assert rows[0]["item_id"] is None
    proc = _recommend(market, "--participant", "A")
    assert proc.returncode == 0 and "Participants to meet for A" in proc.stdout
    assert "TF-IDF cosine" in proc.stdout and "no --map was given" in proc.stdout


def test_recommend_errors_are_one_line(market: Path) -> None:
    proc = _recommend(market, "--participant", "Z")
    assert_one_line_error(proc, "'--participant' 'Z'")
    proc = _recommend(market, "--participant", "A", "--format", "xml")
    assert_one_line_error(proc, "'--format'", "xml")
    (market / "items.csv").write_text(MARKET.replace("B,B-o1,offer", "B,B-o1,gift"))
    proc = _recommend(market, "--participant", "A")
    assert_one_line_error(proc, "items.csv: line 4, column 'kind'", "'gift'")
    (market / "items.csv").unlink()
    proc = _recommend(market, "--participant", "A")
    assert_one_line_error(proc, "'--items' file", "does not exist")


def test_analyse_writes_the_figures_worked_out_by_hand(tmp_path: Path) -> None:
    import json

    pytest.importorskip("matplotlib")
    (tmp_path / "participants.csv").write_text(
        "participant_id,organisation_id,type,country\nP1,a,SME,FR\nP2,b,large company,FR\n"
        "P3,c,SME,DE\nP4,d,investor,IT\n"
    )
    (tmp_path / "requests.csv").write_text(
        "from,to,status\nP1,P2,accepted\nP2,P3,declined\nP3,P1,accepted\nP4,P1,requested\n"
        "P1,P4,cancelled\n"
    )
    (tmp_path / "schedule.csv").write_text(
        "participant_a,participant_b,status\nP1,P2,confirmed\nP3,P1,confirmed\n"
    )
    (tmp_path / "ratings.csv").write_text(
        "rater,other,held,rating,cooperation\nP1,P2,yes,4,yes\nP2,P1,yes,2,no\nP3,P1,no,,\n"
    )
    out = tmp_path / "out"
    out.mkdir()
    proc = run_cli(
        "meet", "analyse", tmp_path, "--output", out, "--ratings", tmp_path / "ratings.csv"
    )
    assert proc.returncode == 0, proc.stderr
    figures = json.loads((out / "analysis.json").read_text())
    assert figures["acceptance_rate"] == pytest.approx(2 / 3)
    assert (figures["coverage"], figures["min_meetings"], figures["median_meetings"]) == (
        0.75,
        0,
        1.0,
    )
    assert (figures["meetings_held"], figures["mean_rating"], figures["share_cooperation"]) == (
        1,
        3.0,
        0.5,
    )
    assert (out / "meetings_network.png").read_bytes()[:4] == b"\x89PNG"
    assert (out / "meetings_matrix.csv").read_text().splitlines() == [
        "country,DE,FR,IT", "DE,0,1,0", "FR,1,1,0", "IT,0,0,0"
    ]  # fmt: skip
    (tmp_path / "ratings.csv").write_text("rater,other,held,rating\nP1,P2,yes,9\n")
    proc = run_cli("meet", "analyse", tmp_path, "--ratings", tmp_path / "ratings.csv")
    assert_one_line_error(proc, "ratings.csv: line 2, column 'rating'")
    assert_nothing_written(tmp_path, "analysis.json")
