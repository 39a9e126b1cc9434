"""Commands of the labels service: schemes, self-assessment, scoring, benchmark, expiry."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.table import Table

from clusteratlas.cli._common import app, console, err_console, format_cell, show_table
from clusteratlas.errors import AssessmentError, ParameterError

labels_app = typer.Typer(
    help="Labels: ESCA/EUCLES and pôle schemes, self-assessment, scoring, peer benchmark.",
    no_args_is_help=True,
)
app.add_typer(labels_app, name="labels")

SchemeOption = Annotated[
    str, typer.Option("--scheme", help="Scheme id (see `labels schemes`) or a TOML file.")
]
AnswersOption = Annotated[
    Path,
    typer.Option(
        "--answers",
        help="Answers: CSV (indicator, value[, evidence_url, evidence_sha256]) or TOML.",
    ),
]


@labels_app.command("schemes")
def schemes_command(
    scheme: Annotated[
        str | None, typer.Argument(help="A scheme id or TOML file to show (default: list them).")
    ] = None,
    toml: Annotated[bool, typer.Option("--toml", help="Print the scheme as TOML.")] = False,
) -> None:
    """List the label schemes, or show one with its indicators, thresholds and levels.

    Example: `clusteratlas labels schemes esca-gold`; a labelling body starts its own
    scheme from `clusteratlas labels schemes esca-gold --toml > mine.toml`.
    """
    from clusteratlas.labels import dump_scheme, list_schemes, load_scheme

    if scheme is None:
        table = Table(title="Label schemes")
        for column in ("id", "version", "title", "status", "indicators", "levels"):
            table.add_column(column)
        for name in list_schemes():
            s = load_scheme(name)
            levels = ", ".join(level.name for level in s.levels)
            table.add_row(s.id, s.version, s.title, s.status, str(len(s.indicators)), levels)
        console.print(table)
        return
    s = load_scheme(scheme)
    if toml:
        typer.echo(dump_scheme(s), nl=False)
        return
    console.print(f"[bold]{s.title}[/bold] ({s.label}, {s.status})\n{s.body}\n", highlight=False)
    console.print(s.description + "\n", highlight=False)
    for group in s.groups:
        table = Table(title=f"{group.name} [{group.status}]", title_justify="left")
        for column in ("id", "question", "answer", "threshold", "points", "status"):
            table.add_column(column, overflow="fold")
        for i in group.indicators:
            table.add_row(
                i.id, i.question, i.answer_text, i.threshold_text, f"{i.points:g}", i.status
            )
        console.print(table)
    for level in s.levels:
        rules = [
            f"score >= {level.min_score_share:.0%}" if level.min_score_share is not None else "",
            "every indicator answered" if level.all_answered else "",
            f"{level.min_improved_groups} groups improved" if level.min_improved_groups else "",
            (
                "{} to {} months after the previous assessment".format(*level.after_previous_months)
                if level.after_previous_months
                else ""
            ),
            f"requires {level.requires}" if level.requires else "",
        ]
        valid = f"{level.validity_months} months" if level.validity_months else "no expiry"
        if level.ends_on:
            valid += f", ends {level.ends_on.isoformat()}"
        console.print(
            f"[bold]{level.name}[/bold] [{level.status}]: {'; '.join(r for r in rules if r)}; "
            f"valid {valid} [{level.validity_status}]"
            + "".join(f"\n  outside the questionnaire: {c}" for c in level.conditions),
            highlight=False,
        )


@labels_app.command("template")
def template_command(
    scheme: SchemeOption,
    output: Annotated[Path, typer.Option("--output", "-o", help="CSV questionnaire to write.")],
) -> None:
    """Write the questionnaire of a scheme as a CSV to fill in (the `value` column).

    Give it back to `labels score` or `labels assess` as `--answers`; `evidence_file` names
    a document next to the CSV, whose SHA-256 is recorded. Example:
    `clusteratlas labels template --scheme esca-gold --output answers.csv`
    """
    from clusteratlas._csv import neutralise_frame
    from clusteratlas.cli._common import check_writable
    from clusteratlas.export import atomic_write
    from clusteratlas.labels import load_scheme
    from clusteratlas.labels.io import answers_template

    check_writable(output)
    s = load_scheme(scheme)
    table = neutralise_frame(answers_template(s))
    atomic_write(output, lambda tmp: table.to_csv(tmp, index=False), what="questionnaire")
    console.print(f"Wrote the {len(table)} questions of {s.label} to {output}", highlight=False)


def _profile(path: Path | None, db: str | None, organisation: str) -> dict[str, Any] | None:
    """Return the organisation record from a JSON file or the registry database."""
    if path is not None:
        if not path.is_file():
            raise ParameterError(f"The '--profile' file {str(path)!r} does not exist.")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise ParameterError(f"The '--profile' file {str(path)!r} is not JSON: {err}.") from err
        if not isinstance(data, dict):
            raise ParameterError(f"The '--profile' file {str(path)!r} must hold one JSON object.")
        return data
    if db is None:
        return None
    if not re.fullmatch(r"\d+", organisation):
        raise ParameterError(
            f"With '--db', '--organisation' must be a registry id (a whole number); got {organisation!r}."
        )
    from clusteratlas.api.convert import profile
    from clusteratlas.cli.users_commands import _registry
    from clusteratlas.registry.services import get_organisation

    with _registry(db) as session:
        return profile(get_organisation(session, int(organisation))).model_dump(mode="json")


def _peer(
    record: dict[str, Any] | None, country: str | None, ecosystem: str | None
) -> dict[str, str]:
    from clusteratlas.labels.assessment import organisation_facts
    from clusteratlas.labels.benchmark import size_band

    record = record or {}
    ecosystems = record.get("ecosystems") or []
    if ecosystem is None and len(ecosystems) == 1:
        ecosystem = str(ecosystems[0])
    facts = organisation_facts(record, year=dt.date.today().year)
    band = size_band(facts["members_total"][0]) if "members_total" in facts else None
    peer = {"country": country or record.get("country"), "ecosystem": ecosystem, "size_band": band}
    return {k: str(v) for k, v in peer.items() if v}


@labels_app.command("assess")
def assess_command(
    scheme: SchemeOption,
    organisation: Annotated[str, typer.Option("--organisation", help="Organisation id.")],
    answers: AnswersOption,
    output: Annotated[Path, typer.Option("--output", "-o", help="Directory for the JSON and HTML.")],
    profile: Annotated[
        Path | None,
        typer.Option("--profile", help="Organisation record (JSON, as GET /api/v1/organisations/ID) to pre-fill from."),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Registry database to read the organisation record from (SQLite file or URL)."),
    ] = None,
    country: Annotated[str | None, typer.Option(help="Peer country (default: the record's).")] = None,
    ecosystem: Annotated[
        str | None, typer.Option(help="Peer ecosystem (default: the record's, when it has one).")
    ] = None,
    submit: Annotated[bool, typer.Option("--submit", help="Mark the assessment submitted.")] = False,
    previous: Annotated[
        Path | None,
        typer.Option("--previous", help="An earlier result JSON (for levels that need improvement)."),
    ] = None,
    held: Annotated[
        list[str] | None, typer.Option("--held", help="A level already held (repeatable).")
    ] = None,
    peers: Annotated[
        Path | None,
        typer.Option("--peers", help="Result JSONs of peers (a folder): add the peer benchmark to the report."),
    ] = None,
    min_peers: Annotated[int, typer.Option("--min-peers", help="Fewest peers shown.")] = 5,
) -> None:  # fmt: skip
    """Score a self-assessment and write its result (JSON) and readiness report (HTML).

    Answers the registry already knows (members by type, FTE staff, founding year) are
    pre-filled from `--profile` or `--db` with their source, and the regional location
    quotient from the profile's statistics (as the API serves it); the manager's answers win.
    Example: `clusteratlas labels assess --scheme esca-gold --organisation 12 --answers
    answers.csv --profile org12.json --output out/`
    """
    from clusteratlas.export import atomic_write
    from clusteratlas.labels import load_scheme, new_assessment, prefill_answers, score_assessment
    from clusteratlas.labels import submit as submit_assessment
    from clusteratlas.labels.assessment import profile_regional_facts
    from clusteratlas.labels.io import (
        assessment_from_dict,
        read_answers,
        result_to_dict,
        write_json,
    )
    from clusteratlas.labels.report import readiness_report

    if not output.is_dir():
        raise ParameterError(f"The '--output' directory {str(output)!r} does not exist.")
    s = load_scheme(scheme)
    given = read_answers(answers, s)
    record = _profile(profile, db, organisation)
    today = dt.date.today()
    prefilled = (
        prefill_answers(s, record, year=today.year, regional=profile_regional_facts(record))
        if record
        else ()
    )
    if record is None:
        err_console.print("note: no organisation record (--profile or --db): nothing pre-filled")
    assessment = new_assessment(
        s, organisation_id=organisation, answers=given, prefilled=prefilled,
        peer=_peer(record, country, ecosystem),
    )  # fmt: skip
    if submit:
        assessment = submit_assessment(assessment, on=today)
    before = None
    if previous is not None:
        if not previous.is_file():
            raise ParameterError(f"The '--previous' file {str(previous)!r} does not exist.")
        data = json.loads(previous.read_text(encoding="utf-8"))
        before = assessment_from_dict(data.get("assessment", data), where=str(previous))
    result = score_assessment(s, assessment, previous=before, held=tuple(held or ()))
    comparison = None
    if peers is not None:
        from clusteratlas.labels.benchmark import assessments_frame, benchmark_peers

        frame, groups = assessments_frame(_results(peers, option="--peers"))
        if frame["scheme"].iloc[0] != s.label:
            raise ParameterError(
                f"The '--peers' results are of {frame['scheme'].iloc[0]}, not {s.label}."
            )
        comparison = benchmark_peers(
            frame, groups=groups, filters=dict(assessment.peer), min_peers=min_peers
        )
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{organisation}-{s.id}")
    name = (record or {}).get("name")
    html = readiness_report(
        s, result, assessment, organisation_name=name, generated=today, benchmark=comparison
    )
    json_path = write_json(output / f"{stem}.json", result_to_dict(result, assessment))
    html_path = output / f"{stem}.html"
    atomic_write(html_path, lambda tmp: tmp.write_text(html, encoding="utf-8"), what="report")
    _print_result(result)
    console.print(f"Wrote {json_path} and {html_path}", highlight=False)


def _print_result(result: Any) -> None:
    console.print(
        f"[bold]{result.scheme}[/bold] organisation {result.organisation_id} ({result.status}): "
        f"{result.earned:g} of {result.max_points:g} points ({result.share:.1%}); "
        f"level reached: {result.level or 'none'}",
        highlight=False,
    )
    show_table(result.groups, "Groups", columns=["group", "name", "earned", "max_points", "share"])
    missed = result.missed()
    if len(missed):
        show_table(
            missed, "Thresholds missed",
            columns=["indicator", "answer_text", "threshold", "shortfall", "points"],
        )  # fmt: skip
    if result.missing:
        console.print(f"Not answered (scored 0): {', '.join(result.missing)}", highlight=False)
    if result.next_level is not None:
        console.print(
            f"To reach {result.next_level.level}: {'; '.join(result.next_level.unmet)}",
            highlight=False,
        )


@labels_app.command("score")
def score_command(
    scheme: SchemeOption,
    answers: AnswersOption,
    organisation: Annotated[str, typer.Option("--organisation", help="Organisation id.")] = "-",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="CSV of the per-indicator scores.")
    ] = None,
) -> None:
    """Score an answers file and print the groups, thresholds missed and the gap.

    Example: `clusteratlas labels score --scheme esca-gold --answers answers.toml`
    """
    from clusteratlas._csv import neutralise_frame
    from clusteratlas.cli._common import check_writable
    from clusteratlas.export import atomic_write
    from clusteratlas.labels import load_scheme, new_assessment, score_assessment
    from clusteratlas.labels.io import read_answers

    if output is not None:
        check_writable(output)
    s = load_scheme(scheme)
    assessment = new_assessment(s, organisation_id=organisation, answers=read_answers(answers, s))
    result = score_assessment(s, assessment)
    _print_result(result)
    if output is not None:
        table = neutralise_frame(result.indicators)
        atomic_write(output, lambda tmp: table.to_csv(tmp, index=False), what="scores")
        console.print(f"Wrote {output}", highlight=False)


def _results(path: Path, *, option: str = "--assessments") -> list[dict[str, Any]]:
    if path.is_dir():
        files = sorted(path.glob("*.json"))
    elif path.is_file():
        files = [path]
    else:
        raise ParameterError(f"The '{option}' path {str(path)!r} does not exist.")
    records: list[dict[str, Any]] = []
    for file in files:
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise AssessmentError(f"{file}: not JSON ({err}).") from err
        items = data if isinstance(data, list) else [data]
        for item in items:
            if not isinstance(item, dict) or item.get("format") != "clusteratlas-label-result/1":
                raise AssessmentError(
                    f"{file}: not a label result written by `clusteratlas labels assess`."
                )
            records.append(item)
    if not records:
        raise ParameterError(f"The '{option}' folder {str(path)!r} holds no .json result.")
    return records


@labels_app.command("benchmark")
def benchmark_command(
    assessments: Annotated[
        Path, typer.Option("--assessments", help="A result JSON, or a folder of them.")
    ],
    group: Annotated[
        list[str] | None,
        typer.Option("--group", help="Peer filter KEY=VALUE on country, ecosystem or size_band (repeatable)."),
    ] = None,
    min_peers: Annotated[int, typer.Option("--min-peers", help="Fewest peers shown.")] = 5,
    organisation: Annotated[
        str | None, typer.Option("--organisation", help="Show this organisation's rank among its peers.")
    ] = None,
) -> None:  # fmt: skip
    """Compare submitted assessments with peers: group percentiles, never below N peers.

    A peer group is shown only when it has at least `--min-peers` assessments and no other
    filter choice would differ from it by one assessment (so no peer's answers can be read
    back). Example: `clusteratlas labels benchmark --assessments results/ --group country=FR`
    """
    from clusteratlas.labels.benchmark import assessments_frame, benchmark_peers

    filters: dict[str, str] = {}
    for item in group or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ParameterError(
                f"The '--group' option takes KEY=VALUE, e.g. country=FR. Got {item!r} instead."
            )
        filters[key.strip()] = value.strip()
    frame, groups = assessments_frame(_results(assessments))
    result = benchmark_peers(
        frame, groups=groups, filters=filters, min_peers=min_peers, target=organisation
    )
    console.print(f"Scheme {frame['scheme'].iloc[0]}: {result.message}", highlight=False)
    if result.percentiles is not None:
        show_table(result.percentiles, "Peer percentiles of the group score shares",
                   columns=list(result.percentiles.columns))  # fmt: skip
    if result.target is not None:
        show_table(
            result.target, f"Organisation {organisation}", columns=list(result.target.columns)
        )


@labels_app.command("expiring")
def expiring_command(
    awards: Annotated[
        Path, typer.Option("--awards", help="CSV: organisation_id, scheme, level, awarded[, valid_until].")
    ],
    within: Annotated[int, typer.Option("--within", help="Months ahead.")] = 6,
    today: Annotated[
        str | None, typer.Option("--today", help="Reference date, YYYY-MM-DD (default: today).")
    ] = None,
) -> None:  # fmt: skip
    """List labels valid today that expire within `--within` months, soonest first.

    Missing expiry dates are computed from the scheme (ESCA Bronze: 2 years from the
    interview month). Example: `clusteratlas labels expiring --awards awards.csv --within 6`
    """
    from clusteratlas.labels.awards import expiring_labels

    if not awards.is_file():
        raise ParameterError(f"The '--awards' file {str(awards)!r} does not exist.")
    try:
        day = dt.date.fromisoformat(today) if today else dt.date.today()
    except ValueError as err:
        raise ParameterError(
            f"The '--today' option must be a date YYYY-MM-DD; got {today!r}."
        ) from err
    table = pd.read_csv(awards, dtype=str, keep_default_na=False)
    out = expiring_labels(table, today=day, within_months=within)
    if out.empty:
        console.print(f"No label expires between {day} and {within} months later.")
        return
    out["valid_until"] = out["valid_until"].map(lambda d: format_cell(d.isoformat()))
    show_table(out, f"Labels expiring within {within} months of {day}",
               columns=["organisation_id", "scheme", "level", "awarded", "valid_until", "days_left"])  # fmt: skip
