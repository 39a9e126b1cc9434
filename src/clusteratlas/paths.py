"""Where Cluster Atlas reads its data mirror and keeps its cache and database."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

DATA_ENV = "CLUSTERATLAS_DATA"
CACHE_ENV = "CLUSTERATLAS_CACHE"
HOME_ENV = "CLUSTERATLAS_HOME"


def data_mirror() -> Path | None:
    """Return the local mirror directory named by ``CLUSTERATLAS_DATA``, if set."""
    value = os.environ.get(DATA_ENV)
    return Path(value).expanduser() if value else None


def cache_dir() -> Path:
    """Return the user cache directory for downloaded data sets (``CLUSTERATLAS_CACHE``)."""
    value = os.environ.get(CACHE_ENV)
    return Path(value).expanduser() if value else Path(platformdirs.user_cache_dir("clusteratlas"))


def home_dir() -> Path:
    """Return the user data directory holding the default database (``CLUSTERATLAS_HOME``)."""
    value = os.environ.get(HOME_ENV)
    return Path(value).expanduser() if value else Path(platformdirs.user_data_dir("clusteratlas"))


def default_database() -> Path:
    """Return the path of the default embedded DuckDB store."""
    return home_dir() / "clusteratlas.duckdb"
