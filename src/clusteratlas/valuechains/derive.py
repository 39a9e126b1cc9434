"""Value chains derived from an input-output table: the suppliers and customers of an industry.

:func:`derive_chain` needs only a plain industry × industry flow matrix (a pandas DataFrame,
rows = supplying industry, columns = using industry), so it works with any reader of BEA make
and use tables, national supply-use tables or multi-regional tables reduced to one region.
"""

from __future__ import annotations

from typing import Any, Literal

import pandas as pd

from clusteratlas._validation import check_interval, suggest
from clusteratlas.errors import ParameterError
from clusteratlas.valuechains.chains import ValueChain, validate_chain

Classification = Literal["nace", "naics", "io"]


def _shares(flows: pd.DataFrame, stage: list[str], *, upstream: bool) -> pd.Series:
    """Input shares of each supplier to a stage (upstream), or output shares to customers."""
    block = flows[stage] if upstream else flows.loc[stage]
    totals = block.sum(axis=1) if upstream else block.sum(axis=0)
    grand = float(totals.sum())
    return totals / grand if grand > 0 else totals * 0.0


def derive_chain(
    industry: str | list[str],
    io_table: pd.DataFrame,
    *,
    depth: int = 2,
    threshold: float = 0.05,
    top: int = 3,
    name: str | None = None,
    classification: Classification = "io",
) -> ValueChain:
    r"""Derive upstream and downstream stages of an industry from an input-output flow matrix.

    Parameters
    ----------
    industry : str or list of str
        The core industry (or industries), as labels of ``io_table``.
    io_table : pandas.DataFrame
        Inter-industry flows: rows are supplying industries, columns using industries, the
        same labels on both axes (e.g. a BEA use table reduced to industry × industry).
        Values must be non-negative; NaN counts as zero.
    depth : int, default 2
        Number of stages on each side of the core.
    threshold : float, default 0.05
        Minimum share, in (0, 1], for a supplier or customer to enter a stage.
    top : int, default 3
        At most this many industries per stage, the largest shares first.
    name : str, optional
        Name of the chain (default ``derived_<industry>``).
    classification : {"io", "naics", "nace"}
        What the labels are: ``io`` (the table's own codes, not checked) or NAICS/NACE
        codes, which are then checked as in :func:`validate_chain`.

    Returns
    -------
    ValueChain
        Stages ``upstream_<depth>`` … ``upstream_1``, ``core``, ``downstream_1`` …
        ``downstream_<depth>``, all ``UNCONFIRMED``; a side stops early when a stage has no
        industry above the threshold.

    Raises
    ------
    ParameterError
        For a bad parameter, a table whose row and column labels differ, or an industry
        absent from the table.

    Notes
    -----
    With flows :math:`Z_{ij}` (from supplier i to user j) and the previous stage
    :math:`S_{k-1}`, supplier i's input share to the stage is
    :math:`a_i = \sum_{j \in S_{k-1}} Z_{ij} / \sum_{i'} \sum_{j \in S_{k-1}} Z_{i'j}` (the
    stage's intermediate inputs, own-industry flows included in the denominator), and
    customer j's output share is :math:`b_j = \sum_{i \in S_{k-1}} Z_{ij} /
    \sum_{j'} \sum_{i \in S_{k-1}} Z_{ij'}`. Stage k holds the ``top`` industries with a
    share ≥ ``threshold``. An industry is placed once only, at its first placement in the
    order core, upstream_1, downstream_1, upstream_2, downstream_2 … (industries already
    placed are skipped, so loops in the table do not repeat stages). Shares use intermediate
    flows only, not total output: they say which links dominate, not how much of an
    industry's output depends on them (Leontief 1986; Miller & Blair 2009, ch. 2).

    References
    ----------
    .. [1] Leontief, W. (1986). Input-Output Economics. Oxford University Press.
    .. [2] Miller, R. E., & Blair, P. D. (2009). Input-Output Analysis: Foundations and
       Extensions (2nd ed.). Cambridge University Press.
    """
    if not isinstance(io_table, pd.DataFrame):
        raise TypeError(
            f"io_table must be a pandas DataFrame. Got {type(io_table).__name__} instead."
        )
    if not isinstance(depth, int) or depth < 1:
        raise ParameterError(f"The 'depth' parameter must be an int ≥ 1. Got {depth!r} instead.")
    if not isinstance(top, int) or top < 1:
        raise ParameterError(f"The 'top' parameter must be an int ≥ 1. Got {top!r} instead.")
    check_interval(threshold, name="threshold", low=0.0, high=1.0, closed="right")
    labels = [str(label) for label in io_table.index]
    if sorted(labels) != sorted(str(label) for label in io_table.columns):
        raise ParameterError(
            "io_table must have the same industry labels as rows (suppliers) and columns (users)."
        )
    flows = io_table.copy()
    flows.index, flows.columns = labels, [str(label) for label in io_table.columns]
    flows = flows.loc[labels, labels].astype("float64").fillna(0.0)
    if (flows.to_numpy() < 0).any():
        raise ParameterError("io_table must hold non-negative flows.")
    core = [industry] if isinstance(industry, str) else list(industry)
    absent = [code for code in core if code not in labels]
    if absent or not core:
        raise ParameterError(
            f"The 'industry' parameter must name industries of io_table. Got {absent or core!r} "
            f"instead.{suggest(str(absent[0]), labels) if absent else ''}"
        )
    placed = set(core)
    sides: dict[str, list[list[str]]] = {"upstream": [], "downstream": []}
    frontier = {"upstream": core, "downstream": core}
    for _ in range(depth):
        for side in ("upstream", "downstream"):
            if not frontier[side]:
                continue
            shares = _shares(flows, frontier[side], upstream=side == "upstream")
            shares = shares[~shares.index.isin(placed) & (shares >= threshold)]
            chosen = list(shares.sort_values(ascending=False, kind="stable").index[:top])
            frontier[side] = chosen
            if chosen:
                sides[side].append(chosen)
                placed.update(chosen)
    basis = f"derived from an input-output table: share ≥ {threshold:g}, top {top}"
    stages: list[dict[str, Any]] = []
    for k, codes in reversed(list(enumerate(sides["upstream"], start=1))):
        stages.append(
            _derived_stage(f"upstream_{k}", f"Suppliers, tier {k}", codes, basis, classification)
        )
    stages.append(_derived_stage("core", "Core industry", core, basis, classification))
    for k, codes in enumerate(sides["downstream"], start=1):
        stages.append(
            _derived_stage(f"downstream_{k}", f"Customers, tier {k}", codes, basis, classification)
        )
    data = {
        "name": name or "derived_" + "".join(ch if ch.isalnum() else "_" for ch in core[0]),
        "version": "derived",
        "title": f"Value chain of {', '.join(core)} derived from an input-output table",
        "description": basis,
        "sources": [{"title": "Input-output table supplied to derive_chain"}],
        "stages": stages,
    }
    return validate_chain(data, origin="derive_chain")


def _derived_stage(
    name: str, title: str, codes: list[str], basis: str, classification: str
) -> dict[str, Any]:
    return {
        "name": name,
        "title": title,
        "status": "UNCONFIRMED",
        "basis": basis,
        classification: codes,
    }


__all__ = ["derive_chain"]
