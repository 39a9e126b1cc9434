"""Cluster-rating rule-sets: named, versioned, documented configurations stored as TOML.

A rule-set says which (region, category, year) rows of a *mapping frame* are rated as
clusters. It is data, not code: one generic engine (:mod:`clusteratlas.mapping.rules_apply`)
applies every rule-set, and a user writes a new one as a TOML file. The built-ins
(``clusteratlas/mapping/rulesets/*.toml``) are ``uscmp`` (US Cluster Mapping Project strong
clusters), ``eco2007`` (European Cluster Observatory stars) and ``panorama2021`` (European
Cluster Panorama 2021 sector specialisations).

A rule-set holds metadata (``name``, ``version``, ``title``, ``description``, ``status``,
``provenance``), a ``population`` filter and ``group_by`` keys for quantile thresholds, and
``[[flags]]`` (boolean: all conditions hold) and ``[[stars]]`` (count of criteria met)
outputs; a condition compares a ``measure`` column with ``op`` against an absolute ``value``
or a per-group ``quantile``, with its ``status`` (``CONFIRMED`` or ``UNCONFIRMED``).
A minimal rule-set::

    name = "mine"
    version = "1"
    title = "LQ above 1.5"
    description = "Specialised rows."
    status = "UNCONFIRMED"
    provenance = [{ title = "My own choice" }]

    [[flags]]
    name = "specialised"
    conditions = [{ measure = "lq", op = ">=", value = 1.5 }]
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictFloat,
    StrictStr,
    ValidationError,
    model_validator,
)

from clusteratlas._validation import suggest
from clusteratlas.errors import RuleSetError

Op = Literal[">=", ">", "<=", "<"]
"""Comparison operators a condition may use."""
Status = Literal["CONFIRMED", "UNCONFIRMED"]
"""Whether a threshold was read in a cited source (``CONFIRMED``) or not."""
Identifier = Annotated[StrictStr, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
RESERVED_COLUMNS: tuple[str, ...] = ("ruleset", "unconfirmed")
"""Columns every application adds besides the rule-set's own outputs."""
_PACKAGE = "clusteratlas.mapping"
_FOLDER = "rulesets"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(_Model):
    """One comparison ``measure op threshold``; a NaN measure or threshold never passes.

    Exactly one of ``value`` (an absolute threshold) or ``quantile`` (the per-group quantile,
    in [0, 1], of the measure over the rule-set's population) is given. ``name`` defaults to
    the measure and must be unique within its flag or criterion.
    """

    name: Identifier | None = None
    measure: Annotated[StrictStr, Field(min_length=1)]
    op: Op
    value: Annotated[StrictFloat, Field(allow_inf_nan=False)] | None = None
    quantile: Annotated[StrictFloat, Field(ge=0.0, le=1.0)] | None = None
    status: Status = "UNCONFIRMED"
    note: StrictStr = ""
    source: StrictStr = ""

    @model_validator(mode="after")
    def _one_threshold(self) -> Condition:
        if (self.value is None) == (self.quantile is None):
            raise ValueError("give exactly one of 'value' (absolute) or 'quantile' (in [0, 1])")
        return self

    @property
    def key(self) -> str:
        """The condition's name, or its measure when it has none."""
        return self.name or self.measure

    @property
    def threshold_text(self) -> str:
        """The threshold as text: ``p75`` for a quantile, ``2`` for a value."""
        if self.quantile is not None:
            return f"p{self.quantile * 100:g}"
        return f"{self.value:g}"

    def __str__(self) -> str:
        return f"{self.measure} {self.op} {self.threshold_text}"


def _unique_keys(conditions: tuple[Condition, ...]) -> None:
    keys = [condition.key for condition in conditions]
    twice = sorted({key for key in keys if keys.count(key) > 1})
    if twice:
        raise ValueError(
            f"condition name(s) {', '.join(map(repr, twice))} repeat; give each condition "
            "on the same measure a distinct 'name'"
        )


