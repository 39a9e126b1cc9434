"""Commands of the Meet pillar: B2B meeting schedules for cluster events."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from clusteratlas.cli._common import app, check_writable, console, option_names
from clusteratlas.errors import ParameterError

meet_app = typer.Typer(
    help="Meet: B2B matchmaking at cluster events (schedules, agendas, a demo).",
    no_args_is_help=True,
)
app.add_typer(meet_app, name="meet")


def _table(path: Path, option: str) -> pd.DataFrame:
    from clusteratlas.data.establishments import load_table

    if not path.is_file():
        raise ParameterError(f"The '{option}' file {str(path)!r} does not exist.")
    return load_table(path)


@meet_app.command("schedule")
def schedule_command(
    meetings: Annotated[
        Path,
        typer.Option(
            "--meetings", help="CSV of wanted meetings: a, b, priority (accepted|mutual|one-sided)."
        ),
    ],
    availability: Annotated[
        Path, typer.Option("--availability", help="CSV: participant, slot (one row per free slot).")
    ],
    slots: Annotated[
        Path, typer.Option("--slots", help="CSV: slot (in time order), tables.")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="CSV schedule to write.")],
    fixed: Annotated[
        Path | None,
        typer.Option("--fixed", help="CSV of confirmed meetings to keep in place: a, b, slot, table."),
    ] = None,
    fairness: Annotated[
        float, typer.Option(help="Weight of the fewest meetings of a participant (0: none).")
    ] = 1.0,
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Seconds the solver may run.")
    ] = 10.0,
    seed: Annotated[int, typer.Option(help="The solver's random seed.")] = 0,
    solver: Annotated[
        str, typer.Option(help="highs (MILP; the faster from hundreds of participants) or cp-sat.")
    ] = "highs",
) -> None:  # fmt: skip
    """Place wanted meetings into slots × tables with a solver, and compare with first come.

    Nobody is in two places at once, only in their free slots, at most the tables of a slot,
    each pair once; accepted requests outweigh mutual interest, which outweighs one-sided
    interest. Prints the solver's proven bound and gap, and what a first-come scheduler
    would have placed. Example: `clusteratlas meet schedule --meetings wanted.csv
    --availability free.csv --slots slots.csv --output schedule.csv`
    """
    from clusteratlas._validation import check_in
    from clusteratlas.export import atomic_write
    from clusteratlas.meet import greedy_schedule, schedule_meetings

    with option_names(solver="--solver"):
        check_in(solver, ["highs", "cp-sat"], name="solver")
    check_writable(output)
    frames = {
        "meetings": _table(meetings, "--meetings"),
        "availability": _table(availability, "--availability"),
        "slots": _table(slots, "--slots"),
    }
    kept = _table(fixed, "--fixed") if fixed is not None else None
    result = schedule_meetings(
        frames["meetings"], availability=frames["availability"], slots=frames["slots"],
        fixed=kept, fairness=fairness, time_limit=time_limit, seed=seed, solver=solver,
    )  # fmt: skip
    baseline = greedy_schedule(
        frames["meetings"], availability=frames["availability"], slots=frames["slots"]
    )
    atomic_write(output, lambda tmp: result.schedule.to_csv(tmp, index=False), what="schedule")
    wanted = len(frames["meetings"])
    console.print(
        f"{result.n_meetings} of {wanted} wanted meetings placed ({result.status}, {solver}; objective "
        f"{result.objective:g}, bound {result.bound:g}, gap {result.gap:.1%}); the fewest "
        f"meetings of a participant: {result.min_meetings}.",
        highlight=False,
    )
    console.print(
        f"First come, first served would place {baseline.n_meetings} (objective "
        f"{baseline.objective:g}). Wrote {output}.",
        highlight=False,
    )


@meet_app.command("demo")
def demo_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder to write the files in.")],
    participants: Annotated[
        int, typer.Option("--participants", help="Synthetic participants to generate.")
    ] = 600,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic event.")] = 1,
    event: Annotated[
        Path | None,
        typer.Option("--event", help="Event TOML file (default: the packaged European "
                     "Cluster Conference 2024, synthetic sessions)."),
    ] = None,
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Seconds the solver may run.")
    ] = 30.0,
    solver: Annotated[str, typer.Option(help="highs or cp-sat.")] = "highs",
) -> None:  # fmt: skip
    """Schedule a synthetic matchmaking of the European Cluster Conference 2024 and write it.

    Participants come through the registry's real organisations (SYNTHETIC people,
    availability and requests, seeded). Writes participants.csv, availability.csv,
    requests.csv, schedule.csv, table_plan.csv, ics/<participant_id>.ics and stats.json in
    --output, and a synthetic marketplace (items.csv) with whom to meet (recommendations.csv,
    the top 5 participants and items per participant). Example: `clusteratlas meet demo --participants 600 --seed 1 --output demo/`
    """
    from clusteratlas._validation import check_in, check_interval
    from clusteratlas.meet.demo import run_demo
    from clusteratlas.meet.events import packaged_event, read_event

    with option_names(participants="--participants", time_limit="--time-limit", solver="--solver"):
        check_interval(participants, name="participants", low=2)
        check_interval(time_limit, name="time_limit", low=0, closed="right")
        check_in(solver, ["highs", "cp-sat"], name="solver")
    if output.exists() and not output.is_dir():
        raise ParameterError(
            f"The '--output' path {str(output)!r} is a file; a folder is expected."
        )
    if not output.parent.is_dir():
        raise ParameterError(
            f"The '--output' folder's parent {str(output.parent)!r} does not exist."
        )
    chosen = read_event(event) if event is not None else packaged_event("ecc2024")
    stats = run_demo(chosen, output, participants=participants, seed=seed,
                     time_limit=time_limit, solver=solver)  # fmt: skip
    bound = stats["upper_bound"] if stats["upper_bound"] is not None else float("nan")
    console.print(
        f"{chosen.name}: {stats['participants']} synthetic participants, {stats['requests']} "
        f"requests, {stats['wanted_meetings']} wanted meetings; {stats['meetings_scheduled']} "
        f"scheduled ({stats['solver']} {stats['solver_status']}, objective "
        f"{stats['objective']:g}, bound {bound:g}, {stats['wall_s']} s); first come: "
        f"{stats['first_come_meetings']} (objective {stats['first_come_weighted']:g}); "
        f"coverage {stats['coverage']:.1%}, fewest meetings {stats['min_meetings']}. "
        f"Wrote {stats['agendas']} agendas and the tables in {output}.",
        highlight=False,
    )
    console.print(
        "SYNTHETIC: participants, requests and the matchmaking sessions are made up; the "
        "event's name, dates, venue and city are real.",
        highlight=False,
    )


@meet_app.command("agenda")
def agenda_command(
    participant: Annotated[str, typer.Option("--participant", help="The participant's id.")],
    ics: Annotated[Path, typer.Option("--ics", help="iCalendar file to write.")],
    schedule: Annotated[
        Path, typer.Option("--schedule", help="schedule.csv (as `meet demo` writes it).")
    ],
    participants: Annotated[
        Path, typer.Option("--participants", help="participants.csv, to name the other side.")
    ],
    event: Annotated[
        Path | None, typer.Option("--event", help="Event TOML file (default: ecc2024).")
    ] = None,
) -> None:  # fmt: skip
    """Write one participant's meetings as an iCalendar file, in the event's time zone.

    Example: `clusteratlas meet agenda --participant P00002 --ics me.ics --schedule
    demo/schedule.csv --participants demo/participants.csv`
    """
    from clusteratlas.export import atomic_write
    from clusteratlas.meet.agenda import participant_calendar
    from clusteratlas.meet.events import packaged_event, read_event
    from clusteratlas.meet.participants import read_participants

    check_writable(ics)
    chosen = read_event(event) if event is not None else packaged_event("ecc2024")
    people = read_participants(_existing(participants, "--participants"))
    table = pd.read_csv(_existing(schedule, "--schedule"), dtype=str)
    for column in ("slot_start", "slot_end", "table", "participant_a", "participant_b", "status"):
        if column not in table:
            raise ParameterError(
                f"The '--schedule' file {str(schedule)!r} has no column {column!r}."
            )
    table["room"] = table.get("room", pd.Series("", index=table.index)).fillna("")
    table["event"] = table.get("event", chosen.id)
    table["session"] = table.get("session", "")
    if participant not in set(people["participant_id"]):
        raise ParameterError(
            f"The '--participant' {participant!r} is not in {str(participants)!r}."
        )
    calendar = participant_calendar(table, participant, event=chosen, participants=people)
    data = calendar.to_ical()
    atomic_write(ics, lambda tmp: tmp.write_bytes(data), what="agenda")
    count = len(calendar.walk("VEVENT"))
    console.print(f"{count} meetings of {participant} written to {ics}.", highlight=False)


@meet_app.command("stats")
def stats_command(
    folder: Annotated[Path, typer.Argument(help="A folder written by `meet demo`.")],
) -> None:
    """Print the organiser's figures of a schedule: meetings, coverage, fewest meetings."""
    from clusteratlas.meet.demo import schedule_stats
    from clusteratlas.meet.participants import read_participants, read_requests

    people = read_participants(_existing(folder / "participants.csv", "FOLDER"))
    requests = read_requests(_existing(folder / "requests.csv", "FOLDER"), participants=people)
    table = pd.read_csv(_existing(folder / "schedule.csv", "FOLDER"), dtype=str)
    stats = schedule_stats(table, participants=people, requests=requests)
    for key, value in stats.items():
        console.print(f"{key}: {value}", highlight=False)


