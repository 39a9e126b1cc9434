"""Static PNG maps and portfolio charts for papers and slides (matplotlib, Agg).

They use the same projections, class breaks and colours as the HTML atlas
(:mod:`clusteratlas.report.atlas`). Figures are drawn on matplotlib's Agg canvas without
pyplot's global state, and written atomically.
"""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from clusteratlas._validation import optional_import, suggest
from clusteratlas.errors import UnknownCodeError
from clusteratlas.export import atomic_write
from clusteratlas.report._common import (
    LQ_BREAKS,
    LQ_COLOURS,
    MEASURE_LABELS,
    MISSING_FILL,
    MISSING_HATCH,
    PERCENT_MEASURES,
    QUANTILE_COLOURS,
    RATED_STROKE,
    attribution_lines,
    check_results,
    lq_class,
    portfolio_y,
    quantile_breaks,
    resolve_rating,
)
from clusteratlas.report.geometry import check_boundaries, choose_frame, project_for_display

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["plot_choropleth_png", "plot_portfolio_png"]

#: Colours of 0, 1, 2, … stars (and of a flag: not rated, rated).
STAR_COLOURS = ("#9fb3c8", "#fdd49e", "#fc8d59", "#d7301f", "#7f0000")
FLAG_COLOURS = ("#7c9cc4", "#d95f02")


def plot_choropleth_png(
    path: str | Path,
    *,
    results: pd.DataFrame,
    boundaries: gpd.GeoDataFrame,
    category: str,
    attribution: str | Sequence[str],
    measure: str = "lq",
    title: str | None = None,
    rating: str | None = "auto",
    min_stars: int = 1,
    projection: str = "auto",
    dpi: int = 200,
) -> Path:
    """Write a choropleth map of one category as a PNG file.

    Parameters
    ----------
    path : str or pathlib.Path
        The PNG file to write; its directory must exist.
    results : pandas.DataFrame
        One row per (region, category) of one year, as for
        :func:`clusteratlas.report.atlas.write_atlas`.
    boundaries : geopandas.GeoDataFrame
        Columns ``region``, ``name``, ``geometry``, with a CRS.
    category : str
        The category to map.
    attribution : str or sequence of str
        Data sources, printed at the bottom of the figure.
    measure : str
        The column that colours the map: the LQ on a sequential class scale (darker =
        higher; 1 lies between the second and third class),
        any other measure by quantile classes.
    title : str, optional
        By default the measure and the category label.
    rating : str or None
        Rating column whose rated regions are outlined (``"auto"``: ``stars`` or
        ``strong`` when present; ``None``: no outline).
    min_stars : int
        Stars needed to be outlined.
    projection : {"auto", "europe", "us"}
        See :func:`clusteratlas.report.geometry.choose_frame`.
    dpi : int
        Resolution of the PNG.

    Returns
    -------
    pathlib.Path
        The absolute path written.

    Raises
    ------
    UnknownCodeError
        When ``category`` is not in ``results``.
    OutputError
        When ``path`` cannot be written; no partial file is left.
    """
    check_results(results, [measure])
    check_boundaries(boundaries)
    lines = attribution_lines(attribution)
    rows = _category_rows(results, category)
    frame = choose_frame(boundaries, projection)
    shown, left_off = project_for_display(boundaries, frame)
    values = (
        pd.to_numeric(rows.set_index("region")[measure], errors="coerce")
        .reindex(shown["region"].astype(str))
        .to_numpy(float)
    )
    colours, labels = _classify(values, measure)
    patches = optional_import("matplotlib.patches", extra="plot")
    fig, canvas = _figure((8.0, 7.5))
    ax = fig.add_axes((0.01, 0.1, 0.98, 0.82))
    missing = np.isnan(values)
    drawn = shown.assign(
        colour=[colours[i] if i >= 0 else MISSING_FILL for i in _classes(values, measure)]
    )
    if (~missing).any():
        drawn[~missing].plot(
            ax=ax, color=drawn["colour"][~missing], edgecolor="white", linewidth=0.3
        )
    if missing.any():
        drawn[missing].plot(
            ax=ax, facecolor=MISSING_FILL, edgecolor=MISSING_HATCH, hatch="/////", linewidth=0.2
        )
    handles = [
        patches.Patch(facecolor=colour, edgecolor="#888888", label=label)
        for colour, label in zip(colours, labels, strict=True)
    ]
    handles.append(
        patches.Patch(
            facecolor=MISSING_FILL, edgecolor=MISSING_HATCH, hatch="/////", label="n/a (suppressed)"
        )
    )
    spec = resolve_rating(results, rating, min_stars=min_stars)
    if spec is not None:
        rated = spec.values(rows.set_index("region")).reindex(shown["region"].astype(str))
        outlined = drawn[(rated >= spec.threshold).to_numpy()]
        if len(outlined):
            outlined.boundary.plot(ax=ax, color=RATED_STROKE, linewidth=1.0)
        handles.append(
            patches.Patch(
                facecolor="white", edgecolor=RATED_STROKE, linewidth=1.5, label=spec.label
            )
        )
    ax.set_axis_off()
    ax.set_aspect("equal")
    ax.legend(
        handles=handles,
        title=MEASURE_LABELS.get(measure, measure),
        loc="upper left",
        fontsize=7,
        title_fontsize=8,
        frameon=True,
    )
    label = _category_label(rows, category)
    fig.suptitle(title or f"{MEASURE_LABELS.get(measure, measure)}: {label}", fontsize=11)
    footer = list(lines)
    if left_off:
        footer.append(f"Not shown: {len(left_off)} region(s) outside the map frame.")
    _footer(fig, footer)
    return atomic_write(path, lambda tmp: _save(canvas, fig, tmp, dpi), what="map")


