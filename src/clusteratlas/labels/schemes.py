"""Label schemes as data: indicator groups, indicators, thresholds, award levels, validity.

A label scheme describes one labelling programme (the ESCA/EUCLES cluster-management
excellence labels, the French *pôles de compétitivité*): its indicators grouped by theme,
each with a question, a kind of answer (a number with a unit, a level on a scale, yes/no),
the evidence an assessor asks for, a threshold and a number of points; and its award
levels (Bronze, Silver, Gold …), each with its rule and validity. Every fact carries its
``status``: ``CONFIRMED`` (read in the cited ``source``) or ``UNCONFIRMED`` (our own choice,
to be checked or replaced by the labelling body). Schemes are versioned TOML files; the
built-ins live in ``clusteratlas/labels/schemes/`` and a labelling body loads its own with
:func:`~clusteratlas.labels.schemefile.load_scheme`.

A scheme assesses the kinds of registry organisation named in ``organisation_kinds``: by
default cluster organisations only (the ESCA/EUCLES labels are for cluster management, the
pôles are clusters); a labelling body's own scheme for training providers says so there.

Scoring (``scoring = "threshold"``, the Gold rule "each indicator has a specific quality
threshold to pass"): an indicator earns its ``points`` when its answer meets its threshold,
nothing otherwise; the excellence score is the share of the maximum points earned.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    model_validator,
)

Status = Literal["CONFIRMED", "UNCONFIRMED"]
"""Whether a fact was read in a cited source (``CONFIRMED``) or is our own (``UNCONFIRMED``)."""
Op = Literal[">=", ">", "<=", "<", "=="]
"""Comparison operators of a threshold (answer ``op`` value)."""
Kind = Literal["number", "scale", "boolean"]
"""Kinds of answer: a number with a unit, a level on an ordered scale, or yes/no."""
OrganisationKind = Literal["cluster organisation", "training provider"]
"""Kinds of registry organisation a scheme may assess (the registry's ``kind``)."""
Identifier = Annotated[StrictStr, Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$", max_length=60)]
Number = Annotated[StrictFloat, Field(allow_inf_nan=False)]
#: Facts an indicator may be pre-filled from (see :mod:`.assessment`): the organisation record's,
#: and ``region_lq`` from the regional statistics (:func:`.assessment.regional_facts`).
PREFILL_FIELDS: tuple[str, ...] = (
    "founding_year",
    "years_active",
    "management_fte",
    "members_total",
    "member_types",
    "members_sme",
    "members_large",
    "members_startup",
    "members_research",
    "members_public",
    "members_other",
    "share_sme",
    "region_lq",
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Model):
    """Where a scheme, or a fact in it, comes from."""

    title: StrictStr
    url: StrictStr = ""
    note: StrictStr = ""


class Threshold(_Model):
    """The quality threshold of an indicator: the answer must satisfy ``answer op value``.

    For a ``scale`` indicator ``value`` is a level index (0 = the first level); for a
    ``boolean`` one it is 1 (yes) or 0 (no).
    """

    op: Op
    value: Number
    status: Status = "UNCONFIRMED"
    source: StrictStr = ""
    note: StrictStr = ""

    def passes(self, answer: float) -> bool:
        """Whether ``answer`` meets the threshold (a NaN answer never does)."""
        if answer != answer:
            return False
        return {
            ">=": answer >= self.value,
            ">": answer > self.value,
            "<=": answer <= self.value,
            "<": answer < self.value,
            "==": answer == self.value,
        }[self.op]

    def shortfall(self, answer: float) -> float:
        """How far ``answer`` is from the threshold value when it misses, in the answer's unit.

        0 when it passes, and also when a strict bound (``>``, ``<``) is missed by equality.
        """
        if self.passes(answer):
            return 0.0
        if self.op == "==":
            return abs(answer - self.value)
        # a strict bound is missed by at least the gap itself
        return abs(self.value - answer)

    def __str__(self) -> str:
        return f"{self.op} {self.value:g}"


class Indicator(_Model):
    """One question of a scheme, with its answer kind, evidence, threshold and points."""

    id: Identifier
    question: StrictStr = Field(min_length=1)
    kind: Kind
    unit: StrictStr = ""
    scale: tuple[StrictStr, ...] = ()
    evidence: StrictStr = ""
    threshold: Threshold | None = None
    points: Annotated[Number, Field(gt=0)] = 1.0
    prefill: Literal[PREFILL_FIELDS] | None = None  # type: ignore[valid-type]
    status: Status = "UNCONFIRMED"
    source: StrictStr = ""
    note: StrictStr = ""

    @model_validator(mode="after")
    def _check(self) -> Indicator:
        if self.kind == "scale":
            if len(self.scale) < 2:
                raise ValueError("a 'scale' indicator needs a 'scale' of at least 2 levels")
            if self.threshold is not None and not (
                0 <= self.threshold.value <= len(self.scale) - 1
                and self.threshold.value == int(self.threshold.value)
            ):
                raise ValueError(
                    f"threshold.value must be a level index in 0..{len(self.scale) - 1} "
                    f"of the scale; got {self.threshold.value:g}"
                )
        elif self.scale:
            raise ValueError(f"'scale' applies to 'scale' indicators, not to {self.kind!r}")
        if self.kind == "number" and not self.unit:
            raise ValueError("a 'number' indicator needs a 'unit' (e.g. 'members', 'FTE', '%')")
        if (
            self.kind == "boolean"
            and self.threshold is not None
            and self.threshold.value not in (0.0, 1.0)
        ):
            raise ValueError("a 'boolean' indicator's threshold.value must be 1 (yes) or 0 (no)")
        return self

    @property
    def answer_text(self) -> str:
        """How the answer is given: the unit, the scale levels, or yes/no."""
        if self.kind == "scale":
            return " | ".join(f"{i}: {level}" for i, level in enumerate(self.scale))
        return "yes/no" if self.kind == "boolean" else self.unit

    @property
    def threshold_text(self) -> str:
        """The threshold in words (``>= 15 members``, ``>= 2: written strategy``)."""
        if self.threshold is None:
            return "(none: answered is enough)"
        if self.kind == "scale":
            return f"{self.threshold} ({self.scale[int(self.threshold.value)]})"
        if self.kind == "boolean":
            return "yes" if self.threshold.value == 1 else "no"
        return f"{self.threshold} {self.unit}".rstrip()


class Group(_Model):
    """A theme of the scheme (strategy, services, financing …) holding indicators."""

    id: Identifier
    name: StrictStr = Field(min_length=1)
    status: Status = "UNCONFIRMED"
    source: StrictStr = ""
    note: StrictStr = ""
    indicators: tuple[Indicator, ...] = Field(min_length=1)

    @property
    def max_points(self) -> float:
        """The points of every indicator of the group together."""
        return float(sum(indicator.points for indicator in self.indicators))


class Level(_Model):
    """An award level and its rule; the levels of a scheme are listed lowest first.

    A level is reached when every rule it sets holds: ``min_score_share`` (the share of the
    maximum points earned, e.g. 0.8 for Gold), ``all_answered`` (every indicator answered),
    ``min_improved_groups`` (groups whose score rose since a previous assessment, Silver),
    ``after_previous_months`` (``[min, max]``: the assessment falls that many months after
    the previous one, Silver's "1.5 to 2 years after the first"), ``requires`` (a lower
    level held). ``conditions`` are the steps no questionnaire can
    check (an expert interview, an on-site visit); they are listed, never assumed met.
    """

    name: StrictStr = Field(min_length=1)
    min_score_share: Annotated[Number, Field(ge=0.0, le=1.0)] | None = None
    all_answered: StrictBool = False
    min_improved_groups: Annotated[StrictInt, Field(ge=1)] | None = None
    after_previous_months: tuple[StrictInt, StrictInt] | None = None
    requires: StrictStr | None = None
    conditions: tuple[StrictStr, ...] = ()
    validity_months: Annotated[StrictInt, Field(ge=1)] | None = None
    validity_from: Literal["day", "month"] = "day"
    ends_on: dt.date | None = None
    renewal_window_months: Annotated[StrictInt, Field(ge=0)] | None = None
    renewal_validity_months: Annotated[StrictInt, Field(ge=1)] | None = None
    status: Status = "UNCONFIRMED"
    validity_status: Status = "UNCONFIRMED"
    source: StrictStr = ""
    note: StrictStr = ""

    @model_validator(mode="after")
    def _check(self) -> Level:
        window = self.after_previous_months
        if window is not None and not 0 <= window[0] <= window[1]:
            raise ValueError(
                f"after_previous_months must be [min, max] with 0 <= min <= max; got {list(window)}"
            )
        if (self.renewal_window_months is None) != (self.renewal_validity_months is None):
            raise ValueError(
                "give both 'renewal_window_months' and 'renewal_validity_months', or neither"
            )
        return self


class LabelScheme(_Model):
    """A named, versioned label scheme; see the module docstring for the meaning.

    Load one with :func:`~clusteratlas.labels.schemefile.load_scheme`, write one with
    :func:`~clusteratlas.labels.schemefile.dump_scheme`.
    """

    id: Identifier
    version: StrictStr = Field(min_length=1)
    title: StrictStr
    body: StrictStr
    description: StrictStr
    status: Literal["CONFIRMED", "PARTLY_CONFIRMED", "UNCONFIRMED"]
    provenance: tuple[Source, ...] = Field(min_length=1)
    scoring: Literal["threshold"] = "threshold"
    indicator_count: Annotated[StrictInt, Field(ge=1)] | None = None
    indicator_count_status: Status = "UNCONFIRMED"
    groups: tuple[Group, ...] = Field(min_length=1)
    levels: tuple[Level, ...] = Field(min_length=1)
    organisation_kinds: tuple[OrganisationKind, ...] = Field(
        default=("cluster organisation",), min_length=1
    )
    _origin: str = PrivateAttr(default="<in memory>")

    @model_validator(mode="after")
    def _check(self) -> LabelScheme:
        for what, keys in (
            ("group id", [g.id for g in self.groups]),
            ("indicator id", [i.id for i in self.indicators]),
            ("level name", [level.name for level in self.levels]),
        ):
            twice = sorted({key for key in keys if keys.count(key) > 1})
            if twice:
                raise ValueError(f"{what}(s) {', '.join(map(repr, twice))} repeat")
        if self.indicator_count is not None and self.indicator_count != len(self.indicators):
            raise ValueError(
                f"indicator_count is {self.indicator_count} but the groups hold "
                f"{len(self.indicators)} indicators"
            )
        seen: list[str] = []
        for level in self.levels:
            if level.requires is not None and level.requires not in seen:
                raise ValueError(
                    f"level {level.name!r} requires {level.requires!r}, which is not a "
                    f"lower level (lower levels: {', '.join(map(repr, seen)) or 'none'})"
                )
            if level.min_improved_groups is not None and level.min_improved_groups > len(
                self.groups
            ):
                raise ValueError(
                    f"level {level.name!r}: min_improved_groups is {level.min_improved_groups} "
                    f"but the scheme has {len(self.groups)} groups"
                )
            seen.append(level.name)
        facts = [i.status for i in self.indicators] + [lv.status for lv in self.levels]
        if self.status == "CONFIRMED" and "UNCONFIRMED" in facts:
            raise ValueError(
                "status is 'CONFIRMED' but some indicators or levels are UNCONFIRMED; use "
                "status = 'PARTLY_CONFIRMED' or 'UNCONFIRMED'"
            )
        return self

    def __eq__(self, other: object) -> bool:
        """Schemes are equal when their content is: where they were read from does not count."""
        if not isinstance(other, LabelScheme):
            return NotImplemented
        return self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash((self.id, self.version, self.groups, self.levels))

    @property
    def label(self) -> str:
        """``id@version``, how assessments and results name the scheme."""
        return f"{self.id}@{self.version}"

    @property
    def origin(self) -> str:
        """The file the scheme was read from (or ``<in memory>``)."""
        return self._origin

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        """Every indicator, group by group, in scheme order."""
        return tuple(i for g in self.groups for i in g.indicators)

    @property
    def max_points(self) -> float:
        """The maximum excellence score (points of every indicator)."""
        return float(sum(group.max_points for group in self.groups))

    def group_of(self, indicator_id: str) -> Group:
        """Return the group holding ``indicator_id`` (KeyError when there is none)."""
        for group in self.groups:
            if any(i.id == indicator_id for i in group.indicators):
                return group
        raise KeyError(indicator_id)

    def level(self, name: str) -> Level:
        """Return the level called ``name`` (case-insensitive; KeyError when there is none)."""
        for level in self.levels:
            if level.name.lower() == name.strip().lower():
                return level
        raise KeyError(name)


__all__ = [
    "PREFILL_FIELDS",
    "Group",
    "Indicator",
    "LabelScheme",
    "Level",
    "Source",
    "Threshold",
]
