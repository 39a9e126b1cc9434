"""Whom to meet: precision of the recommendations against the requests the generator drew.

A synthetic European Cluster Conference (SYNTHETIC, seeded: :mod:`clusteratlas.meet.synthetic`)
of 600 participants from the registry's real organisations, with a marketplace made up from
each organisation's clusters (:func:`clusteratlas.meet.marketplace.synthetic_items`). The
"true" pairs are the requests the generator drew (every status: they are whom each
participant wanted to meet, drawn with weight ``(1 + 3·same + 2·related) × (2 if other
region)`` × attraction). For each participant, ``k`` candidates are proposed by

* **recommender**: :func:`clusteratlas.meet.recommend.recommend_all` with its defaults (text,
  related clusters, value chain; no map, no cross-border weight), and two ablations: its
  text part alone and its cluster parts alone (related + value chain), and with a
  cross-border weight of 0.15 (the generator doubles the chance of another region);
* **same industry**: ``k`` drawn at random among the participants whose organisation shares
  a benchmark cluster, topped up at random when fewer;
* **random**: ``k`` drawn at random among the others (not colleagues): its exact
  expectation, requests / candidates, is printed.

The same-industry baseline is averaged over 20 draws.

and the benchmark prints precision@k (share of proposals the participant did request) and
recall@k, averaged over participants, with the ratios to the two baselines (same seed,
same run).

    python benchmarks/bench_meet_recommend.py [--participants 600] [--seed 1] [--k 5 10]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd


def _same_industry(people: pd.DataFrame, clusters: dict[str, set[str]], k: int,
                   gen: np.random.Generator) -> dict[str, list[str]]:  # fmt: skip
    ids = people["participant_id"].tolist()
    orgs = dict(zip(people["participant_id"], people["organisation_id"], strict=True))
    out: dict[str, list[str]] = {}
    for me in ids:
        others = [p for p in ids if orgs[p] != orgs[me]]
        peers = [p for p in others if clusters[orgs[p]] & clusters[orgs[me]]]
        chosen = list(gen.choice(peers, size=min(k, len(peers)), replace=False)) if peers else []
        rest = [p for p in others if p not in set(chosen)]
        if len(chosen) < k:
            chosen += list(gen.choice(rest, size=k - len(chosen), replace=False))
        out[me] = chosen
    return out


def _random_expectation(
    people: pd.DataFrame, truth: dict[str, set[str]], k: int
) -> tuple[float, float]:
    """Exact expected precision and recall@k of k candidates drawn at random (no colleague)."""
    orgs = dict(zip(people["participant_id"], people["organisation_id"], strict=True))
    sizes = people["organisation_id"].value_counts()
    precision = [len(w) / (len(people) - sizes[orgs[me]]) for me, w in truth.items()]
    recall = [min(k, len(people) - sizes[orgs[me]]) / (len(people) - sizes[orgs[me]])
              for me in truth]  # fmt: skip
    return float(np.mean(precision)), float(np.mean(recall))


def _score(
    proposals: dict[str, list[str]], truth: dict[str, set[str]], k: int
) -> tuple[float, float]:
    precision, recall = [], []
    for me, wanted in truth.items():
        got = proposals.get(me, [])[:k]
        hits = len(set(got) & wanted)
        precision.append(hits / k)
        recall.append(hits / len(wanted))
    return float(np.mean(precision)), float(np.mean(recall))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=600)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--k", type=int, nargs="+", default=[5, 10])
    args = parser.parse_args()

    from clusteratlas.data.definitions import related_clusters
    from clusteratlas.meet import packaged_event
    from clusteratlas.meet.marketplace import synthetic_items
    from clusteratlas.meet.recommend import recommend_all
    from clusteratlas.meet.synthetic import registry_organisations, synthetic_event

    organisations = registry_organisations()
    generated = synthetic_event(packaged_event("ecc2024"), participants=args.participants,
                                rng=args.seed)  # fmt: skip
    people = generated.participants
    items = synthetic_items(people, organisations=organisations,
                            rng=np.random.default_rng((args.seed, 12)))  # fmt: skip
    truth: dict[str, set[str]] = {}
    for a, b in zip(generated.requests["from"], generated.requests["to"], strict=True):
        truth.setdefault(a, set()).add(b)
    clusters = {o: set(i) for o, i in zip(organisations["organisation_id"],
                                          organisations["industries"], strict=True)}  # fmt: skip
    top = max(args.k)
    related = related_clusters()
    variants = {
        "recommender": None,
        "recommender + cross-border 0.15": {"cross_border": 0.15},
        "text part only": {"text": 1.0, "related": 0.0, "value_chain": 0.0, "region": 0.0},
        "cluster parts only": {"text": 0.0, "related": 0.3, "value_chain": 0.15, "region": 0.0},
    }
    proposals: dict[str, dict[str, list[str]]] = {}
    for name, weights in variants.items():
        start = time.perf_counter()
        ranked = recommend_all(participants=people, items=items, organisations=organisations,
                               related=related, weights=weights, top=top,
                               kinds=("participant",))  # fmt: skip
        wall = time.perf_counter() - start
        proposals[name] = ranked.groupby("participant_id")["candidate"].apply(list).to_dict()
        print(f"{name}: {wall:.1f} s for {len(people)} participants "
              f"({len(items)} items, top {top})")  # fmt: skip
    draws = 20
    same = [_same_industry(people, clusters, top, np.random.default_rng((args.seed, d)))
            for d in range(draws)]  # fmt: skip
    print(f"\n{len(people)} participants, {len(generated.requests)} requests drawn "
          f"(mean {len(generated.requests) / len(people):.1f} per participant), seed {args.seed}")  # fmt: skip
    for k in args.k:
        scores = {name: _score(p, truth, k) for name, p in proposals.items()}
        scores["random (expectation)"] = _random_expectation(people, truth, k)
        runs = np.array([_score(p, truth, k) for p in same])
        scores[f"same industry ({draws} draws)"] = (
            float(runs[:, 0].mean()),
            float(runs[:, 1].mean()),
        )
        base_random = scores["random (expectation)"][0]
        base_same = scores[f"same industry ({draws} draws)"][0]
        print(f"\nk = {k}: {'method':<32} {'precision':>9} {'recall':>7} "
              f"{'× random':>9} {'× same ind.':>11}")  # fmt: skip
        for name, (precision, recall) in scores.items():
            print(f"        {name:<32} {precision:>9.4f} {recall:>7.4f} "
                  f"{precision / base_random:>9.2f} {precision / base_same:>11.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
