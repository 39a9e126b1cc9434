"""Where Cluster Atlas reads its data directory and keeps its settings, cache and database.

The user's **data directory** (a copy of the data mirror, laid out like it) is named by the
environment variable ``CLUSTERATLAS_DATA`` or, when that is unset, by the setting written with
``clusteratlas data use DIR`` in the **config file** ``config.toml``::

    [data]
    directory = "/path/to/mirror"

``CLUSTERATLAS_HOME`` moves everything that is the user's: the config file, the cache
(``$CLUSTERATLAS_HOME/cache`` unless ``CLUSTERATLAS_CACHE`` is set) and the default database.
Without it the platform's directories are used (:mod:`platformdirs`).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import platformdirs

from clusteratlas.errors import ConfigError

DATA_ENV = "CLUSTERATLAS_DATA"
CACHE_ENV = "CLUSTERATLAS_CACHE"
HOME_ENV = "CLUSTERATLAS_HOME"
CONFIG_NAME = "config.toml"

Origin = Literal["env", "config", "none"]


@dataclass(frozen=True)
class DataDirectory:
    """The user's data directory and where that setting came from.

    Attributes
    ----------
    path : pathlib.Path or None
        The directory, or ``None`` when neither the variable nor the config file names one.
    origin : {"env", "config", "none"}
        ``"env"`` for ``CLUSTERATLAS_DATA``, ``"config"`` for the config file.
    """

    path: Path | None
    origin: Origin


def _home() -> Path | None:
    value = os.environ.get(HOME_ENV)
    return Path(value).expanduser() if value else None


def config_file() -> Path:
    """Return the path of the config file (``$CLUSTERATLAS_HOME/config.toml`` when set)."""
    home = _home()
    folder = home if home is not None else Path(platformdirs.user_config_dir("clusteratlas"))
    return folder / CONFIG_NAME


def read_config() -> dict[str, object]:
    """Return the settings of the config file (empty when there is none).

    Raises
    ------
    ConfigError
        When the file is not valid TOML; the message names the file and the error.
    """
    path = config_file()
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(
            f"The config file {path} is not valid TOML ({err}); fix it or delete it and run "
            "`clusteratlas data use DIR` again."
        ) from err


def data_directory() -> DataDirectory:
    """Return the user's data directory: ``CLUSTERATLAS_DATA``, else the config file's setting."""
    value = os.environ.get(DATA_ENV)
    if value:
        return DataDirectory(Path(value).expanduser(), "env")
    section = read_config().get("data")
    directory = section.get("directory") if isinstance(section, dict) else None
    if isinstance(directory, str) and directory:
        return DataDirectory(Path(directory).expanduser(), "config")
    return DataDirectory(None, "none")


def data_mirror() -> Path | None:
    """Return the user's data directory (``CLUSTERATLAS_DATA`` or the config file), if any."""
    return data_directory().path


def set_data_directory(directory: str | Path) -> Path:
    """Write ``directory`` (made absolute) as the data directory in the config file.

    Other settings of the file are kept; the file is written to a temporary name and
    renamed, so a failed write never leaves half a config file.

    Returns
    -------
    pathlib.Path
        The config file written.
    """
    import tomli_w

    settings = dict(read_config())
    section = settings.get("data")
    data = dict(section) if isinstance(section, dict) else {}
    data["directory"] = str(Path(directory).expanduser().resolve())
    settings["data"] = data
    path = config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(tomli_w.dumps(settings), encoding="utf-8")
    os.replace(partial, path)
    return path


def cache_dir() -> Path:
    """Return the cache for downloaded data sets.

    ``CLUSTERATLAS_CACHE`` when set, else ``$CLUSTERATLAS_HOME/cache``, else the platform's
    user cache directory.
    """
    value = os.environ.get(CACHE_ENV)
    if value:
        return Path(value).expanduser()
    home = _home()
    return home / "cache" if home is not None else Path(platformdirs.user_cache_dir("clusteratlas"))


def home_dir() -> Path:
    """Return the user data directory holding the default database (``CLUSTERATLAS_HOME``)."""
    home = _home()
    return home if home is not None else Path(platformdirs.user_data_dir("clusteratlas"))


def default_database() -> Path:
    """Return the path of the default embedded DuckDB store."""
    return home_dir() / "clusteratlas.duckdb"
