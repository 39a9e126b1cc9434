"""Partner recommendations: rank organisations by complementarity to a seeker.

Three components, each in [0, 1] with a sentence that explains it:

* **related clusters**: a candidate category strongly related to one of the seeker's scores
  1, weakly related 0.5 (pairs from :func:`clusteratlas.data.definitions.related_clusters`,
  passed in as ``related``); the same category scores 0.25 (peers rather than complements);
* **value chain**: in a chain both organisations work in (``chain:stage`` tags), the share of
  the chain's stages the candidate covers and the seeker lacks;
* **regional strength**: from a map frame passed in, ``min(1, LQ / 2)`` of the candidate's
  region in its categories, at least 0.75 for a strong cluster (``strong`` true).

The score is the weighted sum (:data:`DEFAULT_WEIGHTS`). Without ``related`` or ``map_frame``
the component is 0 and says why. Loading data stays with the caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from clusteratlas._validation import check_columns
from clusteratlas.errors import ParameterError
from clusteratlas.registry.models import Organisation
from clusteratlas.registry.services import get_organisation
from clusteratlas.registry.stats import category_rows

DEFAULT_WEIGHTS = {"related": 0.4, "value_chain": 0.35, "region": 0.25}
STRENGTH_SCORE = {"strong": 1.0, "weak": 0.5}
SAME_CATEGORY_SCORE = 0.25


@dataclass(frozen=True)
class Component:
    """One part of a recommendation score: its name, value in [0, 1] and explanation."""

    name: str
    score: float
    explanation: str


@dataclass(frozen=True)
class Recommendation:
    """A recommended partner with its total score and components."""

    organisation_id: int
    name: str
    score: float
    components: tuple[Component, ...]

    @property
    def explanation(self) -> str:
        """All component explanations, one sentence each."""
        return " ".join(c.explanation for c in self.components)


@cache
def _chain_length(chain: str) -> int | None:
    from clusteratlas.valuechains import list_chains, load_chain

    return len(load_chain(chain).stage_names) if chain in list_chains() else None


def _pairs(related: pd.DataFrame | None) -> dict[tuple[str, str], str]:
    if related is None:
        return {}
    check_columns(related, ["category", "related", "strength"], what="related clusters")
    pairs: dict[tuple[str, str], str] = {}
    for a, b, strength in related[["category", "related", "strength"]].itertuples(index=False):
        for key in ((str(a), str(b)), (str(b), str(a))):
            if STRENGTH_SCORE.get(str(strength), 0) > STRENGTH_SCORE.get(pairs.get(key, ""), 0):
                pairs[key] = str(strength)
    return pairs


def _related(
    mine: list[str], theirs: list[str], pairs: dict[tuple[str, str], str], given: bool
) -> Component:
    if not given:
        return Component("related", 0.0, "No related-cluster table was given.")
    best = (0.0, "No category related to yours.")
    for a in mine:
        for b in theirs:
            if a == b:
                found = (SAME_CATEGORY_SCORE, f"Same category {a!r} as yours (a peer).")
            elif (a, b) in pairs:
                found = (
                    STRENGTH_SCORE[pairs[a, b]],
                    f"{b!r} is {pairs[a, b]}ly related to your {a!r}.",
                )
            else:
                continue
            best = max(best, found, key=lambda item: item[0])
    return Component("related", best[0], best[1])


def _chains(stages: list[str]) -> dict[str, set[str]]:
    chains: dict[str, set[str]] = {}
    for value in stages:
        chain, _, stage = value.partition(":")
        chains.setdefault(chain, set()).add(stage)
    return chains


def _value_chain(mine: list[str], theirs: list[str]) -> Component:
    seeker, candidate = _chains(mine), _chains(theirs)
    best = (0.0, "No value-chain stage that you lack in a chain you share.")
    for chain in sorted(seeker.keys() & candidate.keys()):
        new = sorted(candidate[chain] - seeker[chain])
        length = _chain_length(chain) or len(seeker[chain] | candidate[chain])
        score = len(new) / length if length else 0.0
        if new and score > best[0]:
            best = (
                score,
                f"Covers stage(s) {', '.join(new)} of the {chain!r} chain that you lack.",
            )
    return Component("value_chain", min(best[0], 1.0), best[1])


def _region(org: Organisation, map_frame: pd.DataFrame | None) -> Component:
    if map_frame is None:
        return Component("region", 0.0, "No map was given for regional strength.")
    categories = org.tag_values("category")
    if org.region is None or not categories:
        return Component("region", 0.0, "Its region or category is not known.")
    rows = category_rows(map_frame, region=org.region, categories=categories)
    best = (0.0, f"Region {org.region} has no mapped strength in its categories.")
    for row in rows.to_dict("records"):
        lq = float(row.get("lq") or 0.0)
        strong = bool(row.get("strong")) if pd.notna(row.get("strong")) else False
        score = max(min(1.0, lq / 2.0), 0.75 if strong else 0.0)
        if score > best[0]:
            label = row.get("category_label") or row["category"]
            tail = " (a strong cluster)" if strong else ""
            best = (score, f"Region {org.region} has LQ {lq:.2f} in {label!r}{tail}.")
    return Component("region", best[0], best[1])


def recommend_partners(
    session: Session,
    *,
    organisation_id: int,
    related: pd.DataFrame | None = None,
    map_frame: pd.DataFrame | None = None,
    weights: Mapping[str, float] | None = None,
    limit: int = 10,
) -> list[Recommendation]:
    """Rank the other organisations as partners for ``organisation_id``.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
    organisation_id : int
        The seeker.
    related : pandas.DataFrame, optional
        Related-cluster pairs (``category``, ``related``, ``strength``), e.g.
        ``related_clusters()``.
    map_frame : pandas.DataFrame, optional
        A map frame (``MapResult.frame``) for the regional-strength component.
    weights : mapping, optional
        Weights of ``related``, ``value_chain`` and ``region`` (default :data:`DEFAULT_WEIGHTS`).
    limit : int, default 10

    Returns
    -------
    list of Recommendation
        Candidates with a positive score, best first (ties by name).
    """
    chosen = {**DEFAULT_WEIGHTS, **(weights or {})}
    if set(chosen) != set(DEFAULT_WEIGHTS) or any(w < 0 for w in chosen.values()):
        raise ParameterError(
            f"The 'weights' parameter takes non-negative {sorted(DEFAULT_WEIGHTS)}. Got {dict(weights or {})!r} instead."
        )
    seeker = get_organisation(session, organisation_id)
    pairs = _pairs(related)
    my_categories, my_stages = seeker.tag_values("category"), seeker.tag_values("stage")
    results = []
    for other in session.scalars(select(Organisation).where(Organisation.id != organisation_id)):
        components = (
            _related(my_categories, other.tag_values("category"), pairs, related is not None),
            _value_chain(my_stages, other.tag_values("stage")),
            _region(other, map_frame),
        )
        score = sum(chosen[c.name] * c.score for c in components)
        if score > 0:
            results.append(Recommendation(other.id, other.name, round(score, 6), components))
    results.sort(key=lambda r: (-r.score, r.name))
    return results[:limit]
