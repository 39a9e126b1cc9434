"""From industry observations to a rated cluster map: categories → measures → rule-set.

:func:`build_map` is the functional core of ``clusteratlas map``: it takes canonical
observations and category definitions, aggregates industries into categories through the
engine, computes the location quotient, shares and growth, applies a rating rule-set and
returns one tidy row per (region, category).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from clusteratlas._validation import check_columns
from clusteratlas.engine import aggregate_to_categories
from clusteratlas.errors import ParameterError, SchemaError
from clusteratlas.mapping.rules_apply import apply_ruleset
from clusteratlas.mapping.rulesets import RuleSet
from clusteratlas.measures import cagr, growth_breaks, location_quotient, lq_change, shares
from clusteratlas.measures.breaks import BREAK_FLAGS, MAX_YEARLY_FACTOR
from clusteratlas.measures.shiftshare import shift_share

MAP_COLUMNS: tuple[str, ...] = (
    "region",
    "region_name",
    "category",
    "category_label",
    "category_type",
    "year",
    "employment",
    "establishments",
    "wages",
    "lq",
    "share_of_region",
    "share_of_category",
    "region_total",
    "growth",
    "growth_note",
    "growth_start_year",
    "lq_change",
    "n_industries",
    "n_missing",
    "definition_status",
)


def _region_totals(
    observations: pd.DataFrame, definitions: pd.DataFrame, *, by_type: bool
) -> pd.DataFrame:
    """Region totals per (category_type, region, year).

    With ``by_type`` a region's total is taken over the industries of each category type
    (traded employment for traded clusters); otherwise over every observed industry, so that
    overlapping categories (EU ecosystems) are not double counted.
    """
    types = definitions["category_type"].unique()
    parts = []
    for category_type in types:
        if by_type:
            universe = definitions.loc[definitions["category_type"] == category_type, "industry"]
        else:
            universe = observations["industry"]
        members = pd.DataFrame({"industry": pd.unique(universe), "category": "total"})
        totals = aggregate_to_categories(observations, members, values=("employment",))
        parts.append(
            totals[["region", "year", "employment"]]
            .rename(columns={"employment": "total"})
            .assign(category_type=category_type)
        )
    return pd.concat(parts, ignore_index=True)


def _complete_with_zeros(categories: pd.DataFrame) -> pd.DataFrame:
    """Add the absent (region, category, year) cells with zero employment and establishments."""
    grid = pd.MultiIndex.from_product(
        [
            categories["region"].unique(),
            categories["category"].unique(),
            categories["year"].unique(),
        ],
        names=["region", "category", "year"],
    )
    full = categories.set_index(["region", "category", "year"]).reindex(grid)
    absent = full["n_industries"].isna()
    full.loc[absent, ["employment", "establishments", "n_industries", "n_missing"]] = 0
    full["n_industries"] = full["n_industries"].astype("int64")
    full["n_missing"] = full["n_missing"].astype("int64")
    return full.reset_index()


def _category_series(
    observations: pd.DataFrame, definitions: pd.DataFrame, *, start: int, end: int
) -> pd.DataFrame:
    """Employment and flag letters per (region, category, year) over ``[start, end]``.

    A category's flags are the letters of every member industry's value (a flagged member
    makes the aggregate not comparable either).
    """
    period = observations[observations["year"].between(start, end)]
    flag = "employment_flag" if "employment_flag" in period.columns else None
    columns = ["region", "industry", "year", "employment", *([flag] if flag else [])]
    joined = period[columns].merge(definitions[["industry", "category"]], on="industry")
    grouped = joined.groupby(["region", "category", "year"], sort=False)
    out = grouped["employment"].sum(min_count=1).to_frame()
    letters = (
        grouped[flag]
        .agg(lambda values: "".join(sorted(set("".join(values.fillna(""))))))
        .rename("employment_flag")
        if flag
        else pd.Series("", index=out.index, name="employment_flag")
    )
    return out.join(letters).reset_index()


def _definition_status(definitions: pd.DataFrame) -> pd.Series:
    unconfirmed = definitions["status"].str.startswith("UNCONFIRMED")
    return (
        unconfirmed.groupby(definitions["category"])
        .any()
        .map({True: "UNCONFIRMED", False: "CONFIRMED"})
        .rename("definition_status")
    )


def build_map(
    observations: pd.DataFrame,
    definitions: pd.DataFrame,
    *,
    year: int,
    ruleset: RuleSet | None = None,
    growth_start: int | None = None,
    totals_by_type: bool = False,
    absent_is_zero: bool = False,
    reference_regions: Iterable[str] | None = None,
    reference_groups: Mapping[str, str] | None = None,
    region_names: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    break_flags: str = BREAK_FLAGS,
    max_growth_factor: float | None = MAX_YEARLY_FACTOR,
    shift_share_effects: bool = False,
) -> pd.DataFrame:
    """Build a rated cluster map for one year.

    Parameters
    ----------
    observations : pandas.DataFrame
        Canonical observations (region × industry × year).
    definitions : pandas.DataFrame
        Canonical category definitions.
    year : int
        The year mapped.
    ruleset : RuleSet, optional
        Rating rule-set applied to the year's rows.
    growth_start : int, optional
        First year of the growth period; growth is the compound annual growth rate of
        employment from ``growth_start`` to ``year``. Default: five years earlier when
        available, else the earliest year in the data (none when only one year exists).
    totals_by_type : bool
        Whether region totals are taken per category type (see :func:`_region_totals`).
    absent_is_zero : bool
        Whether a (region, category) with no member industry in the data has zero employment
        and establishments (County Business Patterns lists only the industries present in
        an area) rather than being unknown. Such cells are added with zeros.
    reference_regions : iterable of str, optional
        Regions forming the reference area (default: every region in ``observations``).
    reference_groups : mapping, optional
        Region code → reference group (e.g. its country): each region is then compared with
        the regions of its own group (a national rather than a European reference).
    region_names : mapping, optional
        Region code → name for the ``region_name`` column.
    overrides : mapping, optional
        Threshold overrides passed to :func:`~clusteratlas.mapping.rulesets.apply_ruleset`.
    break_flags : str
        Flag letters (column ``employment_flag`` of the observations) that make a value
        unusable for growth; default ``"bde"`` (break in series, definition differs,
        estimated).
    max_growth_factor : float or None
        Year-on-year factor beyond which a change is a break, not growth (default 3).

    Returns
    -------
    pandas.DataFrame
        One row per (region, category) with :data:`MAP_COLUMNS` and the rule-set's outputs.

    shift_share_effects : bool, default False
        Add the classic (Dunn) shift-share effects of each cell's employment change over
        the growth period: ``ss_national``, ``ss_mix``, ``ss_competitive`` (summing to the
        change) and ``ss_status`` (see :func:`~clusteratlas.measures.shift_share`). Cells
        with a growth break are ``break`` and, like missing cells, stay out of the reference
        totals (every reference region, not ``reference_groups``).

    Notes
    -----
    The location quotient of category :math:`c` in region :math:`r` is
    :math:`LQ_{rc} = (E_{rc}/T_r) / (E_c/E)`, where :math:`T_r` is the region's total over
    its available industries, :math:`E_c` the category's employment over the reference
    regions and :math:`E` their total (European Cluster Observatory; for US traded clusters
    :math:`T_r` is traded employment, as in the US Cluster Mapping Project).

    Growth and LQ change are missing, and ``growth_note`` says why (``"break: …"``), where
    :func:`~clusteratlas.measures.breaks.growth_breaks` finds a break in the category's series.
    """
    check_columns(observations, ("region", "industry", "year", "employment"), what="observations")
    years = sorted(int(y) for y in observations["year"].unique())
    if year not in years:
        raise ParameterError(
            f"The 'year' option must be one of the years in the data ({', '.join(map(str, years))}). "
            f"Got {year!r} instead."
        )
    if growth_start is None:
        earlier = [y for y in years if y < year]
        growth_start = (year - 5) if (year - 5) in earlier else (earlier[0] if earlier else None)
    elif growth_start not in years or growth_start >= year:
        raise ParameterError(
            f"The 'growth_start' option must be a year before {year} in the data "
            f"({', '.join(map(str, years))}). Got {growth_start!r} instead."
        )
    wanted_years = [year] if growth_start is None else [growth_start, year]
    observed = observations[observations["year"].isin(wanted_years)]
    known = set(observed["industry"])
    usable = definitions[definitions["industry"].isin(known)]
    if usable.empty:
        raise SchemaError(
            "None of the industries in the category definitions occur in the data "
            f"(definitions use e.g. {', '.join(definitions['industry'].head(3))}; "
            f"data has e.g. {', '.join(sorted(known)[:3])})."
        )
    categories = aggregate_to_categories(observed, usable)
    if absent_is_zero:
        categories = _complete_with_zeros(categories)
    types = usable[["category", "category_label", "category_type"]].drop_duplicates("category")
    categories = categories.merge(types, on="category", how="left")
    totals = _region_totals(observed, usable, by_type=totals_by_type)

    by: tuple[str, ...] = ("year",)
    if reference_groups is not None:
        groups = dict(reference_groups)
        categories["reference_group"] = categories["region"].map(
            lambda code: groups.get(code, code)
        )
        totals["reference_group"] = totals["region"].map(lambda code: groups.get(code, code))
        by = ("year", "reference_group")
    measured = []
    for category_type, group in categories.groupby("category_type", sort=False):
        type_totals = totals.loc[totals["category_type"] == category_type, ["region", *by, "total"]]
        with_lq = location_quotient(
            group,
            category="category",
            value="employment",
            by=by,
            region_totals=type_totals,
            reference_regions=reference_regions,
        )
        with_shares = shares(
            group,
            category="category",
            value="employment",
            by=by,
            region_totals=type_totals,
            reference_regions=reference_regions,
        )
        with_lq["share_of_region"] = with_shares["share_of_region"].to_numpy()
        with_lq["share_of_category"] = with_shares["share_of_category"].to_numpy()
        measured.append(with_lq)
    result = pd.concat(measured, ignore_index=True)

    current = result[result["year"] == year]
    # Regions with no value at all that year are codes of another NUTS version (the SBS file
    # keeps retired codes as empty series): they carry no information, so they are dropped.
    has_data = current["employment"].notna().groupby(current["region"]).transform("any")
    current = current[has_data].copy()
    if growth_start is not None:
        growth = cagr(result, category="category", value="employment", start=growth_start, end=year)
        change = lq_change(result, category="category", start=growth_start, end=year)
        current = current.merge(
            growth[["region", "category", "cagr"]].rename(columns={"cagr": "growth"}),
            on=["region", "category"],
            how="left",
        ).merge(change[["region", "category", "lq_change"]], on=["region", "category"], how="left")
        breaks = growth_breaks(
            _category_series(observations, usable, start=growth_start, end=year),
            start=growth_start,
            end=year,
            break_flags=break_flags,
            max_factor=max_growth_factor,
        )
        current = current.merge(breaks, on=["region", "category"], how="left")
        current["growth_note"] = current["growth_note"].fillna("")
        broken = current["growth_note"] != ""
        current.loc[broken, ["growth", "lq_change"]] = np.nan
    else:
        current["growth"] = np.nan
        current["lq_change"] = np.nan
        current["growth_note"] = ""
    current["growth_start_year"] = growth_start if growth_start is not None else pd.NA
    current["growth_start_year"] = current["growth_start_year"].astype("Int64")
    names = dict(region_names or {})
    current["region_name"] = current["region"].map(lambda code: names.get(code, code))
    current = current.merge(_definition_status(usable), left_on="category", right_index=True)
    current = current[list(MAP_COLUMNS)].sort_values(["region", "category"], ignore_index=True)
    if shift_share_effects:
        current = _with_shift_share(
            current,
            result,
            start=growth_start,
            end=year,
            absent_is_zero=absent_is_zero,
            reference_regions=reference_regions,
        )
    if ruleset is not None:
        current = apply_ruleset(current, ruleset, overrides=overrides)
    return current


SHIFT_SHARE_COLUMNS: tuple[str, ...] = ("ss_national", "ss_mix", "ss_competitive", "ss_status")
"""Columns :func:`build_map` adds with ``shift_share_effects=True``."""


def _with_shift_share(
    current: pd.DataFrame,
    measured: pd.DataFrame,
    *,
    start: int | None,
    end: int,
    absent_is_zero: bool,
    reference_regions: Iterable[str] | None,
) -> pd.DataFrame:
    """Add the shift-share effects of each (region, category) between ``start`` and ``end``."""
    if start is None:
        raise ParameterError(
            "Shift-share effects need a growth period: the data hold no year before "
            f"{end}, or give one with the 'growth_start' option."
        )
    broken = set(
        zip(
            current.loc[current["growth_note"] != "", "region"],
            current.loc[current["growth_note"] != "", "category"],
            strict=True,
        )
    )
    series = measured[["region", "category", "year", "employment"]].copy()
    keys = zip(series["region"], series["category"], strict=True)
    # A growth break marks both years 'd' (definition differs), which shift_share treats
    # as a break: not decomposed, and left out of the reference totals.
    series["ss_flag"] = ["d" if key in broken else "" for key in keys]
    effects = shift_share(
        series,
        start=start,
        end=end,
        flags="ss_flag",
        break_flags="d",
        absent="zero" if absent_is_zero else "missing",
        reference_regions=reference_regions,
    )
    effects = effects.rename(
        columns={
            "national": "ss_national",
            "mix": "ss_mix",
            "competitive": "ss_competitive",
            "status": "ss_status",
        }
    )[["region", "category", *SHIFT_SHARE_COLUMNS]]
    return current.merge(effects, on=["region", "category"], how="left")
