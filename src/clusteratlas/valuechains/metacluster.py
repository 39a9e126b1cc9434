"""Meta-cluster building: the regions that together cover a value chain most strongly.

A weighted maximum-coverage integer programme (Church & ReVelle 1974) with a set-cover
constraint, solved exactly by HiGHS through :func:`scipy.optimize.milp`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from clusteratlas._validation import check_columns, optional_import, suggest
from clusteratlas.errors import CoverageError, ParameterError, UnknownCodeError
from clusteratlas.valuechains.chains import ValueChain


@dataclass(frozen=True)
class ScoreWeights:
    """Weights of the three parts of a region's score in a stage (see :func:`stage_scores`)."""

    lq: float = 1.0
    size: float = 1.0
    rating: float = 0.5

    def __post_init__(self) -> None:
        for name in ("lq", "size", "rating"):
            value = getattr(self, name)
            if not np.isfinite(value) or value < 0:
                raise ParameterError(
                    f"The {name!r} weight must be a finite number ≥ 0. Got {value!r} instead."
                )


def stage_scores(
    strength: pd.DataFrame,
    *,
    weights: ScoreWeights | None = None,
    min_lq: float = 1.0,
    min_employment: float = 0.0,
) -> pd.DataFrame:
    r"""Score every eligible (region, stage) pair.

    Parameters
    ----------
    strength : pandas.DataFrame
        The output of :func:`~clusteratlas.valuechains.coverage.stage_strength`.
    weights : ScoreWeights, optional
        Weights of specialisation, size and rating (default 1, 1, 0.5).
    min_lq : float, default 1
        A region is eligible for a stage only with LQ ≥ ``min_lq``.
    min_employment : float, default 0
        … and employment > ``min_employment``.

    Returns
    -------
    pandas.DataFrame
        The eligible rows of ``strength`` with ``score`` and ``rank`` (1 = best score in the
        stage) and ``n_eligible`` (eligible regions in the stage).

    Notes
    -----
    Within each stage s, over its eligible regions,

    .. math:: \text{score}_{rs} = w_{lq} \frac{\ln LQ_{rs}}{\max_{r'} \ln LQ_{r's}}
              + w_{size} \sqrt{E_{rs} / \max_{r'} E_{r's}}
              + w_{rating} \frac{\text{stars}_{rs}}{3}

    (the first term is 0 when every LQ is 1; the rating term uses ``strong`` (0/1) when there
    are no stars, and is 0 without either). Each part is in [0, 1], so every stage weighs
    alike whatever its employment, and a chosen region's contribution is the sum over the
    stages it serves: specialisation and critical mass, as in the star ratings of the
    European Cluster Observatory (Ketels & Protsiv 2014).
    """
    weights = weights or ScoreWeights()
    check_columns(strength, ("region", "stage", "employment", "lq"), what="strength")
    ok = strength["lq"].ge(min_lq) & strength["employment"].gt(min_employment)
    out = strength[ok].copy()
    log_lq = pd.Series(np.log(out["lq"].to_numpy(dtype="float64")), index=out.index)
    top_log = log_lq.groupby(out["stage"]).transform("max")
    lq_part = (log_lq / top_log.where(top_log > 0)).fillna(0.0)
    top_size = out.groupby("stage")["employment"].transform("max")
    size_part = (out["employment"] / top_size) ** 0.5
    if "stars" in out.columns:
        rating = out["stars"].astype("float64").fillna(0.0) / 3.0
    elif "strong" in out.columns:
        rating = out["strong"].fillna(False).astype("float64")
    else:
        rating = pd.Series(0.0, index=out.index)
    out["score"] = weights.lq * lq_part + weights.size * size_part + weights.rating * rating
    out["rank"] = out.groupby("stage")["score"].rank(ascending=False, method="min").astype("int64")
    out["n_eligible"] = out.groupby("stage")["region"].transform("size").astype("int64")
    return out.reset_index(drop=True)


