"""What every command shares: the Typer apps, consoles, options and small helpers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
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

DEFAULT_YEARS = {"eu-sbs": 2014, "us-cbp": 2019, "eu-sbs-nuts2021": 2022}
DEFAULT_RULES = {"eu-sbs": "eco2007", "us-cbp": "uscmp", "eu-sbs-nuts2021": "eco2007"}


#: Short column headers for terminal tables (no two alike, so a table never shows two
#: columns under the same header).
HEADERS = {
    "category_label": "label",
    "region_name": "name",
    "share_of_region": "focus",
    "share_of_category": "share",
    "rank_in_category": "rank",
    "strongly_related": "strongly related (* also strong here)",
    "employment_share": "emp. share",
    "employment_in_clusters": "in clusters",
    "n_clusters": "clusters",
    "cluster_strength": "strength",
    "establishments": "firms",
}
#: Columns that hold growth between two years: shown as "break" where ``growth_note`` says so.
GROWTH_COLUMNS = frozenset({"growth", "lq_change"})
#: Text columns that may be shortened to fit the terminal; every other column keeps its width.
SHRINKABLE = frozenset(
    {"category_label", "region_name", "name", "label", "strongly_related", "weakly_related"}
)


@contextmanager
def option_names(**names: str) -> Iterator[None]:
    """Say the options typed, not the service's parameters, in the errors raised inside.

    ``with option_names(portfolio_region="--region"):`` turns "The 'portfolio_region'
    parameter …" into "The '--region' option …".
    """
    try:
        yield
    except ClusterAtlasError as err:
        text = str(err)
        for parameter, option in names.items():
            text = text.replace(f"{parameter!r} parameter", f"{option!r} option")
            text = text.replace(f"{parameter!r}", f"{option!r}")
        if text == str(err):
            raise
        raise type(err)(text) from err


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
    """Print the first ``limit`` rows of ``columns`` as a table.

    Counts print as integers, growth resting on a series break as ``break``; only the long
    text columns (labels, names) are shortened to fit the terminal, never codes, numbers or
    ratings.
    """
    table = Table(title=title, show_lines=False)
    shown = [c for c in columns if c in frame.columns]
    head = frame.head(limit)
    integral = {c for c in shown if _is_integral(frame[c])}
    cells = {c: [format_cell(v, integer=c in integral) for v in head[c].tolist()] for c in shown}
    if "growth_note" in head.columns:
        broken = head["growth_note"].fillna("").astype(str).str.startswith("break").tolist()
        for column in GROWTH_COLUMNS & set(shown):
            cells[column] = [
                "break" if flag else cell for cell, flag in zip(cells[column], broken, strict=True)
            ]
    widest = {c: max([len(HEADERS.get(c, c)), *(len(cell) for cell in cells[c])]) for c in shown}
    shrinkable = [c for c in shown if c in SHRINKABLE]
    fixed = sum(widest[c] for c in shown if c not in SHRINKABLE)
    room = console.width - 3 * len(shown) - 1 - fixed  # borders and padding: 3 per column
    share = max(room // len(shrinkable), 8) if shrinkable else 0
    for column in shown:
        header = HEADERS.get(column, column)
        numeric = pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(
            frame[column]
        )
        width = min(widest[column], share, 36) if column in SHRINKABLE else widest[column]
        table.add_column(
            header,
            justify="right" if numeric else "left",
            no_wrap=True,
            overflow="ellipsis",
            width=width,
        )
    for i in range(len(head)):
        table.add_row(*(cells[c][i] for c in shown))
    console.print(table)
    if len(frame) > limit:
        console.print(f"… {len(frame) - limit} more rows (use --output to write them all)")


def _is_integral(series: pd.Series) -> bool:
    """Whether a numeric column holds whole numbers only (counts: employment, firms …)."""
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return False
    values = pd.to_numeric(series, errors="coerce").dropna().to_numpy(dtype="float64")
    return bool(len(values)) and bool(((values % 1) == 0).all())


def format_cell(value: Any, *, integer: bool = False) -> str:
    """Format a value for a terminal table (missing → ``n/a``; counts without decimals)."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return "n/a"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float | int) and (integer or isinstance(value, int)):
        return f"{value:,.0f}"
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
    shift_share_effects: bool = False,
) -> Any:
    """Build a map with the command-line defaults (year and rule-set per source)."""
    from clusteratlas.mapping.service import make_map

    with err_console.status(f"Building the {source} map …"):
        result = make_map(
            source,
            year=year or DEFAULT_YEARS.get(source, 0),
            rules=rules or DEFAULT_RULES.get(source),
            categories=categories,
            store=open_store(db),
            overrides=parse_overrides(overrides),
            growth_start=growth_start,
            countries=countries,
            reference=reference,
            shift_share_effects=shift_share_effects,
        )
    for warning in result.warnings:
        err_console.print(f"warning: {warning}", highlight=False)
    return result
