"""Charts of point-pattern functions: observed curves, envelope band, reference line.

Written as PNG files (the CLI), or drawn on matplotlib axes for notebooks (``.plot()``
without a path, as scikit-learn's displays: on ``ax``, or on a new pyplot figure).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from clusteratlas._validation import optional_import
from clusteratlas.errors import ParameterError
from clusteratlas.export import atomic_write
from clusteratlas.measures.pointpattern._pairs import FloatArray


def plot_curves(
    path: str | Path | None,
    r: FloatArray,
    curves: Mapping[str, FloatArray],
    *,
    ylabel: str,
    title: str,
    band: tuple[FloatArray, FloatArray] | None = None,
    band_label: str = "envelope",
    reference: float | None = None,
    ax: Any = None,
) -> Any:
    """Write a PNG of ``curves`` against ``r`` (metres, or km beyond 5 km), or draw them on axes.

    Parameters
    ----------
    path : str or Path or None
        The PNG file, written atomically; None draws on ``ax`` (or on a new pyplot figure
        when ``ax`` is None too) and returns the axes.
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
    ax : matplotlib Axes, optional
        Where to draw when ``path`` is None.

    Returns
    -------
    Path or matplotlib Axes
        The file written, or the axes drawn on.

    Raises
    ------
    ParameterError
        When both ``path`` and ``ax`` are given.
    """
    optional_import("matplotlib", extra="plot")
    options: dict[str, Any] = {"ylabel": ylabel, "title": title, "band": band,
                               "band_label": band_label, "reference": reference}  # fmt: skip
    if path is None:
        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots(figsize=(7.0, 4.5))
        _draw(ax, r, curves, **options)
        return ax
    if ax is not None:
        raise ParameterError("Give either a PNG path or 'ax' (axes to draw on), not both.")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7.0, 4.5), dpi=120)
    _draw(figure.subplots(), r, curves, **options)
    figure.tight_layout()
    return atomic_write(path, lambda tmp: figure.savefig(tmp, format="png"), what="plot")


def _draw(
    axes: Any,
    r: FloatArray,
    curves: Mapping[str, FloatArray],
    *,
    ylabel: str,
    title: str,
    band: tuple[FloatArray, FloatArray] | None,
    band_label: str,
    reference: float | None,
) -> None:
    scale, unit = (1000.0, "km") if np.nanmax(r) > 5000 else (1.0, "m")
    distance = np.asarray(r) / scale
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
