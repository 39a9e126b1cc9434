r"""Anonymised peer benchmarking of label self-assessments, safe against differencing.

Peers are the submitted assessments of the same scheme that match a *filter set*: a value
or "any" for each peer dimension (country, ecosystem, size band). A peer group's
percentiles are shown under a rule that no combination of filters can defeat:

**Disclosure rule.** Let :math:`\mathcal{F}` be every filter set over the dimensions (each
dimension a value present in the population, or "any") and :math:`G(f)` the assessments
filter set :math:`f` selects. :math:`G(f)` is shown if and only if

1. :math:`|G(f)| \ge N` (``min_peers``, default 5), and
2. no :math:`f' \in \mathcal{F}` selects :math:`G(f') \subset G(f)` with
   :math:`|G(f')| = |G(f)| - 1 \ge N`.

*Why it holds.* Two peer groups that differ by one assessment are nested,
:math:`B = A \cup \{x\}`. If :math:`|A| < N`, :math:`A` is suppressed by (1); otherwise
:math:`A` is a subset of :math:`B` one smaller and at least :math:`N`, so :math:`B` is
suppressed by (2). So comparing any two shown groups never isolates one peer's answers
(the differencing attack). The rule keeps the more specific group of such a pair (the one a
manager asks for) and suppresses the broader one. A suppressed group says only that it is
not shown, never its size or why, since the size of a group is itself what differencing
reads. Each organisation counts once (its latest submitted assessment); drafts never count.

The rule protects one *snapshot* of the population: comparing the same filters before and
after one new submission differs by one assessment too, so a service should publish
benchmarks from snapshots taken at intervals (or when several new assessments arrived),
not live.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from clusteratlas._validation import check_columns, suggest
from clusteratlas.errors import AssessmentError, ParameterError
from clusteratlas.labels.assessment import PEER_KEYS

DEFAULT_MIN_PEERS = 5
ANY = "*"
"""The "any value" of a dimension in a filter set."""
SIZE_BAND_EDGES: tuple[int, ...] = (50, 150, 500)
"""Default member-count edges of the size bands: 1-49, 50-149, 150-499, 500+ (our own)."""


def size_band(members: float | None, *, edges: Sequence[int] = SIZE_BAND_EDGES) -> str | None:
    """Return the size band of an organisation with ``members`` members.

    Examples
    --------
    >>> size_band(49), size_band(50), size_band(500), size_band(None)
    ('1-49', '50-149', '500+', None)
    """
    if members is None or members != members:
        return None
    lows = [1, *edges]
    for low, high in zip(lows, [*edges, None], strict=True):
        if high is None or members < high:
            return f"{low}+" if high is None else f"{low}-{high - 1}"
    raise AssertionError("unreachable")  # pragma: no cover


def _check(frame: pd.DataFrame, dimensions: Sequence[str], id_column: str, min_peers: int) -> None:
    if not isinstance(min_peers, int) or isinstance(min_peers, bool) or min_peers < 2:
        raise ParameterError(
            f"The 'min_peers' parameter must be an int in [2, inf). Got {min_peers!r} instead."
        )
    check_columns(frame, [id_column, *dimensions], what="assessments")
    if frame[id_column].duplicated().any():
        twice = sorted(frame.loc[frame[id_column].duplicated(), id_column].astype(str).unique())
        raise AssessmentError(
            f"assessments: {id_column} {', '.join(map(repr, twice[:5]))} appear(s) more than "
            "once; keep one assessment per organisation (its latest submitted one)."
        )


def _lattice(
    frame: pd.DataFrame, dimensions: Sequence[str], id_column: str
) -> dict[tuple[str, ...], frozenset[Any]]:
    """Return every filter set (a value or ANY per dimension) with the ids it selects."""
    ids = frame[id_column].to_numpy()
    columns = [
        np.array([None if pd.isna(v) else str(v) for v in frame[d]], dtype=object)
        for d in dimensions
    ]
    choices = [[ANY, *sorted({v for v in column if v is not None})] for column in columns]
    masks = [
        {value: column == value for value in choice[1:]}
        for column, choice in zip(columns, choices, strict=True)
    ]
    out = {}
    everyone = np.ones(len(frame), dtype=bool)
    for combo in itertools.product(*choices):
        mask = everyone
        for by_value, value in zip(masks, combo, strict=True):
            if value != ANY:
                mask = mask & by_value[value]
        out[combo] = frozenset(ids[mask].tolist())
    return out


def disclosure_table(
    assessments: pd.DataFrame,
    *,
    dimensions: Sequence[str] = PEER_KEYS,
    min_peers: int = DEFAULT_MIN_PEERS,
    id_column: str = "organisation_id",
) -> pd.DataFrame:
    """Return every filter set with its peer count and whether it may be shown.

    For the labelling body (it sees the counts); see the module docstring for the rule.

    Returns
    -------
    pandas.DataFrame
        One row per filter set: the dimensions (``"*"`` for any), ``n``, ``shown`` and
        ``reason`` (``"shown"``, ``"fewer than N"`` or ``"differencing"``).
    """
    _check(assessments, dimensions, id_column, min_peers)
    lattice = _lattice(assessments, dimensions, id_column)
    large = {ids for ids in lattice.values() if len(ids) >= min_peers}
    by_size: dict[int, list[frozenset[Any]]] = {}
    for ids in large:
        by_size.setdefault(len(ids), []).append(ids)
    rows = []
    for combo, ids in lattice.items():
        if len(ids) < min_peers:
            reason = "fewer than N"
        elif any(smaller < ids for smaller in by_size.get(len(ids) - 1, [])):
            reason = "differencing"
        else:
            reason = "shown"
        rows.append([*combo, len(ids), reason == "shown", reason])
    return pd.DataFrame(rows, columns=[*dimensions, "n", "shown", "reason"])


@dataclass(frozen=True)
class BenchmarkResult:
    """Percentiles of a peer group, or nothing when the group may not be shown.

    Attributes
    ----------
    filters : dict
        The filter set (dimension → value; absent dimensions are "any").
    shown : bool
        Whether the group passes the disclosure rule.
    n : int or None
        The number of peers (``None`` when not shown).
    percentiles : pandas.DataFrame or None
        One row per indicator group: ``group`` and one column per percentile (``p25`` …) of
        the peers' group score shares (linear interpolation).
    target : pandas.DataFrame or None
        For ``target=``: per group its share and percentile rank among the peers (the
        percentage of peers scoring at most as much, the target included when it is a peer).
    message : str
    """

    filters: dict[str, str]
    shown: bool
    n: int | None
    percentiles: pd.DataFrame | None
    target: pd.DataFrame | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        """Return the result as JSON-ready data (tables as lists of records)."""

        def records(frame: pd.DataFrame | None) -> list[dict[str, Any]] | None:
            if frame is None:
                return None
            return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]

        return {
            "filters": dict(self.filters),
            "shown": self.shown,
            "n": self.n,
            "percentiles": records(self.percentiles),
            "target": records(self.target),
            "message": self.message,
        }


def benchmark_peers(
    assessments: pd.DataFrame,
    *,
    groups: Sequence[str],
    filters: Mapping[str, str] | None = None,
    min_peers: int = DEFAULT_MIN_PEERS,
    dimensions: Sequence[str] = PEER_KEYS,
    percentiles: Sequence[float] = (25, 50, 75),
    target: str | None = None,
    id_column: str = "organisation_id",
) -> BenchmarkResult:
    """Compare with peers: group-score percentiles of a filter set, if it may be shown.

    Parameters
    ----------
    assessments : pandas.DataFrame
        One row per organisation (submitted assessments of one scheme): ``id_column``, the
        ``dimensions`` and one column per indicator group holding its score share (0-1);
        build it with :func:`assessments_frame`.
    groups : sequence of str
        The group columns.
    filters : mapping, optional
        Dimension → value; dimensions not given match any value.
    min_peers : int, default 5
        N of the disclosure rule (module docstring).
    target : str, optional
        An organisation whose rank among the peers is returned.

    Raises
    ------
    ParameterError
        For a filter on an unknown dimension or a percentile outside [0, 100].
    """
    filters = {str(k): str(v) for k, v in (filters or {}).items()}
    for key in filters:
        if key not in dimensions:
            raise ParameterError(
                f"Unknown peer filter {key!r}; filter on {', '.join(map(repr, dimensions))}."
                f"{suggest(key, dimensions)}"
            )
    if any(not 0 <= p <= 100 for p in percentiles):
        raise ParameterError(f"Percentiles must lie in [0, 100]. Got {list(percentiles)} instead.")
    check_columns(assessments, list(groups), what="assessments")
    table = disclosure_table(
        assessments, dimensions=dimensions, min_peers=min_peers, id_column=id_column
    )
    combo = tuple(filters.get(d, ANY) for d in dimensions)
    match = table[(table[list(dimensions)].astype(str) == list(combo)).all(axis=1)]
    if match.empty or not bool(match["shown"].iloc[0]):
        return BenchmarkResult(
            filters, False, None, None, None,
            f"Not shown: this peer group is too small, or showing it would let one peer's "
            f"answers be read back (at least {min_peers} peers needed). Widen or change the "
            "filters.",
        )  # fmt: skip
    mask = np.ones(len(assessments), dtype=bool)
    for key, value in filters.items():
        mask &= (assessments[key].astype(str) == value).to_numpy()
    peers = assessments.loc[mask]
    values = peers[list(groups)].astype(float)
    pct = pd.DataFrame({"group": list(groups)})
    for p in percentiles:
        pct[f"p{p:g}"] = [float(np.nanpercentile(values[g], p)) for g in groups]
    ranked = None
    if target is not None:
        row = assessments.loc[assessments[id_column].astype(str) == str(target)]
        if row.empty:
            raise ParameterError(f"The target organisation {target!r} has no assessment here.")
        mine = row.iloc[0]
        ranked = pd.DataFrame(
            {
                "group": list(groups),
                "share": [float(mine[g]) for g in groups],
                "percentile_rank": [
                    100.0 * float((values[g] <= float(mine[g])).mean()) for g in groups
                ],
            }
        )
    return BenchmarkResult(filters, True, len(peers), pct, ranked, f"{len(peers)} peers.")


def assessments_frame(results: Sequence[Mapping[str, Any]]) -> tuple[pd.DataFrame, list[str]]:
    """Build the benchmark table from result records (:func:`.io.result_to_dict`).

    Keeps submitted assessments only, the latest per organisation; all must be of one
    scheme version.

    Returns
    -------
    (pandas.DataFrame, list of str)
        The table (``organisation_id``, ``scheme``, the peer dimensions, one column per
        group) and the group ids.

    Raises
    ------
    AssessmentError
        When the records mix schemes, or none is submitted.
    """
    rows: list[dict[str, Any]] = []
    groups: list[str] = []
    for record in results:
        assessment = record["assessment"]
        if assessment.get("status") != "submitted":
            continue
        shares = {g["group"]: g["share"] for g in record["groups"]}
        groups = groups or list(shares)
        peer = assessment.get("peer") or {}
        rows.append(
            {
                "organisation_id": str(assessment["organisation_id"]),
                "scheme": record["scheme"],
                "assessed_on": assessment.get("assessed_on") or "",
                **{d: peer.get(d) for d in PEER_KEYS},
                **shares,
            }
        )
    if not rows:
        raise AssessmentError("No submitted assessment to benchmark (drafts never count).")
    frame = pd.DataFrame(rows)
    schemes = sorted(frame["scheme"].unique())
    if len(schemes) > 1:
        raise AssessmentError(
            f"Assessments of several schemes ({', '.join(schemes)}); benchmark one at a time."
        )
    frame = frame.sort_values(["organisation_id", "assessed_on"], kind="stable")
    frame = frame.drop_duplicates("organisation_id", keep="last").reset_index(drop=True)
    return frame, groups


__all__ = [
    "ANY",
    "DEFAULT_MIN_PEERS",
    "SIZE_BAND_EDGES",
    "BenchmarkResult",
    "assessments_frame",
    "benchmark_peers",
    "disclosure_table",
    "size_band",
]
