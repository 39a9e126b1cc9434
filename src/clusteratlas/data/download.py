"""Download files from their publishers: resumable, verified, atomic.

Every download of the project goes through :func:`download`: the file is streamed into a
``.part`` file next to its target, a broken transfer is resumed with an HTTP ``Range``
request on the next try (or the next run), the SHA-256 digest is checked where the
publisher's file is fixed, and only a complete, verified file is renamed onto the target
(so a killed run never leaves a half-written data set where a reader would find it).

Tests and air-gapped installations point every publisher at one server with
``CLUSTERATLAS_DOWNLOAD_BASE``: ``https://host/path?query`` is then fetched from
``{base}/host/path?query`` (see :func:`publisher_url`), so a loopback server holding files
in the publishers' exact formats, laid out by host name, stands in for all of them.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from urllib.parse import urlsplit

from clusteratlas.errors import DataNotFoundError

DOWNLOAD_BASE_ENV = "CLUSTERATLAS_DOWNLOAD_BASE"
_CHUNK = 1 << 16
_NETWORK_CHUNK = 1 << 13


class DownloadError(DataNotFoundError):
    """A file could not be downloaded, or what arrived is not what the catalog expects."""


def publisher_url(url: str) -> str:
    """Return the address ``url`` is fetched from, honouring ``CLUSTERATLAS_DOWNLOAD_BASE``.

    Parameters
    ----------
    url : str
        The publisher's address, e.g. ``https://ec.europa.eu/eurostat/api/...``.

    Returns
    -------
    str
        ``url`` itself, or ``{base}/{host}{path}[?query]`` when the variable is set.

    Examples
    --------
    >>> import os
    >>> os.environ["CLUSTERATLAS_DOWNLOAD_BASE"] = "http://127.0.0.1:8000/"
    >>> publisher_url("https://www2.census.gov/cbp/cbp19msa.zip?x=1")
    'http://127.0.0.1:8000/www2.census.gov/cbp/cbp19msa.zip?x=1'
    >>> del os.environ["CLUSTERATLAS_DOWNLOAD_BASE"]
    """
    base = os.environ.get(DOWNLOAD_BASE_ENV)
    if not base:
        return url
    parts = urlsplit(url)
    rewritten = f"{base.rstrip('/')}/{parts.netloc}{parts.path}"
    return f"{rewritten}?{parts.query}" if parts.query else rewritten


def sha256_of(path: str | Path) -> str:
    """Return the hexadecimal SHA-256 digest of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def download(
    url: str,
    target: str | Path,
    *,
    sha256: str | None = None,
    progress: bool = True,
    attempts: int = 3,
    timeout: float = 60.0,
    description: str | None = None,
) -> Path:
    """Download ``url`` to ``target``, resuming broken transfers and verifying the result.

    Parameters
    ----------
    url : str
        The publisher's address (rewritten by :func:`publisher_url`).
    target : str or pathlib.Path
        Final path; its folder is created. Nothing is written there unless the whole file
        arrived and, when ``sha256`` is given, its digest matches.
    sha256 : str, optional
        Expected SHA-256 digest (lower-case hex) of the publisher's fixed file.
    progress : bool, default True
        Show a progress bar (tqdm) on standard error.
    attempts : int, default 3
        Tries in all; each later try resumes from the bytes already received.
    timeout : float, default 60
        Seconds to wait for the server to connect or send the next block.
    description : str, optional
        Label of the progress bar (default: the file name).

    Returns
    -------
    pathlib.Path
        ``target``.

    Raises
    ------
    DownloadError
        When every try failed (the message names the address and the last error) or the
        digest differs (the partial file is then removed, since resuming it cannot help).
    """
    import requests

    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    source = publisher_url(url)
    last_error: Exception | None = None
    for attempt in range(max(1, attempts)):
        if attempt:
            time.sleep(min(2.0**attempt, 10.0) * 0.1)
        try:
            _fetch_into(source, partial, progress, timeout, description or target.name)
        except (requests.RequestException, OSError) as err:
            last_error = err
            continue
        break
    else:
        raise DownloadError(
            f"Could not download {source} after {max(1, attempts)} tries "
            f"({type(last_error).__name__}: {last_error}); the {partial.stat().st_size if partial.exists() else 0:,} "
            f"bytes received so far are kept in {partial} and the next try resumes from there."
        ) from last_error
    if sha256 is not None:
        found = sha256_of(partial)
        if found != sha256.lower():
            partial.unlink(missing_ok=True)
            raise DownloadError(
                f"The file downloaded from {source} has SHA-256 {found}, not the expected "
                f"{sha256}: the publisher changed it or the transfer was corrupted. Nothing "
                f"was written to {target}."
            )
    os.replace(partial, target)
    return target


def _fetch_into(source: str, partial: Path, progress: bool, timeout: float, label: str) -> None:
    import requests
    from tqdm.auto import tqdm

    offset = partial.stat().st_size if partial.exists() else 0
    headers = {"Range": f"bytes={offset}-"} if offset else {}
    with requests.get(source, headers=headers, stream=True, timeout=timeout) as response:
        if response.status_code == 416 and offset:
            if _resource_length(response.headers.get("Content-Range")) == offset:
                return  # the part file holds the whole resource (the rename was interrupted)
            # The part file is longer than the resource (the publisher replaced it with a
            # smaller file) or the server does not say: it is no prefix to resume from.
            partial.unlink()
            return _fetch_into(source, partial, progress, timeout, label)
        if response.status_code == 404:
            raise DownloadError(f"{source} answered 404 Not Found: the publisher moved the file.")
        response.raise_for_status()
        if offset and response.status_code != 206:
            offset = 0  # the server ignored the Range header: start again from the beginning
        length = response.headers.get("Content-Length")
        total = offset + int(length) if length and length.isdigit() else None

        with (
            open(partial, "ab" if offset else "wb") as handle,
            tqdm(
                total=total,
                initial=offset,
                unit="B",
                unit_scale=True,
                desc=label,
                disable=not progress,
                leave=False,
            ) as bar,
        ):
            # Small blocks: what arrived before a connection broke is kept for the resume.
            for block in response.iter_content(_NETWORK_CHUNK):
                handle.write(block)
                bar.update(len(block))
        if total is not None and partial.stat().st_size < total:
            raise OSError(
                f"the connection closed after {partial.stat().st_size:,} of {total:,} bytes"
            )


def _resource_length(content_range: str | None) -> int | None:
    """Return N of a 416 answer's ``Content-Range: bytes */N`` (RFC 9110, 14.4), else None."""
    if not content_range or not content_range.startswith("bytes */"):
        return None
    length = content_range.removeprefix("bytes */").strip()
    return int(length) if length.isdigit() else None
