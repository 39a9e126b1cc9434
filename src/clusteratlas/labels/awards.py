"""Award rules without a database: validity and expiry of labels, labels about to expire.

Validity comes from the scheme's level (:class:`~clusteratlas.labels.schemes.Level`):

* ``validity_from = "day"``: valid from the award date for ``validity_months`` months, to
  the day before the same date that many months later (1 Mar 2024 + 24 months → 28 Feb 2026;
  from 29 Feb 2024, whose anniversary is 1 Mar 2026, also → 28 Feb 2026).
* ``validity_from = "month"`` (ESCA Bronze, "valid 2 years from the interview month"):
  to the last day of the interview month that many months later (interview 12 Mar 2024 →
  31 Mar 2026). This reading of the wording is ours.
* ``ends_on`` caps the validity (a pôle labelled for phase V ends with the phase).
* A renewal (``renewal_window_months``, ``renewal_validity_months``: ESCA Bronze renewable
  up to 1 year after expiry, validity then extended by 3 years) awarded within the window
  after the previous expiry is valid for the renewal validity instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd

from clusteratlas._validation import check_columns
from clusteratlas.errors import ParameterError
from clusteratlas.labels.schemefile import load_scheme
from clusteratlas.labels.schemes import LabelScheme

AWARD_COLUMNS: tuple[str, ...] = ("organisation_id", "scheme", "level", "awarded")
"""Columns a table of awards needs (``valid_until`` optional: computed when missing)."""


def _add_months(day: dt.date, months: int) -> dt.date:
    return (pd.Timestamp(day) + pd.DateOffset(months=months)).date()


def label_validity(
    scheme: LabelScheme,
    *,
    level: str,
    awarded: dt.date,
    previous_expiry: dt.date | None = None,
) -> dt.date | None:
    """Return the last day a label awarded on ``awarded`` is valid (``None``: no expiry known).

    Parameters
    ----------
    scheme : LabelScheme
    level : str
        The level awarded (case-insensitive).
    awarded : datetime.date
        The award date (for ESCA Bronze: the interview date).
    previous_expiry : datetime.date, optional
        The expiry of the label this one renews; within the level's renewal window the
        renewal validity applies.

    Raises
    ------
    ParameterError
        For a level the scheme does not have.

    Examples
    --------
    >>> bronze = load_scheme("esca-bronze")
    >>> label_validity(bronze, level="Bronze", awarded=dt.date(2024, 3, 12))
    datetime.date(2026, 3, 31)
    """
    try:
        rule = scheme.level(level)
    except KeyError:
        names = ", ".join(repr(lv.name) for lv in scheme.levels)
        raise ParameterError(
            f"Scheme {scheme.label} has no level {level!r}; its levels are {names}."
        ) from None
    months = rule.validity_months
    if (
        previous_expiry is not None
        and rule.renewal_window_months is not None
        and previous_expiry < awarded <= _add_months(previous_expiry, rule.renewal_window_months)
    ):
        months = rule.renewal_validity_months
    end: dt.date | None = None
    if months is not None:
        if rule.validity_from == "month":
            first = awarded.replace(day=1)
            end = _add_months(first, months + 1) - dt.timedelta(days=1)
        else:
            anniversary = _add_months(awarded, months)
            if anniversary.day != awarded.day:  # 29 Feb, 31st: the anniversary is the 1st after
                anniversary += dt.timedelta(days=1)
            end = anniversary - dt.timedelta(days=1)
    if rule.ends_on is not None:
        end = rule.ends_on if end is None else min(end, rule.ends_on)
    return end


def expiring_labels(
    awards: pd.DataFrame,
    *,
    today: dt.date,
    within_months: int = 6,
    schemes: Mapping[str, LabelScheme] | None = None,
) -> pd.DataFrame:
    """List the labels that are valid on ``today`` and expire within ``within_months``.

    Parameters
    ----------
    awards : pandas.DataFrame
        One row per label: :data:`AWARD_COLUMNS` (``awarded`` a date or ISO text) and an
        optional ``valid_until``; where it is missing it is computed with
        :func:`label_validity` from the scheme (a built-in id, or one of ``schemes``).
    today : datetime.date
    within_months : int, default 6
    schemes : mapping, optional
        Scheme id → scheme, for schemes that are not built in.

    Returns
    -------
    pandas.DataFrame
        The rows expiring on or before ``today + within_months``, soonest first, with
        ``valid_until`` and ``days_left``.
    """
    if not isinstance(within_months, int) or within_months < 0:
        raise ParameterError(
            f"The 'within_months' parameter must be an int in [0, inf). Got {within_months!r} instead."
        )
    check_columns(awards, AWARD_COLUMNS, what="awards")
    known = dict(schemes or {})
    ends: list[dt.date | None] = []
    given = (
        awards["valid_until"]
        if "valid_until" in awards.columns
        else pd.Series(None, index=awards.index)
    )
    for (i, row), until in zip(awards.iterrows(), given, strict=True):
        if until is not None and until == until and str(until) != "":
            ends.append(pd.Timestamp(until).date())
            continue
        scheme_id = str(row["scheme"])
        if scheme_id not in known:
            known[scheme_id] = load_scheme(scheme_id)
        try:
            awarded = pd.Timestamp(row["awarded"]).date()
        except (TypeError, ValueError) as err:
            raise ParameterError(
                f"awards, row {i}: 'awarded' must be a date; got {row['awarded']!r}."
            ) from err
        ends.append(label_validity(known[scheme_id], level=str(row["level"]), awarded=awarded))
    out = awards.copy()
    out["valid_until"] = ends
    horizon = _add_months(today, within_months)
    keep = out["valid_until"].map(lambda d: d is not None and today <= d <= horizon)
    out = out.loc[keep.astype(bool)].copy()
    out["days_left"] = [(d - today).days for d in out["valid_until"]]
    return out.sort_values(["valid_until", "organisation_id"], kind="stable").reset_index(drop=True)


__all__ = ["AWARD_COLUMNS", "expiring_labels", "label_validity"]
