"""The one engine that applies any rule-set to a mapping frame; overrides and descriptions.

The rule-sets themselves (models, TOML loading, built-ins) are in
:mod:`clusteratlas.mapping.rulesets`.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from clusteratlas._validation import suggest
from clusteratlas.errors import ParameterError, RuleSetError, SchemaError
from clusteratlas.mapping.rulesets import (
    RESERVED_COLUMNS,
    Condition,
    RuleSet,
    format_errors,
    load_ruleset,
    validate_ruleset,
)

_OPS: dict[str, Callable[[Any, Any], Any]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
}
_SEPARATOR = "; "


def apply_ruleset(
    frame: pd.DataFrame,
    ruleset: RuleSet | str | Path,
    *,
    overrides: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    r"""Rate the rows of a mapping frame with a rule-set.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per (region, category, year) holding every measure the rule-set names (for
        the built-ins: ``employment``, ``establishments``, ``lq``, ``share_of_region``) and
        its ``group_by`` columns (default ``category`` and ``year``). Not modified.
    ruleset : RuleSet, str or pathlib.Path
        A rule-set, or a built-in name or TOML path for
        :func:`~clusteratlas.mapping.rulesets.load_ruleset`.
    overrides : mapping, optional
        Threshold overrides, see :func:`override_ruleset`, e.g. ``{"specialised.lq": 1.8}``.

    Returns
    -------
    pandas.DataFrame
        A copy of ``frame`` with one ``bool`` column per flag; per stars output an ``int64``
        count and one ``bool`` column per criterion (``star_size``…); ``ruleset``
        (``name@version``); and ``unconfirmed``, the UNCONFIRMED thresholds the row's outputs
        depend on (``"key: measure op threshold"`` entries joined by ``"; "``, empty when
        none). Existing columns of those names are replaced.

    Raises
    ------
    RuleSetError
        When a measure or ``group_by`` column is absent from the frame (the message lists
        the available columns).
    ParameterError
        For an invalid override.
    SchemaError
        When a measure column is not numeric.

    Notes
    -----
    A quantile threshold is computed per ``group_by`` group over the rows that pass the
    population filter and have a non-missing measure, by linear interpolation (numpy's
    default, ``d3.quantile``, R type 7): with the :math:`n` values sorted,
    :math:`Q(p) = x_{(k)} + (h - k)(x_{(k+1)} - x_{(k)})`, :math:`h = p(n-1)`,
    :math:`k = \lfloor h \rfloor` (0-based). Every row of the group is then compared with
    that threshold, population or not. A comparison with a missing (NaN) measure, or with
    the missing threshold of an empty group, is false, so such rows never meet a condition.

    A row's ``unconfirmed`` lists an UNCONFIRMED condition of a flag or star criterion
    unless a CONFIRMED condition of the same flag or criterion fails for that row (the
    output is then decided without it). An UNCONFIRMED population condition is listed on
    every row when the rule-set has quantile thresholds, and its CONFIRMED quantile
    conditions then decide nothing (their thresholds depend on the population).

    Examples
    --------
    >>> frame = pd.DataFrame(
    ...     {"region": ["A", "B"], "category": ["c", "c"], "year": [2020, 2020],
    ...      "employment": [9000.0, 5.0], "lq": [2.5, 0.4]}
    ... )
    >>> rated = apply_ruleset(frame, "panorama2021")
    >>> rated["specialised"].tolist()
    [True, False]
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a pandas DataFrame. Got {type(frame).__name__} instead.")
    if not isinstance(ruleset, RuleSet):
        ruleset = load_ruleset(ruleset)
    return _Engine(frame, override_ruleset(ruleset, overrides)).run()


