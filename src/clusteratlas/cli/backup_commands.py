"""Backups and upgrades: ``clusteratlas registry backup|restore|upgrade``, ``store backup|restore``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from clusteratlas.cli._common import DbOption, app, console, err_console, open_store
from clusteratlas.errors import ParameterError

registry_app = typer.Typer(
    help="The registry database of cluster organisations: backup, restore, upgrade, mail outbox.",
    no_args_is_help=True,
)
store_app = typer.Typer(
    help="The DuckDB store of parsed statistics and maps: backup and restore.",
    no_args_is_help=True,
)
app.add_typer(registry_app, name="registry")
app.add_typer(store_app, name="store")

RegistryDbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Registry database: an SQLite file or an SQLAlchemy URL "
        "(default: DATABASE_URL, else the user's SQLite file).",
    ),
]
YesOption = Annotated[
    bool, typer.Option("--yes", help="Confirm that every current row is to be replaced.")
]
EvidenceOption = Annotated[
    Path | None,
    typer.Option(
        "--evidence",
        help="Folder of the label evidence files (uploaded documents live outside the "
        "database): backup copies every file the registry names there, restore copies "
        "them back into $CLUSTERATLAS_HOME/evidence. Incremental and checked by SHA-256.",
    ),
]


def _registry_url(db: str | None) -> str:
    from clusteratlas.cli.serve_commands import _database_url
    from clusteratlas.registry.db import database_url

    return database_url(_database_url(db))


def _confirm(yes: bool, what: str) -> None:
    if not yes:
        raise ParameterError(f"A restore replaces every row of {what}; add --yes to confirm.")


@registry_app.command("backup")
def registry_backup_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="Backup file to write.")],
    db: RegistryDbOption = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="`sqlite` (a copy made with SQLite's online backup; SQLite only) or `json` "
            "(portable, restores into SQLite or PostgreSQL). Default: sqlite for an SQLite "
            "registry, json for PostgreSQL or a .json/.json.gz output.",
        ),
    ] = None,
    evidence: EvidenceOption = None,
) -> None:
    """Back up the registry while it is in use (a consistent snapshot).

    Example: `clusteratlas registry backup --output registry-2026-12-01.json.gz --evidence
    evidence-backup/`
    """
    from clusteratlas.registry.backup import backup_registry

    url = _registry_url(db)
    counts = backup_registry(url, output, fmt=fmt)
    console.print(f"Wrote {output} ({_describe(counts)})")
    if evidence is not None:
        from clusteratlas.registry.evidence_backup import backup_evidence

        _report_evidence(backup_evidence(url, evidence), evidence, "the evidence folder")


@registry_app.command("restore")
def registry_restore_command(
    backup: Annotated[Path, typer.Argument(help="A file written by `registry backup`.")],
    db: RegistryDbOption = None,
    yes: YesOption = False,
    evidence: EvidenceOption = None,
) -> None:
    """Replace the registry's contents with a backup, in one transaction.

    Example: `clusteratlas registry restore registry-2026-12-01.json.gz --yes --evidence
    evidence-backup/`
    """
    from clusteratlas.registry.backup import restore_registry

    url = _registry_url(db)
    _confirm(yes, "the registry")
    if evidence is not None and not evidence.is_dir():
        raise ParameterError(f"The '--evidence' folder {str(evidence)!r} does not exist.")
    counts = restore_registry(url, backup)
    console.print(f"Restored the registry from {backup} ({_describe(counts)})")
    if evidence is not None:
        from clusteratlas.registry.evidence_backup import restore_evidence

        _report_evidence(restore_evidence(url, evidence), evidence, "the evidence backup")


@registry_app.command("upgrade")
def registry_upgrade_command(
    db: RegistryDbOption = None,
    seed: Annotated[
        bool,
        typer.Option(
            help="Seed the registry from CLUSTERATLAS_DATA when it is empty (and add the "
            "skills seed's training providers when it has none)."
        ),
    ] = True,
) -> None:
    """Apply the schema migrations of this release (and seed an empty registry), once.

    `serve` does the same at start; run this before starting several workers so that they
    do not all migrate at once. Example: `DATABASE_URL=postgresql+psycopg://… clusteratlas
    registry upgrade`
    """
    from clusteratlas.api.app import seed_if_empty
    from clusteratlas.registry.db import make_engine, make_session_factory, migrate

    engine = make_engine(_registry_url(db))
    try:
        migrate(engine=engine)
        added = seed_if_empty(make_session_factory(engine)) if seed else None
        with engine.connect() as connection:
            revision = connection.exec_driver_sql(
                "SELECT version_num FROM alembic_version"
            ).scalar()
    finally:
        engine.dispose()
    seeded = f"; seeded {added} organisations" if added else ""
    console.print(f"The registry is at schema revision {revision}{seeded}")


@store_app.command("backup")
def store_backup_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="DuckDB file to write.")],
    db: DbOption = None,
) -> None:
    """Copy the DuckDB store (under its shared lock: writers wait, readers go on).

    Example: `clusteratlas store backup --output atlas-backup.duckdb`
    """
    store = open_store(db)
    store.backup(output)
    console.print(f"Wrote {output} ({len(store.tables())} tables)")


@store_app.command("restore")
def store_restore_command(
    backup: Annotated[Path, typer.Argument(help="A DuckDB file written by `store backup`.")],
    db: DbOption = None,
    yes: YesOption = False,
) -> None:
    """Replace every table of the store with those of a backup (under its exclusive lock).

    Example: `clusteratlas store restore atlas-backup.duckdb --yes`
    """
    _confirm(yes, "the store")
    store = open_store(db)
    store.restore(backup)
    console.print(f"Restored the store {store.path} from {backup} ({len(store.tables())} tables)")


def _report_evidence(copy: Any, folder: Path, source: str) -> None:
    """Print what was copied; exit 1, naming the files, when any is missing or damaged."""
    console.print(
        f"Evidence files: {copy.copied} copied, {copy.present} already in place ({folder})"
    )
    if copy.complete:
        return
    for kind, digests in (("missing from", copy.missing), ("damaged in", copy.damaged)):
        if digests:
            shown = ", ".join(digests[:5]) + (" …" if len(digests) > 5 else "")
            err_console.print(
                f"error: {len(digests)} evidence files named by the registry are {kind} "
                f"{source}: {shown}",
                highlight=False,
            )
    raise typer.Exit(1)


def _describe(counts: dict[str, int]) -> str:
    if "pages" in counts:
        return f"{counts['pages']} pages"
    return f"{sum(counts.values())} rows in {len(counts)} tables"
