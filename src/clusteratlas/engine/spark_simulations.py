"""The Detect pillar's Kd / M envelopes for many industries, simulated on Spark.

Each Spark task is one (industry, batch of simulations). It calls the local
:func:`~clusteratlas.measures.pointpattern.kd_test` / :func:`~clusteratlas.measures.pointpattern.m_test`
itself, for the batch's simulations only, with a :class:`numpy.random.SeedSequence` that
spawns exactly the children ``start … start + size - 1`` that the local run spawns from
``rng`` (``np.random.default_rng(rng).spawn(simulations)``: one child per simulation). The
driver stacks the batches in order and builds the envelope with the same
:func:`~clusteratlas.measures.pointpattern.envelopes.build_envelope`: the result is
identical to the local test with the same ``rng``, whatever the batch size or the number
of executors. Each task also recomputes the observed curve (one extra curve per batch).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from clusteratlas._validation import check_in
from clusteratlas.errors import ParameterError
from clusteratlas.measures.pointpattern.envelopes import EnvelopeResult, build_envelope

FUNCTIONS: tuple[str, ...] = ("kd", "m")


def batch_seed(root: np.random.SeedSequence, start: int) -> np.random.SeedSequence:
    """Return a seed sequence whose ``spawn(k)`` gives the root's children ``start … start + k - 1``."""
    return np.random.SeedSequence(
        root.entropy,
        spawn_key=root.spawn_key,
        pool_size=root.pool_size,
        n_children_spawned=root.n_children_spawned + start,
    )


def _root(rng: Any) -> np.random.SeedSequence:
    if isinstance(rng, np.random.SeedSequence):
        return rng
    if rng is None or (isinstance(rng, int | np.integer) and not isinstance(rng, bool)):
        if rng is not None and rng < 0:
            raise ParameterError(f"The 'rng' parameter must be an int in [0, inf). Got {rng!r}.")
        return np.random.SeedSequence(None if rng is None else int(rng))
    raise TypeError(
        "The 'rng' parameter of spark_envelopes must be an int, a numpy SeedSequence or None "
        f"(each industry uses it as the local test would). Got {type(rng).__name__} instead."
    )


def _tasks(n_industries: int, simulations: int, batch_size: int) -> pd.DataFrame:
    starts = range(0, simulations, batch_size)
    return pd.DataFrame(
        [
            (i, b, start, min(batch_size, simulations - start))
            for i in range(n_industries)
            for b, start in enumerate(starts)
        ],
        columns=["task_industry", "batch", "start", "size"],
    )


