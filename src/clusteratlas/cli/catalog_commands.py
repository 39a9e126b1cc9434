"""Commands about the catalog of data sets and the rule-sets."""

from __future__ import annotations

import os
from pathlib import Path
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
    from clusteratlas.data.locations import how_to_get

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
        ("packaged", "yes (a copy ships with Cluster Atlas)" if dataset.packaged else "no"),
        ("download", dataset.download_url or "none from the publisher in a layout we read"),
        ("sha256", dataset.sha256 or "not fixed (the publisher may update the file)"),
        ("available", f"{where}: {path}" if path else f"{where} ({how_to_get(dataset)})"),
    ):
        console.print(f"[bold]{label}[/bold]: {value}", highlight=False)


@data_app.command("fetch")
def data_fetch(
    name: Annotated[
        str | None, typer.Argument(help="Data-set name, see `data list` (or use --all).")
    ] = None,
    all_: Annotated[
        bool,
        typer.Option("--all", help="Fetch every data set that is not yet available locally."),
    ] = False,
) -> None:
    """Make data sets available locally (data directory, packaged copy, cache or download).

    Examples: `clusteratlas data fetch cbp2019_cbsa`, `clusteratlas data fetch --all`
    (skips what is present, prints a summary; exit status 1 if any data set failed).
    """
    from clusteratlas.data.catalog import resolve
    from clusteratlas.data.fetch import fetch_all
    from clusteratlas.errors import ParameterError

    if all_ == (name is not None):
        raise ParameterError(
            "Give either a data-set NAME or --all to `data fetch`"
            + (", not both." if all_ else " (see `clusteratlas data list`).")
        )
    if name is not None:
        console.print(str(resolve(name, progress=True)))
        return
    results = fetch_all(progress=True)
    table = Table(title="clusteratlas data fetch --all")
    for column in ("name", "result", "where", "details"):
        table.add_column(column, overflow="fold")
    for result in results:
        details = result.message or str(result.path)
        table.add_row(result.name, result.outcome, result.where, details)
    console.print(table)
    failed = [result.name for result in results if result.outcome == "failed"]
    downloaded = sum(result.outcome == "downloaded" for result in results)
    console.print(
        f"{len(results) - len(failed) - downloaded} present, {downloaded} downloaded, "
        f"{len(failed)} failed" + (f": {', '.join(failed)}" if failed else ""),
        highlight=False,
    )
    if failed:
        raise typer.Exit(1)


@data_app.command("use")
def data_use(
    directory: Annotated[
        Path, typer.Argument(help="Folder laid out like the data mirror.", show_default=False)
    ],
) -> None:
    """Remember DIR as the data directory (written to the config file; see `data where`).

    Example: `clusteratlas data use ../shared/data`. `CLUSTERATLAS_DATA` still overrides it.
    """
    from clusteratlas.data.fetch import use_data_directory

    config, found = use_data_directory(directory)
    chosen = directory.expanduser().resolve()
    console.print(
        f"Data directory {chosen} ({len(found)} catalog data sets found) saved in {config}.",
        highlight=False,
    )
    overriding = os.environ.get("CLUSTERATLAS_DATA")
    if overriding and Path(overriding).expanduser().resolve() != chosen:
        console.print(
            f"Note: CLUSTERATLAS_DATA={overriding} is set in this shell and overrides it.",
            highlight=False,
        )


@data_app.command("where")
def data_where() -> None:
    """Show the config file, the data directory and where it came from, cache and databases."""
    from clusteratlas.data.locations import packaged_root
    from clusteratlas.paths import (
        cache_dir,
        config_file,
        data_directory,
        default_database,
        home_dir,
    )

    setting = data_directory()
    origin = {
        "env": "from CLUSTERATLAS_DATA",
        "config": "from the config file",
        "none": "not set: packaged tables, cache and downloads only",
    }[setting.origin]
    config = config_file()
    for label, value in (
        ("config file", f"{config}" + ("" if config.is_file() else " (not written yet)")),
        ("data directory", f"{setting.path or '-'} ({origin})"),
        ("packaged tables", str(packaged_root())),
        ("cache", str(cache_dir())),
        ("map store (DuckDB)", str(default_database())),
        ("registry database", _registry_database(home_dir())),
    ):
        console.print(f"[bold]{label}[/bold]: {value}", highlight=False)


def _registry_database(home: Path) -> str:
    """Return the registry database `serve` would open, the password hidden."""
    from urllib.parse import urlsplit

    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{home / 'registry.sqlite'}"
    parts = urlsplit(url)
    if parts.password:
        url = url.replace(f":{parts.password}@", ":***@", 1)
    return f"{url} (from DATABASE_URL)"


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
