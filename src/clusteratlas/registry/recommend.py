r"""Partner recommendations: rank organisations by complementarity to a seeker.

Four components, each in [0, 1] with a sentence that explains it:

* **related clusters**: a candidate category strongly related to one of the seeker's scores
  1, weakly related 0.5 (pairs from :func:`clusteratlas.data.definitions.related_clusters`,
  passed in as ``related``); the same category scores 0.25 (peers rather than complements);
* **value chain**: in a chain both organisations work in (``chain:stage`` tags), the stages the
  candidate covers and the seeker lacks, each weighted by its closeness to the seeker's own
  stages: a stage ``d`` steps up- or downstream of the nearest stage of the seeker weighs
  ``1/d`` (a direct supplier or customer weighs 1), and the score is

  .. math:: s = \frac{\sum_{k \in C \setminus S} 1/d_k}{\sum_{k \notin S} 1/d_k}

  with ``S`` the seeker's and ``C`` the candidate's stages (1 when the candidate covers every
  stage the seeker lacks). For a chain that is not built in, stage order is unknown and every
  lacking stage weighs 1;
* **technology**: the Jaccard index of the two technology lists (compared without case or
  accents), ``|A ∩ B| / |A ∪ B|``;
* **regional strength**: from a map frame passed in, ``min(1, LQ / 2)`` of the candidate's
  region in its categories, at least 0.75 for a strong cluster (``strong`` true), cited with
  the region's name and code. It ranks related candidates; alone it recommends nobody (a
  strong cluster with nothing in common is not a partner).

The score is the weighted mean of the components (:data:`DEFAULT_WEIGHTS`),

.. math:: \mathrm{score} = \frac{\sum_i w_i s_i}{\sum_i w_i} \in [0, 1],

so 1 means a candidate that scores 1 on every component whatever the weights. Without ``related`` or ``map_frame``
the component is 0 and says why. A seeker with no category, value-chain stage or technology
gets no recommendation (:func:`missing_profile` says what to add). Loading data stays with the
caller.
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

DEFAULT_WEIGHTS = {"related": 0.4, "value_chain": 0.35, "region": 0.25, "technology": 0.2}
NO_PROFILE_NOTE = "Add categories or technologies to get recommendations."
"""Said instead of recommendations when the seeker's profile gives nothing to compare."""
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
def _chain_order(chain: str) -> tuple[str, ...] | None:
    from clusteratlas.valuechains import list_chains, load_chain

    return load_chain(chain).stage_names if chain in list_chains() else None


def missing_profile(org: Organisation) -> str | None:
    """Return :data:`NO_PROFILE_NOTE` when ``org`` has no category, stage or technology."""
    if org.tag_values("category") or org.tag_values("stage") or list(org.technologies or []):
        return None
    return NO_PROFILE_NOTE


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


def _closeness(order: tuple[str, ...] | None, mine: set[str], stage: str) -> tuple[float, int]:
    """Return the weight ``1/d`` of ``stage`` and its signed distance (+ downstream)."""
    if order is None or stage not in order or not mine & set(order):
        return 1.0, 0
    at = order.index(stage)
    nearest = min((at - order.index(s) for s in mine if s in order), key=lambda d: (abs(d), -d))
    return 1.0 / abs(nearest), nearest


def _value_chain(mine: list[str], theirs: list[str]) -> Component:
    seeker, candidate = _chains(mine), _chains(theirs)
    best = (0.0, "No value-chain stage that you lack in a chain you share.")
    for chain in sorted(seeker.keys() & candidate.keys()):
        order = _chain_order(chain)
        new = sorted(candidate[chain] - seeker[chain])
        if order is None:  # a user's chain: no order, every lacking stage weighs 1
            lacking = sorted(candidate[chain] | seeker[chain])
        else:
            lacking = [s for s in order if s not in seeker[chain]]
        total = sum(_closeness(order, seeker[chain], s)[0] for s in lacking)
        gained = {s: _closeness(order, seeker[chain], s) for s in new}
        score = sum(w for w, _ in gained.values()) / total if total else 0.0
        if new and score > best[0]:
            text = f"Covers stage(s) {', '.join(new)} of the {chain!r} chain that you lack"
            step = min(gained.values(), key=lambda item: (abs(item[1]) or 99, -item[1]))[1]
            if step:
                where = "downstream" if step > 0 else "upstream"
                steps = f"{abs(step)} step{'s' if abs(step) > 1 else ''}"
                text += f"; the nearest is {steps} {where} of yours"
            best = (score, text + ".")
    return Component("value_chain", min(best[0], 1.0), best[1])