class _AllOf(_Model):
    name: Identifier
    description: StrictStr = ""
    conditions: tuple[Condition, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> _AllOf:
        _unique_keys(self.conditions)
        return self


class Flag(_AllOf):
    """A boolean output column: true where all of its conditions hold."""


class Criterion(_AllOf):
    """One star criterion: met where all of its conditions hold."""


class Stars(_Model):
    """An integer output column counting the criteria met, plus one column per criterion."""

    name: Identifier = "stars"
    description: StrictStr = ""
    criterion_prefix: Identifier = "star_"
    criteria: tuple[Criterion, ...] = Field(min_length=1)

    def column(self, criterion: Criterion) -> str:
        """Return the name of the boolean column of ``criterion``."""
        return f"{self.criterion_prefix}{criterion.name}"


class Source(_Model):
    """Where a rule-set comes from: a document, web page or code file."""

    title: StrictStr
    url: StrictStr = ""
    note: StrictStr = ""


class ClusterRule(_Model):
    """Which output of a rule-set counts a (region, category) as a cluster.

    ``output`` names a flag (a cluster where true) or a stars output (a cluster where at
    least ``min_stars`` criteria are met). :func:`~clusteratlas.mapping.portfolio.cluster_strength`
    counts only these.
    """

    output: Identifier
    min_stars: int | None = Field(default=None, ge=1)
    note: StrictStr = ""


_DEFAULT_POPULATION = (Condition(measure="employment", op=">", value=0.0, status="CONFIRMED"),)


class RuleSet(_Model):
    """A named, versioned cluster-rating rule-set; see the module docstring for the format.

    Instances are immutable; :meth:`with_overrides` returns a changed copy. Load one with
    :func:`load_ruleset`, apply it with :func:`clusteratlas.mapping.rules_apply.apply_ruleset`.
    """

    name: Identifier
    version: Annotated[StrictStr, Field(min_length=1)]
    title: StrictStr
    description: StrictStr
    status: Literal["CONFIRMED", "PARTLY_CONFIRMED", "UNCONFIRMED"]
    provenance: tuple[Source, ...] = Field(min_length=1)
    group_by: tuple[StrictStr, ...] = ("category", "year")
    population: tuple[Condition, ...] = _DEFAULT_POPULATION
    flags: tuple[Flag, ...] = ()
    stars: tuple[Stars, ...] = ()
    cluster: ClusterRule | None = None
    sources: tuple[StrictStr, ...] = ()
    _origin: str = PrivateAttr(default="<in memory>")

    @model_validator(mode="after")
    def _check(self) -> RuleSet:
        if not self.flags and not self.stars:
            raise ValueError("a rule-set needs at least one [[flags]] or [[stars]] output")
        for i, condition in enumerate(self.population):
            if condition.quantile is not None:
                raise ValueError(f"population[{i}] must use an absolute 'value', not a 'quantile'")
        _unique_keys(self.population)
        columns = list(self.columns)
        measures = {condition.measure for condition in self.thresholds().values()}
        for column in dict.fromkeys(columns):
            if columns.count(column) > 1:
                raise ValueError(f"output column {column!r} is produced more than once")
            if column in RESERVED_COLUMNS or column in measures or column in self.group_by:
                raise ValueError(
                    f"output column {column!r} clashes with a measure, a group_by key or "
                    f"one of {', '.join(map(repr, RESERVED_COLUMNS))}"
                )
        if self.cluster is not None:
            flags = {flag.name for flag in self.flags}
            stars = {stars.name: len(stars.criteria) for stars in self.stars}
            output, least = self.cluster.output, self.cluster.min_stars
            if output not in flags | set(stars):
                raise ValueError(
                    f"cluster.output {output!r} must be one of the flags or stars outputs "
                    f"({', '.join(map(repr, sorted(flags | set(stars))))})"
                )
            if output in flags and least is not None:
                raise ValueError(f"cluster.min_stars applies to stars, not to flag {output!r}")
            if output in stars and not 1 <= (least or 1) <= stars[output]:
                raise ValueError(f"cluster.min_stars must be between 1 and {stars[output]}")
        unconfirmed = [k for k, c in self.thresholds().items() if c.status == "UNCONFIRMED"]
        if self.status == "CONFIRMED" and unconfirmed:
            raise ValueError(
                f"status is 'CONFIRMED' but threshold(s) {', '.join(unconfirmed)} are "
                "UNCONFIRMED; use status = 'PARTLY_CONFIRMED' or 'UNCONFIRMED'"
            )
        return self

    @property
    def label(self) -> str:
        """``name@version``, the value of the ``ruleset`` output column."""
        return f"{self.name}@{self.version}"

    @property
    def origin(self) -> str:
        """The file the rule-set was read from (or ``<in memory>``)."""
        return self._origin

    @property
    def columns(self) -> tuple[str, ...]:
        """The output columns apply adds, in order (without ``ruleset``/``unconfirmed``)."""
        out: list[str] = [flag.name for flag in self.flags]
        for stars in self.stars:
            out += [stars.name, *(stars.column(criterion) for criterion in stars.criteria)]
        return tuple(out)

    def thresholds(self) -> dict[str, Condition]:
        """Return every condition keyed by the name :meth:`with_overrides` accepts.

        Keys, in rule-set order, are ``population.<condition>``, ``<flag>.<condition>`` and
        ``<stars>.<criterion>.<condition>``, where a condition is named by its ``name`` or,
        by default, its measure.
        """
        out = {f"population.{c.key}": c for c in self.population}
        for flag in self.flags:
            out |= {f"{flag.name}.{c.key}": c for c in flag.conditions}
        for stars in self.stars:
            for crit in stars.criteria:
                out |= {f"{stars.name}.{crit.name}.{c.key}": c for c in crit.conditions}
        return out

    def with_overrides(self, overrides: Mapping[str, Any] | None) -> RuleSet:
        """Return a copy with some thresholds replaced; see :func:`override_ruleset`."""
        from clusteratlas.mapping.rules_apply import override_ruleset

        return override_ruleset(self, overrides)

    def describe(self) -> str:
        """Return a human-readable summary with the status of every threshold."""
        from clusteratlas.mapping.rules_apply import describe_ruleset

        return describe_ruleset(self)


def _allowed_keys(loc: tuple[int | str, ...]) -> list[str]:
    """Return the keys allowed where the last element of ``loc`` sits."""
    parents = [part for part in loc[:-1] if isinstance(part, str)]
    children: dict[str, type[BaseModel]] = {"provenance": Source, "population": Condition}
    children |= {"flags": Flag, "stars": Stars, "cluster": ClusterRule}
    children |= {"criteria": Criterion, "conditions": Condition}
    model = children.get(parents[-1], RuleSet) if parents else RuleSet
    return list(model.model_fields)


def format_errors(err: ValidationError) -> str:
    """Turn a pydantic error into one line of sentences naming each key path and the fix."""
    errors = err.errors(include_url=False)
    problems = []
    for error in errors:
        loc = tuple(error["loc"])
        if (
            error["type"] == "too_short"
            and any(  # a consequence of a nested error
                tuple(other["loc"])[: len(loc)] == loc and other is not error for other in errors
            )
        ):
            continue
        kind, got = error["type"], repr(error.get("input"))
        got = got if len(got) <= 60 else got[:57] + "..."
        hint = ""
        if kind == "extra_forbidden":
            allowed = _allowed_keys(loc)
            text = f"unknown key {loc[-1]!r} (allowed: {', '.join(allowed)})"
            hint, loc = suggest(str(loc[-1]), allowed), loc[:-1]
        elif kind == "missing":
            text, loc = f"missing required key {loc[-1]!r}", loc[:-1]
        elif kind == "literal_error":
            expected = re.findall(r"'([^']*)'", str(error.get("ctx", {}).get("expected", "")))
            given = str(error.get("input"))
            text = f"{error['msg']}; got {got}"
            fixes = [fix for fix in (given[::-1], given.upper()) if fix in expected]
            hint = suggest(fixes[0] if fixes else given, expected)
        elif kind == "value_error":
            text = str(error["msg"]).removeprefix("Value error, ")
        else:
            text = f"{error['msg']}; got {got}"
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
        sentence = f"{path}: {text}" if path else text
        # A value cut short ends in "...": the sentence keeps it rather than lose two dots.
        problems.append(sentence + ("" if sentence.endswith(".") else ".") + hint)
    return " ".join(problems)


def validate_ruleset(data: Any, origin: str) -> RuleSet:
    """Validate parsed TOML ``data`` read from ``origin``, raising one-line RuleSetErrors."""
    try:
        ruleset = RuleSet.model_validate(data)
    except ValidationError as err:
        raise RuleSetError(f"{origin}: invalid rule-set: {format_errors(err)}") from err
    ruleset._origin = origin
    return ruleset


def _builtin_folder() -> Any:
    return resources.files(_PACKAGE).joinpath(_FOLDER)


def list_rulesets() -> list[str]:
    """Return the names of the built-in rule-sets, sorted.

    Examples
    --------
    >>> list_rulesets()
    ['eco2007', 'panorama2021', 'uscmp']
    """
    return sorted(
        entry.name.removesuffix(".toml")
        for entry in _builtin_folder().iterdir()
        if entry.name.endswith(".toml")
    )


def load_ruleset(name_or_path: str | Path) -> RuleSet:
    """Load a built-in rule-set by name, or a user rule-set from a TOML file.

    Parameters
    ----------
    name_or_path : str or pathlib.Path
        A name from :func:`list_rulesets`, or the path of a TOML file (a :class:`~pathlib.Path`,
        or a string ending in ``.toml`` or containing a path separator).

    Returns
    -------
    RuleSet
        The validated rule-set.

    Raises
    ------
    RuleSetError
        For an unknown built-in name (listing the available ones), a missing or unparsable
        file, or an invalid rule-set; the message names the file, the key path (such as
        ``flags[1].conditions[0].quantile``) and what was expected.

    Examples
    --------
    >>> load_ruleset("uscmp").label
    'uscmp@1.0'
    """
    text = str(name_or_path)
    if isinstance(name_or_path, Path) or text.endswith(".toml") or "/" in text or "\\" in text:
        path = Path(name_or_path)
        if not path.is_file():
            raise RuleSetError(f"Rule-set file {text!r} does not exist.")
        return _parse(path.read_bytes(), str(path))
    names = list_rulesets()
    text = text.strip()
    text = {name.lower(): name for name in names}.get(text.lower(), text)  # ECO2007 → eco2007
    if text not in names:
        raise RuleSetError(
            f"Unknown rule-set {text!r}; the built-in rule-sets are "
            f"{', '.join(map(repr, names))} (or the path of a TOML file).{suggest(text, names)}"
        )
    entry = _builtin_folder().joinpath(f"{text}.toml")
    return _parse(entry.read_bytes(), f"{_FOLDER}/{text}.toml")


def _parse(content: bytes, origin: str) -> RuleSet:
    try:
        data = tomllib.loads(content.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise RuleSetError(f"{origin}: not valid TOML: {err}.") from err
    return validate_ruleset(data, origin)


__all__ = [
    "Condition",
    "Criterion",
    "Flag",
    "RuleSet",
    "Source",
    "Stars",
    "list_rulesets",
    "load_ruleset",
]