def plot_portfolio_png(
    path: str | Path,
    *,
    results: pd.DataFrame,
    region: str,
    attribution: str | Sequence[str],
    title: str | None = None,
    rating: str | None = "auto",
    label_top: int = 8,
    dpi: int = 200,
) -> Path:
    """Write the portfolio bubble chart of one region as a PNG file.

    x is the location quotient (log scale, dashed line at 1), y the employment growth,
    or the share of regional employment when the results have no growth; bubble area is
    proportional to employment and colour shows the rating.

    Parameters
    ----------
    path : str or pathlib.Path
        The PNG file to write; its directory must exist.
    results : pandas.DataFrame
        One row per (region, category) of one year.
    region : str
        The region whose categories are drawn.
    attribution : str or sequence of str
        Data sources, printed at the bottom of the figure.
    title : str, optional
        By default "Portfolio of <region name>".
    rating : str or None
        Rating column that colours the bubbles (``"auto"``: ``stars`` or ``strong``).
    label_top : int
        Number of largest categories labelled with their code.
    dpi : int
        Resolution of the PNG.

    Returns
    -------
    pathlib.Path
        The absolute path written.

    Raises
    ------
    UnknownCodeError
        When ``region`` is not in ``results``.
    OutputError
        When ``path`` cannot be written; no partial file is left.
    """
    check_results(results, [])
    lines = attribution_lines(attribution)
    codes = results["region"].astype(str)
    if str(region) not in set(codes):
        raise UnknownCodeError(
            f"The 'region' parameter must be a region of results. Got {region!r} instead."
            f"{suggest(str(region), codes.unique())}"
        )
    rows = results[codes == str(region)]
    y_key = portfolio_y(results)
    lq = pd.to_numeric(rows["lq"], errors="coerce")
    y = pd.to_numeric(rows[y_key], errors="coerce") * 100.0
    employment = pd.to_numeric(rows["employment"], errors="coerce").fillna(0.0)
    ok = (lq > 0) & y.notna()
    spec = resolve_rating(results, rating)
    lines_out = 0 if ok.all() else int((~ok).sum())
    fig, canvas = _figure((7.5, 5.5))
    ax = fig.add_axes((0.11, 0.2, 0.85, 0.72))
    handles: list[Any] = []
    if ok.any():
        size = np.sqrt(employment[ok] / max(float(employment[ok].max()), 1.0))
        if spec is None:
            colour: Any = "#6b8fb8"
        else:
            rated = spec.values(rows)[ok]
            palette = FLAG_COLOURS if spec.kind == "flag" else STAR_COLOURS
            colour = [
                "#ececec" if np.isnan(v) else palette[int(min(max(v, 0), len(palette) - 1))]
                for v in rated
            ]
        order = np.argsort(-size.to_numpy())
        ax.scatter(
            lq[ok].to_numpy()[order],
            y[ok].to_numpy()[order],
            s=(np.maximum(size.to_numpy()[order], 0.08) * 40.0) ** 2 / 2.0,
            c=np.asarray(colour, dtype=object)[order] if spec is not None else colour,
            edgecolors="#333333",
            linewidths=0.5,
            alpha=0.85,
        )
        ax.set_xscale("log")
        ticker = optional_import("matplotlib.ticker", extra="plot")
        ax.xaxis.set_major_locator(ticker.LogLocator(base=10.0, subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda x, _pos: f"{x:g}"))
        ax.xaxis.set_minor_formatter(ticker.NullFormatter())
        top = employment[ok].sort_values(ascending=False).index[:label_top]
        for index in top:
            ax.annotate(
                str(rows.at[index, "category"]),
                (float(lq[index]), float(y[index])),
                fontsize=7,
                xytext=(4, 4),
                textcoords="offset points",
            )
        if spec is not None:
            handles = _rating_handles(spec.kind, spec.maximum, spec.column)
    else:
        ax.text(
            0.5,
            0.5,
            "No category with an LQ and a value to plot",
            ha="center",
            transform=ax.transAxes,
        )
    ax.axvline(1.0, color="#555555", linestyle="--", linewidth=0.8)
    if y_key == "growth":
        ax.axhline(0.0, color="#555555", linestyle="--", linewidth=0.8)
    ax.set_xlabel("Location quotient (log scale; dashed line: LQ = 1)")
    ax.set_ylabel(
        f"{MEASURE_LABELS['growth']} (%)"
        if y_key == "growth"
        else f"{MEASURE_LABELS['share_of_region']} (%), no growth data"
    )
    ax.grid(True, color="#e4e4e4", linewidth=0.6)
    if handles:
        ax.legend(handles=handles, fontsize=7, loc="best", title="Rating", title_fontsize=8)
    name = _region_name(rows, region)
    fig.suptitle(title or f"Portfolio of {name}", fontsize=11)
    broken: list[str] = []
    if y_key == "growth" and "growth_note" in rows.columns:
        notes = rows["growth_note"].fillna("").astype(str)
        broken = sorted(rows.loc[notes.str.startswith("break"), "category"].astype(str))
    footer = [
        "Bubble area ∝ employment."
        + (
            f" {lines_out} categories not shown (LQ or {y_key.replace('_', ' ')} n/a)."
            if lines_out
            else ""
        )
        + (f" Growth is a series break, not a number, for: {', '.join(broken)}." if broken else ""),
        *lines,
    ]
    _footer(fig, footer)
    return atomic_write(path, lambda tmp: _save(canvas, fig, tmp, dpi), what="chart")


