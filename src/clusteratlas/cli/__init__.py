"""The ``clusteratlas`` command line: parses options, calls a service, renders the answer.

Every error a user can cause is printed on one line (``error: …``) with exit status 1;
set ``CLUSTERATLAS_DEBUG=1`` to see the traceback instead.
"""

from __future__ import annotations

import os
import sys

from clusteratlas.cli import (  # register the commands
    backup_commands,
    catalog_commands,
    connect_commands,
    detect_all_command,
    detect_commands,
    labels_commands,
    map_commands,
    meet_commands,
    outbox_commands,
    register_commands,
    related_commands,
    serve_commands,
    shiftshare_commands,
    skills_commands,
    users_commands,
)
from clusteratlas.cli._common import app, err_console
from clusteratlas.errors import ClusterAtlasError

__all__ = [
    "app",
    "backup_commands",
    "catalog_commands",
    "connect_commands",
    "detect_all_command",
    "detect_commands",
    "labels_commands",
    "main",
    "map_commands",
    "meet_commands",
    "outbox_commands",
    "register_commands",
    "related_commands",
    "serve_commands",
    "shiftshare_commands",
    "skills_commands",
    "users_commands",
]


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
