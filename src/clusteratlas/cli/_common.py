"""What every command shares: the Typer apps, consoles, options and small helpers."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from clusteratlas.errors import OutputError, ParameterError

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

DEFAULT_YEARS = {"eu-sbs": 2014, "us-cbp": 2019, "eu-sbs-nuts2021": 2022}
DEFAULT_RULES = {"eu-sbs": "eco2007", "us-cbp": "uscmp", "eu-sbs-nuts2021": "eco2007"}


#: Short column headers for terminal tables.
HEADERS = {
    "category_label": "category",
    "share_of_region": "focus",
    "share_of_category": "share",
    "rank_in_category": "rank",
    "strongly_related": "strongly related (* also strong here)",
    "employment_share": "emp. share",
}


def open_store(db: Path | None) -> Any:
    """Open the DuckDB store at ``db`` (default: the user's)."""
    from clusteratlas.store import Store

    return Store(db)


def parse_overrides(values: list[str] | None) -> dict[str, float]:
    """Turn ``--set KEY=NUMBER`` options into rule-set overrides."""
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


def check_writable(path: Path) -> None:
    """Fail before any work when an output file cannot be written."""
    directory = path.parent if str(path.parent) else Path(".")
    if directory.exists() and not directory.is_dir():
        raise OutputError(f"Cannot write {path}: {directory} is not a directory.")
    if not directory.is_dir():
        raise OutputError(f"Cannot write {path}: directory {directory} does not exist.")
    if not os.access(directory, os.W_OK):
        raise OutputError(f"Cannot write {path}: directory {directory} is not writable.")
    if path.is_dir():
        raise OutputError(f"Cannot write {path}: it is a directory.")


def show_table(frame: pd.DataFrame, title: str, *, columns: list[str], limit: int = 40) -> None:
    """Print the first ``limit`` rows of ``columns`` as a table; long text is cut, not wrapped."""
    table = Table(title=title, show_lines=False)
    shown = [c for c in columns if c in frame.columns]
    for column in shown:
        numeric = pd.api.types.is_numeric_dtype(frame[column])
        table.add_column(
            HEADERS.get(column, column),
            justify="right" if numeric else "left",
            no_wrap=True,
            overflow="ellipsis",
            min_width=max(len(HEADERS.get(column, column)), 6) if numeric else 12,
            max_width=None if numeric else 36,
        )
    for _, row in frame.head(limit).iterrows():
        table.add_row(*(format_cell(row[c]) for c in shown))
    console.print(table)
    if len(frame) > limit:
        console.print(f"… {len(frame) - limit} more rows (use --output to write them all)")


def format_cell(value: Any) -> str:
    """Format a value for a terminal table (missing → ``n/a``)."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def build_for_cli(
    source: str,
    year: int | None,
    rules: str | None,
    categories: str | None,
    db: Path | None,
    overrides: list[str] | None,
    growth_start: int | None = None,
    *,
    countries: list[str] | None = None,
    reference: str = "selection",
) -> Any:
    """Build a map with the command-line defaults (year and rule-set per source)."""
    from clusteratlas.mapping.service import make_map

    with err_console.status(f"Building the {source} map …"):
        return make_map(
            source,
            year=year or DEFAULT_YEARS.get(source, 0),
            rules=rules or DEFAULT_RULES.get(source),
            categories=categories,
            store=open_store(db),
            overrides=parse_overrides(overrides),
            growth_start=growth_start,
            countries=countries,
            reference=reference,
        )
