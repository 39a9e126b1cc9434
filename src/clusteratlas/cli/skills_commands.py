"""Commands of the skills partnerships: ESCO search, programme tagging, needs matching."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

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
        "format, location, region, level, language); default: the packaged seed.",
    ),
]


def _index(esco: Path | None, language: str) -> ConceptIndex:
    from clusteratlas.skills.service import concept_index

    with err_console.status("Indexing the ESCO skills …"):
        return concept_index(esco=esco, language=language)


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
) -> None:
    """Rank the training programmes that cover each need's skills, explaining each match.

    Ranked by coverage share of the needed skills, then reachable (online or in the need's
    region), distance, preferred format. Example: `clusteratlas skills match --needs
    needs.csv --programmes programmes.csv --output matches.csv`
    """
    from clusteratlas.skills.service import match, prepare

    check_writable(output)
    index = _index(esco, language)
    inputs = prepare(
        needs,
        programmes=programmes,
        corrections=corrections,
        tags=tags,
        min_score=min_score,
        index=index,
    )
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
) -> None:
    """List each cluster's (or region's) needed skills that no reachable programme covers.

    Example: `clusteratlas skills gaps --needs needs.csv --by region --output gaps.csv`
    """
    from clusteratlas._validation import check_in
    from clusteratlas.skills.service import gaps, prepare

    check_in(by, ("cluster", "region"), name="--by")
    check_writable(output)
    index = _index(esco, language)
    inputs = prepare(
        needs,
        programmes=programmes,
        corrections=corrections,
        tags=tags,
        min_score=min_score,
        index=index,
    )
    table = gaps(inputs, by=by)
    shown = table[table["gap"]]
    show_table(shown, f"Skill gaps per {by}", columns=[by, "label", "people", "n_needs"], limit=30)
    console.print(f"{int(table['gap'].sum())} of {len(table)} needed skills are gaps")
    _write(table, output)


@skills_app.command("partnerships")
def partnerships_command() -> None:
    """List the seeded cluster ↔ training-provider partnerships, with their status."""
    from clusteratlas.skills.training import read_partnerships, read_providers

    providers = read_providers()
    table = read_partnerships(providers=providers).merge(
        providers[["provider_id", "name"]], on="provider_id"
    )
    show_table(table, "Skills partnerships", columns=["cluster_name", "name", "purpose", "status"])
