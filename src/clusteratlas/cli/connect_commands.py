"""Commands of the Connect pillar: value chains and meta-clusters."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from clusteratlas.cli._common import (
    DEFAULT_RULES,
    DEFAULT_YEARS,
    DbOption,
    SourceOption,
    YearOption,
    app,
    check_writable,
    console,
    err_console,
    open_store,
    show_table,
)

ChainOption = Annotated[
    str,
    typer.Option(
        "--chain",
        help="Value chain: `microelectronics`, `automotive`, `aerospace` or a TOML file.",
    ),
]


@app.command("valuechain")
def valuechain_command(
    chain: ChainOption = "microelectronics",
    source: SourceOption = "eu-sbs",
    year: YearOption = None,
    rules: Annotated[str | None, typer.Option("--rules", help="Rating rule-set.")] = None,
    region: Annotated[str | None, typer.Option(help="Show one region's stages and gaps.")] = None,
    db: DbOption = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Also write a CSV.")] = None,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Also draw a region × stage coverage PNG.")
    ] = None,
) -> None:
    """Show each region's strength in every stage of a value chain, and its gaps.

    Example: `clusteratlas valuechain --chain microelectronics --source eu-sbs --region DED2`
    """
    from clusteratlas.valuechains import load_chain
    from clusteratlas.valuechains.service import valuechain_table

    for path in (output, plot):
        if path is not None:
            check_writable(path)
    spec = load_chain(chain)
    with err_console.status(f"Measuring the {spec.name} chain …"):
        table = valuechain_table(
            spec,
            source=source,
            year=year or DEFAULT_YEARS.get(source, 0),
            rules=rules or DEFAULT_RULES.get(source),
            region=region,
            store=open_store(db),
        )
    shown = (
        table.sort_values(["stage_order", "lq"], ascending=[True, False])
        if "stage_order" in table
        else table
    )
    title = f"{spec.title}: " + (
        f"stages of {region}" if region else "strength by region and stage"
    )
    columns = ["region", "stage", "employment", "lq", "rank_lq", "gap", "resolution"]
    show_table(shown, title, columns=columns, limit=60 if region else 30)
    for note in table.attrs.get("notes", []):
        err_console.print(f"note: {note}", highlight=False)
    if output is not None:
        from clusteratlas.export import write_table

        write_table(table, output, attribution=list(table.attrs.get("attribution", [])))
        console.print(f"Wrote {output}")
    if plot is not None:
        from clusteratlas.valuechains.plot import plot_chain_coverage

        plot_chain_coverage(
            plot,
            table,
            title=f"{spec.title}: stage LQ",
            attribution=list(table.attrs.get("attribution", [])),
        )
        console.print(f"Wrote {plot}")


@app.command("metacluster")
def metacluster_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="CSV of the chosen regions.")],
    chain: ChainOption = "microelectronics",
    source: SourceOption = "eu-sbs",
    year: YearOption = None,
    rules: Annotated[str | None, typer.Option("--rules", help="Rating rule-set.")] = None,
    size: Annotated[int, typer.Option(help="At most this many regions.")] = 12,
    seed_region: Annotated[
        str | None, typer.Option("--seed-region", help="A region that must be part of it.")
    ] = None,
    max_per_country: Annotated[
        int | None, typer.Option("--max-per-country", help="Diversity: regions per country.")
    ] = None,
    db: DbOption = None,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Also draw the chosen regions' coverage PNG.")
    ] = None,
) -> None:
    """Choose the partner regions that together cover a value chain with the strongest clusters.

    An integer programme (weighted maximum coverage, HiGHS) explains every pick.
    Example: `clusteratlas metacluster --chain microelectronics --source eu-sbs --year 2014
    --size 12 --output meta.csv`
    """
    from clusteratlas.export import write_table
    from clusteratlas.valuechains.service import metacluster

    check_writable(output)
    if plot is not None:
        check_writable(plot)
    with err_console.status("Solving the meta-cluster programme …"):
        result = metacluster(
            chain,
            source=source,
            year=year or DEFAULT_YEARS.get(source, 0),
            rules=rules or DEFAULT_RULES.get(source),
            size=size,
            seed_region=seed_region,
            max_per_country=max_per_country,
            store=open_store(db),
        )
    show_table(result.frame, f"Meta-cluster for {result.chain} ({result.status})", columns=[
        "region", "region_name", "stage", "score", "lq", "employment", "reason"
    ], limit=80)  # fmt: skip
    for note in result.notes:
        err_console.print(f"note: {note}", highlight=False)
    attribution = list(result.frame.attrs.get("attribution", []))
    write_table(result.table(), output, attribution=attribution)
    console.print(
        f"Wrote {len(result.selected)} regions to {output} (objective {result.objective:.2f})"
    )
    if source == "eu-sbs" and result.chain == "microelectronics":
        from clusteratlas.valuechains import compare_with
        from clusteratlas.valuechains.service import silicon_europe_regions

        members = silicon_europe_regions()
        overlap = compare_with(result.selected, members)
        console.print(
            f"Silicon Europe member regions also chosen: {overlap.n_common} of "
            f"{len(set(members))} (Jaccard {overlap.jaccard:.3f})"
        )
    if plot is not None and result.strength is not None:
        from clusteratlas.valuechains.plot import plot_chain_coverage

        plot_chain_coverage(
            plot,
            result.strength,
            regions=result.selected,
            title=f"Meta-cluster for {result.chain}: stage LQ of the chosen regions",
            attribution=attribution,
        )
        console.print(f"Wrote {plot}")
