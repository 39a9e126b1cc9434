"""The checkpoint folder of :func:`clusteratlas.detect.scan.scan_industries`.

``run.json`` holds the seed and the options (with a digest of the points); each finished
industry ``k`` has ``curve-k.parquet`` and ``summary-k.json``, the summary written last so
that its presence marks the industry as finished. Every file is written atomically.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from clusteratlas._validation import check_interval
from clusteratlas.errors import ParameterError
from clusteratlas.export import atomic_write


def remove_checkpoint(checkpoint: str | Path) -> None:
    """Remove a checkpoint folder written by :func:`scan_industries` (and nothing else)."""
    folder = Path(checkpoint)
    if (folder / "run.json").is_file():
        shutil.rmtree(folder)


def fingerprint(frame: pd.DataFrame) -> str:
    """Return a digest of the points, so that a checkpoint is never resumed on other data."""
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    return hashlib.sha256(hashed.tobytes()).hexdigest()


def resolve_seed(folder: Path | None, options: dict[str, Any], seed: int | None) -> int:
    """Return the run's seed: the checkpoint's (refusing other options), else given or new."""
    if seed is not None:
        check_interval(seed, name="seed", low=0)
    meta = folder / "run.json" if folder is not None else None
    if meta is not None and meta.is_file():
        saved = json.loads(meta.read_text(encoding="utf-8"))
        differs = sorted(k for k in options if saved["options"].get(k) != options[k])
        if differs:
            raise ParameterError(
                f"The checkpoint {str(folder)!r} belongs to a run with other "
                f"{', '.join(differs)}; give the same ones to resume, or remove the folder "
                "to start again."
            )
        if seed is not None and seed != saved["seed"]:
            raise ParameterError(
                f"The checkpoint {str(folder)!r} was drawn with seed {saved['seed']}, not "
                f"{seed}; give the same seed to resume, or remove the folder."
            )
        return int(saved["seed"])
    chosen = int(seed) if seed is not None else int(np.random.default_rng().integers(2**63))
    if folder is not None and meta is not None:
        folder.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"seed": chosen, "options": options})
        atomic_write(meta, lambda tmp: tmp.write_text(text, encoding="utf-8"), what="checkpoint")
    return chosen


def part_paths(folder: Path, index: int) -> tuple[Path, Path]:
    """Return the curve and summary files of industry ``index``."""
    return folder / f"curve-{index:05d}.parquet", folder / f"summary-{index:05d}.json"


def write_part(
    folder: Path | None, index: int, tables: tuple[pd.DataFrame, dict[str, Any]]
) -> None:
    """Save industry ``index``'s curve and summary row (nothing without a folder)."""
    if folder is None:
        return
    curve_path, row_path = part_paths(folder, index)
    curve, row = tables
    atomic_write(curve_path, lambda tmp: curve.to_parquet(tmp, index=False), what="checkpoint")
    # The summary row is written last: its presence marks the industry as finished.
    text = json.dumps(row, default=float)
    atomic_write(row_path, lambda tmp: tmp.write_text(text, encoding="utf-8"), what="checkpoint")


def read_part(folder: Path | None, index: int) -> tuple[pd.DataFrame, dict[str, Any]] | None:
    """Return industry ``index``'s saved curve and summary row, or None if not finished."""
    if folder is None or not is_finished(folder, index):
        return None
    curve_path, row_path = part_paths(folder, index)
    row = json.loads(row_path.read_text(encoding="utf-8"))
    return pd.read_parquet(curve_path), row


def is_finished(folder: Path | None, index: int) -> bool:
    """Whether industry ``index`` has a saved part (without reading it)."""
    if folder is None:
        return False
    curve_path, row_path = part_paths(folder, index)
    return row_path.is_file() and curve_path.is_file()
