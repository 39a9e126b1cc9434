"""``clusteratlas registry outbox``: the mail outbox, for an operator who hands it to a mailer.

Lists the messages waiting (recipient, subject, created), exports them with their bodies as
JSON lines (``--export FILE.jsonl``, a file only its owner may read: the bodies hold
verification links), and marks messages sent (``--mark-sent ID...``), which removes them
from the outbox and audits it. The work is :mod:`clusteratlas.registry.mailbox`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from clusteratlas.cli._common import console
from clusteratlas.cli.backup_commands import RegistryDbOption, registry_app
from clusteratlas.errors import ParameterError


def _ids(values: list[str]) -> list[int]:
    ids = []
    for value in values:
        if not value.strip().isdigit() or not 1 <= int(value) <= 2_000_000_000:
            raise ParameterError(
                f"Message id {value!r} is not one: give the ids `registry outbox` lists "
                "(whole numbers from 1)."
            )
        ids.append(int(value))
    return ids


def _write_jsonl(path: Path, records: list[dict[str, object]]) -> None:
    from clusteratlas.export import atomic_write

    def write(temporary: Path) -> None:
        with temporary.open("w", encoding="utf-8", newline="\n") as out:
            for item in records:
                out.write(json.dumps(item, ensure_ascii=False) + "\n")

    atomic_write(path, write, what="outbox export", mode=0o600)


@registry_app.command("outbox")
def registry_outbox_command(
    ids: Annotated[
        list[str] | None,
        typer.Argument(help="With --mark-sent: ids of the messages sent.", show_default=False),
    ] = None,
    mark_sent: Annotated[
        bool,
        typer.Option("--mark-sent", help="Mark the messages ID... sent (removes them; audited)."),
    ] = False,
    export: Annotated[
        Path | None,
        typer.Option(
            "--export",
            help="Write the waiting messages, bodies included, to FILE.jsonl (one JSON object "
            "per line: id, recipient, subject, body, created), readable by its owner only.",
        ),
    ] = None,
    db: RegistryDbOption = None,
) -> None:
    """List the messages waiting in the mail outbox, export them, or mark them sent.

    Examples: `clusteratlas registry outbox`; `clusteratlas registry outbox --export
    mail.jsonl`; `clusteratlas registry outbox --mark-sent 3 4`
    """
    from clusteratlas.cli.backup_commands import _registry_url
    from clusteratlas.registry import make_engine, make_session_factory, migrate, session_scope
    from clusteratlas.registry.mailbox import mail_records, pending_mail
    from clusteratlas.registry.mailbox import mark_sent as mark

    if ids and not mark_sent:
        raise ParameterError(
            f"Ids given ({' '.join(ids)}) without --mark-sent: add it to mark them sent."
        )
    if mark_sent and not ids:
        raise ParameterError(
            "--mark-sent needs the ids of the messages sent, e.g. --mark-sent 3 4."
        )
    if mark_sent and export is not None:
        raise ParameterError("Use --export and --mark-sent one after the other, not together.")
    numbers = _ids(ids or [])
    engine = make_engine(_registry_url(db))
    try:
        migrate(engine=engine)
        with session_scope(make_session_factory(engine)) as session:
            if mark_sent:
                done = mark(session, ids=numbers)
                console.print(f"Marked {len(done)} message{'s' if len(done) != 1 else ''} sent: "
                              f"{', '.join(str(m.id) for m in done)}")  # fmt: skip
                return
            waiting = pending_mail(session)
            if export is not None:
                _write_jsonl(export, mail_records(waiting))
                console.print(f"Wrote {len(waiting)} message{'s' if len(waiting) != 1 else ''} "
                              f"to {export}; mark them sent once mailed.")  # fmt: skip
                return
            if not waiting:
                console.print("No message waits in the outbox.")
                return
            table = Table(title=f"{len(waiting)} message(s) waiting in the outbox")
            for column in ("id", "recipient", "subject", "created (UTC)"):
                table.add_column(column, justify="right" if column == "id" else "left")
            for item in mail_records(waiting):
                table.add_row(str(item["id"]), str(item["recipient"]), str(item["subject"]),
                              str(item["created"])[:19].replace("T", " "))  # fmt: skip
            console.print(table)
    finally:
        engine.dispose()
