"""PNG charts of point-pattern functions: observed curves, envelope band, reference line."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from clusteratlas._validation import optional_import
from clusteratlas.export import atomic_write
from clusteratlas.measures.pointpattern._pairs import FloatArray


def plot_curves(
    path: str | Path,
    r: FloatArray,
    curves: Mapping[str, FloatArray],
    *,
    ylabel: str,
    title: str,
    band: tuple[FloatArray, FloatArray] | None = None,
    band_label: str = "envelope",
    reference: float | None = None,
) -> Path:
    """Write a PNG of ``curves`` against ``r`` (metres, or km beyond 5 km), atomically.

    Parameters
    ----------
    path : str or Path
        The PNG file.
    r : ndarray
        Distances in metres.
    curves : mapping of label to ndarray
        The functions to draw.
    ylabel, title : str
        Axis label and title.
    band : (lower, upper), optional
        An envelope drawn as a grey band.
    band_label : str
        Legend entry of the band.
    reference : float, optional
        A horizontal reference line (e.g. M = 1).

    Returns
    -------
    Path
        The file written.
    """
    optional_import("matplotlib", extra="plot")
    from matplotlib.figure import Figure

    scale, unit = (1000.0, "km") if np.nanmax(r) > 5000 else (1.0, "m")
    distance = np.asarray(r) / scale
    figure = Figure(figsize=(7.0, 4.5), dpi=120)
    axes = figure.subplots()
    if band is not None:
        axes.fill_between(distance, band[0], band[1], color="0.82", label=band_label, lw=0)
    for label, values in curves.items():
        axes.plot(distance, values, lw=1.6, label=label)
    if reference is not None:
        axes.axhline(reference, color="0.3", lw=0.8, ls="--")
    axes.set_xlabel(f"distance r ({unit})")
    axes.set_ylabel(ylabel)
    axes.set_title(title, fontsize=10)
    axes.set_xlim(distance.min(), distance.max())
    axes.legend(fontsize=8, frameon=False)
    axes.grid(alpha=0.3, lw=0.5)
    figure.tight_layout()
    return atomic_write(path, lambda tmp: figure.savefig(tmp, format="png"), what="plot")
