"""The marketplace of an event: participants' offers and requests, as a tidy table.

One row per item: ``participant_id``, ``item_id``, ``kind`` (``offer`` or ``request``),
``category`` (:data:`ITEM_CATEGORIES`), ``text`` (free text), and three lists written as
text separated by ``;`` (empty allowed): ``industries`` (U.S. benchmark cluster names,
Delgado, Porter & Stern 2016, as the registry and :mod:`clusteratlas.meet.synthetic` use),
``stages`` (``chain:stage`` of a built-in value chain, :func:`clusteratlas.valuechains.list_chains`)
and ``technologies``. :func:`read_items` names the file, the line and the column of the first
problem.

:func:`synthetic_items` makes up items for a synthetic event (labelled SYNTHETIC): each
participant offers what their organisation's real industries do and asks for what the same
or a strongly related cluster does, in the proportions the synthetic requests are drawn with
(3 : 2, :mod:`clusteratlas.meet.synthetic`). The topic words (:data:`CLUSTER_TOPICS`) and the
value-chain stages of each benchmark cluster (:data:`CLUSTER_STAGES`) are OUR reading
(UNCONFIRMED), for demonstration and benchmarks only.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from clusteratlas._validation import as_rng, suggest
from clusteratlas.errors import SchemaError
from clusteratlas.meet.participants import _known, _read_csv, _text, _where

ITEM_KINDS = ("offer", "request")
ITEM_CATEGORIES = (
    "cooperation",
    "product",
    "service",
    "expertise",
    "investment",
    "project_partner",
)
"""Categories of marketplace items (issue 12; b2match uses the same kinds)."""
ITEM_COLUMNS = ("participant_id", "item_id", "kind", "category", "text")
LIST_COLUMNS = ("industries", "stages", "technologies")
SYNTHETIC_SOURCE = "SYNTHETIC (seeded; Cluster Atlas meet generator)"
"""The ``source`` of every generated item (a column beyond the schema, kept by the reader)."""

CLUSTER_TOPICS: dict[str, tuple[str, ...]] = {
    "Information Technology and Analytical Instruments": (
        "semiconductor chip design", "embedded software", "analytical instruments",
        "photonics sensors", "wafer processing", "machine vision"),
    "Aerospace Vehicles and Defense": (
        "aircraft structures", "avionics systems", "satellite components",
        "aerospace composites", "drone platforms"),
    "Biopharmaceuticals": (
        "drug discovery", "clinical trials", "biologics manufacturing", "vaccine development"),
    "Medical Devices": (
        "medical imaging devices", "surgical instruments", "diagnostic equipment",
        "digital health devices"),
    "Lighting and Electrical Equipment": (
        "power electronics", "LED lighting", "electric motors", "battery systems"),
    "Electric Power Generation and Transmission": (
        "renewable energy generation", "smart grid", "hydrogen electrolysis",
        "energy storage", "power transmission"),
    "Automotive": (
        "vehicle components", "electric vehicle drivetrains", "automotive electronics",
        "vehicle assembly"),
    "Production Technology and Heavy Machinery": (
        "industrial robotics", "machine tools", "additive manufacturing",
        "production automation"),
    "Metalworking Technology": ("precision machining", "metal forming", "welding technology"),
    "Food Processing and Manufacturing": (
        "food processing", "food packaging", "alternative proteins", "food safety testing"),
    "Agricultural Inputs and Services": (
        "precision agriculture", "crop protection", "seeds breeding", "agritech sensors"),
    "Water Transportation": ("ship building", "port logistics", "offshore vessels",
                             "maritime navigation"),
    "Transportation and Logistics": ("freight logistics", "supply chain software",
                                     "air cargo", "last mile delivery"),
    "Communications Equipment and Services": ("5G networks", "telecom equipment",
                                              "satellite communications"),
    "Business Services": ("engineering consulting", "market research", "technology transfer"),
    "Education and Knowledge Creation": ("applied research", "training programmes",
                                         "university laboratories"),
    "Construction Products and Services": ("building materials", "energy efficient buildings",
                                           "construction digital twins"),
    "Environmental Services": ("waste recycling", "water treatment", "circular economy"),
    "Upstream Chemical Products": ("specialty chemicals", "industrial gases", "catalysts"),
    "Plastics": ("polymer compounds", "plastic moulding", "bioplastics"),
    "Upstream Metal Manufacturing": ("steel production", "aluminium alloys", "titanium alloys"),
    "Downstream Metal Products": ("metal components", "fasteners", "metal packaging"),
    "Vulcanized and Fired Materials": ("technical ceramics", "glass products", "advanced materials"),
    "Forestry": ("sustainable forestry", "timber supply"),
    "Textile Manufacturing": ("technical textiles", "smart fabrics"),
    "Financial Services": ("venture capital", "innovation financing"),
}  # fmt: skip
"""Topic phrases per benchmark cluster for synthetic items (OUR reading, UNCONFIRMED); a
cluster not listed uses its own name."""

CLUSTER_STAGES: dict[str, tuple[str, ...]] = {
    "Aerospace Vehicles and Defense": ("aerospace:components", "aerospace:assembly",
                                       "aerospace:systems", "aerospace:mro"),
    "Automotive": ("automotive:parts", "automotive:assembly", "automotive:electronics"),
    "Information Technology and Analytical Instruments": (
        "microelectronics:design", "microelectronics:wafer_fab", "microelectronics:equipment"),
    "Communications Equipment and Services": ("microelectronics:end_use",),
    "Medical Devices": ("microelectronics:end_use",),
    "Lighting and Electrical Equipment": ("automotive:batteries_drives",
                                          "microelectronics:assembly"),
    "Metalworking Technology": ("aerospace:precision_parts",),
    "Production Technology and Heavy Machinery": ("microelectronics:equipment",),
    "Upstream Chemical Products": ("microelectronics:materials",),
    "Plastics": ("automotive:materials", "aerospace:materials"),
    "Upstream Metal Manufacturing": ("automotive:materials", "aerospace:materials"),
    "Transportation and Logistics": ("aerospace:air_transport",),
}  # fmt: skip
"""Value-chain stages a benchmark cluster's organisations may work in (OUR reading,
UNCONFIRMED; chains of :mod:`clusteratlas.valuechains`)."""

_OFFER = {
    "product": "We supply {topic} for {other}.",
    "service": "We offer {topic} services and testing.",
    "expertise": "Expertise in {topic} available for partners in {other}.",
    "cooperation": "Looking to cooperate on {topic} with {other} players.",
    "project_partner": "Partner for a Horizon Europe project on {topic}.",
    "investment": "Investor in {topic} start-ups.",
}
_REQUEST = {
    "product": "We are looking for suppliers of {topic}.",
    "service": "We need {topic} services.",
    "expertise": "Seeking expertise in {topic}.",
    "cooperation": "Seeking cooperation partners in {topic}.",
    "project_partner": "Looking for a project partner in {topic} for an EU call.",
    "investment": "Seeking investment for {topic}.",
}


def split_list(value: object) -> tuple[str, ...]:
    """Return the ``;``-separated entries of a list cell (empty or missing: none)."""
    if not isinstance(value, str):
        return ()
    return tuple(dict.fromkeys(v.strip() for v in value.split(";") if v.strip()))


@cache
def chain_stages() -> dict[str, tuple[str, ...]]:
    """Return the built-in value chains and their stages in chain order."""
    from clusteratlas.valuechains import list_chains, load_chain

    return {chain: load_chain(chain).stage_names for chain in list_chains()}


def validate_items(
    frame: pd.DataFrame, *, participants: pd.DataFrame | None = None, what: str = "items"
) -> pd.DataFrame:
    """Return a checked copy of a marketplace table (see the module docstring).

    Raises
    ------
    SchemaError
        Naming the line and column of the first missing column, empty cell, unknown kind or
        category, stage that is not ``chain:stage`` of a built-in chain, repeated ``item_id``,
        or participant not among ``participants``.
    """
    out = _text(frame, ITEM_COLUMNS, what)
    out["kind"] = out["kind"].str.lower()
    out["category"] = out["category"].str.lower().str.replace(" ", "_")
    for row, (kind, category) in enumerate(zip(out["kind"], out["category"], strict=True)):
        if kind not in ITEM_KINDS:
            raise SchemaError(f"{_where(what, row)}, column 'kind' must be offer or request; "
                              f"got {kind!r}.")  # fmt: skip
        if category not in ITEM_CATEGORIES:
            raise SchemaError(f"{_where(what, row)}, column 'category' must be one of "
                              f"{', '.join(ITEM_CATEGORIES)}; got {category!r}.")  # fmt: skip
    for column in LIST_COLUMNS:
        values = out[column] if column in out else pd.Series("", index=out.index)
        out[column] = [";".join(split_list(v)) for v in values]
    chains = chain_stages()
    for row, stages in enumerate(out["stages"]):
        for stage in split_list(stages):
            chain, _, name = stage.partition(":")
            if chain not in chains or name not in chains[chain]:
                known = [f"{c}:{s}" for c, names in chains.items() for s in names]
                raise SchemaError(f"{_where(what, row)}, column 'stages' takes chain:stage of a "
                                  f"built-in value chain (automotive:parts); got {stage!r}."
                                  f"{suggest(stage, known)}")  # fmt: skip
    twice = out["item_id"].duplicated()
    if twice.any():
        row = int(twice.to_numpy().nonzero()[0][0])
        raise SchemaError(f"{_where(what, row)}, column 'item_id': "
                          f"{out['item_id'].iloc[row]!r} is listed twice.")  # fmt: skip
    _known(out["participant_id"], participants, what, "participant_id")
    return out.reset_index(drop=True)


def read_items(path: str | Path, *, participants: pd.DataFrame | None = None) -> pd.DataFrame:
    """Read and check a marketplace CSV (see :func:`validate_items`)."""
    return validate_items(_read_csv(path, "items"), participants=participants, what=str(path))


def _topics(cluster: str, topics: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(topics.get(cluster, ())) or (cluster.lower(),)


def synthetic_items(
    participants: pd.DataFrame, *, organisations: pd.DataFrame,
    items_per_participant: tuple[int, int] = (1, 3), rng: int | np.random.Generator | None = None,
    topics: Mapping[str, tuple[str, ...]] | None = None,
    stages: Mapping[str, tuple[str, ...]] | None = None,
) -> pd.DataFrame:  # fmt: skip
    """Make up offers and requests for a synthetic event's participants (SYNTHETIC).

    Parameters
    ----------
    participants : pandas.DataFrame
        ``participant_id``, ``organisation_id``, ``type`` (as
        :func:`~clusteratlas.meet.synthetic.synthetic_event` makes them).
    organisations : pandas.DataFrame
        ``organisation_id`` and ``industries`` (tuples of benchmark clusters), as
        :func:`~clusteratlas.meet.synthetic.registry_organisations` returns them.
    items_per_participant : (int, int), default (1, 3)
        Each participant has a uniform number of offers and, independently, of requests
        in this range.
    rng : int or numpy.random.Generator, optional
        Seed or generator.
    topics, stages : mapping, optional
        Topic phrases and ``chain:stage`` values per benchmark cluster (default
        :data:`CLUSTER_TOPICS`, :data:`CLUSTER_STAGES`: our UNCONFIRMED reading).

    Returns
    -------
    pandas.DataFrame
        The marketplace table of the module docstring. An offer is about one of the
        organisation's clusters; a request about one of its clusters (weight 3) or a cluster
        strongly related to one of them (weight 2 each), as the synthetic requests are drawn.
        Investors offer investment, policy makers and cluster organisations cooperation.
        Every row's ``source`` is :data:`SYNTHETIC_SOURCE`.
    """
    from clusteratlas.data.definitions import related_clusters

    gen = as_rng(rng)
    related = related_clusters()
    strong = related[related["strength"] == "strong"]
    near: dict[str, set[str]] = {}
    for a, b in zip(strong["category"], strong["related"], strict=True):
        near.setdefault(str(a), set()).add(str(b))
        near.setdefault(str(b), set()).add(str(a))
    industries = dict(
        zip(organisations["organisation_id"], organisations["industries"], strict=True)
    )
    low, high = items_per_participant
    rows = []
    for pid, org, kind in participants[["participant_id", "organisation_id", "type"]].itertuples(
        index=False
    ):
        own = tuple(industries.get(org, ())) or ("Business Services",)
        for side, templates in (("offer", _OFFER), ("request", _REQUEST)):
            for n in range(int(gen.integers(low, high + 1))):
                if side == "offer":
                    cluster = own[int(gen.integers(len(own)))]
                else:
                    pool = [(c, 3.0) for c in own] + [
                        (c, 2.0) for o in own for c in sorted(near.get(o, ()))
                    ]
                    weights = np.array([w for _, w in pool])
                    cluster = pool[int(gen.choice(len(pool), p=weights / weights.sum()))][0]
                category = _category(kind, side, gen)
                words = _topics(cluster, CLUSTER_TOPICS if topics is None else topics)
                topic = words[int(gen.integers(len(words)))]
                other = cluster.lower()
                where = tuple((CLUSTER_STAGES if stages is None else stages).get(cluster, ()))
                stage = where[int(gen.integers(len(where)))] if where else ""
                rows.append({
                    "participant_id": pid, "item_id": f"{pid}-{side[0]}{n + 1}", "kind": side,
                    "category": category, "text": templates[category].format(topic=topic, other=other),
                    "industries": cluster, "stages": stage, "technologies": topic,
                    "source": SYNTHETIC_SOURCE,
                })  # fmt: skip
    return pd.DataFrame(rows, columns=[*ITEM_COLUMNS, *LIST_COLUMNS, "source"])


def _category(kind: str, side: str, gen: np.random.Generator) -> str:
    if kind == "investor" and side == "offer":
        return "investment"
    if kind in ("policy maker", "cluster organisation"):
        return "cooperation" if gen.random() < 0.7 else "project_partner"
    if kind == "start-up" and side == "request" and gen.random() < 0.4:
        return "investment"
    choices = ("product", "service", "expertise", "cooperation", "project_partner")
    return choices[int(gen.integers(len(choices)))]