SHORT = {"candidate": "who", "value_chain": "chain", "cross_border": "border"}
"""Shorter headers of the recommendation table, to fit 80 columns."""


@meet_app.command("recommend")
def recommend_command(
    participants: Annotated[
        Path, typer.Option("--participants", help="participants.csv (as `meet demo` writes it).")
    ],
    items: Annotated[
        Path, typer.Option("--items", help="Marketplace CSV: participant_id, item_id, kind, "
                           "category, text[, industries, stages, technologies].")
    ],
    participant: Annotated[str, typer.Option("--participant", help="Whom to recommend to.")],
    top: Annotated[int, typer.Option("--top", help="Participants and items to list, each.")] = 10,
    output_format: Annotated[
        str, typer.Option("--format", help="table, csv or json (to standard output).")
    ] = "table",
    requests: Annotated[
        Path | None,
        typer.Option("--requests", help="requests.csv: leave out those already asked."),
    ] = None,
    map_file: Annotated[
        Path | None,
        typer.Option("--map", help="CSV region, category[, category_label], lq[, strong] (e.g. a `clusteratlas map` output) for regional strength."),
    ] = None,
    cross_border: Annotated[
        float, typer.Option("--cross-border", help="Weight of meeting another country (0: none).")
    ] = 0.0,
) -> None:  # fmt: skip
    """Whom to meet: rank other participants and marketplace items, each score explained.

    Text relevance (TF-IDF) between requests and offers, related clusters (Delgado, Porter
    & Stern 2016), adjacent value-chain stages, regional strength (with --map) and, with
    --cross-border, another country; organisations of the registry's seed add their
    clusters and regions. Example: `clusteratlas meet recommend --participants
    demo/participants.csv --items demo/items.csv --participant P00001 --top 5`
    """
    import json

    from clusteratlas._validation import check_in, check_interval
    from clusteratlas.cli._common import show_table
    from clusteratlas.data.definitions import related_clusters
    from clusteratlas.meet.marketplace import read_items
    from clusteratlas.meet.participants import read_participants, read_requests
    from clusteratlas.meet.recommend import COMPONENTS, recommend_for
    from clusteratlas.meet.synthetic import registry_organisations

    with option_names(top="--top", output_format="--format", cross_border="--cross-border"):
        check_interval(top, name="top", low=1)
        check_in(output_format, ["table", "csv", "json"], name="output_format")
        check_interval(cross_border, name="cross_border", low=0)
    people = read_participants(_existing(participants, "--participants"))
    if participant not in set(people["participant_id"]):
        raise ParameterError(
            f"The '--participant' {participant!r} is not in {str(participants)!r}."
        )
    market = read_items(_existing(items, "--items"), participants=people)
    asked = (read_requests(_existing(requests, "--requests"), participants=people)
             if requests is not None else None)  # fmt: skip
    strength = _table(map_file, "--map") if map_file is not None else None
    ranked = recommend_for(
        participant, participants=people, items=market, organisations=registry_organisations(),
        related=related_clusters(), map_frame=strength, requests=asked, top=top,
        weights={"cross_border": cross_border},
    )  # fmt: skip
    if output_format == "csv":
        typer.echo(ranked.to_csv(index=False), nl=False)
    elif output_format == "json":
        records = json.loads(ranked.to_json(orient="records"))  # NaN/None → null
        typer.echo(json.dumps(records, indent=2, ensure_ascii=False))
    elif ranked.empty:
        console.print(
            f"Nothing to recommend to {participant}: no offer or request matches, and no "
            "cluster or value-chain stage of theirs relates to anyone's. Add offers, requests "
            "or industries to their items.",
            highlight=False,
        )
    else:
        for kind, title in (("participant", "Participants to meet"), ("item", "Marketplace items")):
            rows = ranked[ranked["kind"] == kind]
            shown = rows.round(3).rename(columns=SHORT)
            columns = ["rank", "who", *(["item_id"] if kind == "item" else []), "score",
                       *(SHORT.get(c, c) for c in COMPONENTS)]  # fmt: skip
            show_table(shown, f"{title} for {participant}", columns=columns)
            for rank, who, text in rows[["rank", "candidate", "explanation"]].itertuples(
                index=False
            ):
                console.print(f"{rank}. {who}: {text}", highlight=False)
        if strength is None:
            console.print("Regional strength is 0: no --map was given.", highlight=False)


