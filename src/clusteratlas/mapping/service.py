"""Mapping services: the steps behind the commands, from a source name to a stored map.

The command line and any later API call these functions; they hold the orchestration
(load, cache, build, store) and no presentation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from clusteratlas._validation import check_in
from clusteratlas.data.regions import EU27
from clusteratlas.errors import ParameterError
from clusteratlas.mapping.calibrate import CalibrationResult, calibrate_threshold
from clusteratlas.mapping.pipeline import build_map
from clusteratlas.mapping.rulesets import RuleSet, load_ruleset
from clusteratlas.mapping.sources import (
    Source,
    get_source,
    load_definitions,
    load_observations,
    region_names,
    source_notes,
)
from clusteratlas.store import Store


@dataclass(frozen=True)
class MapResult:
    """A built map with everything needed to present it honestly.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per (region, category).
    source : Source
        Where the statistics came from.
    ruleset : RuleSet or None
        The rule-set applied.
    categories : str
        The category family (``divisions``, ``ecosystems``, ``traded`` … or a CSV path).
    year : int
        Year mapped.
    attribution : list of str
        Attribution texts of every data set used.
    notes : list of str
        Caveats to show with the map (unconfirmed thresholds or definitions, categories
        without data, growth breaks).
    warnings : list of str
        Reasons the map may mislead: a year covering only part of the regions (so that the
        LQs use another reference area), a rule-set meant for another source.
    scope : str
        How the selection or reference area differs from the default (e.g. ``eu27``,
        ``ref_country``), empty by default; part of the store table name.
    """

    frame: pd.DataFrame
    source: Source
    ruleset: RuleSet | None
    categories: str
    year: int
    attribution: list[str]
    notes: list[str] = field(default_factory=list)
    scope: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def table_name(self) -> str:
        """Name of the store table holding this map."""
        rules = self.ruleset.name if self.ruleset else "none"
        family = Path(self.categories).stem if self.categories.endswith(".csv") else self.categories
        raw = f"map_{self.source.name}_{self.year}_{family}_{rules}"
        raw += f"_{self.scope}" if self.scope else ""
        return "".join(ch if ch.isalnum() else "_" for ch in raw)

    def _repr_html_(self) -> str:
        """Show the map in a notebook: source, rule-set, counts, caveats, the first rows."""
        from clusteratlas._html import html_summary

        frame = self.frame
        rules = self.ruleset.label if self.ruleset else "none"
        columns = [c for c in ("region", "category", "employment", "lq") if c in frame]
        columns += [c for c in (self.ruleset.columns if self.ruleset else ()) if c in frame][:2]
        top = frame.sort_values("lq", ascending=False) if "lq" in frame else frame
        return html_summary(
            f"MapResult: {self.source.name} {self.year}, {self.categories}, rules {rules}",
            [
                ("regions", frame["region"].nunique() if "region" in frame else 0),
                ("categories", frame["category"].nunique() if "category" in frame else 0),
                ("rows", len(frame)),
                ("attribution", "; ".join(self.attribution)),
            ],
            top[columns],
            notes=[*self.warnings, *self.notes],
        )


def make_map(
    source: str,
    *,
    year: int,
    rules: str | None = None,
    categories: str | None = None,
    store: Store | None = None,
    overrides: Mapping[str, Any] | None = None,
    growth_start: int | None = None,
    countries: Iterable[str] | None = None,
    reference: str = "selection",
    shift_share_effects: bool = False,
) -> MapResult:
    """Build (and store, when a store is given) the cluster map of a source and year.

    Parameters
    ----------
    source : str
        ``eu-sbs`` or ``us-cbp``.
    year : int
        Year to map.
    rules : str, optional
        A built-in rule-set name or a path to a TOML rule-set.
    categories : str, optional
        Category family of the source, or a CSV of definitions.
    store : Store, optional
        Where parsed observations are cached and the map is saved.
    overrides : mapping, optional
        Threshold overrides for the rule-set.
    growth_start : int, optional
        First year of the growth period.
    countries : iterable of str, optional
        Keep only regions of these countries (first two letters of the code, e.g. the EU-27);
        they then also form the reference area.
    reference : {"selection", "country"}
        The reference area of the location quotient: every selected region (default), or
        each region's own country (EU sources only: CBSAs do not nest in states).
    """
    spec = get_source(source)
    check_in(reference, ("selection", "country"), name="reference")
    if reference == "country" and not spec.is_eu:
        raise ParameterError(
            f"The 'reference' option 'country' needs regions that nest in countries (eu-sbs); "
            f"{spec.name} regions do not. Use 'selection'."
        )
    ruleset = load_ruleset(rules) if rules else None
    family = categories or spec.categories[0]
    definitions = load_definitions(spec, family)
    observations = load_observations(spec, store=store, year=year)
    scope_parts = []
    if countries is not None:
        wanted = set(countries)
        scope_parts.append("eu27" if wanted == set(EU27) else "_".join(sorted(wanted)).lower())
        observations = observations[observations["region"].str[:2].isin(wanted)]
    frame = build_map(
        observations,
        definitions,
        year=year,
        ruleset=ruleset,
        growth_start=growth_start,
        totals_by_type=spec.totals_by_type,
        absent_is_zero=spec.absent_is_zero,
        region_names=region_names(spec),
        reference_groups=(
            {code: code[:2] for code in observations["region"].unique()}
            if reference == "country"
            else None
        ),
        overrides=overrides,
        shift_share_effects=shift_share_effects,
    )
    notes = _notes(frame, definitions, observed=set(observations["industry"]))
    notes += source_notes(spec, year=year, observations=observations)
    warnings = _warnings(spec, ruleset, observations, year=year)
    extra = ("eu_ecosystems",) if family == "ecosystems" else ()
    if spec.name == "us-cbp":
        extra = ("us_benchmark_clusters",)
    result = MapResult(
        frame=frame,
        source=spec,
        ruleset=ruleset,
        categories=family,
        year=year,
        attribution=spec.attribution(extra, year=year),
        notes=notes,
        warnings=warnings,
        scope="_".join(scope_parts + (["ref_country"] if reference == "country" else [])),
    )
    if store is not None:
        store.write(
            result.table_name,
            frame,
            metadata={
                "source": spec.name,
                "year": year,
                "rules": ruleset.name if ruleset else None,
                "categories": family,
                "scope": result.scope,
                "attribution": result.attribution,
                "notes": notes,
                "warnings": warnings,
            },
        )
    return result


def _warnings(
    spec: Source, ruleset: RuleSet | None, observations: pd.DataFrame, *, year: int
) -> list[str]:
    """Say when a rule-set is meant for another source or the year covers part of the area."""
    out = []
    if ruleset is not None and ruleset.sources and spec.name not in ruleset.sources:
        out.append(
            f"rule-set {ruleset.name!r} is meant for {', '.join(ruleset.sources)} data, not "
            f"{spec.name}: its thresholds were set for other regions and categories "
            f"(see `clusteratlas rules list`)."
        )
    if spec.name == "eu-sbs":
        with_data = observations[observations["employment"].notna()]
        countries = with_data["region"].str[:2]
        everywhere = set(countries)
        this_year = set(countries[with_data["year"] == year])
        missing = sorted(everywhere - this_year)
        if this_year and missing:
            regions = with_data.loc[with_data["year"] == year, "region"].nunique()
            out.append(
                f"{year} covers {regions} regions: no data for {', '.join(missing)} in {year} "
                "(they have data in other years), so the location quotients use a reference "
                "area without them and do not compare with other years."
            )
    return out


def _notes(frame: pd.DataFrame, definitions: pd.DataFrame, *, observed: set[str]) -> list[str]:
    notes = []
    if "unconfirmed" in frame.columns:
        pending = sorted(
            {
                part
                for text in frame["unconfirmed"].dropna()
                for part in str(text).split("; ")
                if part
            }
        )
        if pending:
            notes.append(
                "UNCONFIRMED rule thresholds (configurable defaults): " + ", ".join(pending)
            )
    shaky = sorted(frame.loc[frame["definition_status"] == "UNCONFIRMED", "category"].unique())
    if shaky:
        notes.append("Category definitions with UNCONFIRMED member industries: " + ", ".join(shaky))
    if "growth_note" in frame.columns:
        broken = int((frame["growth_note"].fillna("") != "").sum())
        if broken:
            notes.append(
                f"{broken:,} growth values are series breaks, shown as 'break' (a start or end "
                "value flagged b, d or e by Eurostat, a break inside the period, or a change "
                "beyond ×3 in one year; see growth_note)"
            )
    absent = sorted(set(definitions["category"]) - set(frame["category"]))
    if absent:
        notes.append("Categories without any industry in the data: " + ", ".join(absent))
    mapped = definitions[definitions["category"].isin(set(frame["category"]))]
    lacking = (
        mapped[~mapped["industry"].isin(observed)]
        .groupby("category")["industry"]
        .agg(lambda codes: ", ".join(sorted(codes)))
    )
    if len(lacking) and len(lacking) < 20:  # per-category detail only where it stays readable
        notes.append(
            "Member industries not in the data (the category is mapped without them): "
            + "; ".join(f"{category}: {codes}" for category, codes in lacking.items())
        )
    return notes


def calibrate(
    source: str = "eu-sbs",
    *,
    year: int = 2014,
    countries: Iterable[str] | None = None,
    target_count: int = 1501,
    target_regions: int = 201,
    min_employment_grid: Iterable[float] | None = None,
    store: Store | None = None,
) -> tuple[CalibrationResult, MapResult]:
    """Find the LQ threshold that reproduces a published count of specialisations.

    By default this reproduces the European Cluster Panorama 2021 (1,501 sector
    specialisations in 201 EU-27 regions): NACE divisions, EU-27 NUTS-2 regions as the
    reference area, LQ ≥ t and employment ≥ m; it reports t (and m when a grid of minimum
    employments is searched) and how close the region count and employment share come.
    """
    result = make_map(
        source,
        year=year,
        categories="divisions" if source == "eu-sbs" else None,
        store=store,
        countries=EU27 if countries is None and source == "eu-sbs" else countries,
    )
    calibration = calibrate_threshold(
        result.frame,
        target_count=target_count,
        target_regions=target_regions,
        min_employment_grid=list(min_employment_grid) if min_employment_grid else None,
    )
    return calibration, result
