"""Quality and speed of the automatic ESCO tagging of training programmes.

The labelled set is ``tests/data/skills_programmes_labelled.csv``: 42 programme descriptions
written from public course subjects (laser, photonics, e-mobility, batteries, cybersecurity,
data, welding, CNC, cleanroom, agrifood quality, …), each with the ESCO skills chosen by hand
before any tagger existed (committed alone, before the code). Every method tags each
programme's title and description against all 13,939 ESCO skills of the catalog, and is
scored by

* precision@5: the share of its 5 best skills that are among the hand-chosen ones;
* recall@10: the share of the hand-chosen skills found among its 10 best;

averaged over programmes, with a 95 % bootstrap interval over programmes (2,000 resamples,
seeded) and the paired difference to the baseline. Methods:

* ``keyword overlap`` (the baseline): the number of distinct words (English stop words
  dropped) a skill's text shares with the programme's; ties by URI;
* ``tf-idf word 1-2`` (the default of :class:`clusteratlas.skills.search.ConceptIndex`);
* ``tf-idf char 3-5`` (the ``analyzer="char_wb"`` option, shown for comparison).

Throughput is programmes tagged per second over all ESCO skills (the 42 texts repeated to
``--programmes`` texts), after the index is built (its build time is printed apart), with
the baseline's measured in the same run for the ratio.

    python benchmarks/bench_skills.py [--programmes 2000] [--seed 0]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import CountVectorizer

from clusteratlas.skills.esco import read_esco
from clusteratlas.skills.search import ConceptIndex, top_rows

LABELLED = Path(__file__).resolve().parents[1] / "tests" / "data" / "skills_programmes_labelled.csv"
Ranker = Callable[[list[str], int], np.ndarray]


def overlap_ranker(skills: pd.DataFrame) -> Ranker:
    """The baseline: count of distinct shared words, best first, ties by row (URI order)."""
    vectorizer = CountVectorizer(
        binary=True, lowercase=True, strip_accents="unicode", stop_words="english"
    )
    matrix = vectorizer.fit_transform(skills["text"]).T.tocsc()

    def rank(texts: list[str], k: int) -> np.ndarray:
        out = np.zeros((len(texts), k), dtype=np.int64)
        for start in range(0, len(texts), 512):
            block = (vectorizer.transform(texts[start : start + 512]) @ matrix).toarray()
            out[start : start + len(block)] = top_rows(block, k)  # same selection as tf-idf
        return out

    return rank


def tfidf_ranker(index: ConceptIndex) -> Ranker:
    return lambda texts, k: index.top_k(texts, top=k)[0]


def per_programme(ranked: np.ndarray, gold: list[set[int]]) -> tuple[np.ndarray, np.ndarray]:
    precision = np.array([len(set(row[:5]) & g) / 5 for row, g in zip(ranked, gold, strict=True)])
    recall = np.array(
        [len(set(row[:10]) & g) / len(g) for row, g in zip(ranked, gold, strict=True)]
    )
    return precision, recall


def bootstrap(values: np.ndarray, rng: np.random.Generator, n: int = 2000) -> tuple[float, float]:
    picks = rng.integers(0, len(values), size=(n, len(values)))
    means = values[picks].mean(axis=1)
    return float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975))


def throughput(rank: Ranker, texts: list[str]) -> float:
    rank(texts[:8], 10)  # warm-up
    start = time.perf_counter()
    rank(texts, 10)
    return len(texts) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programmes", type=int, default=2000, help="texts for throughput")
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    args = parser.parse_args()

    labelled = pd.read_csv(LABELLED, dtype=str)
    skills = read_esco("skill")
    row_of = {uri: i for i, uri in enumerate(skills["id"])}
    gold = [{row_of[u] for u in ids.split("|")} for ids in labelled["skill_ids"]]
    texts = (labelled["title"] + ". " + labelled["text"]).tolist()
    print(f"labelled set: {len(texts)} programmes, {sum(map(len, gold))} hand-chosen skills; "
          f"ESCO skills indexed: {len(skills)}")  # fmt: skip

    methods: dict[str, Ranker] = {}
    builds: dict[str, float] = {}
    start = time.perf_counter()
    methods["keyword overlap (baseline)"] = overlap_ranker(skills)
    builds["keyword overlap (baseline)"] = time.perf_counter() - start
    for name, analyzer in (("tf-idf word 1-2 (default)", "word"), ("tf-idf char 3-5", "char_wb")):
        start = time.perf_counter()
        methods[name] = tfidf_ranker(ConceptIndex.build(skills, analyzer=analyzer))  # type: ignore[arg-type]
        builds[name] = time.perf_counter() - start

    rng = np.random.default_rng(args.seed)
    base_p, base_r = per_programme(methods["keyword overlap (baseline)"](texts, 10), gold)
    many = (texts * (args.programmes // len(texts) + 1))[: args.programmes]
    rates = {name: throughput(rank, many) for name, rank in methods.items()}
    base_rate = rates["keyword overlap (baseline)"]
    header = (f"{'method':28} {'P@5':>6} {'95% CI':>15} {'R@10':>6} {'95% CI':>15} "
              f"{'ΔP@5':>6} {'ΔR@10':>6} {'build s':>8} {'prog/s':>8} {'× base':>7}")  # fmt: skip
    print(header)
    print("-" * len(header))
    for name, rank in methods.items():
        p, r = per_programme(rank(texts, 10), gold)
        (pl, ph), (rl, rh) = bootstrap(p, rng), bootstrap(r, rng)
        print(
            f"{name:28} {p.mean():6.3f} [{pl:5.3f}, {ph:5.3f}] {r.mean():6.3f} "
            f"[{rl:5.3f}, {rh:5.3f}] {p.mean() - base_p.mean():+6.3f} "
            f"{r.mean() - base_r.mean():+6.3f} {builds[name]:8.2f} {rates[name]:8.0f} "
            f"{rates[name] / base_rate:7.2f}"
        )
    ceiling = np.mean([min(len(g), 5) / 5 for g in gold])
    print(f"ceiling of P@5 on this set (hand-chosen skills per programme < 5): {ceiling:.3f}")
    print(f"throughput over {len(many)} texts × {len(skills)} skills, after the build")


if __name__ == "__main__":
    main()
