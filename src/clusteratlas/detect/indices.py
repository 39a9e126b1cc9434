"""Tables of agglomeration and coagglomeration indices for every industry and areal level."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from clusteratlas._validation import check_columns, check_interval
from clusteratlas.data.establishments import naf_codes
from clusteratlas.errors import ParameterError
from clusteratlas.measures.agglomeration import (
    coagglomeration,
    ellison_glaeser,
    maurel_sedillot,
    micro_locational_gini,
)

AGGLOMERATION_COLUMNS: tuple[str, ...] = (
    "level",
    "industry",
    "n_plants",
    "employment",
    "H",
    "G",
    "gamma",
    "sd_gamma",
    "expected_G",
    "G_ms",
    "gamma_ms",
    "gamma_gap",
    "gini",
)


def _recode(
    establishments: pd.DataFrame, industry: str, industry_level: str, levels: Sequence[str]
) -> pd.DataFrame:
    if isinstance(levels, str):
        raise TypeError(
            f"The 'levels' parameter must be a sequence of column names. Got the str {levels!r}; "
            f"write levels=({levels!r},) instead."
        )
    if not levels:
        raise ParameterError("The 'levels' parameter must name at least one region column.")
    check_columns(establishments, [industry, *levels], what="establishments")
    codes = naf_codes(establishments[industry], industry_level)
    return establishments.assign(**{industry: codes})


def agglomeration_table(
    establishments: pd.DataFrame,
    *,
    levels: Sequence[str] = ("iris", "commune"),
    industry_level: str = "naf",
    industry: str = "industry",
    weight: str | None = "weight",
    missing: str = "raise",
) -> pd.DataFrame:
    """Compute the EG, MS and locational Gini indices of every industry at each areal level.

    Parameters
    ----------
    establishments : pandas.DataFrame
        Canonical establishments table (one row per plant); not modified.
    levels : sequence of str, default ("iris", "commune")
        Region columns, one areal level each.
    industry_level : {"naf", "class", "group", "division"}, default "naf"
        ``"naf"`` takes the industry codes as they are; the others aggregate NAF rév. 2
        sub-classes (``"6420Z"``) to classes (``"64.20"``), groups (``"64.2"``) or
        divisions (``"64"``).
    industry, weight : str
        Columns of the industry code and of the employees (``weight=None`` counts plants).
    missing : {"raise", "drop"}, default "raise"
        What to do with plants whose weight (an unknown INSEE band ``NN``), industry or
        region is missing.

    Returns
    -------
    pandas.DataFrame
        One row per (level, industry), levels in the given order and industries sorted:
        :data:`AGGLOMERATION_COLUMNS` — ``gamma``, ``sd_gamma`` and ``expected_G`` of
        :func:`~clusteratlas.measures.agglomeration.ellison_glaeser`, ``G_ms`` and
        ``gamma_ms`` of :func:`~clusteratlas.measures.agglomeration.maurel_sedillot`,
        ``gamma_gap`` = ``gamma_ms - gamma``, ``gini`` of
        :func:`~clusteratlas.measures.agglomeration.micro_locational_gini`.

    Notes
    -----
    MS is lower than EG only for an industry under-represented in the large areas, and
    higher for one crowding into them (see
    :func:`~clusteratlas.measures.agglomeration.maurel_sedillot`). A large negative
    ``gamma_gap`` beside a high EG γ says the industry is "localised" mostly by avoiding
    the dominant area (vineyards and farms around a city), not by clustering together.

    Raises
    ------
    SchemaError, ParameterError, UnknownCodeError
        From the measures and from the recoding of NAF codes.
    """
    frame = _recode(establishments, industry, industry_level, levels)
    tables = []
    for level in levels:
        options: dict[str, Any] = {
            "region": level,
            "industry": industry,
            "weight": weight,
            "missing": missing,
        }
        eg = ellison_glaeser(frame, **options)
        ms = maurel_sedillot(frame, **options)[[industry, "G_ms", "gamma_ms"]]
        gini = micro_locational_gini(frame, **options)
        table = eg.merge(ms, on=industry, how="left").merge(gini, on=industry, how="left")
        table["gamma_gap"] = table["gamma_ms"] - table["gamma"]
        tables.append(table.rename(columns={industry: "industry"}).assign(level=level))
    return pd.concat(tables, ignore_index=True)[list(AGGLOMERATION_COLUMNS)]


def coagglomeration_table(
    establishments: pd.DataFrame,
    *,
    levels: Sequence[str] = ("iris", "commune"),
    industry_level: str = "naf",
    pairs: int | Sequence[tuple[str, str]] | None = None,
    min_plants: int = 1,
    industry: str = "industry",
    weight: str | None = "weight",
    missing: str = "raise",
) -> pd.DataFrame:
    """Compute the Ellison–Glaeser–Kerr coagglomeration of industry pairs at each level.

    Parameters
    ----------
    establishments, levels, industry_level, industry, weight, missing
        As in :func:`agglomeration_table`.
    pairs : int, sequence of (str, str) or None, default None
        ``None``: every pair of distinct industries; an int n: only the n most
        coagglomerated pairs of each level; a sequence: those pairs.
    min_plants : int, default 1
        Leave out pairs with an industry of fewer plants (at ``industry_level``); tiny
        industries give the noisiest indices. The shares :math:`x_i` still count every plant.

    Returns
    -------
    pandas.DataFrame
        Columns ``level``, ``industry_a``, ``industry_b``, ``gamma_c``, ``n_plants_a``,
        ``n_plants_b``; per level sorted by decreasing ``gamma_c``.
    """
    check_interval(min_plants, name="min_plants", low=1)
    top = pairs if isinstance(pairs, int) and not isinstance(pairs, bool) else None
    if top is not None:
        check_interval(top, name="pairs", low=1)
    chosen = None if top is not None or pairs is None else pairs
    assert not isinstance(chosen, int)
    frame = _recode(establishments, industry, industry_level, levels)
    tables = []
    for level in levels:
        options: dict[str, Any] = {"region": level, "industry": industry, "weight": weight}
        table = coagglomeration(frame, pairs=chosen, missing=missing, **options)
        counts = ellison_glaeser(frame, missing=missing, **options).set_index(industry)["n_plants"]
        table.columns = ["industry_a", "industry_b", "gamma_c"]
        table["n_plants_a"] = table["industry_a"].map(counts).astype("int64")
        table["n_plants_b"] = table["industry_b"].map(counts).astype("int64")
        table = table[(table["n_plants_a"] >= min_plants) & (table["n_plants_b"] >= min_plants)]
        table = table.sort_values("gamma_c", ascending=False, kind="mergesort")
        tables.append((table.head(top) if top is not None else table).assign(level=level))
    columns = ["level", "industry_a", "industry_b", "gamma_c", "n_plants_a", "n_plants_b"]
    return pd.concat(tables, ignore_index=True)[columns]


__all__ = ["AGGLOMERATION_COLUMNS", "agglomeration_table", "coagglomeration_table"]