@dataclass(frozen=True)
class MetaclusterResult:
    r"""The regions chosen for a meta-cluster and why.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per (chosen region, stage it serves): ``region``, ``region_name``, ``stage``,
        ``stage_order``, ``score``, ``lq``, ``employment``, ``rank``, ``reason``.
    selected : tuple of str
        The chosen regions, best total score first.
    objective : float
        :math:`\sum_{rs} \text{score}_{rs} y_{rs}` of the solution.
    status : str
        The solver's status message.
    chain : str
        The value chain's name.
    size : int
        The maximum number of regions allowed.
    scores : pandas.DataFrame
        Every eligible (region, stage) pair with its score (see :func:`stage_scores`).
    notes : list of str
        Caveats (data resolution, unconfirmed stage definitions).
    strength : pandas.DataFrame or None
        The stage-strength table the selection was made from (every region and stage).
    """

    frame: pd.DataFrame
    selected: tuple[str, ...]
    objective: float
    status: str
    chain: str
    size: int
    scores: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    strength: pd.DataFrame | None = None

    def _repr_html_(self) -> str:
        """Show the meta-cluster in a notebook: chain, solver status, one row per region."""
        from clusteratlas._html import html_summary

        return html_summary(
            f"MetaclusterResult: {self.chain}, {self.size} regions",
            [
                ("status", self.status),
                ("objective", float(self.objective)),
                ("selected", ", ".join(self.selected)),
            ],
            self.table(),
            notes=self.notes,
            max_rows=max(10, self.size),
        )

    def table(self) -> pd.DataFrame:
        """Return one row per chosen region: ``region``, ``stage``, ``score``, ``reason``.

        ``stage`` lists the stages the region is picked for (``; ``-separated, in chain
        order), ``score`` is the sum of its stage scores and ``reason`` joins the
        explanation of each stage. Regions come in the order of :attr:`selected`.
        """
        rows = self.frame.sort_values("stage_order")
        grouped = rows.groupby("region", sort=False).agg(
            stage=("stage", "; ".join), score=("score", "sum"), reason=("reason", " | ".join)
        )
        return grouped.reindex(list(self.selected)).reset_index()


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _reason(row: pd.Series, title: str) -> str:
    parts = [f"LQ {row['lq']:.2f}", f"{row['employment']:,.0f} employees"]
    if "stars" in row.index and pd.notna(row["stars"]):
        parts.append(f"{int(row['stars'])} star{'s' if int(row['stars']) != 1 else ''}")
    if "strong" in row.index and bool(row["strong"]) is True:
        parts.append("strong cluster")
    rank = "strongest" if row["rank"] == 1 else f"{_ordinal(int(row['rank']))} strongest"
    where = f" (via {row['categories']})" if row.get("resolution") == "coarser" else ""
    return (
        f"{title}: {', '.join(parts)}{where}; {rank} of {int(row['n_eligible'])} "
        f"specialised regions for this stage"
    )


def _max_coverage(
    scores: pd.DataFrame,
    regions: list[str],
    stages: list[str],
    *,
    size: int,
    forced: list[str],
    groups: Mapping[str, list[int]],
    cap: int | None,
    cover_all: bool,
) -> tuple[Any, int, int]:
    """Solve the programme; with ``cover_all=False`` maximise the number of stages covered."""
    optimize = optional_import("scipy.optimize", extra="points")
    sparse = optional_import("scipy.sparse", extra="points")
    n_r, n_y, n_s = len(regions), len(scores), len(stages)
    r_idx = scores["region"].map({r: i for i, r in enumerate(regions)}).to_numpy()
    s_idx = scores["stage"].map({s: i for i, s in enumerate(stages)}).to_numpy()
    n_z = 0 if cover_all else n_s
    n = n_r + n_y + n_z
    c = np.zeros(n)
    if cover_all:
        c[n_r : n_r + n_y] = -scores["score"].to_numpy(dtype="float64")
    else:
        c[n_r + n_y :] = -1.0
    rows: list[np.ndarray] = []
    ub: list[float] = []
    lb: list[float] = []
    # y_rs - x_r <= 0
    link = sparse.lil_array((n_y, n))
    link[np.arange(n_y), n_r + np.arange(n_y)] = 1.0
    link[np.arange(n_y), r_idx] = -1.0
    rows.append(link)
    lb += [-np.inf] * n_y
    ub += [0.0] * n_y
    # sum_r x_r <= size
    budget = sparse.lil_array((1, n))
    budget[0, :n_r] = 1.0
    rows.append(budget)
    lb.append(-np.inf)
    ub.append(float(size))
    # cover: sum_r y_rs >= 1 (or >= z_s)
    cover = sparse.lil_array((n_s, n))
    cover[s_idx, n_r + np.arange(n_y)] = 1.0
    if not cover_all:
        cover[np.arange(n_s), n_r + n_y + np.arange(n_s)] = -1.0
    rows.append(cover)
    lb += [1.0 if cover_all else 0.0] * n_s
    ub += [np.inf] * n_s
    if cap is not None:
        for members in groups.values():
            row = sparse.lil_array((1, n))
            row[0, members] = 1.0
            rows.append(row)
            lb.append(-np.inf)
            ub.append(float(cap))
    lower = np.zeros(n)
    lower[[regions.index(r) for r in forced]] = 1.0
    constraints = optimize.LinearConstraint(sparse.vstack(rows).tocsr(), lb, ub)
    bounds = optimize.Bounds(lower, np.ones(n))
    result = optimize.milp(c, constraints=constraints, integrality=np.ones(n), bounds=bounds)
    return result, n_r, n_y


