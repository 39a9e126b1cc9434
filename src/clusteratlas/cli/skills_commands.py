"""Commands of the skills partnerships: ESCO search, programme tagging, needs matching.

``match``, ``gaps`` and ``partnerships`` read the training offer from the registry, as the
dashboard and the API do: the programmes and partnerships people recorded (seeded from the
packaged skills seed by ``clusteratlas registry upgrade`` or the first ``serve``) and the
hand corrections of the programmes' ESCO tags. The registry is ``--db``, else
``DATABASE_URL``, else the user's SQLite file, migrated as by the ``users`` commands and
not seeded: an empty registry lists nothing, with a note saying how to seed it.
``--programmes FILE`` matches against a CSV of programmes instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer

from clusteratlas.cli._common import app, check_writable, console, err_console, show_table

if TYPE_CHECKING:
    import pandas as pd

    from clusteratlas.skills.esco import Kind
    from clusteratlas.skills.search import ConceptIndex

skills_app = typer.Typer(
    help="Skills partnerships: ESCO search, programme tagging, matching needs to training.",
    no_args_is_help=True,
)
app.add_typer(skills_app, name="skills")

EscoOption = Annotated[
    Path | None,
    typer.Option(
        "--esco",
        help="ESCO skills CSV (catalog mirror or official download, any language); "
        "default: the catalog's English skills.",
    ),
]
LanguageOption = Annotated[
    str,
    typer.Option("--language", help="Language of the ESCO file (`en` drops English stop words)."),
]
TopOption = Annotated[int, typer.Option("--top", min=1, help="Results per item.")]
MinScoreOption = Annotated[
    float,
    typer.Option("--min-score", min=0.0, max=0.999, help="Drop skills scoring at or below this."),
]
CorrectionsOption = Annotated[
    Path | None,
    typer.Option(
        "--corrections", help="CSV of hand corrections: <id column>, skill_id, action (add|remove)."
    ),
]
TagsOption = Annotated[
    Path | None,
    typer.Option(
        "--tags",
        help="Programme skills already tagged and reviewed (the output of `skills tag` with "
        "--id-column programme_id); default: tag the programmes now.",
    ),
]
NeedsOption = Annotated[
    Path,
    typer.Option(
        "--needs", help="CSV: need_id, cluster, region, text, skills (ESCO URIs), people, horizon."
    ),
]
ProgrammesOption = Annotated[
    Path | None,
    typer.Option(
        "--programmes",
        help="CSV of programmes (programme_id, provider_id, title, description, duration_hours, "
        "format, location, region, level, language); default: the registry's programmes.",
    ),
]
RegistryOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Registry database read for the programmes and partnerships: an SQLite file or "
        "an SQLAlchemy URL (default: DATABASE_URL, else the user's SQLite file).",
    ),
]
EMPTY_REGISTRY = (
    "note: the registry holds no {what}; `clusteratlas registry upgrade` seeds an empty "
    "registry with the packaged skills seed"
)


def _index(esco: Path | None, language: str) -> ConceptIndex:
    from clusteratlas.skills.service import concept_index

    with err_console.status("Indexing the ESCO skills …"):
        return concept_index(esco=esco, language=language)


def _registry_offer(db: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the registry's programmes and the hand corrections of their tags."""
    from clusteratlas.cli.users_commands import _registry
    from clusteratlas.registry.services_programmes import programme_table
    from clusteratlas.registry.services_tags import programme_corrections

    with _registry(db) as session:
        programmes, corrections = programme_table(session), programme_corrections(session)
    if programmes.empty:
        err_console.print(EMPTY_REGISTRY.format(what="training programmes"), highlight=False)
    return programmes, corrections


def _inputs(
    needs: Path,
    programmes: Path | None,
    db: str | None,
    *,
    corrections: Path | None,
    tags: Path | None,
    min_score: float,
    index: ConceptIndex,
) -> Any:
    """Prepare the matching of ``needs`` against the ``programmes`` file, else the registry's."""
    from clusteratlas.skills.service import prepare

    offered: Path | pd.DataFrame | None = programmes
    stored = None
    if programmes is None:
        offered, stored = _registry_offer(db)
    return prepare(
        needs,
        programmes=offered,
        corrections=corrections,
        tags=tags,
        stored_corrections=stored,
        min_score=min_score,
        index=index,
    )


def _write(table: pd.DataFrame, output: Path) -> None:
    from clusteratlas.export import write_table

    write_table(table, output, attribution=list(table.attrs.get("attribution", [])))
    console.print(f"Wrote {len(table)} rows to {output}")


@skills_app.command("search")
def search_command(
    query: Annotated[str, typer.Argument(help="Words to look for, e.g. `laser cutting`.")],
    kind: Annotated[str, typer.Option("--kind", help="`skill` or `occupation`.")] = "skill",
    top: TopOption = 10,
    esco: EscoOption = None,
    language: LanguageOption = "en",
) -> None:
    """Search ESCO skills or occupations by their labels and definitions (TF-IDF).

    Example: `clusteratlas skills search "laser cutting" --top 5`
    """
    from clusteratlas._validation import check_in
    from clusteratlas.skills.service import concept_index

    check_in(kind, ("skill", "occupation"), name="--kind")
    with err_console.status(f"Indexing the ESCO {kind}s …"):
        index = concept_index(cast("Kind", kind), esco=esco, language=language)
    found = index.search(query, top=top)
    show_table(found, f"ESCO {kind}s matching {query!r}", columns=["rank", "label", "score", "id"])
    for text in found.attrs.get("attribution", []):
        err_console.print(f"source: {text}", highlight=False)


