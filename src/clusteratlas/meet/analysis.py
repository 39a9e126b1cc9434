r"""After the event: the organiser's figures, as pure functions on the event's tables.

Tables: participants and requests (:mod:`clusteratlas.meet.participants`), the schedule
(``participant_a``, ``participant_b``, optional ``status``; as ``schedule.csv``), and the
participants' **ratings** of their meetings: ``rater``, ``other`` (participant ids),
``held`` (yes/no), ``rating`` (1–5, empty when not held or not rated) and ``cooperation``
(yes/no: "may lead to cooperation"); :func:`read_ratings` names the line and column of the
first problem.

Definitions:

* acceptance rate = accepted / (accepted + declined) requests (answered ones; as
  :func:`~clusteratlas.meet.demo.schedule_stats`);
* coverage = share of participants with at least one scheduled meeting;
* meetings held = scheduled meetings at least one side rated as held;
* mean rating over the ratings given; share "may lead to cooperation" over the ratings of
  held meetings;
* the meetings matrix counts each scheduled meeting once between the two groups (country or
  type) of its participants: :math:`M_{gh} = M_{hg}` = meetings between ``g`` and ``h``,
  :math:`M_{gg}` = meetings within ``g``.

:func:`plot_meetings_network` draws the matrix as a network on a circle (matplotlib, via
networkx's layout and drawing) with the sources printed under it, as the project's other
figures do.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from clusteratlas._validation import check_columns, check_in, optional_import
from clusteratlas.errors import SchemaError
from clusteratlas.meet.participants import _known, _read_csv, _text, _where

RATING_COLUMNS = ("rater", "other", "held")
_YES = {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False}


def _flag(values: pd.Series, column: str, what: str) -> list[bool]:
    out = []
    for row, value in enumerate(values.fillna("").astype(str).str.strip().str.lower()):
        if value not in _YES:
            raise SchemaError(f"{_where(what, row)}, column {column!r} must be yes or no; "
                              f"got {value!r}.")  # fmt: skip
        out.append(_YES[value])
    return out


def validate_ratings(
    frame: pd.DataFrame, *, participants: pd.DataFrame | None = None, what: str = "ratings"
) -> pd.DataFrame:
    """Return a checked copy of a ratings table (see the module docstring).

    ``held`` and ``cooperation`` become booleans (empty ``cooperation``: no), ``rating`` a
    float (NaN when empty).

    Raises
    ------
    SchemaError
        Naming the line and column of the first missing column, empty id, rating that is not
        an integer from 1 to 5, yes/no cell that is neither, rating of a meeting not held,
        repeated rater × other, or participant not among ``participants``.
    """
    out = _text(frame, ("rater", "other"), what)
    check_columns(out, RATING_COLUMNS, what=what)
    out["held"] = _flag(out["held"], "held", what)
    coop = out["cooperation"] if "cooperation" in out else pd.Series("", index=out.index)
    out["cooperation"] = _flag(coop.fillna("no").replace("", "no"), "cooperation", what)
    raw = out["rating"] if "rating" in out else pd.Series(np.nan, index=out.index)
    ratings = pd.to_numeric(raw, errors="coerce")
    for row, (text, value, held) in enumerate(zip(raw, ratings, out["held"], strict=True)):
        given = isinstance(text, str) and text.strip() != ""
        if given and value not in (1, 2, 3, 4, 5):
            raise SchemaError(f"{_where(what, row)}, column 'rating' must be an integer from 1 "
                              f"to 5 (or empty); got {text!r}.")  # fmt: skip
        if given and not held:
            raise SchemaError(f"{_where(what, row)}: a rating is given for a meeting not held.")
    out["rating"] = ratings.astype(float)
    for column in ("rater", "other"):
        _known(out[column], participants, what, column)
    twice = out.duplicated(["rater", "other"])
    if twice.any():
        row = int(twice.to_numpy().nonzero()[0][0])
        raise SchemaError(f"{_where(what, row)}: {out['rater'].iloc[row]!r} rates "
                          f"{out['other'].iloc[row]!r} twice.")  # fmt: skip
    return out.reset_index(drop=True)


def read_ratings(path: str | Path, *, participants: pd.DataFrame | None = None) -> pd.DataFrame:
    """Read and check a ratings CSV (see :func:`validate_ratings`)."""
    return validate_ratings(_read_csv(path, "ratings"), participants=participants, what=str(path))


def registrations(participants: pd.DataFrame, *, by: str = "type") -> pd.DataFrame:
    """Return the registrations by ``type`` or ``country``: ``by``, ``participants``, ``share``.

    Most registrations first, ties by name.
    """
    check_in(by, ["type", "country"], name="by")
    check_columns(participants, ["participant_id", by], what="participants")
    counts = participants[by].astype(str).value_counts()
    out = pd.DataFrame({by: counts.index, "participants": counts.to_numpy()})
    out = out.sort_values(["participants", by], ascending=[False, True], ignore_index=True)
    return out.assign(share=out["participants"] / max(len(participants), 1))


def request_figures(requests: pd.DataFrame) -> dict[str, Any]:
    """Return ``requests``, ``by_status`` and ``acceptance_rate`` (None when none answered)."""
    check_columns(requests, ["from", "to", "status"], what="requests")
    status = requests["status"].astype(str).str.lower()
    accepted, declined = int((status == "accepted").sum()), int((status == "declined").sum())
    return {
        "requests": len(requests),
        "by_status": {k: int(v) for k, v in status.value_counts().sort_index().items()},
        "acceptance_rate": accepted / (accepted + declined) if accepted + declined else None,
    }


def meetings_per_participant(schedule: pd.DataFrame, *, participants: pd.DataFrame) -> pd.Series:
    """Return the number of scheduled meetings of every participant (0 for none)."""
    check_columns(schedule, ["participant_a", "participant_b"], what="schedule")
    ids = participants["participant_id"].astype(str)
    sides = pd.concat([schedule["participant_a"], schedule["participant_b"]]).astype(str)
    return sides.value_counts().reindex(ids, fill_value=0).rename("meetings")


def meeting_figures(
    schedule: pd.DataFrame, *, participants: pd.DataFrame, ratings: pd.DataFrame | None = None
) -> dict[str, Any]:
    """Return meetings scheduled and held, coverage, and min/median meetings per participant.

    ``meetings_held`` is None without ``ratings``.
    """
    counts = meetings_per_participant(schedule, participants=participants)
    held = None
    if ratings is not None:
        pairs = {frozenset((a, b)) for a, b, h in
                 zip(ratings["rater"], ratings["other"], ratings["held"], strict=True) if h}  # fmt: skip
        held = sum(frozenset((str(a), str(b))) in pairs for a, b in
                   zip(schedule["participant_a"], schedule["participant_b"], strict=True))  # fmt: skip
    return {
        "meetings_scheduled": len(schedule),
        "meetings_held": held,
        "coverage": float((counts > 0).mean()) if len(counts) else 0.0,
        "min_meetings": int(counts.min()) if len(counts) else 0,
        "median_meetings": float(counts.median()) if len(counts) else 0.0,
    }


def ratings_summary(ratings: pd.DataFrame) -> dict[str, Any]:
    """Return ``ratings`` given, ``mean_rating`` and ``share_cooperation`` (of held meetings)."""
    check_columns(ratings, ["held", "rating", "cooperation"], what="ratings")
    given = ratings["rating"].dropna()
    held = ratings[ratings["held"].astype(bool)]
    return {
        "ratings": len(given),
        "mean_rating": float(given.mean()) if len(given) else None,
        "share_cooperation": float(held["cooperation"].astype(bool).mean()) if len(held) else None,
    }


def meetings_matrix(
    schedule: pd.DataFrame, *, participants: pd.DataFrame, by: str = "country"
) -> pd.DataFrame:
    """Return the symmetric group × group count of scheduled meetings (module docstring).

    Groups are the ``by`` values (``country`` or ``type``) of the participants, sorted; a
    group with no meeting has a row and column of zeros.
    """
    check_in(by, ["country", "type"], name="by")
    check_columns(participants, ["participant_id", by], what="participants")
    check_columns(schedule, ["participant_a", "participant_b"], what="schedule")
    group = dict(zip(participants["participant_id"].astype(str), participants[by].astype(str),
                     strict=True))  # fmt: skip
    names = sorted(set(group.values()))
    at = {g: k for k, g in enumerate(names)}
    grid = np.zeros((len(names), len(names)), dtype=int)
    for row, (a, b) in enumerate(zip(schedule["participant_a"].astype(str),
                                     schedule["participant_b"].astype(str), strict=True)):  # fmt: skip
        for side in (a, b):
            if side not in group:
                raise SchemaError(f"{_where('schedule', row)}: participant {side!r} is not among "
                                  "the participants.")  # fmt: skip
        x, y = at[group[a]], at[group[b]]
        grid[x, y] += 1
        if x != y:
            grid[y, x] += 1
    return pd.DataFrame(grid, index=pd.Index(names, name=by), columns=pd.Index(names, name=by))


def _counts(table: pd.DataFrame, by: str) -> dict[str, int]:
    return {str(k): int(v) for k, v in zip(table[by], table["participants"], strict=True)}


def organiser_summary(
    *, participants: pd.DataFrame, requests: pd.DataFrame, schedule: pd.DataFrame,
    ratings: pd.DataFrame | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Return every figure of the module in one dict (what ``meet analyse`` writes as JSON)."""
    return {
        "participants": len(participants),
        "by_type": _counts(registrations(participants, by="type"), "type"),
        "by_country": _counts(registrations(participants, by="country"), "country"),
        **request_figures(requests),
        **meeting_figures(schedule, participants=participants, ratings=ratings),
        **(ratings_summary(ratings) if ratings is not None else
           {"ratings": None, "mean_rating": None, "share_cooperation": None}),
    }  # fmt: skip