def override_ruleset(ruleset: RuleSet, overrides: Mapping[str, Any] | None) -> RuleSet:
    """Return a copy of ``ruleset`` with some thresholds replaced.

    Parameters
    ----------
    ruleset : RuleSet
        The rule-set to change (it is not modified).
    overrides : mapping of str to float or mapping, optional
        Keys from :meth:`RuleSet.thresholds` (``"<flag>.<condition>"``,
        ``"<stars>.<criterion>.<condition>"`` or ``"population.<condition>"``, where a
        condition is named by its ``name`` or, by default, its measure). A number replaces
        the threshold and keeps its kind (value or quantile); a mapping with ``value``,
        ``quantile`` and/or ``op`` sets those (``{"quantile": 0.8}`` turns an absolute
        threshold into a quantile one).

    Returns
    -------
    RuleSet
        The new rule-set. A changed condition gets ``status = "UNCONFIRMED"`` and a note
        saying what it was, so the outputs that depend on it are labelled; a ``CONFIRMED``
        rule-set becomes ``PARTLY_CONFIRMED``. Its ``name@version`` label is kept.

    Raises
    ------
    ParameterError
        For an unknown key (the message lists the valid ones) or an invalid threshold.

    Examples
    --------
    >>> from clusteratlas.mapping.rulesets import load_ruleset
    >>> rs = override_ruleset(load_ruleset("eco2007"), {"stars.specialisation.lq": 1.5})
    >>> str(rs.thresholds()["stars.specialisation.lq"])
    'lq >= 1.5'
    """
    if not overrides:
        return ruleset
    data = ruleset.model_dump()
    slots = _condition_slots(data)
    changed = False
    for key, new in overrides.items():
        if key not in slots:
            raise ParameterError(
                f"Unknown override {key!r} for rule-set {ruleset.label}; its thresholds are "
                f"{', '.join(map(repr, slots))}.{suggest(str(key), slots)}"
            )
        condition = slots[key]
        old = Condition.model_validate(condition)
        if isinstance(new, Mapping):
            unknown = sorted(map(str, set(new) - {"value", "quantile", "op"}))
            if unknown:
                raise ParameterError(
                    f"Override {key!r} may set 'value', 'quantile' or 'op'; "
                    f"got {', '.join(map(repr, unknown))}."
                )
            if "value" in new or "quantile" in new:
                condition.update(value=None, quantile=None)
            condition.update(new)
        else:
            condition["quantile" if old.quantile is not None else "value"] = new
        try:
            updated = Condition.model_validate(condition)
        except ValidationError as err:
            raise ParameterError(f"Override {key!r}: {format_errors(err)}") from err
        if str(updated) != str(old):
            changed = True
            note = f"overridden at apply time; was {old} ({old.status})"
            condition.update(status="UNCONFIRMED", note=note)
    if not changed:
        return ruleset
    if data["status"] == "CONFIRMED":
        data["status"] = "PARTLY_CONFIRMED"
    return validate_ruleset(data, ruleset.origin)


def describe_ruleset(ruleset: RuleSet) -> str:
    """Return a human-readable summary of ``ruleset`` with the status of every threshold.

    Examples
    --------
    >>> from clusteratlas.mapping.rulesets import load_ruleset
    >>> print(describe_ruleset(load_ruleset("panorama2021")).splitlines()[0])
    panorama2021@1.0: European Cluster Panorama 2021 sector specialisations [UNCONFIRMED]
    """
    lines = [f"{ruleset.label}: {ruleset.title} [{ruleset.status}]", ""]
    lines += [ruleset.description.strip(), ""]
    pop = " and ".join(str(c) for c in ruleset.population) or "all rows"
    groups = ", ".join(ruleset.group_by) or "the whole frame"
    lines += [f"Quantiles: per ({groups}) over rows with {pop}; linear interpolation."]
    lines += ["Rows whose measure is missing (NaN) never meet a condition.", ""]
    width = max(map(len, ruleset.thresholds()))

    def row(key: str, condition: Condition) -> str:
        text = f"    {key:<{width}}  {condition!s:<26} {condition.status}"
        return text + (f"  ({condition.note})" if condition.note else "")

    lines.append("Population:")
    lines += [row(f"population.{c.key}", c) for c in ruleset.population]
    for flag in ruleset.flags:
        lines.append(f"Flag {flag.name!r} (all of): {flag.description}".rstrip(": "))
        lines += [row(f"{flag.name}.{c.key}", c) for c in flag.conditions]
    for stars in ruleset.stars:
        lines.append(f"Stars {stars.name!r} (one per criterion met): {stars.description}")
        for crit in stars.criteria:
            lines.append(f"  {stars.column(crit)}: {crit.description}".rstrip(": "))
            lines += [row(f"{stars.name}.{crit.name}.{c.key}", c) for c in crit.conditions]
    lines += ["", "Provenance:"]
    for src in ruleset.provenance:
        lines.append(f"  - {src.title}" + (f" <{src.url}>" if src.url else ""))
        lines += [f"    {src.note}"] if src.note else []
    return "\n".join(lines)


