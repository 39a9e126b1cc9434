"""``show_versions()``: the versions of Cluster Atlas and its dependencies, for bug reports."""

from __future__ import annotations

import platform
import sys
from importlib.metadata import PackageNotFoundError, version

_PACKAGES = (
    "clusteratlas", "numpy", "pandas", "pyarrow", "duckdb", "pydantic", "typer", "rich",
    "geopandas", "shapely", "pyogrio", "pyproj", "matplotlib", "jinja2", "requests",
)  # fmt: skip


def show_versions() -> None:
    """Print the Python, platform and dependency versions to paste into a bug report."""
    print(f"python   : {sys.version.split()[0]}")
    print(f"platform : {platform.platform()}")
    for name in _PACKAGES:
        try:
            found = version(name)
        except PackageNotFoundError:
            found = "not installed"
        print(f"{name:<12}: {found}")
