"""Self-assessments against a label scheme: answers, evidence, pre-filled facts, status.

An :class:`Assessment` is what a cluster manager fills in for one organisation and one
scheme version: an answer per indicator (a number, a scale level or yes/no), each with
optional evidence (a URL or the SHA-256 of an uploaded file) and its origin (typed by the
manager, or pre-filled from the registry with the registry field's own source). It is a
``draft`` while being filled and ``submitted`` when handed to the labelling body. Objects
are immutable: :func:`with_answers` and :func:`submit` return new ones.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from clusteratlas.errors import AssessmentError
from clusteratlas.labels.schemes import Indicator, LabelScheme

AssessmentStatus = Literal["draft", "submitted"]
MEMBER_TYPES: tuple[str, ...] = ("sme", "large", "startup", "research", "public", "other")
"""Member types of a registry organisation record (``members_<type>`` fields)."""
PEER_KEYS: tuple[str, ...] = ("country", "ecosystem", "size_band")
"""The attributes peers are compared on (see :mod:`clusteratlas.labels.benchmark`)."""
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_YES = {"yes", "y", "true", "1", "oui", "ja"}
_NO = {"no", "n", "false", "0", "non", "nein"}


@dataclass(frozen=True)
class Answer:
    """One answer: its value (a number, a scale level index, or 1/0 for yes/no) and origin.

    ``origin`` is ``"answer"`` for a value the manager gave, ``"prefilled"`` for one taken
    from the organisation record; ``source`` then says which field and where it came from.
    """

    indicator: str
    value: float
    evidence_url: str | None = None
    evidence_sha256: str | None = None
    origin: Literal["answer", "prefilled"] = "answer"
    source: str | None = None


@dataclass(frozen=True)
class Assessment:
    """A self-assessment of one organisation against one scheme version."""

    organisation_id: str
    scheme: str
    version: str
    answers: tuple[Answer, ...] = ()
    status: AssessmentStatus = "draft"
    peer: Mapping[str, str] = field(default_factory=dict)
    assessed_on: dt.date | None = None

    def answer(self, indicator_id: str) -> Answer | None:
        """Return the answer to ``indicator_id``, or ``None`` when it is not answered."""
        return next((a for a in self.answers if a.indicator == indicator_id), None)


def parse_value(indicator: Indicator, raw: Any, *, where: str) -> float:
    """Turn a raw answer (text, number, bool) into the value scoring uses.

    A ``number`` is a finite number; a ``scale`` answer is a level index (0, 1, …) or the
    level's text; a ``boolean`` is yes/no, true/false or 1/0.

    Raises
    ------
    AssessmentError
        Naming ``where`` (file and row or key), the indicator and what was expected.
    """
    text = str(raw).strip()
    expected = indicator.answer_text
    if indicator.kind == "boolean":
        if isinstance(raw, bool):
            return float(raw)
        if text.lower() in _YES | _NO:
            return 1.0 if text.lower() in _YES else 0.0
        if re.fullmatch(r"[01](\.0+)?", text):
            return float(text)
    elif indicator.kind == "scale":
        levels = [level.lower() for level in indicator.scale]
        if text.lower() in levels:
            return float(levels.index(text.lower()))
        if re.fullmatch(r"\d+(\.0+)?", text) and int(float(text)) < len(levels):
            return float(int(float(text)))
        expected = f"a level index 0..{len(levels) - 1} or its text ({expected})"
    else:
        try:
            value = float(text.replace(",", "")) if not isinstance(raw, bool) else math.nan
        except ValueError:
            value = math.nan
        if math.isfinite(value):
            return value
        expected = f"a number in {indicator.unit}"
    raise AssessmentError(
        f"{where}: the answer to indicator {indicator.id!r} must be {expected}; got {text!r}."
    )


def make_answer(
    scheme: LabelScheme,
    indicator_id: str,
    raw: Any,
    *,
    evidence_url: str | None = None,
    evidence_sha256: str | None = None,
    where: str = "answers",
) -> Answer:
    """Check and build one answer to ``indicator_id`` of ``scheme``.

    Raises
    ------
    AssessmentError
        For an indicator the scheme does not have, a value of the wrong kind, an evidence
        URL that is not http(s) or a hash that is not 64 hexadecimal digits.
    """
    from clusteratlas._validation import suggest

    known = {i.id: i for i in scheme.indicators}
    if indicator_id not in known:
        raise AssessmentError(
            f"{where}: scheme {scheme.label} has no indicator {indicator_id!r}."
            f"{suggest(indicator_id, known)}"
        )
    value = parse_value(known[indicator_id], raw, where=where)
    url = (evidence_url or "").strip() or None
    if url is not None and not re.match(r"^https?://\S+$", url):
        raise AssessmentError(
            f"{where}: evidence_url of {indicator_id!r} must be an http(s) URL; got {url!r}."
        )
    digest = (evidence_sha256 or "").strip().lower() or None
    if digest is not None and not _SHA256.match(digest):
        raise AssessmentError(
            f"{where}: evidence_sha256 of {indicator_id!r} must be 64 hexadecimal digits "
            f"(a SHA-256); got {digest!r}."
        )
    return Answer(indicator_id, value, url, digest)


def organisation_facts(
    organisation: Mapping[str, Any], *, year: int
) -> dict[str, tuple[float, str]]:
    """Derive the facts an indicator may be pre-filled from, each with its source.

    Parameters
    ----------
    organisation : mapping
        A registry organisation record (the API's profile, or a row of the registry export):
        ``founding_year``, ``management_fte``, ``members_<type>`` or ``members`` (a mapping
        of type to count), and ``field_sources`` (field → ``{"source", "status"}``).
    year : int
        The reference year of ``years_active`` (``year - founding_year``).

    Returns
    -------
    dict
        Fact name (see :data:`~clusteratlas.labels.schemes.PREFILL_FIELDS`) → (value,
        source text). Facts the record does not hold are absent, never zero: a member count
        is summed only when every type is known.
    """
    sources = organisation.get("field_sources") or {}
    nested = organisation.get("members")
    counts: dict[str, Any] = {
        kind: (nested or {}).get(kind) if isinstance(nested, Mapping) else None
        for kind in MEMBER_TYPES
    }
    for kind in MEMBER_TYPES:
        if organisation.get(f"members_{kind}") is not None:
            counts[kind] = organisation[f"members_{kind}"]

    def source(*fields: str) -> str:
        parts = []
        for name in fields:
            entry = sources.get(name) or sources.get("members" if "members" in name else name)
            if isinstance(entry, Mapping) and entry.get("source"):
                parts.append(f"{entry['source']} ({entry.get('status', 'UNCONFIRMED')})")
        where = "; ".join(dict.fromkeys(parts)) or "no source recorded"
        return f"registry: {', '.join(fields)}; {where}"

    facts: dict[str, tuple[float, str]] = {}
    for name in ("founding_year", "management_fte"):
        value = _number(organisation.get(name))
        if value is not None:
            facts[name] = (value, source(name))
    if "founding_year" in facts:
        facts["years_active"] = (float(year) - facts["founding_year"][0], source("founding_year"))
    known = {kind: _number(count) for kind, count in counts.items()}
    fields = [f"members_{kind}" for kind in MEMBER_TYPES]
    for kind, value in known.items():
        if value is not None:
            facts[f"members_{kind}"] = (value, source(f"members_{kind}"))
    if all(value is not None for value in known.values()):
        total = float(sum(v for v in known.values() if v is not None))
        facts["members_total"] = (total, source(*fields))
        facts["member_types"] = (float(sum(1 for v in known.values() if v)), source(*fields))
        if total > 0:
            facts["share_sme"] = (100.0 * (known["sme"] or 0.0) / total, source(*fields))
    return facts


def regional_facts(
    location_quotients: Mapping[str, float], *, region: str, source: str
) -> dict[str, tuple[float, str]]:
    r"""Derive the facts the regional statistics give about an organisation's field.

    ``region_lq`` is the highest location quotient of the organisation's region among the
    organisation's cluster categories,

    .. math:: \max_{c \in C} LQ_{r,c}, \qquad LQ_{r,c} = \frac{E_{r,c} / E_r}{E_c / E},

    where :math:`E` is employment, :math:`r` the region and :math:`C` the categories
    (Isard 1960; the European Cluster Observatory's specialisation measure). A value of 1
    means the region is as specialised as the whole economy.

    Parameters
    ----------
    location_quotients : mapping of str to float
        Category code → location quotient of the region in it (a row of the region in the
        map, e.g. from :func:`clusteratlas.registry.organisation_statistics`); missing
        (NaN) values, such as suppressed employment, are left out, never read as 0.
    region : str
        The region code, named in the source text.
    source : str
        Which map the quotients come from (source, year, categories), named in the source.

    Returns
    -------
    dict
        ``{"region_lq": (value, source text)}``, or an empty dict when no category has a
        location quotient.
    """
    known = {
        str(category): float(lq)
        for category, lq in location_quotients.items()
        if _number(lq) is not None
    }
    if not known:
        return {}
    category = max(sorted(known), key=lambda c: known[c])
    others = len(known) - 1
    among = f", the highest of its {len(known)} categories" if others else ""
    text = (
        f"statistics: location quotient of {region} in {category}{among}; {source} "
        "(computed by Cluster Atlas from the published statistics)"
    )
    return {"region_lq": (known[category], text)}


def profile_regional_facts(profile: Mapping[str, Any]) -> dict[str, tuple[float, str]]:
    """Return :func:`regional_facts` from a profile as the API serves it.

    ``GET /api/v1/organisations/{id}`` holds ``statistics``: the map it was read from
    (``source``, ``year``, ``categories``, ``rules``) and one row per category of the
    organisation's region (``region``, ``category``, ``lq``). A profile without statistics
    (no data mirror on the server, an unknown region) gives no facts.
    """
    statistics = profile.get("statistics")
    if not isinstance(statistics, Mapping):
        return {}
    rows = [row for row in statistics.get("rows") or [] if isinstance(row, Mapping)]
    region = next((str(r["region"]) for r in rows if r.get("region")), profile.get("region"))
    if not rows or not region:
        return {}
    quotients: dict[str, float] = {}
    for row in rows:
        if row.get("category") is not None:
            lq = _number(row.get("lq"))  # null in JSON: suppressed, kept missing
            quotients[str(row["category"])] = math.nan if lq is None else lq
    label = (
        f"map {statistics.get('source')} {statistics.get('year')}, "
        f"categories {statistics.get('categories')}, rule-set {statistics.get('rules')}"
    )
    return regional_facts(quotients, region=str(region), source=label)


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def prefill_answers(
    scheme: LabelScheme,
    organisation: Mapping[str, Any],
    *,
    year: int,
    regional: Mapping[str, tuple[float, str]] | None = None,
) -> tuple[Answer, ...]:
    """Return answers to the indicators of ``scheme`` the organisation record already knows.

    Each pre-filled answer has ``origin="prefilled"`` and a ``source`` naming the registry
    field(s) and their own source and status; see :func:`organisation_facts`. ``regional``
    adds the facts of the regional statistics (:func:`regional_facts`).
    """
    facts = organisation_facts(organisation, year=year) | dict(regional or {})
    out = []
    for indicator in scheme.indicators:
        if indicator.prefill is not None and indicator.prefill in facts:
            value, source = facts[indicator.prefill]
            out.append(Answer(indicator.id, value, origin="prefilled", source=source))
    return tuple(out)


def new_assessment(
    scheme: LabelScheme,
    *,
    organisation_id: str,
    answers: tuple[Answer, ...] = (),
    prefilled: tuple[Answer, ...] = (),
    peer: Mapping[str, str] | None = None,
    assessed_on: dt.date | None = None,
) -> Assessment:
    """Start a draft assessment; a manager's answer replaces a pre-filled one.

    Raises
    ------
    AssessmentError
        When two answers are given to the same indicator, an answer names an indicator
        the scheme lacks, or ``peer`` has keys other than :data:`PEER_KEYS`.
    """
    ids = [a.indicator for a in answers]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise AssessmentError(
            f"answers: indicator(s) {', '.join(map(repr, twice))} answered twice."
        )
    known = {i.id for i in scheme.indicators}
    unknown = sorted({a.indicator for a in (*answers, *prefilled)} - known)
    if unknown:
        raise AssessmentError(
            f"answers: scheme {scheme.label} has no indicator(s) {', '.join(map(repr, unknown))}."
        )
    extra = sorted(set(peer or {}) - set(PEER_KEYS))
    if extra:
        raise AssessmentError(
            f"peer: unknown key(s) {', '.join(map(repr, extra))}; allowed: {', '.join(PEER_KEYS)}."
        )
    merged = {a.indicator: a for a in prefilled} | {a.indicator: a for a in answers}
    order = [i.id for i in scheme.indicators if i.id in merged]
    return Assessment(
        organisation_id=str(organisation_id),
        scheme=scheme.id,
        version=scheme.version,
        answers=tuple(merged[i] for i in order),
        peer={k: str(v) for k, v in (peer or {}).items() if v is not None and str(v) != ""},
        assessed_on=assessed_on,
    )


def with_answers(assessment: Assessment, answers: tuple[Answer, ...]) -> Assessment:
    """Return a copy of a draft with ``answers`` added or replaced (saving as one goes).

    Raises
    ------
    AssessmentError
        When the assessment was already submitted.
    """
    if assessment.status != "draft":
        raise AssessmentError(
            f"Assessment of organisation {assessment.organisation_id!r} was submitted; "
            "only a draft can change."
        )
    merged = {a.indicator: a for a in assessment.answers} | {a.indicator: a for a in answers}
    return replace(assessment, answers=tuple(merged.values()))


def submit(assessment: Assessment, *, on: dt.date | None = None) -> Assessment:
    """Return the assessment marked ``submitted`` (on ``on``, default today)."""
    if assessment.status == "submitted":
        raise AssessmentError(
            f"Assessment of organisation {assessment.organisation_id!r} is already submitted."
        )
    return replace(assessment, status="submitted", assessed_on=on or dt.date.today())


__all__ = [
    "MEMBER_TYPES",
    "PEER_KEYS",
    "Answer",
    "Assessment",
    "make_answer",
    "new_assessment",
    "organisation_facts",
    "parse_value",
    "prefill_answers",
    "submit",
    "with_answers",
]
