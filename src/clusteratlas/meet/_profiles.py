"""Profiles behind :mod:`clusteratlas.meet.recommend`: computed once per event.

Participants' clusters (their organisation's and their items'), value-chain stages,
regions; the items' TF-IDF vectors (scikit-learn); participant × participant indicator
matrices of the same, strongly and weakly related clusters; adjacency of stages ``1/d``;
regional strength from a map frame. The formulas are in :mod:`clusteratlas.meet.recommend`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from clusteratlas._validation import check_columns, optional_import
from clusteratlas.meet.marketplace import chain_stages, split_list


@dataclass
class Context:
    """Everything computed once per event: profiles, TF-IDF vectors, indicator matrices."""

    ids: np.ndarray
    orgs: np.ndarray
    countries: np.ndarray
    regions: list[str | None]
    clusters: list[set[str]]
    stages: list[set[str]]
    items: pd.DataFrame
    owner: np.ndarray  # item → participant index
    vectors: Any  # sparse TF-IDF rows of the items
    same: np.ndarray  # participant × participant: share a cluster
    strong: np.ndarray
    weak: np.ndarray
    chain: np.ndarray  # participant × participant: best 1/d
    item_chain: np.ndarray  # item × participant: best 1/d
    region_score: np.ndarray
    region_note: list[str]
    requested: dict[str, set[str]]  # participant → those they already asked
    pairs: dict[tuple[str, str], str]
    texts: np.ndarray  # item texts
    item_ids: np.ndarray
    kinds: np.ndarray  # item kinds
    item_stages: list[set[str]]
    owned: list[np.ndarray]  # participant → their items
    by_kind: dict[str, tuple[np.ndarray, Any]]  # kind → (its items, their vectors transposed)


def _relatedness(related: pd.DataFrame | None) -> dict[tuple[str, str], str]:
    if related is None:
        return {}
    check_columns(related, ["category", "related", "strength"], what="related clusters")
    pairs: dict[tuple[str, str], str] = {}
    rank = {"weak": 1, "strong": 2}
    for a, b, strength in related[["category", "related", "strength"]].itertuples(index=False):
        for key in ((str(a), str(b)), (str(b), str(a))):
            if rank.get(str(strength), 0) > rank.get(pairs.get(key, ""), 0):
                pairs[key] = str(strength)
    return pairs


def _indicator(sets: list[set[str]], names: list[str]) -> np.ndarray:
    at = {n: k for k, n in enumerate(names)}
    out = np.zeros((len(sets), len(names)))
    for i, values in enumerate(sets):
        for v in values:
            if v in at:
                out[i, at[v]] = 1.0
    return out


def _adjacency(rows: list[set[str]], cols: list[set[str]]) -> np.ndarray:
    """Best ``1/d`` between a stage of each row and a different stage of each column."""
    chains = chain_stages()
    names = [f"{c}:{s}" for c, stages in chains.items() for s in stages]
    position = {f"{c}:{s}": (c, k) for c, stages in chains.items() for k, s in enumerate(stages)}
    a, b = _indicator(rows, names), _indicator(cols, names)
    best = np.zeros((len(rows), len(cols)))
    longest = max((len(s) for s in chains.values()), default=1)
    for d in range(longest - 1, 0, -1):  # far to near, so the nearest wins
        level = np.array([[float(position[x][0] == position[y][0]
                                 and abs(position[x][1] - position[y][1]) == d)
                           for y in names] for x in names])  # fmt: skip
        best[(a @ level @ b.T) > 0] = 1.0 / d
    return best


def _truthy(value: Any) -> bool:
    """Return True for True, 1 and the texts true/yes/1 (a CSV's ``strong`` column)."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "1")
    return bool(value) if pd.notna(value) else False


def _region_scores(
    ids: np.ndarray, regions: list[str | None], clusters: list[set[str]],
    map_frame: pd.DataFrame | None,
) -> tuple[np.ndarray, list[str]]:  # fmt: skip
    if map_frame is None:
        return np.zeros(len(ids)), ["No map was given for regional strength."] * len(ids)
    check_columns(map_frame, ["region", "category", "lq"], what="map frame")
    flags = (
        map_frame["strong"] if "strong" in map_frame else pd.Series(False, index=map_frame.index)
    )
    lqs = pd.to_numeric(map_frame["lq"], errors="coerce").fillna(0.0)
    table: dict[tuple[str, str], tuple[float, bool]] = {}
    names = ["category", *(["category_label"] if "category_label" in map_frame else [])]
    for name in names:  # a category matches by its code or, in a map's output, its label
        for r, c, lq, flag in zip(map_frame["region"], map_frame[name], lqs, flags, strict=True):
            table.setdefault((str(r), str(c)), (float(lq), _truthy(flag)))
    scores, notes = np.zeros(len(ids)), []
    for i, (region, mine) in enumerate(zip(regions, clusters, strict=True)):
        best = (0.0, "Its region is not known." if not region else
                f"{region} has no mapped strength in its clusters.")  # fmt: skip
        for cluster in sorted(mine):
            if region and (region, cluster) in table:
                lq, flag = table[region, cluster]
                score = max(min(1.0, lq / 2.0), 0.75 if flag else 0.0)
                if score > best[0]:
                    tail = " (a strong cluster)" if flag else ""
                    best = (score, f"{region} has LQ {lq:.2f} in {cluster!r}{tail}.")
        scores[i] = best[0]
        notes.append(best[1])
    return scores, notes


def build_context(
    participants: pd.DataFrame, items: pd.DataFrame, *, organisations: pd.DataFrame | None,
    related: pd.DataFrame | None, map_frame: pd.DataFrame | None, requests: pd.DataFrame | None,
) -> Context:  # fmt: skip
    from clusteratlas.meet.marketplace import validate_items
    from clusteratlas.meet.participants import validate_participants

    people = validate_participants(participants)
    goods = validate_items(items, participants=people)
    ids = people["participant_id"].to_numpy(dtype=object)
    index = {p: k for k, p in enumerate(ids)}
    clusters: list[set[str]] = [set() for _ in ids]
    stages: list[set[str]] = [set() for _ in ids]
    regions: list[str | None] = [None] * len(ids)
    if organisations is not None:
        check_columns(organisations, ["organisation_id", "industries"], what="organisations")
        org = organisations.drop_duplicates("organisation_id").set_index("organisation_id")
        for i, key in enumerate(people["organisation_id"]):
            if key in org.index:
                found: Any = org.at[key, "industries"]
                if isinstance(found, str):
                    clusters[i] |= set(split_list(found))
                elif isinstance(found, tuple | list | set):
                    clusters[i] |= {str(v) for v in found}
                region = org.at[key, "region"] if "region" in org else None
                regions[i] = str(region) if isinstance(region, str) and region else None
    owner = goods["participant_id"].map(index).to_numpy(dtype=int)
    for k, i in enumerate(owner):
        clusters[i] |= set(split_list(goods.at[k, "industries"]))
        stages[i] |= set(split_list(goods.at[k, "stages"]))
    pairs = _relatedness(related)
    names = sorted({c for s in clusters for c in s})
    a = _indicator(clusters, names)
    at = {n: k for k, n in enumerate(names)}
    links = {level: np.zeros((len(names), len(names))) for level in ("strong", "weak")}
    for (x, y), level in pairs.items():
        if x in at and y in at:
            links[level][at[x], at[y]] = 1.0
    text = optional_import("sklearn.feature_extraction.text", extra="meet")
    try:
        vectors = text.TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(
            goods["text"]
        )
    except ValueError:  # nothing but stop words: no text to match on
        vectors = None
    scores, notes = _region_scores(ids, regions, clusters, map_frame)
    asked: dict[str, set[str]] = {}
    if requests is not None:
        check_columns(requests, ["from", "to"], what="requests")
        for sender, receiver in zip(requests["from"].astype(str), requests["to"].astype(str),
                                    strict=True):  # fmt: skip
            asked.setdefault(sender, set()).add(receiver)
    item_stages = [set(split_list(s)) for s in goods["stages"]]
    return Context(
        ids=ids, orgs=people["organisation_id"].to_numpy(dtype=object),
        countries=people["country"].to_numpy(dtype=object), regions=regions, clusters=clusters,
        stages=stages, items=goods, owner=owner, vectors=vectors, same=(a @ a.T) > 0,
        strong=(a @ links["strong"] @ a.T) > 0, weak=(a @ links["weak"] @ a.T) > 0,
        chain=_adjacency(stages, stages),
        item_chain=_adjacency(item_stages, stages), region_score=scores, region_note=notes,
        requested=asked, pairs=pairs, texts=goods["text"].to_numpy(dtype=object),
        item_ids=goods["item_id"].to_numpy(dtype=object),
        kinds=goods["kind"].to_numpy(dtype=object), item_stages=item_stages,
        owned=[np.flatnonzero(owner == k) for k in range(len(ids))],
        by_kind=_by_kind(goods["kind"].to_numpy(dtype=object), vectors),
    )  # fmt: skip


def _by_kind(kinds: np.ndarray, vectors: Any) -> dict[str, tuple[np.ndarray, Any]]:
    out = {}
    for kind in ("offer", "request"):
        at = np.flatnonzero(kinds == kind)
        out[kind] = (at, vectors[at].T.tocsr() if vectors is not None else None)
    return out


def text_scores(ctx: Context, i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per item: best cosine with i's items of the other kind, and which; per participant: t_ij."""
    n_items = len(ctx.items)
    best, match = np.zeros(n_items), np.full(n_items, -1)
    if ctx.vectors is not None:
        kinds = ctx.kinds
        mine = ctx.owned[i]
        for mine_kind, other_kind in (("request", "offer"), ("offer", "request")):
            rows = mine[kinds[mine] == mine_kind]
            cols, transposed = ctx.by_kind[other_kind]
            if len(rows) and len(cols):
                sims = (ctx.vectors[rows] @ transposed).toarray()
                best[cols] = sims.max(axis=0)
                match[cols] = rows[sims.argmax(axis=0)]
    people = np.zeros(len(ctx.ids))
    np.maximum.at(people, ctx.owner, best)
    return best, match, people
