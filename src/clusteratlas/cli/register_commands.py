"""Commands for national establishment registers: ``clusteratlas register generate``."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer

from clusteratlas.cli._common import app, console, err_console, option_names

register_app = typer.Typer(
    help="Establishment registers (SIRENE layout): generate a synthetic one for scale tests.",
    no_args_is_help=True,
)
app.add_typer(register_app, name="register")


@register_app.command("generate")
def generate_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="Directory of Parquet files.")],
    n: Annotated[float, typer.Option("--n", help="Establishments, e.g. 1000000 or 1e7.")] = 1e6,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 1,
    chunk_size: Annotated[int, typer.Option("--chunk-size", help="Rows per file.")] = 1_000_000,
) -> None:
    """Write a synthetic register whose NAF × band mix is that of the real Strasbourg extract.

    The regional mix is synthetic (départements by area): for speed and memory tests only.
    Example: `clusteratlas register generate --n 1000000 --output register/ --seed 1`
    """
    from clusteratlas.data.register import generate_register
    from clusteratlas.errors import ParameterError

    if not (math.isfinite(n) and n == int(n) and n >= 1):
        raise ParameterError(
            f"The '--n' option must be a whole number of establishments, at least 1 "
            f"(e.g. 1000000 or 1e7). Got {n:g} instead."
        )
    with (
        err_console.status(f"Writing {int(n):,} establishments …"),
        option_names(chunk_size="--chunk-size", path="--output"),
    ):
        files = generate_register(output, n=int(n), rng=seed, chunk_size=chunk_size)
    console.print(f"Wrote {int(n):,} establishments in {len(files)} file(s) to {output}")
