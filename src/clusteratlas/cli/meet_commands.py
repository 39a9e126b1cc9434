"""Commands of the Meet pillar: B2B meeting schedules for cluster events."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from clusteratlas.cli._common import app, check_writable, console
from clusteratlas.errors import ParameterError

meet_app = typer.Typer(
    help="Meet: B2B matchmaking at cluster events (meeting schedules).", no_args_is_help=True
)
app.add_typer(meet_app, name="meet")


def _table(path: Path, option: str) -> pd.DataFrame:
    from clusteratlas.data.establishments import load_table

    if not path.is_file():
        raise ParameterError(f"The '{option}' file {str(path)!r} does not exist.")
    return load_table(path)


@meet_app.command("schedule")
def schedule_command(
    meetings: Annotated[
        Path,
        typer.Option(
            "--meetings", help="CSV of wanted meetings: a, b, priority (accepted|mutual|one-sided)."
        ),
    ],
    availability: Annotated[
        Path, typer.Option("--availability", help="CSV: participant, slot (one row per free slot).")
    ],
    slots: Annotated[
        Path, typer.Option("--slots", help="CSV: slot (in time order), tables.")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="CSV schedule to write.")],
    fixed: Annotated[
        Path | None,
        typer.Option("--fixed", help="CSV of confirmed meetings to keep in place: a, b, slot, table."),
    ] = None,
    fairness: Annotated[
        float, typer.Option(help="Weight of the fewest meetings of a participant (0: none).")
    ] = 1.0,
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Seconds the solver may run.")
    ] = 10.0,
    seed: Annotated[int, typer.Option(help="The solver's random seed.")] = 0,
) -> None:  # fmt: skip
    """Place wanted meetings into slots × tables with a solver, and compare with first come.

    Nobody is in two places at once, only in their free slots, at most the tables of a slot,
    each pair once; accepted requests outweigh mutual interest, which outweighs one-sided
    interest. Prints the solver's proven bound and gap, and what a first-come scheduler
    would have placed. Example: `clusteratlas meet schedule --meetings wanted.csv
    --availability free.csv --slots slots.csv --output schedule.csv`
    """
    from clusteratlas.export import atomic_write
    from clusteratlas.meet import greedy_schedule, schedule_meetings

    check_writable(output)
    frames = {
        "meetings": _table(meetings, "--meetings"),
        "availability": _table(availability, "--availability"),
        "slots": _table(slots, "--slots"),
    }
    kept = _table(fixed, "--fixed") if fixed is not None else None
    result = schedule_meetings(
        frames["meetings"], availability=frames["availability"], slots=frames["slots"],
        fixed=kept, fairness=fairness, time_limit=time_limit, seed=seed,
    )  # fmt: skip
    baseline = greedy_schedule(
        frames["meetings"], availability=frames["availability"], slots=frames["slots"]
    )
    atomic_write(output, lambda tmp: result.schedule.to_csv(tmp, index=False), what="schedule")
    wanted = len(frames["meetings"])
    console.print(
        f"{result.n_meetings} of {wanted} wanted meetings placed ({result.status}; objective "
        f"{result.objective:g}, bound {result.bound:g}, gap {result.gap:.1%}); the fewest "
        f"meetings of a participant: {result.min_meetings}.",
        highlight=False,
    )
    console.print(
        f"First come, first served would place {baseline.n_meetings} (objective "
        f"{baseline.objective:g}). Wrote {output}.",
        highlight=False,
    )
