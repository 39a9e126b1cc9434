"""A seeded synthetic matchmaking event drawn from the registry's real organisations.

Nothing here describes a real event's participants: the generator makes up people who come
through the real cluster organisations of the registry's seed tables (the packaged catalog
files :mod:`clusteratlas.registry.seed` imports; no database is needed), so that the
scheduler can be demonstrated and benchmarked at any size. How it draws:

* **Organisations** (:func:`registry_organisations`): the U.S. cluster organisations, the
  French pôles de compétitivité (phase V), the Silicon Europe members and the named EU
  clusters, with the seed's natural keys as ``organisation_id``, their country, their
  NUTS-2 region where the source gives one, and industries as U.S. benchmark clusters
  (Delgado, Porter & Stern 2016): the cluster categories of the U.S. file, and for the
  European ones a keyword reading of their theme (:data:`THEME_CLUSTERS`, ours).
* **Participants**: each picks an organisation uniformly, has its country, a type drawn
  with :data:`TYPE_SHARES` (synthetic shares), and speaks English plus its country's main
  language.
* **Availability**: each participant draws a share ``q`` uniformly in [0.7, 1] and is free
  in each slot with probability ``q`` (at least one slot).
* **Requests**: each participant sends ``Poisson(8)`` requests (at least 1, without
  repetition, never to a colleague of the same organisation). The chance of asking ``b``
  is proportional to the complementarity of their organisations — ``(1 + 3·same + 2·related)
  × (2 if different regions else 1)``, where ``same`` says they share a benchmark cluster,
  ``related`` that one's cluster is strongly related to the other's (DPS 2016
  relatedness, :func:`clusteratlas.data.definitions.related_clusters`), regions being NUTS-2 codes where known, else countries — times ``b``'s
  attraction (2 for large companies and investors, 1.5 for policy makers, else 1). Each
  request is accepted (55 %), still requested (25 %), declined (15 %) or cancelled (5 %).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from clusteratlas._validation import as_rng, check_interval
from clusteratlas.data.catalog import resolve
from clusteratlas.meet.events import Event, event_slots
from clusteratlas.meet.participants import PARTICIPANT_TYPES

TYPE_SHARES = dict(
    zip(PARTICIPANT_TYPES, (0.25, 0.25, 0.10, 0.12, 0.12, 0.08, 0.04, 0.04), strict=True)
)
"""Shares of participant types in the synthetic events (SYNTHETIC: not measured)."""

STATUS_SHARES = {"accepted": 0.55, "requested": 0.25, "declined": 0.15, "cancelled": 0.05}
ATTRACTION = {"large company": 2.0, "investor": 2.0, "policy maker": 1.5}
LANGUAGES = {"FR": "fr", "DE": "de", "AT": "de", "BE": "fr", "NL": "nl", "IT": "it", "ES": "es",
             "PL": "pl", "GR": "el", "IE": "en", "GB": "en", "US": "en"}  # fmt: skip
THEME_CLUSTERS = {
    r"aero|aviation|space|defen": ("Aerospace Vehicles and Defense",),
    r"agri|plant|v[ée]g[ée]|equine": ("Agricultural Inputs and Services",),
    r"food|nutrition|seafood|agro": ("Food Processing and Manufacturing",),
    r"maritime|marine|\bmer\b|\bsea": ("Water Transportation",),
    r"bio|life science|pharma|sant[ée]": ("Biopharmaceuticals",),
    r"health|medic": ("Medical Devices", "Biopharmaceuticals"),
    r"digital|num[ée]rique|software|image|r[ée]seaux|deep tech|communicat": (
        "Information Technology and Analytical Instruments",
        "Communications Equipment and Services",
    ),
    r"micro|nano|electronic|semiconductor|high tech|photonic|laser|optic|hyperfr": (
        "Information Technology and Analytical Instruments",
        "Lighting and Electrical Equipment",
    ),
    r"energ|nuclear|renewable": ("Electric Power Generation and Transmission",),
    r"vehic|mobility|car\b|automotive|transport|trans\b": (
        "Automotive",
        "Transportation and Logistics",
    ),
    r"chemi": ("Upstream Chemical Products",),
    r"plastic|polymer": ("Plastics",),
    r"textile": ("Textile Manufacturing",),
    r"cosmetic|perfume": ("Downstream Chemical Products",),
    r"wood|forest|paper": ("Wood Products", "Forestry", "Paper and Packaging"),
    r"ceramic|material": ("Vulcanized and Fired Materials",),
    r"mechanic|manufactur|machin|microtechn": (
        "Production Technology and Heavy Machinery",
        "Metalworking Technology",
    ),
    r"financ": ("Financial Services",),
    r"water|\beau\b|environment|circular": ("Environmental Services",),
    r"building|construct|infr": ("Construction Products and Services",),
    r"geoscien|subsurface": ("Nonmetal Mining",),
}
"""Keywords of a European organisation's name and theme → U.S. benchmark clusters (ours:
a reading for synthetic events, not a classification); none found → Business Services."""

ISO2 = {"UK": "GB", "EL": "GR"}
UNAMBIGUOUS_NUTS2 = {"Île-de-France": "FR10", "Centre-Val de Loire": "FR24", "Bretagne": "FR52",
                     "Pays de la Loire": "FR51", "Provence-Alpes-Côte d'Azur": "FR82", "Corse": "FR83"}  # fmt: skip


def natural_key(country: str, name: str) -> str:
    """Return the registry's natural key ``<iso2>:<slug>`` of an organisation.

    As :func:`clusteratlas.registry.seed.natural_key`, without its database dependencies
    (a test checks they agree).
    """
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    key = f"{country.lower()}:{re.sub(r'[^a-z0-9]+', '-', text.lower()).strip('-')}"
    return {"fr:minalogic": "fr:minalogic-auvergne-rhone-alpes"}.get(key, key)


def _rows(dataset: str) -> list[dict[str, str]]:
    with resolve(dataset, download=False).open(encoding="utf-8", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def _themes(text: str) -> tuple[str, ...]:
    lower = text.lower()
    found = [
        c
        for pattern, clusters in THEME_CLUSTERS.items()
        if re.search(pattern, lower)
        for c in clusters
    ]
    return tuple(dict.fromkeys(found)) or ("Business Services",)


def registry_organisations() -> pd.DataFrame:
    """Return the registry's seed organisations with a country, a region and industries.

    Returns
    -------
    pandas.DataFrame
        ``organisation_id`` (the registry's natural key), ``name``, ``country`` (ISO 3166-1
        alpha-2), ``region`` (NUTS-2 2013 code or None), ``industries`` (tuple of U.S.
        benchmark cluster names; see the module docstring for how they are read).
    """
    found: dict[str, tuple[str, str, str | None, tuple[str, ...]]] = {}
    us: dict[str, list[str]] = {}
    titles: dict[str, str] = {}
    for row in _rows("us_cluster_organisations"):
        us.setdefault(row["org_id"], []).append(row["cluster_name"])
        titles[row["org_id"]] = row["org_title"]
    for org_id, clusters in us.items():
        found[f"us:{org_id}"] = (titles[org_id], "US", None, tuple(dict.fromkeys(clusters)))
    for row in _rows("poles_competitivite_phase5"):
        main = re.sub(r"\s*\(.*\)\s*$", "", row["main_region"]).strip()
        key = natural_key("FR", row["name"])
        found.setdefault(key, (row["name"], "FR", UNAMBIGUOUS_NUTS2.get(main),
                               _themes(f"{row['name']} {row['theme']}")))  # fmt: skip
    for dataset, extra in (("silicon_europe", " micro-electronics"), ("eu_clusters_named", "")):
        for row in _rows(dataset):
            country = ISO2.get(row["country"], row["country"])
            text = f"{row['name']} {row.get('facts', '')}{extra}"
            found.setdefault(natural_key(country, row["name"]),
                             (row["name"], country, row["nuts2_2013"] or None, _themes(text)))  # fmt: skip
    return pd.DataFrame(
        [(k, *v) for k, v in found.items()],
        columns=["organisation_id", "name", "country", "region", "industries"],
    )


def complementarity(organisations: pd.DataFrame) -> np.ndarray:
    """Return the organisation × organisation weights of the module docstring.

    ``(1 + 3·same + 2·related) × (2 if different regions else 1)``; 0 on the diagonal.
    """
    from clusteratlas.data.definitions import related_clusters

    related = related_clusters()
    strong = related[related["strength"] == "strong"]  # "weak" links nearly every pair
    links = set(zip(strong["category"], strong["related"], strict=True))
    links |= {(b, a) for a, b in links}
    sets = [set(i) for i in organisations["industries"]]
    place = [r if isinstance(r, str) and r else c
             for r, c in zip(organisations["region"], organisations["country"], strict=True)]  # fmt: skip
    n = len(sets)
    weights = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            same = bool(sets[i] & sets[j])
            near = any((x, y) in links for x in sets[i] for y in sets[j])
            weights[i, j] = (1 + 3 * same + 2 * near) * (2 if place[i] != place[j] else 1)
    return weights


@dataclass(frozen=True)
class SyntheticEvent:
    """A generated event: its participants, availability and requests (all synthetic)."""

    participants: pd.DataFrame
    availability: pd.DataFrame
    requests: pd.DataFrame
    slots: pd.DataFrame


def synthetic_event(
    event: Event, *, participants: int = 600, requests_per_participant: float = 8.0,
    availability: tuple[float, float] = (0.7, 1.0), organisations: pd.DataFrame | None = None,
    rng: int | np.random.Generator | None = None,
) -> SyntheticEvent:  # fmt: skip
    """Generate participants, their availability and their meeting requests for ``event``.

    Parameters
    ----------
    event : Event
        The event (its slots are those of :func:`~clusteratlas.meet.events.event_slots`).
    participants : int, default 600
        How many participants.
    requests_per_participant : float, default 8.0
        Mean of the Poisson number of requests each participant sends.
    availability : (float, float), default (0.7, 1.0)
        Range of the share of slots a participant is free in.
    organisations : pandas.DataFrame, optional
        Organisations to draw from, as :func:`registry_organisations` returns them (the
        default: all of them, so about two thirds are U.S. organisations).
    rng : int or numpy.random.Generator, optional
        Seed or generator (same seed, same event).

    Returns
    -------
    SyntheticEvent
        ``participants`` (participant_id, organisation_id, type, country, name,
        organisation, languages), ``availability`` (participant_id, slot_start = slot id),
        ``requests`` (from, to, status, message) and the event's ``slots``.
    """
    check_interval(participants, name="participants", low=2)
    check_interval(requests_per_participant, name="requests_per_participant", low=0)
    low, high = availability
    check_interval(low, name="availability", low=0, high=1, closed="right")
    check_interval(high, name="availability", low=low, high=1)
    gen = as_rng(rng)
    orgs = (
        registry_organisations() if organisations is None else organisations.reset_index(drop=True)
    )
    weights = complementarity(orgs)
    org_of = gen.integers(len(orgs), size=participants)
    types = gen.choice(list(TYPE_SHARES), size=participants, p=list(TYPE_SHARES.values()))
    ids = [f"P{i:05d}" for i in range(1, participants + 1)]
    countries = orgs["country"].to_numpy()[org_of]
    people = pd.DataFrame({
        "participant_id": ids,
        "organisation_id": orgs["organisation_id"].to_numpy()[org_of],
        "type": types,
        "country": countries,
        "name": [f"Participant {i[1:]} (synthetic)" for i in ids],
        "organisation": orgs["name"].to_numpy()[org_of],
        "languages": [";".join(dict.fromkeys(("en", LANGUAGES.get(c, "en")))) for c in countries],
    })  # fmt: skip
    slots = event_slots(event)
    share = gen.uniform(low, high, size=participants)
    free = gen.random((participants, len(slots))) < share[:, None]
    free[~free.any(axis=1), 0] = True  # nobody without any slot
    person, slot = np.nonzero(free)
    open_slots = pd.DataFrame({"participant_id": np.asarray(ids)[person],
                               "slot_start": slots["slot"].to_numpy()[slot]})  # fmt: skip
    attraction = np.array([ATTRACTION.get(t, 1.0) for t in types])
    counts = np.maximum(gen.poisson(requests_per_participant, size=participants), 1)
    rows = []
    for i in range(participants):
        chance = weights[org_of[i], org_of] * attraction
        chance[org_of == org_of[i]] = 0.0  # colleagues do not book meetings with each other
        total = chance.sum()
        if total == 0:
            continue
        k = min(int(counts[i]), int((chance > 0).sum()))
        for j in gen.choice(participants, size=k, replace=False, p=chance / total):
            rows.append((ids[i], ids[int(j)]))
    statuses = gen.choice(list(STATUS_SHARES), size=len(rows), p=list(STATUS_SHARES.values()))
    requests = pd.DataFrame(rows, columns=["from", "to"]).assign(
        status=statuses, message="synthetic request"
    )
    return SyntheticEvent(people, open_slots, requests, slots)
