"""Statistics ↔ organisations: mapping results of a region, organisations of a region.

A *map frame* is :attr:`clusteratlas.mapping.service.MapResult.frame` (columns ``region``,
``category``, optionally ``category_label``, ``lq``, ``employment``, ``strong`` …); the caller
builds it (``make_map``) and passes it in, so loading stays under the caller's control. An
organisation's categories are matched against ``category`` and ``category_label``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from clusteratlas._validation import check_columns
from clusteratlas.registry.models import Organisation, Tag


@dataclass(frozen=True)
class OrganisationStatistics:
    """The rows of a map frame for an organisation's region and categories.

    Attributes
    ----------
    frame : pandas.DataFrame
        Matching rows (empty when nothing matches).
    note : str
        Why the frame is empty, or an empty string.
    """

    frame: pd.DataFrame
    note: str = ""


def category_rows(map_frame: pd.DataFrame, *, region: str, categories: list[str]) -> pd.DataFrame:
    """Return the rows of ``map_frame`` for ``region`` whose category or label is in ``categories``."""
    check_columns(map_frame, ["region", "category"], what="map frame")
    wanted = set(categories)
    in_category = map_frame["category"].astype(str).isin(wanted)
    if "category_label" in map_frame.columns:
        in_category |= map_frame["category_label"].astype(str).isin(wanted)
    return map_frame[(map_frame["region"].astype(str) == region) & in_category].reset_index(
        drop=True
    )


def organisation_statistics(
    organisation: Organisation, *, map_frame: pd.DataFrame
) -> OrganisationStatistics:
    """Return the mapping results of the organisation's region for its categories.

    Parameters
    ----------
    organisation : Organisation
    map_frame : pandas.DataFrame
        A map frame (see the module notes).

    Returns
    -------
    OrganisationStatistics
        With a note when the region or the categories are unknown (never guessed).
    """
    categories = organisation.tag_values("category")
    if organisation.region is None:
        return OrganisationStatistics(
            map_frame.iloc[0:0].copy(), "The organisation's region is not known."
        )
    if not categories:
        return OrganisationStatistics(
            map_frame.iloc[0:0].copy(), "The organisation has no cluster category."
        )
    rows = category_rows(map_frame, region=organisation.region, categories=categories)
    note = (
        ""
        if len(rows)
        else f"The map has no row for region {organisation.region} in these categories."
    )
    return OrganisationStatistics(rows, note)


def regional_prefill(
    organisation: Organisation, *, map_frame: pd.DataFrame, map_label: str
) -> dict[str, tuple[float, str]]:
    """Return the label pre-fill facts of the organisation's region (``region_lq``).

    The location quotients of the organisation's region in its cluster categories, read
    from ``map_frame`` (:func:`organisation_statistics`), reduced by
    :func:`clusteratlas.labels.regional_facts`; empty when the region or the categories
    are unknown or the map has no row for them.

    Parameters
    ----------
    organisation : Organisation
    map_frame : pandas.DataFrame
        A map frame (see the module notes).
    map_label : str
        How the source text names the map, e.g. ``"Eurostat SBS 2014, divisions, eco2007"``.
    """
    from clusteratlas.labels.assessment import regional_facts

    rows = organisation_statistics(organisation, map_frame=map_frame).frame
    if rows.empty or organisation.region is None:
        return {}
    quotients = dict(zip(rows["category"].astype(str), rows["lq"], strict=True))
    return regional_facts(quotients, region=organisation.region, source=map_label)


def organisations_in_region(
    session: Session, *, region: str, category: str | None = None
) -> list[Organisation]:
    """Return the organisations whose region code or name is ``region``, ordered by name.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
    region : str
        A NUTS-2 / CBSA code or a stored region name.
    category : str, optional
        Keep organisations with this cluster category only.
    """
    query = select(Organisation).where(
        or_(Organisation.region == region, Organisation.region_name == region)
    )
    if category is not None:
        query = query.where(
            Organisation.tags.any((Tag.kind == "category") & (Tag.value == category))
        )
    return list(session.scalars(query.order_by(Organisation.name, Organisation.id)))
