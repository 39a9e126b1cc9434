"""Chain-coverage charts: which regions are strong in which stage of a value chain."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from clusteratlas._validation import check_columns, optional_import
from clusteratlas.export import atomic_write


def plot_chain_coverage(
    path: str | Path,
    strength: pd.DataFrame,
    *,
    regions: Sequence[str] | None = None,
    top: int = 20,
    title: str = "Value-chain coverage",
    attribution: Sequence[str] = (),
    dpi: int = 150,
) -> Path:
    r"""Draw a region × stage heat map of stage location quotients as a PNG.

    Parameters
    ----------
    path : str or pathlib.Path
        PNG file to write (atomically).
    strength : pandas.DataFrame
        The output of :func:`~clusteratlas.valuechains.coverage.stage_strength`
        (``region``, ``stage``, ``lq``; optional ``stage_order``, ``region_name``).
    regions : sequence of str, optional
        Regions to show, in this order (e.g. a meta-cluster's selection); by default the
        ``top`` regions by their mean log LQ over the stages.
    top : int
        How many regions to show when ``regions`` is not given.
    title : str
        Chart title.
    attribution : sequence of str
        Source lines printed under the chart.
    dpi : int
        Resolution.

    Returns
    -------
    pathlib.Path
        The file written.

    Notes
    -----
    Colours are :math:`\log_2 LQ`, diverging around 0 (LQ = 1) and clipped at ±3
    (LQ 1/8 to 8); cells where the region has a gap (LQ < 1 or no employment) are marked
    with a dot, missing values are left blank.
    """
    check_columns(strength, ("region", "stage", "lq"), what="stage strength")
    matplotlib = optional_import("matplotlib", extra="plot")
    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure

    order = (
        strength.sort_values("stage_order")["stage"].drop_duplicates().tolist()
        if "stage_order" in strength.columns
        else list(dict.fromkeys(strength["stage"]))
    )
    grid = strength.pivot_table(index="region", columns="stage", values="lq", aggfunc="first")
    grid = grid.reindex(columns=order)
    with np.errstate(divide="ignore"):
        logs = pd.DataFrame(
            np.log2(grid.to_numpy(dtype=float)), index=grid.index, columns=grid.columns
        )
    if regions is None:
        chosen = logs.clip(-3, 3).mean(axis=1).sort_values(ascending=False).head(top).index
    else:
        chosen = pd.Index(list(regions))
    logs = logs.reindex(chosen)
    names = (
        strength.drop_duplicates("region").set_index("region")["region_name"]
        if "region_name" in strength.columns
        else pd.Series(dtype=str)
    )
    labels = [f"{names.get(code, code)} ({code})" if code in names else code for code in chosen]

    figure = Figure(figsize=(1.2 + 1.1 * len(order), 1.5 + 0.32 * len(chosen)))
    axes = figure.add_subplot()
    image = axes.imshow(logs.clip(-3, 3).to_numpy(), cmap="RdBu_r", vmin=-3, vmax=3, aspect="auto")
    gaps = np.argwhere(np.nan_to_num(logs.to_numpy(), nan=np.inf) < 0)
    if len(gaps):
        axes.scatter(gaps[:, 1], gaps[:, 0], s=8, c="black", marker="o", label="gap (LQ < 1)")
        axes.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False)
    axes.set_xticks(range(len(order)), order, rotation=30, ha="right", fontsize=8)
    axes.set_yticks(range(len(chosen)), labels, fontsize=7)
    axes.set_title(title, fontsize=10)
    colorbar = figure.colorbar(image, ax=axes, shrink=0.8)
    colorbar.set_label("stage LQ (log2; 0 = LQ 1)", fontsize=8)
    if attribution:
        figure.text(0.01, 0.005, "\n".join(attribution), fontsize=6, va="bottom")
    figure.tight_layout(rect=(0, 0.04 if attribution else 0, 1, 1))
    return atomic_write(
        path, lambda tmp: figure.savefig(tmp, dpi=dpi, format="png"), what="coverage chart"
    )
