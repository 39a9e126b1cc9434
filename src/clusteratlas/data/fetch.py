"""Make every catalog data set available, and choose the user's data directory.

:func:`fetch_all` goes through the catalog: what is already on disk (data directory,
packaged copy, cache) is left alone, the rest is downloaded from its publisher into the
cache; a failure is recorded and the next data set is tried. :func:`use_data_directory`
checks that a folder looks like a data mirror before it is written to the config file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from clusteratlas.data.catalog import CATALOG, get_dataset, list_datasets
from clusteratlas.data.locations import how_to_get, locate_dataset, resolve_dataset
from clusteratlas.errors import ConfigError, DataNotFoundError
from clusteratlas.paths import set_data_directory

Outcome = Literal["present", "downloaded", "failed"]


@dataclass(frozen=True)
class FetchResult:
    """What happened to one data set in :func:`fetch_all`.

    Attributes
    ----------
    name : str
        Catalog name.
    outcome : {"present", "downloaded", "failed"}
        ``present``: already in the data directory, the packaged files or the cache.
    where : str
        ``mirror``, ``packaged``, ``cache`` (after a download too) or ``missing``.
    path : pathlib.Path or None
        The file, when available.
    message : str
        Why it failed, or an empty string.
    """

    name: str
    outcome: Outcome
    where: str
    path: Path | None
    message: str = ""


def fetch_all(names: Iterable[str] | None = None, *, progress: bool = True) -> list[FetchResult]:
    """Make the named data sets (default: the whole catalog) available locally.

    Parameters
    ----------
    names : iterable of str, optional
        Catalog names; default every data set, sorted by name.
    progress : bool, default True
        Show a progress bar for each download.

    Returns
    -------
    list of FetchResult
        One per data set, in order; a failed data set does not stop the others.
    """
    datasets = list_datasets() if names is None else [get_dataset(name) for name in names]
    results: list[FetchResult] = []
    for dataset in datasets:
        path, where = locate_dataset(dataset)
        if path is not None:
            results.append(FetchResult(dataset.name, "present", where, path))
            continue
        if where == "missing":
            message = f"no download exists; {how_to_get(dataset)}"
            results.append(FetchResult(dataset.name, "failed", "missing", None, message))
            continue
        try:
            fetched = resolve_dataset(dataset, progress=progress)
        except DataNotFoundError as err:
            results.append(FetchResult(dataset.name, "failed", "missing", None, str(err)))
        else:
            results.append(FetchResult(dataset.name, "downloaded", "cache", fetched))
    return results


def mirror_files(directory: Path) -> list[str]:
    """Return the catalog names whose file ``directory`` holds at the mirror's path."""
    return [name for name, data in CATALOG.items() if (directory / data.filename).is_file()]


def use_data_directory(directory: str | Path) -> tuple[Path, list[str]]:
    """Check that ``directory`` looks like a data mirror and save it in the config file.

    Parameters
    ----------
    directory : str or pathlib.Path
        A folder laid out like the data mirror (``eu/``, ``us/``, ``classifications/`` …).

    Returns
    -------
    (config_file, names)
        The config file written and the catalog data sets found in ``directory``.

    Raises
    ------
    ConfigError
        When ``directory`` does not exist, is not a folder or holds no catalog file at its
        mirror path; nothing is written then.
    """
    folder = Path(directory).expanduser()
    if not folder.exists():
        raise ConfigError(f"DIR {folder} does not exist; give the folder of your data mirror.")
    if not folder.is_dir():
        raise ConfigError(f"DIR {folder} is not a folder; give the folder of your data mirror.")
    found = mirror_files(folder)
    if not found:
        examples = ", ".join(get_dataset(n).filename for n in ("sbs_r_nuts06_r2", "cbp2019_cbsa"))
        raise ConfigError(
            f"DIR {folder} does not look like a data mirror: it holds none of the catalog's "
            f"files at their mirror paths (e.g. {examples}); see `clusteratlas data list`."
        )
    return set_data_directory(folder), found


__all__ = ["FetchResult", "fetch_all", "mirror_files", "use_data_directory"]
