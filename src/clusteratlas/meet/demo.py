"""The matchmaking demo: generate an event's participants, schedule them, write every output.

:func:`run_demo` is the service behind ``clusteratlas meet demo``: a seeded synthetic
participant list for a (packaged) event, their availability and requests
(:mod:`clusteratlas.meet.synthetic`), the schedule of the wanted meetings (HiGHS by default,
time-limited), and in the output folder ``participants.csv``, ``availability.csv``,
``requests.csv``, ``schedule.csv``, ``table_plan.csv``, ``ics/<participant_id>.ics`` (one per
participant with a meeting) and ``stats.json``; and the marketplace ``items.csv`` with
``recommendations.csv`` (:func:`write_marketplace`). Every file is written whole or not at all.
:func:`schedule_stats` computes the organiser's figures from a schedule.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from clusteratlas.export import atomic_write
from clusteratlas.meet.agenda import schedule_table, table_plan, write_agendas
from clusteratlas.meet.events import Event
from clusteratlas.meet.participants import wanted_meetings
from clusteratlas.meet.scheduler import greedy_schedule, schedule_meetings
from clusteratlas.meet.synthetic import synthetic_event

SYNTHETIC_NOTE = (
    "SYNTHETIC: participants, availability and requests are generated (seeded) from the "
    "registry's real organisations; they are not the event's participants."
)


def schedule_stats(
    schedule: pd.DataFrame, *, participants: pd.DataFrame, requests: pd.DataFrame
) -> dict[str, Any]:
    """Return the organiser's figures of a schedule (``schedule.csv`` columns).

    ``coverage`` is the share of participants with at least one meeting; ``min_meetings``
    the fewest meetings of a participant who asked for or was asked for one (requests
    neither declined nor cancelled); ``acceptance_rate`` accepted / answered requests.
    """
    people = participants["participant_id"].astype(str)
    counts = (
        pd.concat([schedule["participant_a"], schedule["participant_b"]]).astype(str).value_counts()
    )
    live = requests[requests["status"].isin(["requested", "accepted"])]
    asking = pd.unique(pd.concat([live["from"], live["to"]]).astype(str))
    answered = requests["status"].isin(["accepted", "declined"]).sum()
    return {
        "participants": len(people),
        "requests": len(requests),
        "requests_by_status": {k: int(v) for k, v in requests["status"].value_counts().items()},
        "acceptance_rate": round(float((requests["status"] == "accepted").sum() / answered), 4) if answered else None,
        "meetings_scheduled": len(schedule),
        "meetings_by_status": {k: int(v) for k, v in schedule["status"].value_counts().items()},
        "coverage": round(float(people.isin(counts.index).mean()), 4) if len(people) else 0.0,
        "min_meetings": int(min((counts.get(p, 0) for p in asking), default=0)),
        "mean_meetings": round(float(counts.reindex(people, fill_value=0).mean()), 3) if len(people) else 0.0,
        "by_type": participants["type"].value_counts().to_dict() if "type" in participants else {},
    }  # fmt: skip


def _csv_writer(frame: pd.DataFrame) -> Callable[[Path], object]:
    return lambda tmp: frame.to_csv(tmp, index=False)


def run_demo(
    event: Event, output: str | Path, *, participants: int = 600, seed: int = 1,
    time_limit: float = 30.0, solver: str = "highs",
) -> dict[str, Any]:  # fmt: skip
    """Generate a synthetic matchmaking for ``event``, schedule it and write the outputs.

    Parameters
    ----------
    event : Event
        The event (e.g. :func:`~clusteratlas.meet.events.packaged_event`).
    output : path
        An existing or new folder; the files listed in the module docstring are written
        there (replacing older ones of the same names).
    participants, seed : int
        Size and seed of the synthetic event (same seed, same participants and requests).
    time_limit : float, default 30.0
        Seconds the solver may run.
    solver : {"highs", "cp-sat"}, default "highs"
        See :func:`~clusteratlas.meet.scheduler.schedule_meetings`.

    Returns
    -------
    dict
        The content of ``stats.json``.
    """
    folder = Path(output)
    folder.mkdir(parents=True, exist_ok=True)
    generated = synthetic_event(event, participants=participants, rng=seed)
    wanted = wanted_meetings(generated.requests)
    free = generated.availability.rename(
        columns={"participant_id": "participant", "slot_start": "slot"}
    )
    start = time.perf_counter()
    result = schedule_meetings(wanted, availability=free, slots=generated.slots,
                               time_limit=time_limit, solver=solver)  # fmt: skip
    wall = time.perf_counter() - start
    baseline = greedy_schedule(wanted, availability=free, slots=generated.slots)
    table = schedule_table(result, event=event, slots=generated.slots)
    starts = dict(zip(generated.slots["slot"], generated.slots["slot_start"], strict=True))
    availability = generated.availability.assign(
        slot_start=[starts[s].isoformat() for s in generated.availability["slot_start"]]
    )
    frames = {
        "participants.csv": generated.participants,
        "availability.csv": availability,
        "requests.csv": generated.requests,
        "schedule.csv": table,
        "table_plan.csv": table_plan(table, participants=generated.participants),
    }
    for name, frame in frames.items():
        atomic_write(folder / name, _csv_writer(frame), what=name)
    (folder / "ics").mkdir(exist_ok=True)
    agendas = write_agendas(table, folder / "ics", event=event, participants=generated.participants)
    stats = schedule_stats(table, participants=generated.participants, requests=generated.requests)
    stats.update({
        "event": event.id,
        "event_name": event.name,
        "seed": seed,
        "wanted_meetings": len(wanted),
        "wanted_by_priority": {k: int(v) for k, v in wanted["priority"].value_counts().items()},
        "slots": len(generated.slots),
        "tables_per_slot": int(generated.slots["tables"].max()),
        "solver": solver,
        "solver_status": result.status,
        "objective": result.objective,
        "upper_bound": result.bound if math.isfinite(result.bound) else None,
        "upper_bound_kind": f"the {solver} solver's proven bound on the objective",
        "objective_definition": "100 per accepted, 10 per mutual, 1 per one-sided meeting, "
                                "+ 1 x the fewest meetings of a participant",
        "gap": None if pd.isna(result.gap) else round(result.gap, 6),
        "wall_s": round(wall, 2),
        "time_limit_s": time_limit,
        "first_come_meetings": baseline.n_meetings,
        "first_come_weighted": baseline.weighted,
        "weighted": result.weighted,
        "agendas": len(agendas),
        "synthetic": SYNTHETIC_NOTE,
        "event_synthetic_parts": list(event.synthetic),
        "event_provenance": event.provenance.get("note", ""),
    })  # fmt: skip
    write_marketplace(folder, generated.participants, seed=seed)
    text = json.dumps(stats, indent=2, ensure_ascii=False, default=float)
    atomic_write(
        folder / "stats.json",
        lambda tmp: tmp.write_text(text + "\n", encoding="utf-8"),
        what="stats.json",
    )
    return stats


def write_marketplace(
    folder: str | Path, participants: pd.DataFrame, *, seed: int, top: int = 5
) -> None:
    """Write a synthetic marketplace (``items.csv``) and whom to meet (``recommendations.csv``).

    The items are drawn with their own seeded generator (``(seed, 12)``), so the other
    outputs of the demo stay as they were; the recommendations are the ``top`` participants
    and items per participant of :func:`~clusteratlas.meet.recommend.recommend_all`, with
    the registry's clusters and the related-cluster pairs, before any request (the requests
    are not excluded).
    """
    import numpy as np

    from clusteratlas.data.definitions import related_clusters
    from clusteratlas.meet.marketplace import synthetic_items
    from clusteratlas.meet.recommend import recommend_all
    from clusteratlas.meet.synthetic import registry_organisations

    organisations = registry_organisations()
    items = synthetic_items(participants, organisations=organisations,
                            rng=np.random.default_rng((seed, 12)))  # fmt: skip
    ranked = recommend_all(participants=participants, items=items, organisations=organisations,
                           related=related_clusters(), top=top)  # fmt: skip
    target = Path(folder)
    atomic_write(target / "items.csv", _csv_writer(items), what="items.csv")
    atomic_write(target / "recommendations.csv", _csv_writer(ranked), what="recommendations.csv")
