"""Regional coverage of a value chain: each region's strength in each stage, and its gaps.

A stage is a set of industry codes; a map frame has one row per (region, category) at the
resolution of the data (NACE divisions for Eurostat SBS, 6-digit NAICS for County Business
Patterns). :func:`stage_industries` says which data category stands for each code, and
:func:`stage_strength` aggregates the stage's employment per region and recomputes its
location quotient.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from clusteratlas._validation import check_columns, check_in
from clusteratlas.data.nace import NACE_LEVELS, nace_level
from clusteratlas.data.naics import naics_digits
from clusteratlas.errors import ParameterError, UnknownCodeError
from clusteratlas.measures import location_quotient
from clusteratlas.valuechains.chains import ValueChain

RESOLUTIONS: tuple[str, ...] = ("exact", "partial", "coarser", "absent")
"""How a stage's codes are found in the data: all exactly (or as the sum of their children),
some missing, some only through a coarser parent category, or none at all."""


def _level_of(code: str, classification: str) -> int:
    """Depth of a code: NACE 0 (section) to 3 (class); NAICS its number of digits."""
    try:
        if classification == "nace":
            return NACE_LEVELS.index(nace_level(code))
        return naics_digits(code)
    except UnknownCodeError:
        return -1


def _match(code: str, present: set[str], classification: str) -> tuple[list[str], str]:
    """Return the data categories standing for ``code`` and the resolution of the match."""
    if code in present:
        return [code], "exact"
    if classification != "io":
        children = [c for c in present if c.startswith(code) and len(c) > len(code)]
        if children:
            coarsest = min(_level_of(c, classification) for c in children)
            return sorted(c for c in children if _level_of(c, classification) == coarsest), "exact"
        for cut in range(len(code) - 1, 0, -1):
            if code[:cut] in present and _level_of(code[:cut], classification) >= 0:
                return [code[:cut]], "coarser"
    return [], "absent"


def stage_industries(
    chain: ValueChain,
    categories: Iterable[str],
    *,
    classification: str = "nace",
    level: str | int | None = None,
) -> pd.DataFrame:
    """Say which data category stands for each code of each stage.

    Parameters
    ----------
    chain : ValueChain
        The value chain.
    categories : iterable of str
        Industry codes present in the data (NACE in compact form, or NAICS).
    classification : {"nace", "naics", "io"}
        Classification of ``categories``.
    level : str or int, optional
        Use only the data categories of this level: a NACE level name (``"division"``,
        ``"group"``, ``"class"``) or a number of NAICS digits. Default: all categories.

    Returns
    -------
    pandas.DataFrame
        One row per (stage, code, category) with ``stage_order``, ``stage``, ``code``,
        ``category`` (empty when absent) and ``resolution``: ``exact`` (the code itself, or
        the sum of its children at the coarsest level present), ``coarser`` (the data has
        only a parent category, which also holds other activities) or ``absent``.
    """
    check_in(classification, ("nace", "naics", "io"), name="classification")
    present = {str(code) for code in categories}
    if level is not None:
        if classification == "nace":
            check_in(level, NACE_LEVELS, name="level")
            wanted = NACE_LEVELS.index(str(level))
        elif classification == "naics":
            check_in(level, (2, 3, 4, 5, 6), name="level")
            wanted = int(level)
        else:
            raise ParameterError("The 'level' parameter needs classification 'nace' or 'naics'.")
        present = {code for code in present if _level_of(code, classification) == wanted}
    rows = []
    for order, stage in enumerate(chain.stages, start=1):
        for code in stage.codes(classification):
            found, resolution = _match(code, present, classification)
            for category in found or [""]:
                rows.append((order, stage.name, code, category, resolution))
    return pd.DataFrame(rows, columns=["stage_order", "stage", "code", "category", "resolution"])


def _stage_resolution(links: pd.DataFrame) -> pd.DataFrame:
    def summary(group: pd.DataFrame) -> pd.Series:
        kinds = set(group["resolution"])
        if kinds == {"absent"}:
            verdict = "absent"
        elif "coarser" in kinds:
            verdict = "coarser"
        elif "absent" in kinds:
            verdict = "partial"
        else:
            verdict = "exact"
        used = sorted({c for c in group["category"] if c})
        absent = sorted(set(group.loc[group["resolution"] == "absent", "code"]))
        return pd.Series(
            {
                "resolution": verdict,
                "categories": ", ".join(used),
                "absent_codes": ", ".join(absent),
            }
        )

    out = links.groupby("stage", sort=False)[["resolution", "category", "code"]].apply(summary)
    return pd.DataFrame(out)


def stage_strength(
    chain: ValueChain,
    map_frame: pd.DataFrame,
    *,
    classification: str = "nace",
    level: str | int | None = None,
) -> pd.DataFrame:
    r"""Measure each region's strength in each stage of a value chain.

    Parameters
    ----------
    chain : ValueChain
        The value chain.
    map_frame : pandas.DataFrame
        One row per (region, category) for one year, with ``region``, ``category`` (industry
        codes of ``classification``) and ``employment`` (NaN when confidential); optional
        ``region_total`` (T_r, the region's employment over all industries; default: the sum
        of the frame's rows for the region), ``region_name``, ``lq`` and rating columns
        ``stars`` and ``strong``. The frame of
        :func:`~clusteratlas.mapping.service.make_map` fits.
    classification : {"nace", "naics", "io"}
        Classification of the frame's categories.
    level : str or int, optional
        Use only the categories of this level (see :func:`stage_industries`).

    Returns
    -------
    pandas.DataFrame
        One row per (region, stage), chain order then region: ``region``, ``region_name``,
        ``stage_order``, ``stage``, ``stage_title``, ``stage_status``, ``employment``
        (:math:`E_{rs}`), ``region_total``, ``lq``, ``share_of_stage``
        (:math:`E_{rs}/E_s`), ``rank_lq`` (1 = highest LQ among regions with employment),
        ``stars`` (the best star count among the stage's categories; absent without a
        ``stars`` column), ``strong`` (any strong category; idem), ``best_category``,
        ``n_industries``, ``n_missing`` (confidential cells left out of the sum),
        ``categories``, ``resolution``, ``absent_codes`` and ``gap`` (LQ < 1, missing or
        no employment).

    Raises
    ------
    SchemaError
        When a column is missing.
    ParameterError
        When the frame holds several years.

    Notes
    -----
    The stage's employment is the sum over its data categories (each counted once even when
    several codes fall on it), and its location quotient is

    .. math:: LQ_{rs} = \frac{E_{rs} / T_r}{E_s / E}

    with :math:`E_s = \sum_r E_{rs}` and :math:`E = \sum_r T_r` over the regions of the
    frame, computed by :func:`~clusteratlas.measures.location_quotient`. Where the data are
    coarser than a code (Eurostat SBS has NACE divisions only), the code's parent division
    stands for it and the stage is flagged ``resolution="coarser"``: several
    micro-electronics stages then coincide with division C26, and their LQs are the same.
    A region with a confidential value in one of the stage's categories gets the sum of the
    others (``n_missing`` > 0); with all of them confidential its employment is missing.

    References
    ----------
    .. [1] Delgado, M., Porter, M. E., & Stern, S. (2016). Defining clusters of related
       industries. Journal of Economic Geography, 16(1), 1-38.
    .. [2] Ketels, C., & Protsiv, S. (2014). European Cluster Panorama 2014. European
       Cluster Observatory, Stockholm School of Economics.
    """
    if not isinstance(map_frame, pd.DataFrame):
        raise TypeError(
            f"map_frame must be a pandas DataFrame. Got {type(map_frame).__name__} instead."
        )
    check_columns(map_frame, ("region", "category", "employment"), what="map_frame")
    if "year" in map_frame.columns and map_frame["year"].nunique() > 1:
        raise ParameterError(
            "map_frame must hold one year; select it first, e.g. frame[frame['year'] == 2014]."
        )
    frame = map_frame.assign(
        category=map_frame["category"].astype(str),
        employment=map_frame["employment"].astype("float64"),
    )
    links = stage_industries(
        chain, frame["category"].unique(), classification=classification, level=level
    )
    stages = pd.DataFrame(
        {
            "stage_order": range(1, len(chain.stages) + 1),
            "stage": chain.stage_names,
            "stage_title": [stage.title for stage in chain.stages],
            "stage_status": [stage.status for stage in chain.stages],
        }
    ).merge(_stage_resolution(links), left_on="stage", right_index=True, how="left")
    used = links.loc[links["category"] != "", ["stage", "category"]].drop_duplicates()
    regions = pd.Index(frame["region"].unique(), name="region")
    if "region_total" in frame.columns:
        totals = frame.groupby("region", sort=False)["region_total"].max()
    else:
        totals = frame.groupby("region", sort=False)["employment"].sum(min_count=1)
    cells = frame.merge(used, on="category")
    grouped = cells.groupby(["region", "stage"], sort=False)
    agg = pd.DataFrame(
        {
            "employment": grouped["employment"].sum(min_count=1),
            "n_industries": grouped["category"].size(),
            "n_missing": grouped["employment"].apply(lambda s: int(s.isna().sum())),
        }
    )
    grid = pd.MultiIndex.from_product([regions, list(chain.stage_names)], names=["region", "stage"])
    out = agg.reindex(grid).reset_index()
    measured = out["stage"].isin(set(used["stage"]))
    no_row = out["n_industries"].isna() & measured
    out.loc[no_row, "employment"] = 0.0
    out[["n_industries", "n_missing"]] = (
        out[["n_industries", "n_missing"]].fillna(0).astype("int64")
    )
    data = out.loc[measured, ["region", "stage", "employment"]]
    region_totals = totals.rename("total").reindex(regions).reset_index()
    lq = (
        location_quotient(data, category="stage", by=(), region_totals=region_totals)
        if not data.empty
        else data.assign(lq=np.nan, reference_category_total=np.nan)
    )
    out["lq"] = np.nan
    out["share_of_stage"] = np.nan
    out.loc[measured, "lq"] = lq["lq"].to_numpy()
    share = lq["employment"].to_numpy() / lq["reference_category_total"].to_numpy(dtype="float64")
    out.loc[measured, "share_of_stage"] = share
    out["region_total"] = out["region"].map(totals)
    with_jobs = out["employment"].gt(0) & out["lq"].notna()
    out["rank_lq"] = (
        out["lq"].where(with_jobs).groupby(out["stage"]).rank(ascending=False, method="min")
    ).astype("Int64")
    out = out.merge(_ratings(frame, used), on=["region", "stage"], how="left")
    out["gap"] = ~(out["lq"].ge(1.0) & out["employment"].gt(0))
    names = (
        frame.drop_duplicates("region").set_index("region")["region_name"]
        if "region_name" in frame.columns
        else pd.Series(dtype="str")
    )
    out["region_name"] = out["region"].map(lambda code: names.get(code, code))
    out = out.merge(stages, on="stage", how="left")
    columns = [
        "region",
        "region_name",
        "stage_order",
        "stage",
        "stage_title",
        "stage_status",
        "employment",
        "region_total",
        "lq",
        "share_of_stage",
        "rank_lq",
        *[c for c in ("stars", "strong") if c in out.columns],
        "best_category",
        "n_industries",
        "n_missing",
        "categories",
        "resolution",
        "absent_codes",
        "gap",
    ]
    return out[columns].sort_values(["stage_order", "region"], ignore_index=True)


def _ratings(frame: pd.DataFrame, used: pd.DataFrame) -> pd.DataFrame:
    """Best rating per (region, stage): max stars, any strong, the best category."""
    cells = frame.merge(used, on="category")
    keys = ["region", "stage"]
    order = [c for c in ("stars", "lq", "employment") if c in cells.columns]
    best = cells.sort_values(order, ascending=False, na_position="last").drop_duplicates(keys)
    out = best[[*keys, "category"]].rename(columns={"category": "best_category"})
    if "stars" in cells.columns:
        stars = cells.groupby(keys)["stars"].max().rename("stars").reset_index()
        out = out.merge(stars, on=keys)
    if "strong" in cells.columns:
        strong = cells.groupby(keys)["strong"].any().rename("strong").reset_index()
        out = out.merge(strong, on=keys)
    return out


def region_gaps(strength: pd.DataFrame) -> pd.DataFrame:
    """Summarise each region's coverage of the chain: strong stages and gaps.

    Parameters
    ----------
    strength : pandas.DataFrame
        The output of :func:`stage_strength`.

    Returns
    -------
    pandas.DataFrame
        One row per region: ``region``, ``region_name``, ``n_stages``, ``n_covered``
        (stages with LQ ≥ 1 and employment), ``covered`` and ``gaps`` (stage names in chain
        order, joined by ``", "``), sorted by ``n_covered`` (descending) then region.
    """
    check_columns(
        strength, ("region", "region_name", "stage", "stage_order", "gap"), what="strength"
    )
    ordered = strength.sort_values(["region", "stage_order"])

    def summary(group: pd.DataFrame) -> pd.Series:
        covered = list(group.loc[~group["gap"], "stage"])
        gaps = list(group.loc[group["gap"], "stage"])
        return pd.Series(
            {
                "region_name": group["region_name"].iloc[0],
                "n_stages": len(group),
                "n_covered": len(covered),
                "covered": ", ".join(covered),
                "gaps": ", ".join(gaps),
            }
        )

    cols = ["region_name", "stage", "gap"]
    out = ordered.groupby("region", sort=False)[cols].apply(summary).reset_index()
    return out.sort_values(["n_covered", "region"], ascending=[False, True], ignore_index=True)


def resolution_notes(strength: pd.DataFrame) -> list[str]:
    """Return caveats on the data resolution of a :func:`stage_strength` frame.

    Names the stages mapped to a coarser category, those with codes absent from the data,
    and the groups of stages that fall on the same data categories (they are then not
    distinguishable in the data).
    """
    stages = strength.drop_duplicates("stage").sort_values("stage_order")
    notes = []
    for _, row in stages.iterrows():
        if row["resolution"] == "coarser":
            notes.append(
                f"Stage {row['stage']!r} is measured through the coarser categories "
                f"{row['categories']} (the data are not detailed enough)."
            )
        elif row["resolution"] in ("absent", "partial"):
            notes.append(f"Stage {row['stage']!r}: codes not in the data: {row['absent_codes']}.")
    same = stages[stages["categories"].fillna("") != ""].groupby("categories", sort=False)["stage"]
    for categories, names in same:
        if len(names) > 1:
            notes.append(
                f"Stages {', '.join(names)} fall on the same data categories ({categories}) and "
                "cannot be told apart in these data."
            )
    return notes


__all__ = ["RESOLUTIONS", "region_gaps", "resolution_notes", "stage_industries", "stage_strength"]
