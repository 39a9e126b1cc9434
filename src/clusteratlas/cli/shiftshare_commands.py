"""The shiftshare command: a region's employment change split into shift-share effects."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from clusteratlas.cli._common import (
    DbOption,
    SourceOption,
    app,
    check_writable,
    console,
    err_console,
    open_store,
    show_table,
)

EFFECT_HEADERS = {
    "national": "national",
    "mix": "industry mix",
    "competitive": "competitive",
    "allocation": "allocation",
}


def _number(value: float) -> str:
    return "n/a" if pd.isna(value) else f"{value:,.1f}"


def _region_table(table: pd.DataFrame, effects: tuple[str, ...], title: str) -> Table:
    """Categories of one region with their effects, then the sum of the decomposed ones."""
    out = Table(title=title)
    out.add_column("category", no_wrap=True, max_width=40, overflow="ellipsis")
    for name in ("start_value", "end_value", "change", *effects):
        out.add_column(EFFECT_HEADERS.get(name, name.replace("_", " ")), justify="right")
    out.add_column("status")
    columns = ("start_value", "end_value", "change", *effects)
    for _, row in table.iterrows():
        label = str(row["industry"])
        if isinstance(row["category_label"], str):
            label += " " + row["category_label"]
        cells = [_number(float(row[name])) for name in columns]
        out.add_row(label, *cells, str(row["status"]))
    ok = table[table["status"] == "ok"]
    sums = [_number(ok[name].sum()) for name in ("start_value", "end_value", "change", *effects)]
    out.add_row("sum of decomposed categories", *sums, f"{len(ok)} ok", end_section=True)
    return out


@app.command("shiftshare")
def shiftshare_command(
    start: Annotated[int, typer.Option("--from", help="First year of the period.")],
    end: Annotated[int, typer.Option("--to", help="Last year of the period.")],
    source: SourceOption = "eu-sbs",
    region: Annotated[
        str | None, typer.Option("--region", help="Show this region's categories (e.g. DED2).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="CSV or Parquet file for every row.")
    ] = None,
    method: Annotated[
        str, typer.Option(help="`dunn` (classic) or `esteban-marquillas` (adds allocation).")
    ] = "dunn",
    dynamic: Annotated[
        bool, typer.Option("--dynamic", help="Sum year-by-year decompositions (Barff-Knight).")
    ] = False,
    reference: Annotated[
        str, typer.Option(help="Reference economy: `all` regions of the source or `country`.")
    ] = "all",
    db: DbOption = None,
) -> None:
    """Split employment change by industry into national, industry-mix and competitive effects.

    The effects of each category sum to its observed change. Categories whose series
    breaks (Eurostat flags `b`, `d`), or that lack a value in a year, are listed with
    their status and not decomposed; they are left out of the reference totals too. Works
    for any source holding both years (EU SBS: 2008-2015).
    Example: `clusteratlas shiftshare --source eu-sbs --from 2008 --to 2014 --region DED2`
    """
    from clusteratlas.mapping.shiftshare import source_shift_share

    if output is not None:
        check_writable(output)
    with err_console.status("Decomposing employment change …"):
        report = source_shift_share(
            source,
            start=start,
            end=end,
            region=region,
            method=method,
            dynamic=dynamic,
            reference=reference,
            store=open_store(db),
        )
    if output is not None:
        from clusteratlas.export import write_table

        write_table(report.table, output, attribution=report.attribution)
    effects = report.effects
    if region is not None:
        kind = "dynamic " if dynamic else ""
        title = f"{region}: {kind}shift-share of employment {start}→{end} ({method})"
        console.print(_region_table(report.table, effects, title))
        flagged = report.table[report.table["status"] != "ok"]["status"].value_counts()
        if len(flagged):
            listed = ", ".join(f"{count} {status}" for status, count in flagged.items())
            console.print(f"Not decomposed (series break or missing value): {listed}.")
    else:
        top = report.totals.sort_values("competitive", ascending=False)
        show_table(
            top,
            f"Regions by competitive effect {start}→{end} ({method})",
            columns=["region", "change", *effects, "ok", "break", "missing"],
        )
    console.print("; ".join(report.attribution), style="dim")
    if output is not None:
        console.print(f"Wrote {len(report.table):,} rows to {output}")
