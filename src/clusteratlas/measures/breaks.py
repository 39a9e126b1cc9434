r"""Series breaks: when a change between two years is not growth but a change of definition.

Regional business statistics carry flags (Eurostat: ``b`` break in time series, ``d``
definition differs, ``e`` estimated) and jump where a unit is reclassified; a growth rate
computed across such a break is misleading. :func:`growth_breaks` says which (region,
category) series cannot give a growth figure, and why.
"""

from __future__ import annotations

import pandas as pd

from clusteratlas._validation import check_columns
from clusteratlas.errors import ParameterError
from clusteratlas.measures.growth import _check_year
from clusteratlas.measures.specialisation import _check_table

#: Eurostat flags after which a value does not compare with another year's: ``b`` break in
#: time series, ``d`` definition differs, ``e`` estimated. ``p`` (provisional), ``u`` (low
#: reliability) and ``i`` (see metadata) are kept as numbers; ``c`` is already missing.
BREAK_FLAGS = "bde"
FLAG_MEANINGS = {"b": "break in time series", "d": "definition differs", "e": "estimated"}
#: Default year-on-year factor beyond which a change is taken for a break (×3 or ÷3 in one
#: year: a reclassification or a change of source rather than growth).
MAX_YEARLY_FACTOR = 3.0


def growth_breaks(
    data: pd.DataFrame,
    *,
    region: str = "region",
    category: str = "category",
    value: str = "employment",
    flag: str | None = "employment_flag",
    year: str = "year",
    start: int,
    end: int,
    break_flags: str = BREAK_FLAGS,
    max_factor: float | None = MAX_YEARLY_FACTOR,
) -> pd.DataFrame:
    r"""Say which (region, category) series cannot give a growth figure from ``start`` to ``end``.

    A series is a *break*, not a number, when

    1. its ``start`` or ``end`` value carries one of ``break_flags`` (Eurostat ``b`` break
       in time series, ``d`` definition differs, ``e`` estimated, by default);
    2. a year in ``(start, end]`` carries ``b`` (Eurostat puts it on the first value after
       the break, so the series changes definition inside the period);
    3. the value changes by more than ``max_factor`` (up or down) between two consecutive
       years with a positive value in ``[start, end]``.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy table, one row per (``region``, ``category``, ``year``), holding every year of
        the period (not only its ends) and a ``flag`` column of flag letters (``""`` or
        missing when none; an aggregate carries the letters of all its members).
    region, category, value, flag, year : str
        Column labels; ``flag=None`` checks the jumps only (data without flags).
    start, end : int
        The growth period.
    break_flags : str
        Flag letters that make an end value unusable for growth.
    max_factor : float or None
        Largest year-on-year factor taken for growth (> 1); ``None`` disables the check.

    Returns
    -------
    pandas.DataFrame
        One row per (region, category) with ``growth_note``: ``""`` when growth can be
        computed, else why not (e.g. ``"break: 2009 value flagged d (definition differs)"``).

    Raises
    ------
    ParameterError
        When ``end <= start`` or ``max_factor <= 1``.

    Notes
    -----
    Eurostat's flags are documented in its "Codes and labels" note (Eurostat, *Flags and
    special values*). The jump rule is a heuristic: :math:`E_t / E_{t-1} > k` or
    :math:`< 1/k` with :math:`k` = ``max_factor`` (3 by default) flags changes that
    regional statistics show at reclassifications (e.g. Dresden, C29, 2012 → 2013: ×7).

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame(
    ...     {
    ...         "region": ["A", "A", "B", "B"],
    ...         "category": ["x"] * 4,
    ...         "year": [2009, 2010, 2009, 2010],
    ...         "employment": [100.0, 110.0, 100.0, 500.0],
    ...         "employment_flag": ["d", "", "", ""],
    ...     }
    ... )
    >>> growth_breaks(data, start=2009, end=2010)["growth_note"].tolist()
    ['break: 2009 value flagged d (definition differs)', 'break: ×5.0 from 2009 to 2010 (beyond ×3)']
    """
    first = _check_year(start, name="start")
    last = _check_year(end, name="end")
    if last <= first:
        raise ParameterError(
            f"The 'end' parameter must be a year after 'start' ({first}). Got {last} instead."
        )
    if max_factor is not None and not max_factor > 1.0:
        raise ParameterError(
            f"The 'max_factor' parameter must be a number above 1. Got {max_factor!r} instead."
        )
    columns = [region, category, year, value, *([flag] if flag else [])]
    _check_table(data, [region, category, year], [value], what="data")
    if flag:
        check_columns(data, [flag], what="data")
    period = data.loc[data[year].between(first, last), columns].copy()
    period = period.sort_values([region, category, year], kind="stable")
    notes: dict[tuple[object, object], str] = {}

    def note(key: tuple[object, object], text: str) -> None:
        notes.setdefault(key, text)

    if flag:
        letters = period[flag].astype(object).fillna("").astype(str)
        for letter in break_flags:
            at_ends = period[year].isin([first, last]) & letters.str.contains(letter, regex=False)
            for key, when in zip(
                zip(period.loc[at_ends, region], period.loc[at_ends, category], strict=True),
                period.loc[at_ends, year],
                strict=True,
            ):
                meaning = FLAG_MEANINGS.get(letter, "flagged")
                note(key, f"break: {int(when)} value flagged {letter} ({meaning})")
        if "b" in break_flags:
            inside = period[year].gt(first) & letters.str.contains("b", regex=False)
            for key, when in zip(
                zip(period.loc[inside, region], period.loc[inside, category], strict=True),
                period.loc[inside, year],
                strict=True,
            ):
                note(key, f"break: series break (b) in {int(when)}")
    if max_factor is not None:
        positive = period[period[value].astype("float64") > 0]
        previous = positive.groupby([region, category], sort=False)[[value, year]].shift(1)
        ratio = positive[value].astype("float64") / previous[value].astype("float64")
        jumps = (ratio > max_factor) | (ratio < 1.0 / max_factor)
        for key, before, after, factor in zip(
            zip(positive.loc[jumps, region], positive.loc[jumps, category], strict=True),
            previous.loc[jumps, year],
            positive.loc[jumps, year],
            ratio[jumps],
            strict=True,
        ):
            shown = f"×{factor:.1f}" if factor > 1 else f"÷{1.0 / factor:.1f}"
            note(key, f"break: {shown} from {int(before)} to {int(after)} (beyond ×{max_factor:g})")
    keys = period[[region, category]].drop_duplicates().reset_index(drop=True)
    keys["growth_note"] = [
        notes.get((r, c), "") for r, c in zip(keys[region], keys[category], strict=True)
    ]
    return keys.sort_values([region, category], ignore_index=True)


__all__ = ["BREAK_FLAGS", "FLAG_MEANINGS", "MAX_YEARLY_FACTOR", "growth_breaks"]
