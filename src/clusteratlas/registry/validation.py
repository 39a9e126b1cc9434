"""ECCP validation of a cluster-organisation profile (eccp_profile_fields.md, section 1).

Checks (CONFIRMED criteria, our machine-checkable form):

* **V1** a dedicated management of at least 0.5 FTE (``management_fte >= 0.5``);
* **V2** a website (the ECCP asks for the English version and checks activity by hand);
* **V3** at least 15 committed members (sum of the member counts by type, or the member
  organisations recorded);
* **V4** a triple helix: at least 2 member types, and public bodies among the members or a
  visible collaboration with public bodies (a support programme or a programme label).

The criteria are **waived** for organisations recognised by a regional or national cluster
programme: a ``pôle de compétitivité`` label or a recorded support programme. The ECCP
applies them to organisations based in EU/COSME countries only; elsewhere the result says so
in its notes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from clusteratlas.registry.models import MEMBER_TYPES, Organisation

MIN_FTE = 0.5
MIN_MEMBERS = 15
MIN_MEMBER_TYPES = 2
PROGRAMME_LABEL_SCHEMES = ("pôle de compétitivité",)
"""Label schemes that are national or regional cluster programmes (they waive the checks)."""

Outcome = Literal["validated", "waived", "incomplete"]


@dataclass(frozen=True)
class Check:
    """One criterion: its code, whether it passed and why."""

    code: str
    passed: bool
    reason: str


@dataclass(frozen=True)
class ValidationResult:
    """The outcome of :func:`validate_organisation`.

    Attributes
    ----------
    status : {"validated", "waived", "incomplete"}
    checks : tuple of Check
        V1 to V4, always all four (also when waived).
    waiver : str or None
        The programme that waives the checks.
    notes : tuple of str
    """

    status: Outcome
    checks: tuple[Check, ...]
    waiver: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def reasons(self) -> list[str]:
        """Reasons of the failed checks."""
        return [f"{c.code}: {c.reason}" for c in self.checks if not c.passed]


def _member_counts(organisation: Organisation) -> dict[str, int]:
    counts = {k: v for k, v in organisation.member_counts().items() if v is not None}
    if not counts and "members" in organisation.__dict__ and organisation.members:
        for member in organisation.members:
            counts[member.member_type] = counts.get(member.member_type, 0) + 1
    return counts


def waiver_of(organisation: Organisation) -> str | None:
    """Return the programme that waives the ECCP checks, or ``None``."""
    for label in organisation.labels:
        if label.scheme in PROGRAMME_LABEL_SCHEMES:
            return f"{label.scheme} ({label.level})"
    for programme in organisation.programmes:
        return f"support programme {programme.name!r} ({programme.level})"
    return None


def validate_organisation(organisation: Organisation) -> ValidationResult:
    """Check a profile against the ECCP criteria V1 to V4.

    Parameters
    ----------
    organisation : Organisation
        With its labels, programmes (and members, when counts by type are unknown) loaded.

    Returns
    -------
    ValidationResult
        ``waived`` when a programme recognises the organisation, else ``validated`` when all
        four checks pass, else ``incomplete`` with the reasons.
    """
    fte = organisation.management_fte
    checks = [
        Check(
            "V1",
            fte is not None and fte >= MIN_FTE,
            f"management staff is {fte} FTE (at least {MIN_FTE} needed)"
            if fte is not None
            else "management staff (FTE) is not given",
        ),
        Check(
            "V2",
            bool(organisation.website),
            f"website {organisation.website}" if organisation.website else "no website given",
        ),
    ]
    counts = _member_counts(organisation)
    total = sum(counts.values())
    checks.append(
        Check(
            "V3",
            total >= MIN_MEMBERS,
            f"{total} members (at least {MIN_MEMBERS} needed)"
            if counts
            else "member counts are not given",
        )
    )
    types = sorted(k for k in MEMBER_TYPES if counts.get(k, 0) > 0)
    waiver = waiver_of(organisation)
    public = counts.get("public", 0) > 0 or waiver is not None
    reason = f"{len(types)} member type(s): {', '.join(types) or 'none'}"
    if len(types) >= MIN_MEMBER_TYPES and not public:
        reason += "; no public-body member and no visible collaboration with public bodies"
    checks.append(Check("V4", len(types) >= MIN_MEMBER_TYPES and public, reason))
    notes: list[str] = []
    if organisation.country in _NON_EU_COSME_HINT:
        notes.append("The ECCP applies these criteria to organisations in EU/COSME countries only.")
    if waiver is not None:
        status: Outcome = "waived"
        notes.append(f"Checks waived: recognised by {waiver}.")
    else:
        status = "validated" if all(c.passed for c in checks) else "incomplete"
    return ValidationResult(status=status, checks=tuple(checks), waiver=waiver, notes=tuple(notes))


_NON_EU_COSME_HINT = frozenset({"US", "CA", "CN", "JP", "KR", "IN", "BR", "AU"})
