"""Back up and restore the label evidence files with the registry database.

Uploaded evidence lies outside the database, one file per content under
``<evidence folder>/<aa>/<sha256>`` (:mod:`clusteratlas.labels.evidence`); the database's
``label_evidence`` rows name them by SHA-256. A database backup without those files would
restore assessments whose documents are gone, so ``registry backup --evidence DIR`` copies
every file the database names into ``DIR`` (same layout), and ``registry restore
--evidence DIR`` copies them back after the database.

Content addressing makes both incremental and checkable: a file already at the target with
the right digest is not copied again, every copy is checked against its name before it is
moved into place (written to a temporary file, then renamed, so a target never holds half a
file), and a source file whose content does not match its name is reported as damaged and
not copied. Files the database names but the source lacks are reported as missing.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from clusteratlas.errors import OutputError
from clusteratlas.labels.evidence import evidence_folder, evidence_path
from clusteratlas.registry.db import make_engine
from clusteratlas.registry.models_labels import LabelEvidence

_CHUNK = 1 << 20


@dataclass(frozen=True)
class EvidenceCopy:
    """What copying the evidence files did.

    Attributes
    ----------
    copied : int
        Files copied to the target.
    present : int
        Files already at the target with the right content (not copied again).
    missing : list of str
        Digests the database names that the source does not hold.
    damaged : list of str
        Digests whose source file has other content than its name says (not copied).
    """

    copied: int = 0
    present: int = 0
    missing: list[str] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Whether every file the database names is now at the target."""
        return not self.missing and not self.damaged


def referenced_digests(url: str) -> list[str]:
    """Return the SHA-256 of every evidence file the registry at ``url`` names, sorted."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(LabelEvidence.sha256).where(LabelEvidence.sha256.is_not(None)).distinct()
            ).scalars()
            return sorted(str(digest) for digest in rows)
    finally:
        engine.dispose()


def copy_evidence(digests: list[str], *, source: Path, target: Path) -> EvidenceCopy:
    """Copy the evidence files ``digests`` from folder ``source`` to folder ``target``.

    Raises
    ------
    OutputError
        When a file cannot be written to ``target`` (nothing half-written is left).
    """
    copied = present = 0
    missing: list[str] = []
    damaged: list[str] = []
    for digest in digests:
        destination = evidence_path(digest, folder=target)
        if destination.is_file() and _digest(destination) == digest:
            present += 1
            continue
        origin = evidence_path(digest, folder=source)
        if not origin.is_file():
            missing.append(digest)
            continue
        data = origin.read_bytes()
        if hashlib.sha256(data).hexdigest() != digest:
            damaged.append(digest)
            continue
        _write(destination, data)
        copied += 1
    return EvidenceCopy(copied, present, missing, damaged)


def backup_evidence(url: str, output: str | Path, *, source: Path | None = None) -> EvidenceCopy:
    """Copy every evidence file the registry at ``url`` names into folder ``output``.

    ``source`` is the evidence folder (default ``$CLUSTERATLAS_HOME/evidence``).
    """
    return copy_evidence(
        referenced_digests(url), source=source or evidence_folder(), target=Path(output)
    )


def restore_evidence(url: str, backup: str | Path, *, target: Path | None = None) -> EvidenceCopy:
    """Copy the evidence files the (restored) registry at ``url`` names back from ``backup``.

    ``target`` is the evidence folder (default ``$CLUSTERATLAS_HOME/evidence``).
    """
    return copy_evidence(
        referenced_digests(url), source=Path(backup), target=target or evidence_folder()
    )


def _digest(path: Path) -> str:
    hasher = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def _write(destination: Path, data: bytes) -> None:
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=destination.parent, prefix=".copy-")
    except OSError as err:
        raise OutputError(f"Cannot write evidence to {destination.parent}: {err}.") from err
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, destination)
    except OSError as err:
        Path(temporary).unlink(missing_ok=True)
        raise OutputError(f"Cannot write evidence to {destination}: {err}.") from err
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


__all__ = [
    "EvidenceCopy",
    "backup_evidence",
    "copy_evidence",
    "referenced_digests",
    "restore_evidence",
]
