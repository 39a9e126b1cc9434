"""Building atlas reports from sources: run the maps, then render them.

This is the step behind ``clusteratlas atlas`` and ``make demo``: for one source and year
it builds a map for every (category family, rule-set) view, keeps them in the store and
writes one offline HTML report holding all views, plus optional PNG maps for papers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from clusteratlas.data.boundaries import read_cbsa_boundaries, read_nuts_boundaries
from clusteratlas.mapping.portfolio import cluster_rule, resolve_category, resolve_region
from clusteratlas.mapping.service import MapResult, make_map
from clusteratlas.report.atlas import write_atlas
from clusteratlas.report.plots import plot_choropleth_png, plot_portfolio_png
from clusteratlas.store import Store


@dataclass(frozen=True)
class AtlasOutput:
    """What :func:`build_atlas` wrote."""

    report: Path
    maps: tuple[MapResult, ...]
    pngs: tuple[Path, ...] = ()


def source_boundaries(source: str) -> object:
    """Region boundaries (GeoDataFrame) for a source name."""
    from clusteratlas.data.catalog import resolve
    from clusteratlas.mapping.sources import SOURCES

    spec = SOURCES.get(source)
    if spec is not None and spec.is_eu:  # each EU source names the NUTS version of its boundaries
        return read_nuts_boundaries(level=2, path=resolve(spec.boundaries))
    return read_cbsa_boundaries()


def _label(result: MapResult) -> str:
    family = {"divisions": "NACE divisions", "ecosystems": "Industrial ecosystems"}.get(
        result.categories, result.categories.capitalize() + " clusters"
    )
    return f"{family} / {result.ruleset.label if result.ruleset else 'no rating'}"


def build_atlas(
    source: str,
    *,
    year: int,
    views: Sequence[tuple[str | None, str | None]],
    output: str | Path,
    store: Store | None = None,
    title: str | None = None,
    portfolio_region: str | None = None,
    png_category: str | None = None,
) -> AtlasOutput:
    """Build the maps of every view and write the atlas report.

    Parameters
    ----------
    source : str
        ``eu-sbs`` or ``us-cbp``.
    year : int
        Year mapped.
    views : sequence of (categories, rules)
        Category family and rule-set of each view (``None`` for the source's default family
        or no rating).
    output : str or pathlib.Path
        The HTML file.
    store : Store, optional
        Where observations are cached and maps saved.
    title : str, optional
        Page title.
    portfolio_region : str, optional
        Region shown first in the portfolio chart; also drawn as a PNG when ``png_category``
        is given.
    png_category : str, optional
        Category of the first view drawn as a PNG choropleth of the LQ next to the report.
    """
    maps = tuple(
        make_map(source, year=year, rules=rules, categories=categories, store=store)
        for categories, rules in views
    )
    # Check the requested category and region before anything is written.
    first = maps[0].frame
    if png_category is not None:
        png_category = resolve_category(first, png_category, name="png_category")
    if portfolio_region is not None:
        portfolio_region = resolve_region(first, portfolio_region, name="portfolio_region")
    boundaries = source_boundaries(source)
    attribution: list[str] = []
    notes: list[str] = []
    for result in maps:
        attribution += [text for text in result.attribution if text not in attribution]
        notes += [f"{_label(result)}: warning: {text}" for text in result.warnings]
        notes += [f"{_label(result)}: {note}" for note in result.notes]
    # Each view outlines what its rule-set declares a cluster (eco2007: two stars or more),
    # as `strength` counts it, not every rated row.
    rules = {_label(result): _outline_rule(result) for result in maps}
    report = write_atlas(
        output,
        rating={label: rule[0] for label, rule in rules.items()},
        min_stars={label: rule[1] for label, rule in rules.items()},
        results={_label(result): result.frame for result in maps},
        boundaries=boundaries,
        title=title or f"Cluster atlas: {maps[0].source.title}, {year}",
        subtitle=f"{maps[0].source.region_label}s, {year}",
        attribution=attribution,
        notes=notes,
        portfolio_region=portfolio_region,
        initial_category=png_category,
    )
    pngs: list[Path] = []
    if png_category is not None:
        target = Path(output).with_name(f"{Path(output).stem}_{_slug(png_category)}_lq.png")
        pngs.append(
            plot_choropleth_png(
                target,
                results=maps[0].frame,
                boundaries=boundaries,
                category=png_category,
                attribution=maps[0].attribution,
                rating=rules[_label(maps[0])][0],
                min_stars=rules[_label(maps[0])][1],
            )
        )
        if portfolio_region is not None:
            target = Path(output).with_name(f"{Path(output).stem}_portfolio_{portfolio_region}.png")
            pngs.append(
                plot_portfolio_png(
                    target,
                    results=maps[0].frame,
                    region=portfolio_region,
                    attribution=maps[0].attribution,
                )
            )
    return AtlasOutput(report=Path(report), maps=maps, pngs=tuple(pngs))


def _outline_rule(result: MapResult) -> tuple[str | None, int]:
    """Return the rating column and least value that make a cluster (no rule-set: none)."""
    if result.ruleset is None:
        return None, 1
    column, least, _ = cluster_rule(result.frame, result.ruleset)
    return column, least


def _slug(text: str) -> str:
    return "".join(ch.lower() if ch.isalnum() else "_" for ch in text).strip("_")