def _technology(mine: list[str], theirs: list[str]) -> Component:
    from clusteratlas.registry.search_index import fold

    a = {fold(t).strip().lower(): t for t in mine if t.strip()}
    b = {fold(t).strip().lower(): t for t in theirs if t.strip()}
    shared = sorted(a.keys() & b.keys())
    if not shared:
        return Component("technology", 0.0, "No technology in common.")
    names = ", ".join(repr(b[k]) for k in shared)
    return Component(
        "technology", len(shared) / len(a.keys() | b.keys()), f"Works on {names}, as you do."
    )


def _region_name(org: Organisation, rows: pd.DataFrame) -> str:
    name = org.region_name
    if not name and "region_name" in rows and rows["region_name"].notna().any():
        name = str(rows["region_name"].dropna().iloc[0])
    return f"{name} ({org.region})" if name and name != org.region else str(org.region)


def _region(org: Organisation, map_frame: pd.DataFrame | None) -> Component:
    if map_frame is None:
        return Component("region", 0.0, "No map was given for regional strength.")
    categories = org.tag_values("category")
    if org.region is None or not categories:
        return Component("region", 0.0, "Its region or category is not known.")
    rows = category_rows(map_frame, region=org.region, categories=categories)
    place = _region_name(org, rows)
    best = (0.0, f"{place} has no mapped strength in its categories.")
    for row in rows.to_dict("records"):
        lq = float(row.get("lq") or 0.0)
        strong = bool(row.get("strong")) if pd.notna(row.get("strong")) else False
        score = max(min(1.0, lq / 2.0), 0.75 if strong else 0.0)
        if score > best[0]:
            label = row.get("category_label") or row["category"]
            tail = " (a strong cluster)" if strong else ""
            best = (score, f"{place} has LQ {lq:.2f} in {label!r}{tail}.")
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
        Relative weights of ``related``, ``value_chain``, ``region`` and ``technology``
        (default :data:`DEFAULT_WEIGHTS`); the score is their weighted mean, in [0, 1].
    limit : int, default 10

    Returns
    -------
    list of Recommendation
        Candidates related to the seeker by category, value chain or technology, best first
        (ties by name); empty when the seeker has none of these (see :func:`missing_profile`).
    """
    chosen = {**DEFAULT_WEIGHTS, **(weights or {})}
    if (
        set(chosen) != set(DEFAULT_WEIGHTS)
        or any(w < 0 for w in chosen.values())
        or not sum(chosen.values()) > 0
    ):
        raise ParameterError(
            f"The 'weights' parameter takes non-negative {sorted(DEFAULT_WEIGHTS)}, not all "
            f"zero. Got {dict(weights or {})!r} instead."
        )
    seeker = get_organisation(session, organisation_id)
    if missing_profile(seeker):
        return []
    pairs = _pairs(related)
    my_categories, my_stages = seeker.tag_values("category"), seeker.tag_values("stage")
    my_technologies = list(seeker.technologies or [])
    results = []
    for other in session.scalars(select(Organisation).where(Organisation.id != organisation_id)):
        components = (
            _related(my_categories, other.tag_values("category"), pairs, related is not None),
            _value_chain(my_stages, other.tag_values("stage")),
            _region(other, map_frame),
            _technology(my_technologies, list(other.technologies or [])),
        )
        affinity = sum(chosen[c.name] * c.score for c in components if c.name != "region")
        score = sum(chosen[c.name] * c.score for c in components) / sum(chosen.values())
        if affinity > 0:
            results.append(Recommendation(other.id, other.name, round(score, 6), components))
    results.sort(key=lambda r: (-r.score, r.name))
    return results[:limit]
