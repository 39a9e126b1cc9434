"""Commands that build and show maps: map, portfolio, compare, rank, calibrate, atlas, demo."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from clusteratlas.cli._common import (
    DEFAULT_RULES,
    DEFAULT_YEARS,
    CategoriesOption,
    DbOption,
    RulesOption,
    SetOption,
    SourceOption,
    YearOption,
    app,
    build_for_cli,
    check_writable,
    console,
    err_console,
    open_store,
    option_names,
    parse_overrides,
    show_table,
)


@app.command("map")
def map_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="CSV, Parquet or GeoJSON file.")],
    source: SourceOption = "eu-sbs",
    year: YearOption = None,
    rules: RulesOption = None,
    categories: CategoriesOption = None,
    db: DbOption = None,
    set_: SetOption = None,
    growth_start: Annotated[
        int | None, typer.Option("--growth-start", help="First year of the growth period.")
    ] = None,
    shift_share_effects: Annotated[
        bool,
        typer.Option(
            "--shift-share",
            help="Add shift-share effects over the growth period (ss_national, ss_mix, "
            "ss_competitive, ss_status).",
        ),
    ] = False,
    countries: Annotated[
        str | None,
        typer.Option(help="Keep only these countries' regions, comma-separated (e.g. DE,FR,IT)."),
    ] = None,
    reference: Annotated[
        str,
        typer.Option(
            help="LQ reference area: `selection` (all mapped regions) or `country` (own country)."
        ),
    ] = "selection",
    establishments: Annotated[
        str | None,
        typer.Option(
            "--establishments",
            help="Map an establishment register instead of --source: a Parquet file, "
            "directory or glob in the SIRENE stock layout.",
        ),
    ] = None,
    engine: Annotated[
        str, typer.Option("--engine", help="Register engine: `duckdb` (default) or `spark`.")
    ] = "duckdb",
    spark_master: Annotated[
        str | None, typer.Option("--spark-master", help="Spark master URL (default local[2]).")
    ] = None,
    region_column: Annotated[
        str, typer.Option("--region-column", help="Register column of commune codes.")
    ] = "codeCommuneEtablissement",
    industry_column: Annotated[
        str, typer.Option("--industry-column", help="Register column of NAF sub-classes.")
    ] = "activitePrincipaleEtablissement",
    region_level: Annotated[
        str, typer.Option("--region-level", help="Register regions: `commune` or `departement`.")
    ] = "commune",
) -> None:
    """Map clusters: one row per (region, category) with employment, LQ, growth and ratings.

    Example: `clusteratlas map --source eu-sbs --year 2014 --rules eco2007 --output eu.csv`

    Example: `clusteratlas map --source us-cbp --year 2019 --rules uscmp --output us.geojson`

    Example: `clusteratlas map --establishments stock/ --region-level departement --year 2024
    --output fr.parquet` (add `--engine spark --spark-master spark://host:7077` on a cluster)
    """
    from clusteratlas.export import output_format, write_table

    kind = output_format(output)
    check_writable(output)
    if establishments is not None:
        from clusteratlas.mapping.registers import map_register

        if kind == "geojson":
            from clusteratlas.errors import ParameterError

            raise ParameterError("A register map is written as CSV or Parquet, not GeoJSON.")
        with (
            err_console.status(f"Mapping {establishments} on {engine} …"),
            option_names(path="--establishments"),
        ):
            built = map_register(
                establishments,
                engine=engine,
                spark_master=spark_master,
                region_column=region_column,
                industry_column=industry_column,
                region_level=region_level,
                categories=categories or "divisions",
                year=year,
                growth_start=growth_start,
                rules=rules,
                overrides=parse_overrides(set_),
            )
        write_table(built.frame, output, attribution=built.attribution)
        for note in built.notes:
            err_console.print(f"note: {note}", highlight=False)
        console.print(f"Wrote {len(built.frame):,} rows to {output}")
        return
    chosen = [c.strip().upper() for c in countries.split(",") if c.strip()] if countries else None
    result = build_for_cli(
        source,
        year,
        rules,
        categories,
        db,
        set_,
        growth_start,
        countries=chosen,
        reference=reference,
        shift_share_effects=shift_share_effects,
    )
    boundaries = None
    if kind == "geojson":
        from clusteratlas.report.build import source_boundaries

        boundaries = source_boundaries(result.source.name)
    write_table(result.frame, output, attribution=result.attribution, boundaries=boundaries)
    for note in result.notes:
        err_console.print(f"note: {note}", highlight=False)
    if boundaries is None:
        console.print(f"Wrote {len(result.frame):,} rows to {output}")
        return
    _report_shapes(result.frame, boundaries, output, result.source.region_label)


def _report_shapes(frame: Any, boundaries: Any, output: Path, region_label: str) -> None:
    """Say how many features were written and how many regions have no shape."""
    from clusteratlas.report.geometry import regions_without_shape

    missing = regions_without_shape(frame["region"], boundaries)
    rows = int(frame["region"].isin(missing).sum())
    console.print(
        f"Wrote {len(frame):,} features ({len(frame):,} rows) to {output}; "
        f"{len(missing):,} {region_label}s without a shape "
        f"({rows:,} rows written with a null geometry)"
        + (f": {', '.join(missing[:20])}{' …' if len(missing) > 20 else ''}" if missing else "."),
        highlight=False,
    )


@app.command("portfolio")
def portfolio_command(
    region: Annotated[str, typer.Argument(help="Region code, e.g. DE21 or 41860.")],
    source: SourceOption = "eu-sbs",
    year: YearOption = None,
    rules: RulesOption = None,
    categories: CategoriesOption = None,
    db: DbOption = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Also write a CSV.")] = None,
) -> None:
    """Show a region's cluster portfolio: every category with LQ, growth, ratings, related clusters.

    Example: `clusteratlas portfolio DED2 --source eu-sbs --rules eco2007`
    """
    from clusteratlas.mapping.portfolio import portfolio

    if output is not None:
        check_writable(output)
    result = build_for_cli(source, year, rules, categories, db, None)
    related = None
    if result.source.name == "us-cbp":
        from clusteratlas.data.definitions import related_clusters

        related = related_clusters()
    rows = portfolio(result.frame, region, related=related)
    name = rows["region_name"].iloc[0] if len(rows) else region
    region = str(rows["region"].iloc[0]) if len(rows) else region
    columns = [
        "category",
        "category_label",
        "employment",
        "lq",
        "share_of_region",
        "growth",
        "rank_in_category",
    ]
    columns += [
        c for c in ("strong", "stars", "specialised", "strongly_related") if c in rows.columns
    ]
    show_table(rows, f"Cluster portfolio of {name} ({region}), {result.year}", columns=columns)
    if output is not None:
        from clusteratlas.export import write_table

        write_table(rows, output, attribution=result.attribution)
        console.print(f"Wrote {output}")


@app.command("compare")
def compare_command(
    regions: Annotated[list[str], typer.Argument(help="Up to 10 region codes.")],
    source: SourceOption = "eu-sbs",
    year: YearOption = None,
    rules: RulesOption = None,
    categories: CategoriesOption = None,
    db: DbOption = None,
    measure: Annotated[str, typer.Option(help="Measure compared.")] = "lq",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Also write a CSV.")] = None,
) -> None:
    """Compare up to ten regions category by category.

    Example: `clusteratlas compare DED2 FR71 NL41 --source eu-sbs`
    """
    from clusteratlas.mapping.portfolio import compare_regions

    if output is not None:
        check_writable(output)
    result = build_for_cli(source, year, rules, categories, db, None)
    wide = compare_regions(result.frame, regions, measure=measure)
    show_table(wide, f"{measure} by category, {result.year}", columns=list(wide.columns), limit=100)
    if output is not None:
        from clusteratlas.export import write_table

        write_table(wide, output, attribution=result.attribution)


@app.command("rank")
def rank_command(
    category: Annotated[str, typer.Argument(help="Category code or name, e.g. C26.")],
    source: SourceOption = "eu-sbs",
    year: YearOption = None,
    rules: RulesOption = None,
    categories: CategoriesOption = None,
    db: DbOption = None,
    measure: Annotated[str, typer.Option(help="Measure ranked.")] = "lq",
    top: Annotated[int, typer.Option(help="How many regions to show.")] = 20,
) -> None:
    """Rank the regions for one category.

    Example: `clusteratlas rank C26 --source eu-sbs --measure employment`
    """
    from clusteratlas.mapping.portfolio import rank_regions

    result = build_for_cli(source, year, rules, categories, db, None)
    rows = rank_regions(result.frame, category, measure=measure, top=top)
    columns = ["rank", "region", "region_name", "employment", "lq", "share_of_region"]
    columns += [c for c in ("strong", "stars", "specialised") if c in rows.columns]
    show_table(
        rows,
        f"Regions ranked by {measure}: {rows['category'].iloc[0]} {rows['category_label'].iloc[0]}",
        columns=columns,
    )


@app.command("strength")
def strength_command(
    source: SourceOption = "us-cbp",
    year: YearOption = None,
    rules: RulesOption = None,
    categories: CategoriesOption = None,
    db: DbOption = None,
    top: Annotated[int, typer.Option(help="How many regions to show.")] = 20,
    min_stars: Annotated[
        int | None,
        typer.Option(
            "--min-stars",
            help="Stars a category needs to count as a cluster (default: the rule-set's "
            "declaration; eco2007: 2).",
        ),
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Also write a CSV.")] = None,
) -> None:
    """Rank regions by cluster strength: the share of their employment in clusters.

    What counts as a cluster is declared by the rule-set (`clusteratlas rules show NAME`):
    eco2007 two or more stars, panorama2021 a specialisation, uscmp a strong cluster (the US
    Cluster Mapping Project's share of traded employment in strong clusters).
    Example: `clusteratlas strength --source eu-sbs --rules eco2007 --min-stars 3`
    """
    from clusteratlas.mapping.portfolio import cluster_rule, cluster_strength

    if output is not None:
        check_writable(output)
    result = build_for_cli(source, year, rules, categories, db, None)
    column, least, rule = cluster_rule(result.frame, result.ruleset, min_stars=min_stars)
    rows = cluster_strength(result.frame, flag=column, min_stars=least)
    columns = ["region", "region_name", "employment", "employment_in_clusters", "n_clusters"]
    show_table(
        rows,
        f"Cluster strength, {result.year}",
        columns=[*columns, "cluster_strength"],
        limit=top,
    )
    console.print(f"Cluster strength: {rule}.", highlight=False)
    if output is not None:
        from clusteratlas.export import write_table

        write_table(rows, output, attribution=result.attribution)


@app.command("export")
def export_command(
    table: Annotated[str, typer.Argument(help="A table of the store (see `clusteratlas tables`).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="CSV, Parquet or GeoJSON file.")],
    db: DbOption = None,
) -> None:
    """Export a stored table (a map built earlier) to CSV, Parquet or GeoJSON.

    Example: `clusteratlas export map_us_cbp_2019_traded_uscmp --output us.geojson`
    """
    from clusteratlas.export import output_format, write_table

    kind = output_format(output)
    check_writable(output)
    store = open_store(db)
    frame = store.read(table)
    metadata = store.metadata(table)
    boundaries = None
    if kind == "geojson":
        from clusteratlas.report.build import source_boundaries

        boundaries = source_boundaries(str(metadata.get("source", "")))
    write_table(
        frame, output, attribution=list(metadata.get("attribution", [])), boundaries=boundaries
    )
    console.print(f"Wrote {len(frame):,} rows to {output}")


@app.command("tables")
def tables_command(db: DbOption = None) -> None:
    """List the tables of the store: parsed data sets and the maps built so far."""
    store = open_store(db)
    for name in store.tables():
        info = store.metadata(name)
        details = ", ".join(
            f"{k}={info[k]}" for k in ("source", "year", "rules", "categories") if info.get(k)
        )
        console.print(f"{name}  {details}", highlight=False)


@app.command("calibrate")
def calibrate_command(
    source: SourceOption = "eu-sbs",
    year: YearOption = None,
    target_count: Annotated[int, typer.Option(help="Published number of specialisations.")] = 1501,
    target_regions: Annotated[int, typer.Option(help="Published number of regions.")] = 201,
    min_employment: Annotated[
        list[float] | None,
        typer.Option(help="Minimum employments to search (repeat the option); default 0 only."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Find the LQ threshold reproducing a published count (Panorama 2021: 1,501 in 201 regions).

    Example: `clusteratlas calibrate --year 2014 --min-employment 0 --min-employment 3500`
    """
    from clusteratlas.mapping.service import calibrate

    with err_console.status("Calibrating …"):
        result, built = calibrate(
            source,
            year=year or DEFAULT_YEARS.get(source, 0),
            target_count=target_count,
            target_regions=target_regions,
            min_employment_grid=min_employment,
            store=open_store(db),
        )
    console.print(
        f"LQ >= {result.threshold:.4f} (any cut-off in ({result.next_lower:.4f}, "
        f"{result.threshold:.4f}]) with employment >= {result.min_employment:,.0f}: "
        f"{result.count:,} cells (target {result.target_count:,}) in {result.regions} regions "
        f"(target {result.target_regions}), {result.employment_share:.1%} of employment, "
        f"{built.frame['region'].nunique()} regions mapped, {built.year}.",
        highlight=False,
    )
    show_table(result.table, "Count by threshold", columns=list(result.table.columns))
    if result.grid is not None:
        show_table(
            result.grid, "Best threshold per minimum employment", columns=list(result.grid.columns)
        )
    # the count holds for the regions calibrated on (EU-27 for eu-sbs): the map needs them too
    scope = ""
    if source == "eu-sbs":
        scope = " --countries " + ",".join(sorted({str(r)[:2] for r in built.frame["region"]}))
    console.print(
        f"Use it: --rules panorama2021 --set specialised.lq={result.threshold:.4f} "
        f"--set specialised.employment={result.min_employment:g}{scope}",
        highlight=False,
    )


@app.command("atlas")
def atlas_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")],
    source: SourceOption = "eu-sbs",
    year: YearOption = None,
    rules: Annotated[
        list[str] | None, typer.Option("--rules", help="Rule-set(s); repeat for several views.")
    ] = None,
    categories: Annotated[
        list[str] | None,
        typer.Option("--categories", help="Category family(ies); repeat for several views."),
    ] = None,
    region: Annotated[str | None, typer.Option(help="Region shown in the portfolio chart.")] = None,
    png: Annotated[
        str | None,
        typer.Option(help="Also draw this category's LQ map as a PNG beside the report."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Write the offline HTML atlas: choropleth, portfolio chart and tables for every view.

    One view per (categories, rules) pair. Example:
    `clusteratlas atlas --source eu-sbs --year 2014 --categories divisions --categories ecosystems
    --rules eco2007 --rules panorama2021 --output eu_atlas.html`
    """
    from clusteratlas.report.build import build_atlas

    check_writable(output)
    families: list[str | None] = list(categories) if categories else [None]
    rule_sets: list[str | None] = list(rules) if rules else [DEFAULT_RULES.get(source)]
    views = [(family, rule) for family in families for rule in rule_sets]
    with (
        err_console.status("Building the atlas …"),
        option_names(portfolio_region="--region", png_category="--png"),
    ):
        written = build_atlas(
            source,
            year=year or DEFAULT_YEARS.get(source, 0),
            views=views,
            output=output,
            store=open_store(db),
            portfolio_region=region,
            png_category=png,
        )
    console.print(f"Open {written.report.resolve().as_uri()}")
    for path in written.pngs:
        console.print(f"Wrote {path}")


@app.command("demo")
def demo_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for the outputs.")] = Path(
        "out"
    ),
    db: DbOption = None,
) -> None:
    """Build the EU (SBS 2014) and US (CBP 2019) atlases from the real data, end to end."""
    from clusteratlas.demo import run_demo

    store = open_store(db)
    done = run_demo(output, store=store, say=lambda line: err_console.print(line, highlight=False))
    for line in done.lines:
        console.print(line, highlight=False)
    console.print(f"Store: {store.path}")
    for path in done.tables:
        console.print(f"Table: {path}")
    for atlas in done.atlases:
        for png in atlas.pngs:
            console.print(f"Figure: {png}")
    console.print("Open the atlases in a browser (they work offline):")
    for atlas in done.atlases:
        console.print(f"  {atlas.report.resolve().as_uri()}")
    console.print(
        "Start the collaboration platform (registry, API, dashboard): "
        ".venv/bin/clusteratlas serve  →  http://127.0.0.1:8000/  (API docs at /api/v1/docs)"
    )
