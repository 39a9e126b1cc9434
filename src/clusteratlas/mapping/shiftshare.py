"""Shift-share analysis of a source's regions between two of its years (a service).

Loads a source the way ``clusteratlas map`` does (:mod:`.sources`), runs
:func:`~clusteratlas.measures.shift_share` (or its dynamic version) on the years the source
holds and sums the decomposed categories per region. Generic over sources: EU SBS holds
2008–2015 in one file; County Business Patterns is read from its file of each year
(2012–2022; the NAICS vintage changes in 2017 and 2022, so codes that changed show as
``missing``/``entry`` rather than being decomposed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, cast

import pandas as pd

from clusteratlas._validation import check_in
from clusteratlas.errors import ParameterError, UnknownCodeError
from clusteratlas.mapping.sources import (
    Source,
    get_source,
    load_definitions,
    load_observations,
)
from clusteratlas.measures.shiftshare import (
    COMPONENTS,
    Method,
    dynamic_shift_share,
    shift_share,
)
from clusteratlas.store import Store


@dataclass(frozen=True)
class ShiftShareReport:
    """A shift-share table of a source and its per-region sums.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per (region, category): the columns of
        :func:`~clusteratlas.measures.shift_share` plus ``category_label``.
    totals : pandas.DataFrame
        One row per region: the sums of ``change`` and of each effect over its ``ok``
        categories, and the number of categories per status.
    effects : tuple of str
        The effect columns (``national``, ``mix``, ``competitive`` [, ``allocation``]).
    attribution : list of str
        Attribution texts of the data sets used.
    years : tuple of int
        The years the source holds.
    """

    table: pd.DataFrame
    totals: pd.DataFrame
    effects: tuple[str, ...]
    attribution: list[str]
    years: tuple[int, ...]


def _labels(source_name: str) -> dict[str, str]:
    """Industry code → label from the source's default (industry-level) definitions."""
    definitions = load_definitions(get_source(source_name))
    if "category_label" not in definitions.columns:
        return {}
    pairs = definitions[["industry", "category_label"]].drop_duplicates("industry")
    return dict(
        zip(pairs["industry"].astype(str), pairs["category_label"].astype(str), strict=True)
    )


def _observations(
    source: Source, *, start: int, end: int, dynamic: bool, store: Store | None
) -> pd.DataFrame:
    """Return the source's observations for the years a decomposition needs.

    A source published as one file per year (County Business Patterns) is read year by
    year: the two end years, or every year between them for a dynamic decomposition.
    """
    if not source.datasets_by_year:
        return load_observations(source, store=store)
    wanted = range(min(start, end), max(start, end) + 1) if dynamic else sorted({start, end})
    held = sorted(source.datasets_by_year)
    missing = [year for year in wanted if year not in source.datasets_by_year]
    if missing:
        raise ParameterError(
            f"{source.name} has no data for {', '.join(map(str, missing))}; "
            f"it holds {held[0]}–{held[-1]}."
        )
    return pd.concat(
        [load_observations(source, store=store, year=year) for year in wanted],
        ignore_index=True,
    )


def source_shift_share(
    source: str,
    *,
    start: int,
    end: int,
    region: str | None = None,
    method: str = "dunn",
    dynamic: bool = False,
    reference: str = "all",
    store: Store | None = None,
) -> ShiftShareReport:
    """Decompose every region's employment change by industry between two years.

    Parameters
    ----------
    source : str
        ``eu-sbs`` or ``us-cbp``.
    start, end : int
        The two years; both must be in the source.
    region : str, optional
        Keep only this region in the result (the reference economy is unchanged).
    method : {"dunn", "esteban-marquillas"}, default "dunn"
        The decomposition (see :func:`~clusteratlas.measures.shift_share`).
    dynamic : bool, default False
        Sum year-by-year decompositions (every year between must be in the source).
    reference : {"all", "country"}, default "all"
        The reference economy: every region of the source, or the region's own country
        (the first two characters of a NUTS code; ``eu-sbs`` only).
    store : Store, optional
        Where parsed observations are cached.

    Returns
    -------
    ShiftShareReport

    Raises
    ------
    ParameterError
        When a year is not in the source (the message lists those it holds) or an option
        is unknown.
    UnknownCodeError
        When ``region`` is not in the source.
    """
    check_in(reference, ("all", "country"), name="reference")
    check_in(method, tuple(COMPONENTS), name="method")
    chosen_method = cast("Method", method)
    chosen = get_source(source)
    if reference == "country" and chosen.name != "eu-sbs":
        raise ParameterError("The '--reference country' option needs NUTS regions (eu-sbs).")
    observations = _observations(chosen, start=start, end=end, dynamic=dynamic, store=store)
    years = tuple(sorted(int(y) for y in pd.unique(observations["year"])))
    for year in (start, end):
        if year not in years:
            raise ParameterError(
                f"{chosen.name} has no data for {year}; it holds {', '.join(map(str, years))}."
            )
    if region is not None and region not in set(observations["region"]):
        raise UnknownCodeError(f"Region {region!r} is not in {chosen.name}.")
    flags = "employment_flag" if "employment_flag" in observations.columns else None
    absent: Literal["missing", "zero"] = "zero" if chosen.absent_is_zero else "missing"

    def decompose(frame: pd.DataFrame) -> pd.DataFrame:
        if dynamic:
            return dynamic_shift_share(
                frame, start=start, end=end, category="industry", method=chosen_method,
                flags=flags, absent=absent,
            )  # fmt: skip
        return shift_share(
            frame, start=start, end=end, category="industry", method=chosen_method,
            flags=flags, absent=absent,
        )  # fmt: skip

    if reference == "country":
        country = observations["region"].str[:2]
        wanted = [region[:2]] if region is not None else sorted(country.unique())
        table = pd.concat(
            [decompose(observations[country == code]) for code in wanted], ignore_index=True
        )
    else:
        table = decompose(observations)
    if region is not None:
        table = table[table["region"] == region].reset_index(drop=True)
    table.insert(2, "category_label", table["industry"].map(_labels(chosen.name)))
    effects = COMPONENTS[chosen_method]
    ok = table[table["status"] == "ok"]
    totals = ok.groupby("region", sort=True)[["change", *effects]].sum()
    counts = table.groupby(["region", "status"]).size().unstack(fill_value=0)
    totals = totals.join(counts, how="outer").fillna(0.0).reset_index()
    return ShiftShareReport(
        table=table,
        totals=totals,
        effects=effects,
        attribution=chosen.attribution(year=end)
        if chosen.datasets_by_year
        else chosen.attribution(),
        years=years,
    )


__all__ = ["ShiftShareReport", "source_shift_share"]