@meet_app.command("analyse")
def analyse_command(
    folder: Annotated[Path, typer.Argument(help="A folder written by `meet demo`.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Folder to write in (default: FOLDER).")
    ] = None,
    ratings: Annotated[
        Path | None,
        typer.Option("--ratings", help="CSV rater, other, held, rating, cooperation."),
    ] = None,
    by: Annotated[str, typer.Option("--by", help="country or type, for the chart.")] = "country",
) -> None:  # fmt: skip
    """After the event: registrations, requests, meetings, coverage, ratings and a chart.

    Writes analysis.json, registrations_by_type.csv, registrations_by_country.csv,
    meetings_per_participant.csv, meetings_matrix.csv and meetings_network.png. Example:
    `clusteratlas meet analyse demo/ --by type`
    """
    import functools
    import json

    from clusteratlas._validation import check_in
    from clusteratlas.export import atomic_write
    from clusteratlas.meet import analysis
    from clusteratlas.meet.participants import read_participants, read_requests

    with option_names(by="--by"):
        check_in(by, ["country", "type"], name="by")
    target = folder if output is None else output
    if not target.is_dir():
        raise ParameterError(f"The '--output' folder {str(target)!r} does not exist.")
    people = read_participants(_existing(folder / "participants.csv", "FOLDER"))
    asked = read_requests(_existing(folder / "requests.csv", "FOLDER"), participants=people)
    table = pd.read_csv(_existing(folder / "schedule.csv", "FOLDER"), dtype=str)
    rated = (analysis.read_ratings(_existing(ratings, "--ratings"), participants=people)
             if ratings is not None else None)  # fmt: skip
    summary = analysis.organiser_summary(participants=people, requests=asked, schedule=table,
                                         ratings=rated)  # fmt: skip
    matrix = analysis.meetings_matrix(table, participants=people, by=by)
    frames = {
        "registrations_by_type.csv": analysis.registrations(people, by="type"),
        "registrations_by_country.csv": analysis.registrations(people, by="country"),
        "meetings_per_participant.csv": analysis.meetings_per_participant(
            table, participants=people).reset_index().rename(columns={"index": "participant_id"}),
        "meetings_matrix.csv": matrix.reset_index(),
    }  # fmt: skip
    synthetic = "synthetic" in " ".join(people.get("name", pd.Series(dtype=str)).astype(str))
    source = (f"Meetings: Cluster Atlas meet schedule of {folder.name}"
              + (" (SYNTHETIC participants, seeded)." if synthetic else "."))  # fmt: skip
    analysis.write_meetings_chart(target / "meetings_network.png", matrix, attribution=source)
    for name, frame in frames.items():
        atomic_write(target / name, functools.partial(frame.to_csv, index=False), what=name)
    text = json.dumps(summary, indent=2, ensure_ascii=False, default=float)
    atomic_write(target / "analysis.json",
                 lambda tmp: tmp.write_text(text + "\n", encoding="utf-8"), what="analysis.json")  # fmt: skip
    for key, value in summary.items():
        console.print(f"{key}: {value}", highlight=False)
    console.print(f"Wrote the tables and meetings_network.png in {target}.", highlight=False)


def _existing(path: Path, option: str) -> Path:
    if not path.is_file():
        raise ParameterError(f"The '{option}' file {str(path)!r} does not exist.")
    return path
