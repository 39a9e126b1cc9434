"""The atlas report: one self-contained, offline HTML file with a map, a chart and tables.

The page holds everything it needs (styles, script, data and region shapes) and makes no
network request, so it can be mailed, archived or opened on an air-gapped machine.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import numpy as np
import pandas as pd

from clusteratlas import __version__
from clusteratlas._validation import suggest
from clusteratlas.errors import ParameterError, UnknownCodeError
from clusteratlas.export import atomic_write
from clusteratlas.report._common import (
    LQ_BREAKS,
    LQ_COLOURS,
    MEASURE_LABELS,
    MISSING_FILL,
    MISSING_HATCH,
    PERCENT_MEASURES,
    QUANTILE_COLOURS,
    ArrayPool,
    attribution_lines,
    check_results,
    encode_values,
    initial_category_index,
    portfolio_y,
    resolve_rating,
    sorted_codes,
    unique_strings,
)
from clusteratlas.report.geometry import (
    check_boundaries,
    choose_frame,
    project_for_display,
    svg_paths,
)

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["build_atlas_data", "render_atlas", "write_atlas"]

#: Colours of 0, 1, 2, … stars in the portfolio chart.
STAR_COLOURS = ("#9fb3c8", "#fdd49e", "#fc8d59", "#d7301f", "#7f0000")
#: Columns shown in the tables when the results have them.
TABLE_MEASURES = ("employment", "lq", "share_of_region", "growth", "establishments")
#: Column headers of the tables.
SHORT_LABELS = {
    "lq": "LQ",
    "employment": "Employment",
    "establishments": "Estab.",
    "share_of_region": "Share of region",
    "growth": "Growth (CAGR)",
}
#: Significant digits kept in the embedded data (the page shows fewer).
DIGITS = 4

Results = pd.DataFrame | Mapping[str, pd.DataFrame]


def write_atlas(
    path: str | Path,
    *,
    results: Results,
    boundaries: gpd.GeoDataFrame,
    title: str,
    attribution: str | Sequence[str],
    measures: Sequence[str] = ("lq", "employment", "share_of_region"),
    rating: str | Mapping[str, str | None] | None = "auto",
    min_stars: int | Mapping[str, int] = 1,
    portfolio_region: str | None = None,
    subtitle: str = "",
    notes: Sequence[str] = (),
    projection: str = "auto",
    initial_category: str | None = None,
) -> Path:
    """Write the atlas report: one self-contained offline HTML file.

    The page shows (1) a choropleth of the regions for a chosen view, category and
    measure, with rated regions outlined; (2) the portfolio of a chosen region as a
    bubble chart (x: LQ on a log scale, y: growth, or the share of regional employment
    when there is no growth, area: employment, colour: rating); (3) sortable tables of
    the regions for the category and of the region's categories; (4) the sources, the
    rule-sets, a notice of UNCONFIRMED thresholds, the date and the package version.

    Parameters
    ----------
    path : str or pathlib.Path
        The HTML file to write; its directory must exist.
    results : pandas.DataFrame or mapping of str to pandas.DataFrame
        One row per (region, category) of one year, with columns ``region``,
        ``category``, ``lq``, ``employment`` and the ``measures``; optional
        ``region_name``, ``category_label``, ``year``, ``share_of_region`` and
        ``growth`` (fractions, 0.05 = 5 %), ``establishments``, rating columns,
        ``ruleset`` and ``unconfirmed``. NaN means missing or suppressed. A mapping
        label → frame makes one *view* per frame, chosen in the page.
    boundaries : geopandas.GeoDataFrame
        Columns ``region``, ``name`` and ``geometry``, with a CRS (EPSG:4326).
    title : str
        Page title.
    attribution : str or sequence of str
        One line per data source (e.g. ``"Source: Eurostat"``); required.
    measures : sequence of str
        Numeric columns that can colour the map; the first is shown first.
    rating : str, None or mapping of str to str or None
        Rating column (boolean flag such as ``strong``, or integer ``stars``);
        ``"auto"`` takes ``stars``, else ``strong``, in each view; ``None``: no rating.
        A mapping gives it per view label (a view it does not name gets ``"auto"``), so
        each view outlines what its rule-set declares a cluster.
    min_stars : int or mapping of str to int
        Stars a region needs to be outlined when the rating is a number of stars; a
        mapping gives it per view label (default 1).
    portfolio_region : str, optional
        Region shown first in the portfolio; by default the one with most employment.
    subtitle : str
        Line under the title.
    notes : sequence of str
        Paragraphs shown under the tables.
    projection : {"auto", "europe", "us"}
        Map projection, see :func:`clusteratlas.report.geometry.choose_frame`.
    initial_category : str, optional
        Category the page opens on (e.g. the one drawn as a PNG); by default the category
        of the first view with the most rated regions (stars or flags), not the first code.

    Returns
    -------
    pathlib.Path
        The absolute path of the file written.

    Raises
    ------
    SchemaError
        When a frame lacks a column, holds several years or repeats a (region, category).
    ParameterError
        When a parameter has a wrong value (e.g. an empty attribution).
    UnknownCodeError
        When ``portfolio_region`` is not a region of the results or boundaries.
    OutputError
        When ``path`` cannot be written; no partial file is left behind.

    Notes
    -----
    The file is written to a temporary file in the same directory, then renamed, so a
    reader never sees a half-written report.
    """
    html = render_atlas(
        build_atlas_data(
            results=results,
            boundaries=boundaries,
            title=title,
            attribution=attribution,
            measures=measures,
            rating=rating,
            min_stars=min_stars,
            portfolio_region=portfolio_region,
            subtitle=subtitle,
            notes=notes,
            projection=projection,
            initial_category=initial_category,
        )
    )
    return atomic_write(
        path, lambda tmp: tmp.write_text(html, encoding="utf-8"), what="atlas report"
    )


def build_atlas_data(
    *,
    results: Results,
    boundaries: gpd.GeoDataFrame,
    title: str,
    attribution: str | Sequence[str],
    measures: Sequence[str] = ("lq", "employment", "share_of_region"),
    rating: str | Mapping[str, str | None] | None = "auto",
    min_stars: int | Mapping[str, int] = 1,
    portfolio_region: str | None = None,
    subtitle: str = "",
    notes: Sequence[str] = (),
    projection: str = "auto",
    initial_category: str | None = None,
) -> dict[str, Any]:
    """Build the data of the atlas page (see :func:`write_atlas` for the parameters).

    Returns
    -------
    dict
        JSON-ready: ``regions`` (``id``, ``name``, SVG path ``d`` or ``None``),
        ``views`` (categories, measures, and indices into ``arrays`` for each column
        and the rating), and ``arrays``: flat lists indexed ``category * n_regions +
        region``, ``None`` where a value is missing. Identical arrays are stored once.
        Keys starting with ``_`` are for the HTML template, not the page script.
    """
    frames = _as_views(results)
    measures = list(measures)
    if not measures:
        raise ParameterError("The 'measures' parameter must name at least one column.")
    for label, frame in frames.items():
        check_results(frame, measures, what=f"results[{label!r}]")
    check_boundaries(boundaries)
    lines = attribution_lines(attribution)
    display = choose_frame(boundaries, projection)
    shown, left_off = project_for_display(boundaries, display)
    paths, view_box = svg_paths(shown)

    names = {str(k): str(v) for k, v in zip(boundaries["region"], boundaries["name"], strict=True)}
    codes = list(names)
    for data in frames.values():
        if "region_name" in data.columns:
            for code, name in zip(data["region"], data["region_name"], strict=True):
                names.setdefault(str(code), str(name) if pd.notna(name) else str(code))
        for code in sorted(set(map(str, data["region"])) - set(codes)):
            codes.append(code)
            names.setdefault(code, code)
    regions = [{"id": code, "name": names[code], "d": paths.get(code)} for code in codes]

    for name, option in (("rating", rating), ("min_stars", min_stars)):
        unknown = sorted(set(option) - set(frames)) if isinstance(option, Mapping) else []
        if unknown:
            raise ParameterError(
                f"The {name!r} parameter names views that are not in the results: "
                f"{', '.join(map(repr, unknown))}; the views are {', '.join(map(repr, frames))}."
            )
    pool = ArrayPool()
    views = [
        _build_view(
            label,
            data,
            codes,
            measures,
            rating.get(label, "auto") if isinstance(rating, Mapping) else rating,
            min_stars.get(label, 1) if isinstance(min_stars, Mapping) else min_stars,
            pool,
        )
        for label, data in frames.items()
    ]
    region = _initial_region(portfolio_region, frames, codes)
    return {
        "title": title,
        "regions": regions,
        "views": views,
        "arrays": pool.arrays,
        "initial": {
            "region": region,
            "category": initial_category_index(
                initial_category, next(iter(frames.values())), views[0]
            ),
        },
        "measureInfo": {
            name: {
                "label": MEASURE_LABELS.get(name, name.replace("_", " ").capitalize()),
                "percent": name in PERCENT_MEASURES,
                "short": SHORT_LABELS.get(name, name.replace("_", " ").capitalize()),
            }
            for name in dict.fromkeys([*measures, *TABLE_MEASURES])
        },
        "style": {
            "lqBreaks": list(LQ_BREAKS),
            "lqColours": list(LQ_COLOURS),
            "quantileColours": list(QUANTILE_COLOURS),
            "starColours": list(STAR_COLOURS),
        },
        "_page": {
            "subtitle": subtitle,
            "notes": [str(note) for note in notes],
            "attribution": lines,
            "view_box": view_box,
            "off_map": sorted(names[code] for code in left_off if code in names)
            + sorted(names[c] for c in codes if c not in paths and c not in left_off),
            "projection": display.description,
        },
    }


def render_atlas(data: Mapping[str, Any]) -> str:
    """Render the page from :func:`build_atlas_data`'s output as an HTML string."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("clusteratlas.report", "templates"),
        autoescape=True,
        keep_trailing_newline=True,
    )
    page = data["_page"]
    script_data = {k: v for k, v in data.items() if not k.startswith("_")}
    payload = json.dumps(script_data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    # "<" never appears raw inside the <script> element: no "</script>", no "<!--".
    payload = payload.replace("<", "\\u003c")
    static = resources.files("clusteratlas.report") / "static"
    view_box = page["view_box"]
    hatch = max(view_box[2], view_box[3]) / 220.0
    return str(
        env.get_template("atlas.html.j2").render(
            title=data["title"],
            subtitle=page["subtitle"],
            notes=page["notes"],
            attribution=page["attribution"],
            off_map=page["off_map"],
            projection=page["projection"],
            views=[
                {
                    "label": view["label"],
                    "year": view["year"],
                    "rulesets": view["rulesets"],
                    "rating": view["rating"]["label"] if view["rating"] else "",
                }
                for view in data["views"]
            ],
            unconfirmed=[
                {
                    "ruleset": f"{view['label']} ({', '.join(view['rulesets']) or 'rule-set'})",
                    "thresholds": view["unconfirmed"],
                }
                for view in data["views"]
                if view["unconfirmed"]
            ],
            lq_breaks=[f"{b:g}" for b in LQ_BREAKS],
            view_box=" ".join(map(str, view_box)),
            hatch=f"{hatch:.0f}",
            hatch_width=f"{hatch * 0.3:.0f}",
            missing_fill=MISSING_FILL,
            missing_hatch=MISSING_HATCH,
            generated=dt.date.today().isoformat(),
            version=__version__,
            css=(static / "atlas.css").read_text(encoding="utf-8"),
            js=(static / "atlas.js").read_text(encoding="utf-8"),
            data_json=payload,
        )
    )


def _as_views(results: Results) -> dict[str, pd.DataFrame]:
    if isinstance(results, pd.DataFrame):
        rulesets = unique_strings(results, "ruleset")
        return {", ".join(rulesets) or "Results": results}
    if not isinstance(results, Mapping):
        raise TypeError(
            "results must be a pandas DataFrame or a mapping of view label to DataFrame. "
            f"Got {type(results).__name__} instead."
        )
    if not results:
        raise ParameterError("The 'results' parameter must hold at least one view. Got none.")
    return {str(label): frame for label, frame in results.items()}


def _build_view(
    label: str,
    frame: pd.DataFrame,
    codes: list[str],
    measures: list[str],
    rating: str | None,
    min_stars: int,
    pool: ArrayPool,
) -> dict[str, Any]:
    frame = frame.assign(region=frame["region"].astype(str), category=frame["category"].astype(str))
    categories = sorted_codes(frame["category"].unique())
    labels = (
        frame.drop_duplicates("category").set_index("category")["category_label"]
        if "category_label" in frame.columns
        else pd.Series(dtype=object)
    )
    grid = pd.MultiIndex.from_product([categories, codes], names=["category", "region"])
    indexed = frame.set_index(["category", "region"])
    columns: dict[str, int] = {}
    for name in dict.fromkeys([*measures, *TABLE_MEASURES]):
        if name not in frame.columns:
            continue
        values = pd.to_numeric(indexed[name], errors="coerce").reindex(grid).to_numpy(float)
        if name in measures or not np.isnan(values).all():
            columns[name] = pool.add(encode_values(values, DIGITS))
    breaks = None
    if "growth_note" in frame.columns and "growth" in columns:
        notes = frame.set_index(["category", "region"])["growth_note"].reindex(grid)
        flags = notes.fillna("").astype(str).str.startswith("break").to_numpy(float)
        if flags.any():
            breaks = pool.add(encode_values(np.where(flags > 0, 1.0, np.nan), 0))
    spec = resolve_rating(frame, rating, min_stars=min_stars)
    rating_data = None
    if spec is not None:
        stars = spec.values(frame.set_index(["category", "region"])).reindex(grid).to_numpy(float)
        rating_data = {
            "column": spec.column,
            "kind": spec.kind,
            "threshold": spec.threshold,
            "maximum": spec.maximum,
            "label": spec.label,
            "data": pool.add(encode_values(stars, DIGITS)),
        }
    years = unique_strings(frame, "year")
    unconfirmed = sorted(
        {part.strip() for text in unique_strings(frame, "unconfirmed") for part in text.split(";")}
        - {""}
    )
    return {
        "label": label,
        "year": " / ".join(years) or "n/a",
        "rulesets": unique_strings(frame, "ruleset"),
        "unconfirmed": unconfirmed,
        "categories": [
            {
                "code": code,
                "label": str(labels.get(code, code)) if pd.notna(labels.get(code)) else code,
            }
            for code in categories
        ],
        "measures": measures,
        "columns": columns,
        "breaks": breaks,
        "rating": rating_data,
        "y": portfolio_y(frame),
    }


def _initial_region(
    requested: str | None, frames: Mapping[str, pd.DataFrame], codes: list[str]
) -> str:
    if requested is not None:
        if str(requested) not in codes:
            raise UnknownCodeError(
                f"The 'portfolio_region' parameter must be a region of the results or "
                f"boundaries. Got {requested!r} instead.{suggest(str(requested), codes)}"
            )
        return str(requested)
    first = next(iter(frames.values()))
    totals = first.groupby(first["region"].astype(str))["employment"].sum(min_count=1)
    if totals.notna().any():
        return str(totals.idxmax())
    return codes[0] if codes else ""
