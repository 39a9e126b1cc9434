"""Labels: cluster-management excellence and competitiveness labels as data.

Label schemes (ESCA/EUCLES Bronze, Silver, Gold; the French pôles de compétitivité phase V)
are versioned TOML files with the status and source of every fact
(:mod:`~clusteratlas.labels.schemes`, :mod:`~clusteratlas.labels.schemefile`). A cluster
manager fills a self-assessment (:mod:`~clusteratlas.labels.assessment`), pre-filled from
the registry; :mod:`~clusteratlas.labels.scoring` scores it, :mod:`~clusteratlas.labels.benchmark`
compares it with peers without letting any peer's answers be read back,
:mod:`~clusteratlas.labels.awards` computes validity and expiry, and
:mod:`~clusteratlas.labels.report` writes a printable readiness report.
"""

from __future__ import annotations

from clusteratlas.labels.assessment import (
    Answer,
    Assessment,
    make_answer,
    new_assessment,
    organisation_facts,
    prefill_answers,
    submit,
    with_answers,
)
from clusteratlas.labels.schemefile import dump_scheme, list_schemes, load_scheme, parse_scheme
from clusteratlas.labels.schemes import Group, Indicator, LabelScheme, Level, Threshold
from clusteratlas.labels.scoring import LevelCheck, ScoreResult, score_assessment

__all__ = [
    "Answer",
    "Assessment",
    "Group",
    "Indicator",
    "LabelScheme",
    "Level",
    "LevelCheck",
    "ScoreResult",
    "Threshold",
    "dump_scheme",
    "list_schemes",
    "load_scheme",
    "make_answer",
    "new_assessment",
    "organisation_facts",
    "parse_scheme",
    "prefill_answers",
    "score_assessment",
    "submit",
    "with_answers",
]
