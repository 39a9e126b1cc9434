"""Where a catalog data set is found: data directory, packaged copy, cache or publisher.

A data set is looked for, in this order:

1. the user's **data directory** (``CLUSTERATLAS_DATA``, else the config file's
   ``[data] directory`` written by ``clusteratlas data use DIR``; see :mod:`clusteratlas.paths`);
2. the **packaged copy** shipped inside the package (small reference tables, under
   ``clusteratlas/data/files/`` with the mirror's relative path), when the entry says so;
3. the user **cache** (``CLUSTERATLAS_CACHE``, else ``$CLUSTERATLAS_HOME/cache``, else the
   platform's cache directory);
4. a **download** from the publisher into the cache (resumable, with a progress bar, its
   SHA-256 checked where the publisher's file is fixed);
5. otherwise a :class:`~clusteratlas.errors.DataNotFoundError` that says what to set or run.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

from clusteratlas.errors import DataNotFoundError
from clusteratlas.paths import DATA_ENV, cache_dir, data_directory

Where = Literal["mirror", "packaged", "cache", "download", "missing"]

_PACKAGE = "clusteratlas.data"
_FILES = "files"


@dataclass(frozen=True)
class DataSet:
    """One real data set: its description, licence, attribution and locations.

    Attributes
    ----------
    name : str
        Catalog key, e.g. ``"sbs_r_nuts06_r2"``.
    title, description : str
        What the data set is.
    licence : str
        Terms of reuse.
    attribution : str
        Text that must accompany any output built from the data set.
    source_url : str
        The publisher's page for the data set.
    filename : str
        Path of the file relative to a data directory (a mirror) and to the packaged files.
    download_url : str or None
        A direct download of a file our readers understand, or ``None`` where the publisher
        only offers another layout (then a data directory or a packaged copy is needed).
    download_filename : str or None
        Name of the downloaded file inside the cache (defaults to ``filename``).
    packaged : bool
        Whether a copy ships inside the package (small tables whose licence allows it).
    sha256 : str or None
        SHA-256 of the publisher's file where that file is fixed (a versioned release);
        a download with another digest is refused.
    """

    name: str
    title: str
    description: str
    licence: str
    attribution: str
    source_url: str
    filename: str
    download_url: str | None = None
    download_filename: str | None = None
    packaged: bool = False
    sha256: str | None = None

    @property
    def cache_path(self) -> Path:
        """Where a download of this data set is kept in the user cache."""
        return cache_dir() / (self.download_filename or self.filename)

    @property
    def packaged_path(self) -> Path | None:
        """The packaged copy of this data set, or ``None`` when none ships."""
        return packaged_file(self.filename) if self.packaged else None


def packaged_root() -> Path:
    """Return the folder of the packaged reference files (laid out like the mirror)."""
    return Path(str(resources.files(_PACKAGE).joinpath(_FILES)))


def packaged_file(relative: str) -> Path | None:
    """Return the packaged copy of the mirror file ``relative``, or ``None``."""
    path = packaged_root() / relative
    return path if path.is_file() else None


def locate_dataset(dataset: DataSet) -> tuple[Path | None, Where]:
    """Return where ``dataset`` is available now, without downloading.

    Returns
    -------
    (path, where)
        ``where`` is ``"mirror"`` (the user's data directory), ``"packaged"``, ``"cache"``,
        ``"download"`` (not here, but downloadable) or ``"missing"``; ``path`` is ``None``
        unless the file is on disk.
    """
    directory = data_directory().path
    if directory is not None and (directory / dataset.filename).is_file():
        return directory / dataset.filename, "mirror"
    packaged = dataset.packaged_path
    if packaged is not None:
        return packaged, "packaged"
    if dataset.cache_path.is_file():
        return dataset.cache_path, "cache"
    return None, "download" if dataset.download_url else "missing"


def _looked(dataset: DataSet) -> str:
    setting = data_directory()
    if setting.path is None:
        return f"no data directory is set ({DATA_ENV} or `clusteratlas data use DIR`)"
    source = DATA_ENV if setting.origin == "env" else "the data directory set by `data use`"
    return f"{source} ({setting.path}) has no {dataset.filename}"


def how_to_get(dataset: DataSet, *, fetch: bool = True) -> str:
    """Return what a user can do to make ``dataset`` available (one sentence, no period)."""
    fix = (
        f"set {DATA_ENV} to a directory holding {dataset.filename} (a mirror of "
        f"{dataset.source_url}) or save that directory with `clusteratlas data use DIR`"
    )
    if fetch and dataset.download_url:
        fix += f", or run `clusteratlas data fetch {dataset.name}` with network access"
    return fix


def resolve_dataset(dataset: DataSet, *, download: bool = True, progress: bool = True) -> Path:
    """Return the local path of ``dataset``, downloading it to the cache if needed.

    Raises
    ------
    DataNotFoundError
        When the data set cannot be found or fetched; the message says what to set or run.
    """
    path, where = locate_dataset(dataset)
    if path is not None:
        return path
    if where == "download" and download:
        return _download(dataset, progress=progress)
    raise DataNotFoundError(
        f"Data set {dataset.name!r} is not available: {_looked(dataset)}; {how_to_get(dataset)}."
    )


def _download(dataset: DataSet, *, progress: bool) -> Path:
    from clusteratlas.data.download import DownloadError, download

    assert dataset.download_url is not None
    try:
        return download(
            dataset.download_url,
            dataset.cache_path,
            sha256=dataset.sha256,
            progress=progress,
            description=dataset.name,
        )
    except DownloadError as err:
        raise DataNotFoundError(
            f"Data set {dataset.name!r} is not available: it could not be downloaded: {err} "
            f"({_looked(dataset)}); {how_to_get(dataset, fetch=False)}."
        ) from err
