"""Reports: the offline HTML atlas and static PNG maps (needs the ``geo`` and ``plot`` extras)."""

from __future__ import annotations

from clusteratlas.report.atlas import build_atlas_data, render_atlas, write_atlas
from clusteratlas.report.plots import plot_choropleth_png, plot_portfolio_png

__all__ = [
    "build_atlas_data",
    "plot_choropleth_png",
    "plot_portfolio_png",
    "render_atlas",
    "write_atlas",
]
