"""Files of the labels service: answers (CSV or TOML), assessments and results (JSON).

Answers CSV: one row per indicator with columns ``indicator``, ``value`` and optional
``evidence_url``, ``evidence_sha256`` and ``evidence_file`` (a file next to the CSV whose
SHA-256 is recorded); an empty ``value`` is no answer, and the information columns of the
questionnaire template (:func:`answers_template`) are allowed. Answers TOML::

    [answers]
    G01 = 2                  # a scale level index, or its text
    G27 = "yes"
    G09 = { value = 64, evidence_url = "https://example.org/members.pdf" }

Result JSON (:func:`result_to_dict`) holds the assessment, its scores and the peer
attributes, so that a folder of results is what :mod:`~clusteratlas.labels.benchmark` reads.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import math
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from clusteratlas.errors import AssessmentError
from clusteratlas.labels.assessment import Answer, Assessment, make_answer
from clusteratlas.labels.schemes import LabelScheme
from clusteratlas.labels.scoring import ScoreResult

RESULT_FORMAT = "clusteratlas-label-result/1"
_CSV_COLUMNS = ("indicator", "value", "evidence_url", "evidence_sha256", "evidence_file")
#: Columns of the questionnaire template (:func:`answers_template`) read back as information only.
TEMPLATE_COLUMNS = ("group", "question", "answer", "threshold", "points", "status", "prefill")


def read_answers(path: str | Path, scheme: LabelScheme) -> tuple[Answer, ...]:
    """Read a manager's answers from a CSV or TOML file, checked against ``scheme``.

    Raises
    ------
    AssessmentError
        For a missing file, another extension, an unknown column or key, an indicator the
        scheme lacks, a value of the wrong kind, or an indicator answered twice; the
        message names the file and the row (CSV) or key (TOML).
    """
    path = Path(path)
    if not path.is_file():
        raise AssessmentError(f"Answers file {str(path)!r} does not exist.")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        answers = _read_csv(path, scheme)
    elif suffix == ".toml":
        answers = _read_toml(path, scheme)
    else:
        raise AssessmentError(
            f"Answers file {str(path)!r} must be a .csv or .toml file; got {suffix or 'no extension'!r}."
        )
    ids = [a.indicator for a in answers]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise AssessmentError(f"{path}: indicator(s) {', '.join(map(repr, twice))} answered twice.")
    return tuple(answers)


def _read_csv(path: Path, scheme: LabelScheme) -> list[Answer]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            columns = [c.strip() for c in reader.fieldnames or []]
            unknown = [c for c in columns if c not in _CSV_COLUMNS + TEMPLATE_COLUMNS]
            if "indicator" not in columns or "value" not in columns or unknown:
                raise AssessmentError(
                    f"{path}: the answers CSV needs columns 'indicator' and 'value' (optional: "
                    f"'evidence_url', 'evidence_sha256', 'evidence_file'); got "
                    f"{', '.join(map(repr, columns))}."
                )
            out = []
            for line, raw in enumerate(reader, start=2):
                row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
                if not row["value"]:
                    continue  # left blank: not answered
                where = f"{path}, row {line}"
                digest = row.get("evidence_sha256")
                if row.get("evidence_file"):
                    digest = _file_hash(path.parent / row["evidence_file"], digest, where)
                out.append(
                    make_answer(
                        scheme,
                        row["indicator"],
                        row["value"],
                        evidence_url=row.get("evidence_url"),
                        evidence_sha256=digest,
                        where=where,
                    )
                )
            return out
    except UnicodeDecodeError as err:
        raise AssessmentError(f"{path}: not UTF-8 text ({err}).") from err


def _file_hash(file: Path, given: str | None, where: str) -> str:
    """Return the SHA-256 of an evidence file (relative to the answers file)."""
    if not file.is_file():
        raise AssessmentError(f"{where}: evidence_file {str(file)!r} does not exist.")
    digest = hashlib.sha256(file.read_bytes()).hexdigest()
    if given and given.lower() != digest:
        raise AssessmentError(
            f"{where}: evidence_sha256 {given!r} is not the SHA-256 of {str(file)!r} ({digest})."
        )
    return digest


def answers_template(scheme: LabelScheme) -> pd.DataFrame:
    """Return the questionnaire of ``scheme`` as a table to fill in and read back.

    One row per indicator: ``indicator``, the information columns of
    :data:`TEMPLATE_COLUMNS` (group, question, how to answer, threshold, points, status,
    the registry fact it is pre-filled from) and empty ``value``, ``evidence_url`` and
    ``evidence_file`` columns; :func:`read_answers` reads it back once filled.
    """
    rows = []
    for group in scheme.groups:
        for i in group.indicators:
            rows.append(
                {
                    "indicator": i.id,
                    "group": group.name,
                    "question": i.question,
                    "answer": i.answer_text,
                    "threshold": i.threshold_text,
                    "points": i.points,
                    "status": i.status,
                    "prefill": i.prefill or "",
                    "value": "",
                    "evidence_url": "",
                    "evidence_file": "",
                }
            )
    return pd.DataFrame(rows)


def _read_toml(path: Path, scheme: LabelScheme) -> list[Answer]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise AssessmentError(f"{path}: not valid TOML: {err}.") from err
    extra = sorted(set(data) - {"answers"})
    if extra or not isinstance(data.get("answers"), dict):
        raise AssessmentError(
            f"{path}: the answers TOML needs one [answers] table and nothing else"
            + (f"; got key(s) {', '.join(map(repr, extra))}." if extra else ".")
        )
    out = []
    for key, item in data["answers"].items():
        where = f"{path}, key answers.{key}"
        if isinstance(item, dict):
            unknown = sorted(set(item) - {"value", "evidence_url", "evidence_sha256"})
            if unknown or "value" not in item:
                raise AssessmentError(
                    f"{where}: give 'value' and optionally 'evidence_url', 'evidence_sha256'"
                    + (f"; unknown key(s) {', '.join(map(repr, unknown))}." if unknown else ".")
                )
            out.append(
                make_answer(
                    scheme,
                    key,
                    item["value"],
                    evidence_url=item.get("evidence_url"),
                    evidence_sha256=item.get("evidence_sha256"),
                    where=where,
                )
            )
        else:
            out.append(make_answer(scheme, key, item, where=where))
    return out


def assessment_to_dict(assessment: Assessment) -> dict[str, Any]:
    """Return the assessment as JSON-ready data (see :func:`assessment_from_dict`)."""
    return {
        "organisation_id": assessment.organisation_id,
        "scheme": assessment.scheme,
        "version": assessment.version,
        "status": assessment.status,
        "assessed_on": None
        if assessment.assessed_on is None
        else assessment.assessed_on.isoformat(),
        "peer": dict(assessment.peer),
        "answers": [
            {k: v for k, v in vars(answer).items() if v is not None}
            for answer in assessment.answers
        ],
    }


def assessment_from_dict(data: Mapping[str, Any], *, where: str = "assessment") -> Assessment:
    """Rebuild an assessment written by :func:`assessment_to_dict`.

    Raises
    ------
    AssessmentError
        Naming ``where`` and the key that is missing or wrong.
    """
    try:
        answers = tuple(
            Answer(
                indicator=str(a["indicator"]),
                value=float(a["value"]),
                evidence_url=a.get("evidence_url"),
                evidence_sha256=a.get("evidence_sha256"),
                origin=a.get("origin", "answer"),
                source=a.get("source"),
            )
            for a in data.get("answers", [])
        )
        day = data.get("assessed_on")
        status = data.get("status", "draft")
        if status not in ("draft", "submitted"):
            raise ValueError(f"status must be 'draft' or 'submitted', got {status!r}")
        return Assessment(
            organisation_id=str(data["organisation_id"]),
            scheme=str(data["scheme"]),
            version=str(data["version"]),
            answers=answers,
            status=status,
            peer={str(k): str(v) for k, v in (data.get("peer") or {}).items()},
            assessed_on=None if not day else dt.date.fromisoformat(str(day)),
        )
    except KeyError as err:
        raise AssessmentError(f"{where}: missing key {err.args[0]!r}.") from err
    except (TypeError, ValueError) as err:
        raise AssessmentError(f"{where}: {err}.") from err


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or value is pd.NA:
        return None
    if hasattr(value, "item"):
        return _clean(value.item())
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): _clean(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def result_to_dict(result: ScoreResult, assessment: Assessment) -> dict[str, Any]:
    """Return the JSON-ready result of one assessment: answers, scores, level and gap."""
    return {
        "format": RESULT_FORMAT,
        "assessment": assessment_to_dict(assessment),
        "scheme": result.scheme,
        "score": {"earned": result.earned, "max_points": result.max_points, "share": result.share},
        "level": result.level,
        "next_level": None if result.next_level is None else vars(result.next_level),
        "levels": [vars(check) for check in result.levels],
        "missing": list(result.missing),
        "groups": _records(result.groups),
        "indicators": _records(result.indicators),
    }


def write_json(path: Path, data: Mapping[str, Any]) -> Path:
    """Write ``data`` as indented UTF-8 JSON, atomically (no half-written file)."""
    from clusteratlas.export import atomic_write

    text = json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False, default=list)
    return atomic_write(
        path, lambda tmp: tmp.write_text(text + "\n", encoding="utf-8"), what="JSON"
    )


__all__ = [
    "RESULT_FORMAT",
    "TEMPLATE_COLUMNS",
    "answers_template",
    "assessment_from_dict",
    "assessment_to_dict",
    "read_answers",
    "result_to_dict",
    "write_json",
]
