"""Commands about the catalog of data sets and the rule-sets."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from clusteratlas.cli._common import (
    console,
    data_app,
    rules_app,
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
def rulesshow_table(
    name: Annotated[str, typer.Argument(help="Built-in name or TOML file.")],
) -> None:
    """Describe a rule-set: every output, condition, threshold and its status."""
    from clusteratlas.mapping.rulesets import load_ruleset

    console.print(load_ruleset(name).describe(), highlight=False)