@skills_app.command("tag")
def tag_command(
    input: Annotated[Path, typer.Option("--input", help="CSV of programmes to tag.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="CSV of the tags.")],
    id_column: Annotated[str, typer.Option("--id-column", help="Column of unique ids.")] = "id",
    text_column: Annotated[
        list[str] | None,
        typer.Option("--text-column", help="Column to tag; repeat to join several (title, text)."),
    ] = None,
    top: TopOption = 5,
    min_score: MinScoreOption = 0.0,
    corrections: CorrectionsOption = None,
    esco: EscoOption = None,
    language: LanguageOption = "en",
) -> None:
    """Tag training programmes with their best ESCO skills, ranked with scores.

    Writes id, rank, skill_id (the ESCO URI), label, score, source (auto|hand) and the
    ESCO attribution. Example: `clusteratlas skills tag --input programmes.csv --id-column id
    --text-column text --top 5 --output tags.csv`
    """
    from clusteratlas.skills.service import read_table, tag_table

    check_writable(output)
    table = read_table(input, option="--input")
    index = _index(esco, language)
    tags = tag_table(
        table,
        id_column=id_column,
        text_columns=text_column or ["text"],
        top=top,
        min_score=min_score,
        corrections=corrections,
        index=index,
        what=f"The --input file {str(input)!r}",
    )
    _write(tags, output)


@skills_app.command("match")
def match_command(
    needs: NeedsOption,
    output: Annotated[Path, typer.Option("--output", "-o", help="CSV of the ranked matches.")],
    programmes: ProgrammesOption = None,
    top: TopOption = 5,
    corrections: CorrectionsOption = None,
    tags: TagsOption = None,
    min_score: MinScoreOption = 0.0,
    esco: EscoOption = None,
    language: LanguageOption = "en",
    db: RegistryOption = None,
) -> None:
    """Rank the training programmes that cover each need's skills, explaining each match.

    Ranked by coverage share of the needed skills, then reachable (online or in the need's
    region), distance, preferred format. The programmes are the registry's (with their
    tags' hand corrections) unless `--programmes` names a CSV. Example: `clusteratlas
    skills match --needs needs.csv --output matches.csv`
    """
    from clusteratlas.skills.service import match

    check_writable(output)
    index = _index(esco, language)
    inputs = _inputs(needs, programmes, db, corrections=corrections, tags=tags,
                     min_score=min_score, index=index)  # fmt: skip
    table = match(inputs, top=top)
    columns = ["need_id", "rank", "programme_id", "coverage", "reachable", "shared_skills"]
    show_table(table, "Programmes per need", columns=columns, limit=30)
    unmatched = sorted(set(inputs.needs["need_id"]) - set(table["need_id"]))
    if unmatched:
        err_console.print(f"note: no programme shares a skill with {', '.join(unmatched)}")
    _write(table, output)


@skills_app.command("gaps")
def gaps_command(
    needs: NeedsOption,
    output: Annotated[Path, typer.Option("--output", "-o", help="CSV of skills and coverage.")],
    programmes: ProgrammesOption = None,
    by: Annotated[str, typer.Option("--by", help="`cluster` or `region`.")] = "cluster",
    corrections: CorrectionsOption = None,
    tags: TagsOption = None,
    min_score: MinScoreOption = 0.0,
    esco: EscoOption = None,
    language: LanguageOption = "en",
    db: RegistryOption = None,
) -> None:
    """List each cluster's (or region's) needed skills that no reachable programme covers.

    The programmes are the registry's unless `--programmes` names a CSV.

    Example: `clusteratlas skills gaps --needs needs.csv --by region --output gaps.csv`
    """
    from clusteratlas._validation import check_in
    from clusteratlas.skills.service import gaps

    check_in(by, ("cluster", "region"), name="--by")
    check_writable(output)
    index = _index(esco, language)
    inputs = _inputs(needs, programmes, db, corrections=corrections, tags=tags,
                     min_score=min_score, index=index)  # fmt: skip
    table = gaps(inputs, by=by)
    shown = table[table["gap"]]
    show_table(shown, f"Skill gaps per {by}", columns=[by, "label", "people", "n_needs"], limit=30)
    console.print(f"{int(table['gap'].sum())} of {len(table)} needed skills are gaps")
    _write(table, output)


@skills_app.command("partnerships")
def partnerships_command(
    status: Annotated[
        str | None, typer.Option("--status", help="Only `active` or only `ended` ones.")
    ] = None,
    db: RegistryOption = None,
) -> None:
    """List the cluster ↔ training-provider partnerships recorded in the registry.

    The seed's first, then those people recorded; ended ones with their end date.
    Example: `clusteratlas skills partnerships --status active`
    """
    import pandas as pd

    from clusteratlas.cli.users_commands import _registry
    from clusteratlas.registry.services_training import PARTNERSHIP_FIELDS, partnerships

    with _registry(db) as session:
        rows = partnerships(session, status=status)
    columns = ["id", *PARTNERSHIP_FIELDS]
    table = pd.DataFrame(rows, columns=columns).fillna("")
    if table.empty and status is None:
        err_console.print(EMPTY_REGISTRY.format(what="training partnerships"), highlight=False)
    shown = ["cluster_name", "provider_name", "purpose", "status", "started_on", "ended_on"]
    show_table(table, "Skills partnerships", columns=shown)
