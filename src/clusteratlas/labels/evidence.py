r"""Evidence files of label assessments: size limit, type by content, content-addressed store.

An uploaded document is accepted only when

* it is at most :func:`max_evidence_bytes` long (``CLUSTERATLAS_EVIDENCE_MAX_BYTES``,
  default 10 MiB), and
* its *content* is one of :data:`ALLOWED_TYPES` (PDF, PNG, JPEG, plain UTF-8 text,
  OpenDocument text/spreadsheet/presentation, Office Open XML document/workbook/
  presentation), recognised from its leading bytes by the ``filetype`` package (PDF
  ``%PDF-``, PNG ``\x89PNG``, JPEG ``\xff\xd8\xff``, the ODF ``mimetype`` member, the
  OOXML ``[Content_Types].xml`` member); a ZIP-based document must also open as a ZIP
  archive; text is what has no signature and decodes as UTF-8 without control characters.
  A file name whose extension names another type (a PDF called ``.png``) is refused too.

Accepted files are stored once, outside the database, under ``<folder>/<aa>/<sha256>``
(``aa`` the first two hex digits; default folder ``$CLUSTERATLAS_HOME/evidence``), written
to a temporary file in the same folder and renamed, so a reader never sees half a file.
A refused upload writes nothing.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from clusteratlas._validation import env_number
from clusteratlas.errors import EvidenceError, EvidenceTooLargeError, RecordNotFoundError
from clusteratlas.paths import home_dir

MAX_BYTES_ENV = "CLUSTERATLAS_EVIDENCE_MAX_BYTES"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
"""Default upload limit: 10 MiB."""
UPLOAD_CEILING = 64 * 1024 * 1024
"""Highest limit that may be configured (the API's request-body cap for uploads)."""
CHUNK = 1024 * 1024

ALLOWED_TYPES: dict[str, tuple[str, ...]] = {
    "application/pdf": ("pdf",),
    "image/png": ("png",),
    "image/jpeg": ("jpg", "jpeg", "jpe", "jfif"),
    "text/plain": ("txt", "text", "md", "csv"),
    "application/vnd.oasis.opendocument.text": ("odt",),
    "application/vnd.oasis.opendocument.spreadsheet": ("ods",),
    "application/vnd.oasis.opendocument.presentation": ("odp",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ("pptx",),
}
"""Media types accepted as evidence and the file-name extensions that may carry them."""
_ZIPPED = {t for t in ALLOWED_TYPES if "opendocument" in t or "openxmlformats" in t}
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_KNOWN = ", ".join(sorted({ext for exts in ALLOWED_TYPES.values() for ext in exts}))


@dataclass(frozen=True)
class StoredEvidence:
    """An accepted file: its SHA-256, size in bytes, media type and where it lies."""

    sha256: str
    size: int
    media_type: str
    path: Path


def max_evidence_bytes() -> int:
    """Return the upload limit in bytes (``CLUSTERATLAS_EVIDENCE_MAX_BYTES``, default 10 MiB).

    Raises
    ------
    ParameterError
        When the variable is set to something other than a whole number in
        [1, :data:`UPLOAD_CEILING`].
    """
    return int(env_number(MAX_BYTES_ENV, DEFAULT_MAX_BYTES, low=1, high=UPLOAD_CEILING))


def evidence_folder() -> Path:
    """Return the default evidence folder, ``$CLUSTERATLAS_HOME/evidence``."""
    return home_dir() / "evidence"


def _is_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        if err.start < len(data) - 3:  # not just a character cut at the end of the sample
            return False
        text = data[: err.start].decode("utf-8")
    return not _CONTROL.search(text)


def sniff_media_type(data: bytes, *, filename: str) -> str:
    """Return the media type of a document from its content, if it is an allowed one.

    Parameters
    ----------
    data : bytes
        The whole document.
    filename : str
        Its name as uploaded (only to check that its extension agrees and to name it in
        errors).

    Raises
    ------
    EvidenceError
        For an empty file, a type outside :data:`ALLOWED_TYPES`, a damaged ZIP-based
        document, or an extension that names another type than the content.
    """
    import filetype  # type: ignore[import-untyped]

    if not data:
        raise EvidenceError(f"Evidence file {filename!r} is empty.")
    kind = filetype.guess(data[:8192])
    if kind is None:
        media = "text/plain" if _is_text(data[:65536]) else None
        found = "unrecognised binary data"
    else:
        media = kind.mime if kind.mime in ALLOWED_TYPES else None
        found = kind.mime
    if media is None:
        raise EvidenceError(
            f"Evidence file {filename!r} is {found}; allowed are PDF, PNG, JPEG, plain text, "
            "OpenDocument and Office Open XML documents (the type is read from the content)."
        )
    if media in _ZIPPED:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as err:
            raise EvidenceError(
                f"Evidence file {filename!r} starts like {media} but is not a readable document."
            ) from err
    suffix = Path(filename).suffix.lower().lstrip(".")
    if suffix and suffix not in ALLOWED_TYPES[media]:
        expected = ", ".join(f".{e}" for e in ALLOWED_TYPES[media])
        raise EvidenceError(
            f"Evidence file {filename!r}: its content is {media} but its name ends in "
            f".{suffix}; name it {expected} (allowed extensions: {_KNOWN})."
        )
    return media


def read_limited(stream: BinaryIO, *, filename: str, max_bytes: int) -> bytes:
    """Read a whole upload, refusing it as soon as it passes ``max_bytes``.

    Raises
    ------
    EvidenceTooLargeError
        Naming the file, the limit and :data:`MAX_BYTES_ENV`.
    """
    buffer = io.BytesIO()
    while chunk := stream.read(CHUNK):
        buffer.write(chunk)
        if buffer.tell() > max_bytes:
            raise EvidenceTooLargeError(
                f"Evidence file {filename!r} is larger than the limit of {max_bytes} bytes "
                f"({max_bytes / 1024 / 1024:.1f} MiB; set {MAX_BYTES_ENV} to change it)."
            )
    return buffer.getvalue()


def evidence_path(sha256: str, *, folder: Path | None = None) -> Path:
    """Return where the file with this SHA-256 is (or would be) stored.

    Raises
    ------
    EvidenceError
        When ``sha256`` is not 64 lower-case hexadecimal digits.
    """
    if not _SHA256.match(sha256):
        raise EvidenceError(f"{sha256!r} is not a SHA-256 (64 hexadecimal digits).")
    return (folder or evidence_folder()) / sha256[:2] / sha256


def store_evidence(
    stream: BinaryIO,
    *,
    filename: str,
    folder: Path | None = None,
    max_bytes: int | None = None,
) -> StoredEvidence:
    """Check an uploaded document and store it by its SHA-256 (once per content).

    Parameters
    ----------
    stream : binary file
        The upload, read to its end.
    filename : str
        The name it was uploaded with.
    folder : pathlib.Path, optional
        The evidence folder (default :func:`evidence_folder`).
    max_bytes : int, optional
        The size limit (default :func:`max_evidence_bytes`).

    Returns
    -------
    StoredEvidence

    Raises
    ------
    EvidenceTooLargeError, EvidenceError
        See :func:`read_limited` and :func:`sniff_media_type`; nothing is written then.
    """
    limit = max_evidence_bytes() if max_bytes is None else max_bytes
    data = read_limited(stream, filename=filename, max_bytes=limit)
    media = sniff_media_type(data, filename=filename)
    digest = hashlib.sha256(data).hexdigest()
    target = evidence_path(digest, folder=folder)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    return StoredEvidence(digest, len(data), media, target)


def open_evidence(sha256: str, *, folder: Path | None = None) -> Path:
    """Return the path of a stored evidence file.

    Raises
    ------
    RecordNotFoundError
        When the file is not in the store (deleted, or the store moved).
    """
    path = evidence_path(sha256, folder=folder)
    if not path.is_file():
        raise RecordNotFoundError(f"The evidence file {sha256} is not in the evidence store.")
    return path


__all__ = [
    "ALLOWED_TYPES",
    "DEFAULT_MAX_BYTES",
    "MAX_BYTES_ENV",
    "StoredEvidence",
    "evidence_folder",
    "evidence_path",
    "max_evidence_bytes",
    "open_evidence",
    "read_limited",
    "sniff_media_type",
    "store_evidence",
]
