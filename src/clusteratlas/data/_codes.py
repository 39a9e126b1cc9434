"""Helpers shared by the classification modules (:mod:`.nace`, :mod:`.naics`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from clusteratlas.errors import SchemaError


def clean_code(code: object, what: str) -> str:
    """Return ``code`` stripped and upper-cased, or raise ``TypeError`` if it is not a str."""
    if not isinstance(code, str):
        raise TypeError(f"A {what} code must be a str. Got {type(code).__name__} {code!r} instead.")
    return code.strip().upper()


def read_code_table(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    """Read a classification CSV with codes as strings, checking the required columns."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [column for column in required if column not in frame.columns]
    if missing:
        raise SchemaError(
            f"{path} is missing column(s) {', '.join(map(repr, missing))}; "
            f"it has {', '.join(map(repr, map(str, frame.columns)))}."
        )
    return frame