def build_metacluster(
    chain: ValueChain,
    strength: pd.DataFrame,
    *,
    size: int = 12,
    seed_region: str | Iterable[str] | None = None,
    weights: ScoreWeights | None = None,
    max_per_country: int | None = None,
    country: Callable[[str], str] | None = None,
    min_lq: float = 1.0,
    min_employment: float = 0.0,
) -> MetaclusterResult:
    r"""Choose at most ``size`` regions that together cover every stage of a value chain.

    Parameters
    ----------
    chain : ValueChain
        The value chain; every one of its stages must be covered.
    strength : pandas.DataFrame
        Its :func:`~clusteratlas.valuechains.coverage.stage_strength` frame.
    size : int, default 12
        Most regions chosen (Silicon Europe joined 12 clusters).
    seed_region : str or iterable of str, optional
        Region(s) that must be chosen (e.g. the cluster organisation's own region).
    weights : ScoreWeights, optional
        Weights of the score (see :func:`stage_scores`).
    max_per_country : int, optional
        Most regions from one country, for a cross-border partnership.
    country : callable, optional
        Region code → country; default the first two characters (NUTS).
    min_lq, min_employment : float
        Eligibility of a region for a stage (see :func:`stage_scores`).

    Returns
    -------
    MetaclusterResult

    Raises
    ------
    CoverageError
        When no selection within the limits covers every stage; the message names the
        stages left uncovered (no eligible region, or not coverable within ``size`` and
        ``max_per_country`` together with the seed).
    UnknownCodeError
        When ``seed_region`` is not a region of ``strength``.

    Notes
    -----
    With binary :math:`x_r` (region r chosen) and :math:`y_{rs}` (r serves stage s; only
    for eligible pairs),

    .. math::
        \max \sum_{r,s} \text{score}_{rs}\, y_{rs} \quad \text{s.t.} \quad
        y_{rs} \le x_r,\ \sum_r x_r \le \text{size},\ \sum_r y_{rs} \ge 1\ \forall s,\
        \sum_{r \in c} x_r \le \text{cap}\ \forall c,\ x_{\text{seed}} = 1.

    This is the maximal covering location problem of Church & ReVelle (1974), with the
    stages as demand points, plus a set-cover constraint (every stage covered). It is solved
    to optimality by HiGHS (:func:`scipy.optimize.milp`). When it is infeasible, a second
    programme maximising the number of covered stages names those that cannot be covered.

    References
    ----------
    .. [1] Church, R., & ReVelle, C. (1974). The maximal covering location problem. Papers
       of the Regional Science Association, 32(1), 101-118.
    .. [2] Huangfu, Q., & Hall, J. A. J. (2018). Parallelizing the dual revised simplex
       method. Mathematical Programming Computation, 10(1), 119-142 (HiGHS).
    .. [3] Silicon Europe alliance, https://www.silicon-europe.eu/about/history/
    """
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        raise ParameterError(f"The 'size' parameter must be an int ≥ 1. Got {size!r} instead.")
    if max_per_country is not None and (
        not isinstance(max_per_country, int) or max_per_country < 1
    ):
        raise ParameterError(
            f"The 'max_per_country' parameter must be an int ≥ 1. Got {max_per_country!r} instead."
        )
    check_columns(strength, ("region", "stage", "employment", "lq"), what="strength")
    country = country or (lambda code: code[:2])
    stages = list(chain.stage_names)
    scores = stage_scores(strength, weights=weights, min_lq=min_lq, min_employment=min_employment)
    scores = scores[scores["stage"].isin(stages)].reset_index(drop=True)
    all_regions = sorted(strength["region"].unique())
    forced = (
        []
        if seed_region is None
        else ([seed_region] if isinstance(seed_region, str) else list(seed_region))
    )
    for code in forced:
        if code not in all_regions:
            raise UnknownCodeError(
                f"The 'seed_region' {code!r} is not a region of strength.{suggest(code, all_regions)}"
            )
    uncovered = [s for s in stages if s not in set(scores["stage"])]
    if uncovered:
        raise CoverageError(
            f"Value chain {chain.name!r}: no region has LQ ≥ {min_lq:g} and employment in "
            f"stage(s) {', '.join(uncovered)}; they cannot be covered."
        )
    regions = sorted(set(scores["region"]) | set(forced))
    groups: dict[str, list[int]] = {}
    for i, code in enumerate(regions):
        groups.setdefault(country(code), []).append(i)
    limits: dict[str, Any] = {
        "size": size,
        "forced": forced,
        "groups": groups,
        "cap": max_per_country,
    }
    result, n_r, n_y = _max_coverage(scores, regions, stages, cover_all=True, **limits)
    if result.status != 0 or result.x is None:
        relaxed, _, _ = _max_coverage(scores, regions, stages, cover_all=False, **limits)
        missing = stages
        if relaxed.x is not None:
            z = np.round(relaxed.x[n_r + n_y :]).astype(bool)
            missing = [s for s, ok in zip(stages, z, strict=True) if not ok]
        raise CoverageError(
            f"Value chain {chain.name!r}: no selection of at most {size} region(s)"
            + (f" with at most {max_per_country} per country" if max_per_country else "")
            + (f" including {', '.join(forced)}" if forced else "")
            + f" covers every stage; left uncovered at best: {', '.join(missing)}. "
            f"Raise 'size' or 'max_per_country'. (Solver: {result.message})"
        )
    x = np.round(result.x[:n_r]).astype(bool)
    y = np.round(result.x[n_r : n_r + n_y]).astype(bool)
    picked = scores[y].copy()
    titles = {stage.name: stage.title for stage in chain.stages}
    picked["reason"] = [_reason(row, titles[row["stage"]]) for _, row in picked.iterrows()]
    chosen = [r for r, on in zip(regions, x, strict=True) if on]
    totals = picked.groupby("region")["score"].sum()
    selected = tuple(sorted(chosen, key=lambda r: (-totals.get(r, 0.0), r)))
    order = {r: i for i, r in enumerate(selected)}
    picked = picked.sort_values(
        ["region", "stage_order"], key=lambda s: s.map(order) if s.name == "region" else s
    )
    columns = ["region", "region_name", "stage", "stage_order", "score", "lq", "employment"]
    columns += [c for c in ("stars", "strong") if c in picked.columns] + ["rank", "reason"]
    idle = [r for r in selected if r not in set(picked["region"])]
    notes = [f"Chosen but serving no stage (forced seed): {', '.join(idle)}"] if idle else []
    shaky = [stage.name for stage in chain.stages if stage.status == "UNCONFIRMED"]
    if shaky:
        notes.append("Stages with UNCONFIRMED industry codes: " + ", ".join(shaky))
    return MetaclusterResult(
        frame=picked[columns].reset_index(drop=True),
        selected=selected,
        objective=float(-result.fun),
        status=str(result.message),
        chain=chain.name,
        size=size,
        scores=scores,
        notes=notes,
        strength=strength,
    )


__all__ = [
    "CoverageError",
    "MetaclusterResult",
    "ScoreWeights",
    "build_metacluster",
    "stage_scores",
]