def _condition_slots(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Map override keys to the condition dictionaries inside a dumped rule-set."""

    def key(condition: dict[str, Any]) -> str:
        return str(condition["name"] or condition["measure"])

    slots = {f"population.{key(c)}": c for c in data["population"]}
    for flag in data["flags"]:
        slots |= {f"{flag['name']}.{key(c)}": c for c in flag["conditions"]}
    for stars in data["stars"]:
        for crit in stars["criteria"]:
            slots |= {f"{stars['name']}.{crit['name']}.{key(c)}": c for c in crit["conditions"]}
    return slots


class _Engine:
    """Evaluate the conditions of one rule-set on one frame, caching quantile thresholds."""

    def __init__(self, frame: pd.DataFrame, ruleset: RuleSet) -> None:
        self.frame = frame
        self.ruleset = ruleset
        self._check()
        self._values: dict[str, np.ndarray] = {}
        self._quantiles: dict[tuple[str, float], np.ndarray] = {}
        self.population = np.ones(len(frame), dtype=bool)
        for condition in ruleset.population:
            self.population &= self.evaluate(condition)

    def _check(self) -> None:
        frame, ruleset = self.frame, self.ruleset
        available = [str(column) for column in frame.columns]
        needed = [(f"{key} measure", c.measure) for key, c in ruleset.thresholds().items()]
        if any(c.quantile is not None for c in ruleset.thresholds().values()):
            needed += [("group_by", column) for column in ruleset.group_by]
        for where, column in needed:
            if column not in frame.columns:
                raise RuleSetError(
                    f"{ruleset.origin}: rule-set {ruleset.label} uses column {column!r} "
                    f"({where}), which the frame does not have; available columns: "
                    f"{', '.join(map(repr, available))}.{suggest(column, available)}"
                )

    def values(self, measure: str) -> np.ndarray:
        """Return the measure as float64 (missing values as NaN)."""
        if measure not in self._values:
            column = self.frame[measure]
            try:
                values = pd.to_numeric(column, errors="raise").astype("float64")
            except (ValueError, TypeError) as err:
                raise SchemaError(
                    f"Measure column {measure!r} used by rule-set {self.ruleset.label} must be "
                    f"numeric; it has dtype {column.dtype}."
                ) from err
            self._values[measure] = values.to_numpy(dtype="float64", na_value=np.nan)
        return self._values[measure]

    def threshold(self, condition: Condition) -> np.ndarray | float:
        """Return the threshold of ``condition``, one per row for a quantile."""
        if condition.value is not None:
            return condition.value
        q = condition.quantile or 0.0  # validated: exactly one of value and quantile is set
        cache_key = (condition.measure, q)
        if cache_key not in self._quantiles:
            masked = pd.Series(self.values(condition.measure), index=self.frame.index)
            masked = masked.where(self.population)
            keys = [self.frame[column] for column in self.ruleset.group_by]
            if keys:
                grouped = masked.groupby(keys, dropna=False, sort=False)
                per_row = grouped.transform("quantile", q=q)
                self._quantiles[cache_key] = per_row.to_numpy(dtype="float64")
            else:
                finite = masked.dropna().to_numpy()
                value = np.quantile(finite, q) if len(finite) else np.nan
                self._quantiles[cache_key] = np.full(len(masked), value, dtype="float64")
        return self._quantiles[cache_key]

    def evaluate(self, condition: Condition) -> np.ndarray:
        """Return where ``condition`` holds; NaN on either side compares false."""
        with np.errstate(invalid="ignore"):
            result = _OPS[condition.op](self.values(condition.measure), self.threshold(condition))
        return np.asarray(result, dtype=bool)

    def run(self) -> pd.DataFrame:
        """Return the new frame with the output, ``ruleset`` and ``unconfirmed`` columns."""
        ruleset = self.ruleset
        out = self.frame.copy()
        labels = np.full(len(out), "", dtype=object)
        shaky = [c for c in ruleset.population if c.status == "UNCONFIRMED"]
        if any(c.quantile is not None for c in ruleset.thresholds().values()):
            for c in shaky:  # every quantile threshold depends on the population
                labels = _append(labels, np.ones(len(out), dtype=bool), f"population.{c.key}: {c}")
        units = [(flag.name, flag.name, flag.conditions) for flag in ruleset.flags]
        for stars in ruleset.stars:
            units += [
                (f"{stars.name}.{c.name}", stars.column(c), c.conditions) for c in stars.criteria
            ]
        for key, column, conditions in units:
            results = [self.evaluate(condition) for condition in conditions]
            out[column] = np.logical_and.reduce(results)
            decided = np.zeros(len(out), dtype=bool)  # a sure condition fails
            for condition, result in zip(conditions, results, strict=True):
                if condition.status == "CONFIRMED" and (condition.quantile is None or not shaky):
                    decided |= ~result
            for condition in conditions:
                if condition.status == "UNCONFIRMED":
                    labels = _append(labels, ~decided, f"{key}.{condition.key}: {condition}")
        for stars in ruleset.stars:
            columns = [stars.column(criterion) for criterion in stars.criteria]
            out[stars.name] = out[columns].sum(axis=1).astype("int64")
        out["ruleset"] = ruleset.label
        out["unconfirmed"] = labels
        return out[[*self.frame.columns, *_new_columns(self.frame, ruleset)]]


def _append(labels: np.ndarray, where: np.ndarray, label: str) -> np.ndarray:
    """Append ``label`` to the ``labels`` of the rows ``where`` is true."""
    return _join(labels, np.where(where, label, ""))


def _join(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Join two arrays of strings element-wise with the separator, skipping empty ones."""
    left, right = left.astype(object), right.astype(object)
    both = (left != "") & (right != "")
    return np.where(both, left + _SEPARATOR + right, left + right).astype(object)


def _new_columns(frame: pd.DataFrame, ruleset: RuleSet) -> list[str]:
    """Return the output columns not already in ``frame``, in rule-set order."""
    columns = [*ruleset.columns, *RESERVED_COLUMNS]
    return [column for column in columns if column not in frame.columns]


__all__ = ["apply_ruleset", "describe_ruleset", "override_ruleset"]
