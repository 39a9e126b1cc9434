"""Small checks shared by every layer, raising errors that say what was expected."""

from __future__ import annotations

import difflib
import importlib
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

from clusteratlas.errors import MissingDependencyError, ParameterError, SchemaError


def check_columns(frame: pd.DataFrame, columns: Iterable[str], *, what: str = "data") -> None:
    """Raise :class:`SchemaError` naming every column of ``columns`` missing from ``frame``."""
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise SchemaError(
            f"{what} is missing column(s) {', '.join(map(repr, missing))}; "
            f"it has {', '.join(map(repr, map(str, frame.columns)))}."
        )


def suggest(value: str, choices: Iterable[str]) -> str:
    """Return ``" Did you mean 'x'?"`` for the closest of ``choices``, or an empty string."""
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else ""


def check_in(value: Any, choices: Sequence[Any], *, name: str) -> None:
    """Raise :class:`ParameterError` unless ``value`` is one of ``choices``."""
    if value not in choices:
        hint = suggest(str(value), map(str, choices))
        raise ParameterError(
            f"The {name!r} parameter must be one of {', '.join(map(repr, choices))}. "
            f"Got {value!r} instead.{hint}"
        )


def check_interval(
    value: float,
    *,
    name: str,
    low: float = -np.inf,
    high: float = np.inf,
    closed: str = "both",
) -> None:
    """Raise :class:`ParameterError` unless ``low <= value <= high`` (per ``closed``)."""
    left = value >= low if closed in ("both", "left") else value > low
    right = value <= high if closed in ("both", "right") else value < high
    if not (np.isfinite(value) or np.isinf(high) or np.isinf(low)) or not (left and right):
        lb = "[" if closed in ("both", "left") else "("
        rb = "]" if closed in ("both", "right") else ")"
        raise ParameterError(
            f"The {name!r} parameter must be a number in {lb}{low}, {high}{rb}. Got {value!r} instead."
        )


def env_number(
    name: str,
    default: float,
    *,
    low: float,
    high: float,
    whole: bool = True,
    environ: Mapping[str, str] | None = None,
) -> float:
    """Return the number in the environment variable ``name``, else ``default``.

    Parameters
    ----------
    name : str
        The variable's name (named in the error).
    default : float
        Returned when the variable is unset or blank.
    low, high : float
        Inclusive bounds of an accepted value.
    whole : bool, default True
        Accept whole numbers only (the result is then an ``int``).
    environ : mapping, optional
        Where to look (default :data:`os.environ`).

    Raises
    ------
    ParameterError
        When the variable is set but is not a (whole) number in ``[low, high]``.
    """
    text = (os.environ if environ is None else environ).get(name, "").strip()
    if not text:
        return default
    value: float
    try:
        value = int(text) if whole else float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and low <= value <= high):
        kind = "a whole number" if whole else "a number"
        bounds = f"[{low:g}, {high:g}]" if math.isfinite(high) else f"of at least {low:g}"
        raise ParameterError(f"{name} must be {kind} {bounds}; got {text!r}.")
    return value


def check_non_negative(frame: pd.DataFrame, columns: Iterable[str], *, what: str = "data") -> None:
    """Raise :class:`SchemaError` naming the first rows where a column is negative."""
    for column in columns:
        if column not in frame.columns:
            continue
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = frame.index[values.lt(0).to_numpy()]
        if len(bad):
            shown = ", ".join(map(str, bad[:5])) + (" …" if len(bad) > 5 else "")
            raise SchemaError(
                f"{what}: column {column!r} must be non-negative (missing values are allowed); "
                f"{len(bad)} negative value(s) at row(s) {shown}."
            )


def check_finite(frame: pd.DataFrame, columns: Iterable[str], *, what: str = "data") -> None:
    """Raise :class:`SchemaError` naming the first rows where a column is infinite.

    An infinite count or total is never a statistic (a division by zero upstream, or a
    sentinel of a spreadsheet); left in, it turns every share of its region or industry
    into NaN or 0 without a word. Missing values (NaN) stay allowed.
    """
    for column in columns:
        if column not in frame.columns:
            continue
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype="float64")
        bad = frame.index[np.isinf(values)]
        if len(bad):
            shown = ", ".join(map(str, bad[:5])) + (" …" if len(bad) > 5 else "")
            raise SchemaError(
                f"{what}: column {column!r} must be finite (missing values are allowed); "
                f"{len(bad)} infinite value(s) at row(s) {shown}."
            )


RngLike = int | np.random.Generator | None


def as_rng(rng: RngLike, *, name: str = "rng") -> np.random.Generator:
    """Return a :class:`numpy.random.Generator` from ``None``, an int seed or a Generator.

    This follows SPEC 7: ``None`` gives fresh entropy, an int seeds a new generator and a
    Generator is used as it is (and so advanced by the caller's draws).
    """
    if rng is None or isinstance(rng, np.random.Generator):
        return np.random.default_rng(rng)
    if isinstance(rng, int | np.integer) and not isinstance(rng, bool):
        if rng < 0:
            raise ParameterError(
                f"The {name!r} parameter must be an int in [0, inf), a numpy Generator or None. "
                f"Got {rng!r} instead."
            )
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"The {name!r} parameter must be an int, a numpy.random.Generator or None. "
        f"Got {type(rng).__name__} instead."
    )


def optional_import(module: str, *, extra: str) -> ModuleType:
    """Import an optional dependency or raise an error naming the extra that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise MissingDependencyError(
            f"{module!r} is required for this feature; install it with "
            f'pip install "clusteratlas[{extra}]"'
        ) from err