def plot_meetings_network(
    matrix: pd.DataFrame, *, attribution: str | Sequence[str], ax: Any = None,
    title: str | None = None, min_meetings: int = 1,
) -> Any:  # fmt: skip
    """Draw a meetings matrix as a network of groups on a circle and return the axes.

    Nodes are the groups with at least one meeting (area ∝ their meetings, within-group
    meetings counted in the label), edges join groups with at least ``min_meetings``
    meetings between them (width ∝ meetings). The sources are printed under the axes.

    Parameters
    ----------
    matrix : pandas.DataFrame
        As :func:`meetings_matrix` returns it.
    attribution : str or sequence of str
        Data sources, printed under the chart (required, non-empty).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (default: a new Agg figure, without pyplot's global state).
    title : str, optional
        Default "Meetings between <countries|participant types>".
    min_meetings : int, default 1

    Returns
    -------
    matplotlib.axes.Axes
    """
    from clusteratlas.report._common import attribution_lines

    lines = attribution_lines(attribution)
    nx = optional_import("networkx", extra="meet")
    if ax is None:
        figure = optional_import("matplotlib.figure", extra="meet")
        agg = optional_import("matplotlib.backends.backend_agg", extra="meet")
        fig = figure.Figure(figsize=(8.0, 8.0))
        agg.FigureCanvasAgg(fig)
        ax = fig.add_axes((0.05, 0.12, 0.9, 0.8))
    values = matrix.to_numpy()
    totals = values.sum(axis=1)  # M_gg once: meetings within g count once
    graph = nx.Graph()
    for k, name in enumerate(matrix.index):
        if totals[k] > 0:
            graph.add_node(str(name), meetings=int(totals[k]), within=int(values[k, k]))
    names = list(matrix.index)
    for x in range(len(names)):
        for y in range(x + 1, len(names)):
            if values[x, y] >= min_meetings and values[x, y] > 0:
                graph.add_edge(str(names[x]), str(names[y]), meetings=int(values[x, y]))
    position = nx.circular_layout(graph)
    biggest = max((d["meetings"] for _, d in graph.nodes(data=True)), default=1)
    heaviest = max((d["meetings"] for *_, d in graph.edges(data=True)), default=1)
    nx.draw_networkx_edges(graph, position, ax=ax, edge_color="#7c9cc4", alpha=0.7,
                           width=[0.5 + 6 * d["meetings"] / heaviest for *_, d in graph.edges(data=True)])  # fmt: skip
    nx.draw_networkx_nodes(graph, position, ax=ax, node_color="#fdae6b", edgecolors="#d95f02",
                           node_size=[100 + 1400 * d["meetings"] / biggest for _, d in graph.nodes(data=True)])  # fmt: skip
    outside = {n: xy * (1.0 if len(graph) == 1 else 1.17) for n, xy in position.items()}
    nx.draw_networkx_labels(graph, outside, ax=ax, font_size=8,
                            labels={n: f"{n}\n{d['meetings']} ({d['within']} within)"
                                    for n, d in graph.nodes(data=True)})  # fmt: skip
    kind = "countries" if matrix.index.name == "country" else "participant types"
    ax.set_title(title or f"Meetings between {kind}")
    ax.set_xlim(-1.4, 1.4)
    ax.set_ylim(-1.35, 1.35)
    ax.set_axis_off()
    text = "\n".join(textwrap.fill(line, 110) for line in lines)
    ax.text(0.0, -0.02, text, transform=ax.transAxes, fontsize=6, color="#333333",
            va="top", ha="left")  # fmt: skip
    return ax


def write_meetings_chart(path: str | Path, matrix: pd.DataFrame, *, dpi: int = 150,
                         **options: Any) -> Path:  # fmt: skip
    """Write :func:`plot_meetings_network` as a PNG file, whole or not at all."""
    from clusteratlas.export import atomic_write

    ax = plot_meetings_network(matrix, **options)
    return atomic_write(path, lambda tmp: ax.figure.savefig(tmp, format="png", dpi=dpi),
                        what="chart")  # fmt: skip