def spark_envelopes(
    session: Any,
    points: pd.DataFrame,
    *,
    industries: Sequence[Any],
    function: str = "kd",
    simulations: int = 99,
    batch_size: int = 25,
    rng: int | np.random.SeedSequence | None = None,
    seeds: Sequence[np.random.SeedSequence] | None = None,
    **options: Any,
) -> dict[Any, EnvelopeResult]:
    """Kd or M envelope tests of many industries, simulations distributed on Spark.

    Parameters
    ----------
    session : pyspark.sql.SparkSession
        The Spark session (see :func:`clusteratlas.engine.backends.spark_session`).
    points : pandas.DataFrame
        All establishments (the sites of the null), as for ``kd_test`` / ``m_test``; sent
        to every task with the function, so it should fit comfortably in a worker.
    industries : sequence
        Industries to test.
    function : {"kd", "m"}
        Which test.
    simulations : int, default 99
        Simulations per industry.
    batch_size : int, default 25
        Simulations per Spark task.
    rng : int, numpy.random.SeedSequence or None
        Randomness; every industry uses it as ``kd_test(..., rng=rng)`` would, so the result
        of each industry equals the local test's with the same ``rng``.
    seeds : sequence of numpy.random.SeedSequence, optional
        One per industry, instead of ``rng``: industry ``i`` gives what
        ``kd_test(..., rng=seeds[i])`` gives (``scan_industries`` draws each industry from
        its own child of the run's seed).
    **options
        Other keyword arguments of ``kd_test`` / ``m_test`` (``x``, ``y``,
        ``industry_column``, ``weight``, ``r``, ``null``, ``envelope``, ``alpha`` …).

    Returns
    -------
    dict
        Industry → :class:`~clusteratlas.measures.pointpattern.envelopes.EnvelopeResult`.
        With ``approx=True`` (Kd) each result states the cells, the error measured on the
        observed curve and the largest error bound over all batches, as the local test.
    """
    from clusteratlas.measures.pointpattern import kd_test, m_test

    check_in(function, FUNCTIONS, name="function")
    for name in ("simulations", "batch_size"):
        value = simulations if name == "simulations" else batch_size
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ParameterError(f"The {name!r} parameter must be an int >= 1. Got {value!r}.")
    for name in ("rng", "n_jobs", "progress", "simulations", "industry"):
        if name in options:
            raise ParameterError(f"The {name!r} option is set by spark_envelopes itself.")
    names = list(industries)
    if seeds is not None:
        if rng is not None:
            raise ParameterError("Give 'rng' or 'seeds' (one per industry), not both.")
        if len(seeds) != len(names):
            raise ParameterError(
                f"The 'seeds' parameter needs one seed per industry: {len(names)} industries, "
                f"{len(seeds)} seeds."
            )
        roots = [_root(seed) for seed in seeds]
    else:
        root = _root(rng)
        roots = [root] * len(names)
    test = kd_test if function == "kd" else m_test
    tasks = _tasks(len(names), simulations, batch_size)

    def run(frames: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for frame in frames:
            columns = ("task_industry", "start", "size")
            for position, start, size in zip(*(frame[c].tolist() for c in columns), strict=True):
                result = test(
                    points, industry=names[position], simulations=size,
                    rng=batch_seed(roots[position], start), **options,
                )  # fmt: skip
                rows = [("sim", start + k, s.tolist()) for k, s in enumerate(result.simulations)]
                if getattr(result, "approximate", False):
                    rows.append(("bound", start, [result.error_bound, result.cell]))
                if start == 0:
                    rows += [
                        ("observed", -1, result.statistic.tolist()),
                        ("r", -2, result.r.tolist()),
                    ]
                    if getattr(result, "approximate", False):
                        rows.append(("measured", -3, [result.error_measured]))
                yield pd.DataFrame(
                    {
                        "task_industry": position,
                        "function": result.function,
                        "kind": [row[0] for row in rows],
                        "index": [row[1] for row in rows],
                        "values": [row[2] for row in rows],
                    }
                )

    schema = "task_industry long, function string, kind string, index long, values array<double>"
    frame = session.createDataFrame(tasks).repartition(len(tasks))
    collected = frame.mapInPandas(run, schema=schema).toPandas()
    for seed in {id(r): r for r in roots}.values():
        seed.spawn(simulations)  # advance each root as the local run does
    alpha = float(options.get("alpha", 0.05))
    envelope = str(options.get("envelope", "global"))
    null = str(options.get("null", "location"))
    results: dict[Any, EnvelopeResult] = {}
    for position, name in enumerate(names):
        rows = collected[collected["task_industry"] == position]
        sims = rows[rows["kind"] == "sim"].sort_values("index")
        observed = np.asarray(rows.loc[rows["kind"] == "observed", "values"].iloc[0], dtype=float)
        grid = np.asarray(rows.loc[rows["kind"] == "r", "values"].iloc[0], dtype=float)
        result = build_envelope(
            str(rows["function"].iloc[0]), grid, observed,
            np.vstack([np.asarray(v, dtype=float) for v in sims["values"]]),
            envelope=envelope, alpha=alpha, null=null, industry=str(name),
        )  # fmt: skip
        bounds = rows.loc[rows["kind"] == "bound", "values"]
        if len(bounds):
            measured = rows.loc[rows["kind"] == "measured", "values"].iloc[0]
            result = replace(
                result, approximate=True, cell=float(bounds.iloc[0][1]),
                error_bound=max(float(v[0]) for v in bounds), error_measured=float(measured[0]),
            )  # fmt: skip
        results[name] = result
    return results


__all__ = ["FUNCTIONS", "batch_seed", "spark_envelopes"]