def _figure(size: tuple[float, float]) -> tuple[Any, Any]:
    figure = optional_import("matplotlib.figure", extra="plot")
    agg = optional_import("matplotlib.backends.backend_agg", extra="plot")
    fig = figure.Figure(figsize=size)
    return fig, agg.FigureCanvasAgg(fig)


def _save(canvas: Any, fig: Any, target: Path, dpi: int) -> None:
    """Write ``fig`` (drawn on the Agg ``canvas``) as a PNG file."""
    fig.savefig(target, format="png", dpi=dpi)


def _footer(fig: Any, lines: list[str]) -> None:
    text = "\n".join(textwrap.fill(line, 130) for line in lines)
    fig.text(0.01, 0.01, text, fontsize=6, color="#333333", va="bottom", ha="left")


def _category_rows(results: pd.DataFrame, category: str) -> pd.DataFrame:
    codes = results["category"].astype(str)
    if str(category) not in set(codes):
        raise UnknownCodeError(
            f"The 'category' parameter must be a category of results. Got {category!r} "
            f"instead.{suggest(str(category), codes.unique())}"
        )
    rows = results[codes == str(category)]
    return rows.assign(region=rows["region"].astype(str))


def _category_label(rows: pd.DataFrame, category: str) -> str:
    if "category_label" in rows.columns and rows["category_label"].notna().any():
        return f"{category} – {rows['category_label'].dropna().iloc[0]}"
    return str(category)


def _region_name(rows: pd.DataFrame, region: str) -> str:
    if "region_name" in rows.columns and rows["region_name"].notna().any():
        return f"{rows['region_name'].dropna().iloc[0]} ({region})"
    return str(region)


def _classes(values: np.ndarray, measure: str) -> np.ndarray:
    if measure == "lq":
        return lq_class(values)
    breaks = quantile_breaks(values)
    classes = np.searchsorted(breaks, values, side="left")
    return np.where(np.isnan(values), -1, classes)


def _classify(values: np.ndarray, measure: str) -> tuple[list[str], list[str]]:
    """Return the colours and legend labels of the classes of ``measure``."""
    if measure == "lq":
        b = [f"{x:g}" for x in LQ_BREAKS]
        labels = [
            f"< {b[0]}",
            *[f"{lo} – {hi}" for lo, hi in itertools.pairwise(b)],
            f"≥ {b[-1]}",
        ]
        return list(LQ_COLOURS), labels
    breaks = quantile_breaks(values)
    if not np.isfinite(values).any():
        return [], []
    colours = list(QUANTILE_COLOURS[len(QUANTILE_COLOURS) - len(breaks) - 1 :])
    fmt = (lambda x: f"{x * 100:.1f} %") if measure in PERCENT_MEASURES else _number
    edges = [fmt(x) for x in breaks]
    if not edges:
        return colours, [fmt(float(np.nanmin(values)))]
    labels = [f"≤ {edges[0]}", *[f"{lo} – {hi}" for lo, hi in itertools.pairwise(edges)]]
    return colours, [*labels, f"> {edges[-1]}"]


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _rating_handles(kind: str, maximum: int, column: str) -> list[Any]:
    lines = optional_import("matplotlib.lines", extra="plot")

    def dot(colour: str, label: str) -> Any:
        return lines.Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markerfacecolor=colour,
            markeredgecolor="#333333",
            markersize=7,
            label=label,
        )

    if kind == "flag":
        name = column.replace("_", " ")
        handles = [dot(FLAG_COLOURS[1], name), dot(FLAG_COLOURS[0], f"not {name}")]
    else:
        handles = [
            dot(STAR_COLOURS[min(s, len(STAR_COLOURS) - 1)], f"{s} ★") for s in range(maximum + 1)
        ]
    return [*handles, dot("#ececec", "n/a")]
