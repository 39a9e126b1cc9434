"""The ``serve`` command: the REST API (and the web UI when installed) with uvicorn."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from clusteratlas.cli._common import app, console


def _database_url(value: str | None) -> str | None:
    """Turn ``--db`` into an SQLAlchemy URL: a URL stays, a path becomes an SQLite file URL."""
    if not value:
        return None
    if "://" in value:
        return value
    path = Path(value).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Registry database: an SQLite file or an SQLAlchemy URL "
            "(default: DATABASE_URL, else the user's SQLite file).",
        ),
    ] = None,
    store: Annotated[
        Path | None,
        typer.Option("--store", help="DuckDB store of statistics and maps (default: the user's)."),
    ] = None,
    seed: Annotated[
        bool,
        typer.Option(
            help="Seed the registry on first start (from the packaged seed tables, or the data directory)."
        ),
    ] = True,
) -> None:
    """Serve the REST API at /api/v1 (docs at /api/v1/docs) and the web UI when installed.

    The registry is migrated and, on first start, seeded. Set `CLUSTERATLAS_ADMIN_EMAIL` and
    `CLUSTERATLAS_ADMIN_PASSWORD` to create an administrator.
    """
    import uvicorn

    from clusteratlas.api import create_app

    with console.status("Preparing the registry …"):
        web_app = create_app(database_url=_database_url(db), store_path=store, seed=seed)
    shown = f"[{host}]" if ":" in host else host
    console.print(f"Cluster Atlas on http://{shown}:{port}/  (API docs: /api/v1/docs)")
    uvicorn.run(web_app, host=host, port=port, log_level="warning")
