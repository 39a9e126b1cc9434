"""Answers files (CSV, TOML, the questionnaire template), evidence hashes, result JSON, doctests."""

from __future__ import annotations

import doctest
import json
from pathlib import Path

import pytest

import clusteratlas.labels.awards
import clusteratlas.labels.benchmark
import clusteratlas.labels.schemefile
import clusteratlas.labels.scoring
from clusteratlas.errors import AssessmentError
from clusteratlas.labels import load_scheme, new_assessment, score_assessment
from clusteratlas.labels.io import (
    answers_template,
    assessment_from_dict,
    assessment_to_dict,
    read_answers,
    result_to_dict,
)

# SHA-256 of "abc": the FIPS 180-2 test vector (Appendix B.1)
ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


@pytest.mark.parametrize(
    "module",
    [
        clusteratlas.labels.schemefile,
        clusteratlas.labels.scoring,
        clusteratlas.labels.benchmark,
        clusteratlas.labels.awards,
    ],
)
def test_docstring_examples_run(module) -> None:
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_template_filled_in_reads_back(tmp_path: Path) -> None:
    gold = load_scheme("esca-gold")
    table = answers_template(gold)
    assert table["indicator"].tolist() == [i.id for i in gold.indicators]
    assert table.loc[0, "threshold"] == ">= 3 (documented, implemented and reviewed regularly)"
    table.loc[table["indicator"] == "G01", "value"] = "documented"
    table.loc[table["indicator"] == "G27", ["value", "evidence_file"]] = ["yes", "site.txt"]
    (tmp_path / "site.txt").write_bytes(b"abc")
    table.to_csv(tmp_path / "answers.csv", index=False)
    answers = read_answers(tmp_path / "answers.csv", gold)
    assert [(a.indicator, a.value, a.evidence_sha256) for a in answers] == [
        ("G01", 2.0, None),
        ("G27", 1.0, ABC),
    ]


def test_evidence_file_errors(tmp_path: Path) -> None:
    gold = load_scheme("esca-gold")
    path = tmp_path / "a.csv"
    path.write_text("indicator,value,evidence_file\nG27,yes,missing.pdf\n")
    with pytest.raises(
        AssessmentError, match=r"a\.csv, row 2: evidence_file .*missing\.pdf' does not exist"
    ):
        read_answers(path, gold)
    (tmp_path / "e.txt").write_bytes(b"abc")
    path.write_text(f"indicator,value,evidence_file,evidence_sha256\nG27,yes,e.txt,{'0' * 64}\n")
    with pytest.raises(AssessmentError, match=f"is not the SHA-256 of .*e.txt' \\({ABC}\\)"):
        read_answers(path, gold)


def test_toml_answers_and_their_errors(tmp_path: Path) -> None:
    gold = load_scheme("esca-gold")
    path = tmp_path / "a.toml"
    path.write_text(
        '[answers]\nG01 = 2\nG27 = "yes"\n'
        'G09 = { value = 64, evidence_url = "https://example.org/members.pdf" }\n'
    )
    answers = {a.indicator: a for a in read_answers(path, gold)}
    assert {k: a.value for k, a in answers.items()} == {"G01": 2.0, "G27": 1.0, "G09": 64.0}
    assert answers["G09"].evidence_url == "https://example.org/members.pdf"
    path.write_text("[answers]\nG09 = { valeur = 64 }\n")
    with pytest.raises(
        AssessmentError, match=r"key answers\.G09: give 'value'.*unknown key\(s\) 'valeur'"
    ):
        read_answers(path, gold)
    path.write_text("[answers]\nG09 = 64\n[extra]\n")
    with pytest.raises(
        AssessmentError, match="one \\[answers\\] table and nothing else; got key\\(s\\) 'extra'"
    ):
        read_answers(path, gold)
    path.write_text("[answers\n")
    with pytest.raises(AssessmentError, match=r"not valid TOML.*line 1"):
        read_answers(path, gold)


def test_csv_errors(tmp_path: Path) -> None:
    gold = load_scheme("esca-gold")
    path = tmp_path / "a.csv"
    path.write_text("indicator,answer_value\nG01,2\n")
    with pytest.raises(AssessmentError, match="needs columns 'indicator' and 'value'"):
        read_answers(path, gold)
    path.write_text("indicator,value\nG01,2\nG01,3\n")
    with pytest.raises(AssessmentError, match="'G01' answered twice"):
        read_answers(path, gold)
    with pytest.raises(AssessmentError, match=r"must be a \.csv or \.toml file; got '\.xlsx'"):
        (tmp_path / "a.xlsx").write_text("")
        read_answers(tmp_path / "a.xlsx", gold)


def test_result_json_round_trips_the_assessment() -> None:
    gold = load_scheme("esca-gold")
    assessment = new_assessment(gold, organisation_id="7", peer={"country": "FR"})
    data = result_to_dict(score_assessment(gold, assessment), assessment)
    text = json.dumps(data, allow_nan=False)  # missing answers are null, never NaN
    assert assessment_from_dict(json.loads(text)["assessment"]) == assessment
    assert data["score"] == {"earned": 0.0, "max_points": 31.0, "share": 0.0}
    assert assessment_to_dict(assessment)["peer"] == {"country": "FR"}
    with pytest.raises(AssessmentError, match=r"results\.json: missing key 'scheme'"):
        assessment_from_dict({"organisation_id": "7"}, where="results.json")
