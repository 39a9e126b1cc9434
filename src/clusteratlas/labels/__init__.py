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
    regional_facts,
    submit,
    with_answers,
)
from clusteratlas.labels.awards import expiring_labels, label_validity
from clusteratlas.labels.benchmark import (
    BenchmarkResult,
    assessments_frame,
    benchmark_peers,
    disclosure_table,
    size_band,
)
from clusteratlas.labels.io import answers_template, read_answers, result_to_dict
from clusteratlas.labels.report import radar_svg, readiness_report
from clusteratlas.labels.schemefile import dump_scheme, list_schemes, load_scheme, parse_scheme
from clusteratlas.labels.schemes import Group, Indicator, LabelScheme, Level, Threshold
from clusteratlas.labels.scoring import LevelCheck, ScoreResult, score_assessment

__all__ = [
    "Answer",
    "Assessment",
    "BenchmarkResult",
    "Group",
    "Indicator",
    "LabelScheme",
    "Level",
    "LevelCheck",
    "ScoreResult",
    "Threshold",
    "answers_template",
    "assessments_frame",
    "benchmark_peers",
    "disclosure_table",
    "dump_scheme",
    "expiring_labels",
    "label_validity",
    "list_schemes",
    "load_scheme",
    "make_answer",
    "new_assessment",
    "organisation_facts",
    "parse_scheme",
    "prefill_answers",
    "radar_svg",
    "read_answers",
    "readiness_report",
    "regional_facts",
    "result_to_dict",
    "score_assessment",
    "size_band",
    "submit",
    "with_answers",
]
