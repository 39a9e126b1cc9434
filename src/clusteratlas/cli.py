"""The ``clusteratlas`` command line: parses options, calls a service, renders the answer.

Every error a user can cause is printed on one line (``error: …``) with exit status 1;
set ``CLUSTERATLAS_DEBUG=1`` to see the traceback instead.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from clusteratlas.errors import ClusterAtlasError, OutputError, ParameterError

app = typer.Typer(
    name="clusteratlas",
    help="Map, measure and connect industrial clusters from open regional statistics.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
)
data_app = typer.Typer(
    help="The catalog of real data sets: list, describe, fetch.", no_args_is_help=True
)
rules_app = typer.Typer(help="Rating rule-sets: list and describe.", no_args_is_help=True)
app.add_typer(data_app, name="data")
app.add_typer(rules_app, name="rules")

console = Console()
err_console = Console(stderr=True)

SourceOption = Annotated[str, typer.Option("--source", help="Statistics: `eu-sbs` or `us-cbp`.")]
YearOption = Annotated[
    int | None,
    typer.Option("--year", help="Year to map (default: 2014 for eu-sbs, 2019 for us-cbp)."),
]
RulesOption = Annotated[
    str | None,
    typer.Option("--rules", help="Rule-set: `uscmp`, `eco2007`, `panorama2021` or a TOML file."),
]
CategoriesOption = Annotated[
    str | None,
    typer.Option(
        "--categories",
        help="eu-sbs: `divisions` (default) or `ecosystems`; us-cbp: `traded` (default), "
        "`local` or `all`; or a CSV of definitions (industry, category).",
    ),
]
DbOption = Annotated[
    Path | None, typer.Option("--db", help="DuckDB store (default: in the user data directory).")
]
SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override a rule threshold, e.g. `--set specialised.lq=1.8`."),
]

DEFAULT_YEARS = {"eu-sbs": 2014, "us-cbp": 2019}
DEFAULT_RULES = {"eu-sbs": "eco2007", "us-cbp": "uscmp"}


def _store(db: Path | None) -> Any:
    from clusteratlas.store import Store

    return Store(db)


def _parse_overrides(values: list[str] | None) -> dict[str, float]:
    overrides: dict[str, float] = {}
    for item in values or []:
        key, sep, number = item.partition("=")
        try:
            overrides[key.strip()] = float(number)
        except ValueError:
            sep = ""
        if not sep or not key.strip():
            raise ParameterError(
                f"The '--set' option takes KEY=NUMBER, e.g. specialised.lq=1.8. Got {item!r} instead."
            )
    return overrides


def _check_writable(path: Path) -> None:
    """Fail before any work when an output file cannot be written."""
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise OutputError(f"Cannot write {path}: directory {directory} does not exist.")
    if not os.access(directory, os.W_OK):
        raise OutputError(f"Cannot write {path}: directory {directory} is not writable.")
    if path.is_dir():
        raise OutputError(f"Cannot write {path}: it is a directory.")


def _show(frame: pd.DataFrame, title: str, *, columns: list[str], limit: int = 40) -> None:
    table = Table(title=title, show_lines=False)
    shown = [c for c in columns if c in frame.columns]
    for column in shown:
        table.add_column(
            column, justify="right" if pd.api.types.is_numeric_dtype(frame[column]) else "left"
        )
    for _, row in frame.head(limit).iterrows():
        table.add_row(*(_fmt(row[c]) for c in shown))
    console.print(table)
    if len(frame) > limit:
        console.print(f"… {len(frame) - limit} more rows (use --output to write them all)")


def _fmt(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def _build(
    source: str,
    year: int | None,
    rules: str | None,
    categories: str | None,
    db: Path | None,
    overrides: list[str] | None,
    growth_start: int | None = None,
) -> Any:
    from clusteratlas.mapping.service import make_map

    with err_console.status(f"Building the {source} map …"):
        return make_map(
            source,
            year=year or DEFAULT_YEARS.get(source, 0),
            rules=rules or DEFAULT_RULES.get(source),
            categories=categories,
            store=_store(db),
            overrides=_parse_overrides(overrides),
            growth_start=growth_start,
        )


@data_app.command("list")
def data_list() -> None:
    """List the data sets of the catalog and where each one is available."""
    from clusteratlas.data.catalog import list_datasets, locate

    table = Table(title="Cluster Atlas data sets")
    for column in ("name", "title", "available"):
        table.add_column(column)
    for dataset in list_datasets():
        path, where = locate(dataset.name)
        table.add_row(dataset.name, dataset.title, f"{where}: {path}" if path else where)
    console.print(table)


@data_app.command("info")
def data_info(name: Annotated[str, typer.Argument(help="Data-set name, see `data list`.")]) -> None:
    """Describe one data set: source, licence, attribution, file.

    Example: `clusteratlas data info sbs_r_nuts06_r2`
    """
    from clusteratlas.data.catalog import get_dataset, locate

    dataset = get_dataset(name)
    path, where = locate(name)
    for label, value in (
        ("name", dataset.name),
        ("title", dataset.title),
        ("description", dataset.description),
        ("licence", dataset.licence),
        ("attribution", dataset.attribution),
        ("source", dataset.source_url),
        ("file", dataset.filename),
        ("download", dataset.download_url or "none (use a mirror: CLUSTERATLAS_DATA)"),
        ("available", f"{where}: {path}" if path else where),
    ):
        console.print(f"[bold]{label}[/bold]: {value}", highlight=False)


@data_app.command("fetch")
def data_fetch(
    name: Annotated[str, typer.Argument(help="Data-set name, see `data list`.")],
) -> None:
    """Make a data set available locally (mirror, cache, or download to the cache).

    Example: `clusteratlas data fetch sbs_r_nuts06_r2`
    """
    from clusteratlas.data.catalog import resolve

    console.print(str(resolve(name, progress=True)))


@rules_app.command("list")
def rules_list() -> None:
    """List the built-in rule-sets."""
    from clusteratlas.mapping.rulesets import list_rulesets, load_ruleset

    for name in list_rulesets():
        ruleset = load_ruleset(name)
        console.print(f"[bold]{name}[/bold]@{ruleset.version}: {ruleset.title}", highlight=False)


@rules_app.command("show")
def rules_show(name: Annotated[str, typer.Argument(help="Built-in name or TOML file.")]) -> None:
    """Describe a rule-set: every output, condition, threshold and its status."""
    from clusteratlas.mapping.rulesets import load_ruleset

    console.print(load_ruleset(name).describe(), highlight=False)


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
) -> None:
    """Map clusters: one row per (region, category) with employment, LQ, growth and ratings.

    Example: `clusteratlas map --source eu-sbs --year 2014 --rules eco2007 --output eu.csv`

    Example: `clusteratlas map --source us-cbp --year 2019 --rules uscmp --output us.geojson`
    """
    from clusteratlas.export import output_format, write_table

    kind = output_format(output)
    _check_writable(output)
    result = _build(source, year, rules, categories, db, set_, growth_start)
    boundaries = None
    if kind == "geojson":
        boundaries = _boundaries(result.source.name)
    write_table(result.frame, output, attribution=result.attribution, boundaries=boundaries)
    for note in result.notes:
        err_console.print(f"note: {note}", highlight=False)
    console.print(f"Wrote {len(result.frame):,} rows to {output}")


def _boundaries(source: str) -> Any:
    from clusteratlas.data.boundaries import read_cbsa_boundaries, read_nuts_boundaries

    return read_nuts_boundaries(level=2) if source == "eu-sbs" else read_cbsa_boundaries()


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
        _check_writable(output)
    result = _build(source, year, rules, categories, db, None)
    related = None
    if result.source.name == "us-cbp":
        from clusteratlas.data.definitions import related_clusters

        related = related_clusters()
    rows = portfolio(result.frame, region, related=related)
    name = rows["region_name"].iloc[0] if len(rows) else region
    columns = [
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
    _show(rows, f"Cluster portfolio of {name} ({region}), {result.year}", columns=columns)
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
        _check_writable(output)
    result = _build(source, year, rules, categories, db, None)
    wide = compare_regions(result.frame, regions, measure=measure)
    _show(wide, f"{measure} by category, {result.year}", columns=list(wide.columns), limit=100)
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

    result = _build(source, year, rules, categories, db, None)
    rows = rank_regions(result.frame, category, measure=measure, top=top)
    columns = ["rank", "region", "region_name", "employment", "lq", "share_of_region"]
    columns += [c for c in ("strong", "stars", "specialised") if c in rows.columns]
    _show(rows, f"Regions ranked by {measure}: {rows['category_label'].iloc[0]}", columns=columns)


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
            store=_store(db),
        )
    console.print(
        f"LQ >= {result.threshold:.4f} (any cut-off in ({result.next_lower:.4f}, "
        f"{result.threshold:.4f}]) with employment >= {result.min_employment:,.0f}: "
        f"{result.count:,} cells (target {result.target_count:,}) in {result.regions} regions "
        f"(target {result.target_regions}), {result.employment_share:.1%} of employment, "
        f"{built.frame['region'].nunique()} regions mapped, {built.year}.",
        highlight=False,
    )
    _show(result.table, "Count by threshold", columns=list(result.table.columns))
    if result.grid is not None:
        _show(
            result.grid, "Best threshold per minimum employment", columns=list(result.grid.columns)
        )
    console.print(
        f"Use it: --rules panorama2021 --set specialised.lq={result.threshold:.4f} "
        f"--set specialised.employment={result.min_employment:g}",
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

    _check_writable(output)
    families: list[str | None] = list(categories) if categories else [None]
    rule_sets: list[str | None] = list(rules) if rules else [DEFAULT_RULES.get(source)]
    views = [(family, rule) for family in families for rule in rule_sets]
    with err_console.status("Building the atlas …"):
        written = build_atlas(
            source,
            year=year or DEFAULT_YEARS.get(source, 0),
            views=views,
            output=output,
            store=_store(db),
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

    store = _store(db)
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


def main() -> None:
    """Run the command line, turning errors into one-line messages and exit status 1.

    Usage errors of the command line itself (an unknown option) keep Typer's message and
    exit status 2.
    """
    try:
        app()
    except ClusterAtlasError as err:
        if os.environ.get("CLUSTERATLAS_DEBUG"):
            raise
        _fail(" ".join(str(err).split()))
    except Exception as err:
        if os.environ.get("CLUSTERATLAS_DEBUG"):
            raise
        _fail(
            f"unexpected {type(err).__name__}: {err} "
            "(a bug: please report it with the output of CLUSTERATLAS_DEBUG=1)"
        )


def _fail(message: str) -> None:
    err_console.print(f"error: {message}", highlight=False, soft_wrap=True)
    sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
