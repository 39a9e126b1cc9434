"""Label schemes: the built-ins against the facts file, TOML round trip, one-line errors."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from clusteratlas.data.catalog import resolve
from clusteratlas.errors import LabelSchemeError
from clusteratlas.labels import dump_scheme, list_schemes, load_scheme, parse_scheme

TOY = """
id = "toy"
version = "1"
title = "Toy scheme"
body = "Us"
description = "Two groups."
status = "UNCONFIRMED"
provenance = [{ title = "Our own" }]

[[groups]]
id = "g1"
name = "Strategy"

[[groups.indicators]]
id = "I1"
question = "Members?"
kind = "number"
unit = "members"
threshold = { op = ">=", value = 15 }

[[levels]]
name = "Gold"
min_score_share = 0.8
"""


def _facts() -> list[dict[str, str]]:
    path = resolve("esca_indicators", download=False)  # the mirror's copy, else the packaged one
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_builtins_are_listed_and_load() -> None:
    assert list_schemes() == ["esca-bronze", "esca-gold", "poles-phase5"]
    for name in list_schemes():
        scheme = load_scheme(name)
        assert scheme.id == name
        assert scheme.status == "PARTLY_CONFIRMED"


@pytest.mark.parametrize("name", ["esca-bronze", "esca-gold", "poles-phase5"])
def test_round_trip_is_identical(name: str) -> None:
    scheme = load_scheme(name)
    text = dump_scheme(scheme)
    again = parse_scheme(text)
    assert again == scheme
    assert dump_scheme(again) == text
    # the packaged file is the dump itself under a comment header
    packaged = Path(__file__).resolve().parents[2] / "src/clusteratlas/labels/schemes"
    body = (packaged / f"{name}.toml").read_text(encoding="utf-8")
    assert body.endswith(text)


def test_bronze_matches_the_facts_file() -> None:
    facts = _facts()
    groups = [
        r["group"] for r in facts if r["item_type"] == "indicator_group" and r["label"] == "Bronze"
    ]
    bronze = load_scheme("esca-bronze")
    assert [g.name for g in bronze.groups] == groups  # the 6 CONFIRMED group names, in order
    assert all(g.status == "CONFIRMED" for g in bronze.groups)
    assert len(bronze.indicators) == bronze.indicator_count == 36  # "36 indicators" (CONFIRMED)
    assert bronze.indicator_count_status == "CONFIRMED"
    assert {i.status for i in bronze.indicators} == {"UNCONFIRMED"}  # names not public
    level = bronze.level("Bronze")
    assert (level.validity_months, level.validity_from, level.validity_status) == (
        24,
        "month",
        "CONFIRMED",
    )
    assert (level.renewal_window_months, level.renewal_validity_months) == (12, 36)
    silver = bronze.level("silver")
    assert (silver.requires, silver.min_improved_groups, silver.status) == (
        "Bronze",
        3,
        "CONFIRMED",
    )
    assert silver.validity_status == "UNCONFIRMED"  # not in the facts
    silver_fact = next(r for r in facts if r["label"] == "Silver")["rule_or_threshold"]
    assert "1.5 to 2 years after the first" in silver_fact and "3 areas" in silver_fact
    assert silver.after_previous_months == (18, 24)


def test_gold_matches_the_facts_file() -> None:
    facts = _facts()
    rule = next(
        r
        for r in facts
        if r["label"] == "Gold" and r["name"] == "Indicator count and threshold rule"
    )
    assert (
        "31 quality indicators" in rule["rule_or_threshold"]
        and ">= 80%" in rule["rule_or_threshold"]
    )
    gold = load_scheme("esca-gold")
    assert len(gold.indicators) == 31
    assert all(i.threshold is not None for i in gold.indicators)  # "each indicator has a threshold"
    assert {i.status for i in gold.indicators} == {
        "UNCONFIRMED"
    }  # "Gold indicators 1-31": UNCONFIRMED
    assert {i.threshold.status for i in gold.indicators if i.threshold} == {"UNCONFIRMED"}
    (level,) = gold.levels
    assert (level.name, level.min_score_share, level.status) == ("Gold", 0.8, "CONFIRMED")
    assert (
        [g.name for g in gold.groups]
        == [
            "Strategy development",
            "Management",
            "Service offers",
            "Public relations",
        ]
    )  # the ecoplus wording: Strategieentwicklung, Management, Serviceangebote, Öffentlichkeitsarbeit


def test_poles_durations_and_phase_end() -> None:
    poles = load_scheme("poles-phase5")
    assert [lv.name for lv in poles.levels] == ["1 year", "2 years", "4 years"]
    assert [lv.validity_months for lv in poles.levels] == [12, 24, 48]
    assert poles.level("4 years").ends_on == dt.date(2026, 12, 31)
    assert {lv.validity_status for lv in poles.levels} == {"CONFIRMED"}
    assert {lv.status for lv in poles.levels} == {"UNCONFIRMED"}  # score cut-offs are ours


def test_a_labelling_body_loads_its_own_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(TOY, encoding="utf-8")
    scheme = load_scheme(path)
    assert scheme.label == "toy@1" and scheme.origin == str(path)
    assert load_scheme(str(path)) == scheme
    assert scheme.max_points == 1.0


def _error(text: str, tmp_path: Path) -> str:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LabelSchemeError) as info:
        load_scheme(path)
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(path))
    return message


def test_syntax_error_names_the_line(tmp_path: Path) -> None:
    bad = TOY.replace('unit = "members"', 'unit = "members')
    message = _error(bad, tmp_path)
    line = TOY.splitlines().index('unit = "members"') + 1
    assert "not valid TOML" in message and f"line {line}" in message


def test_unknown_key_names_its_path_and_the_fix(tmp_path: Path) -> None:
    message = _error(TOY.replace("threshold = {", "thresold = {"), tmp_path)
    assert "groups[0].indicators[0]: unknown key 'thresold'" in message
    assert "Did you mean 'threshold'?" in message


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        (('op = ">="', 'op = "=>"'), "groups[0].indicators[0].threshold.op"),
        (('kind = "number"', 'kind = "numeric"'), "groups[0].indicators[0].kind"),
        (('unit = "members"', 'unit = ""'), "needs a 'unit'"),
        (("min_score_share = 0.8", "min_score_share = 80"), "levels[0].min_score_share"),
        (('status = "UNCONFIRMED"', 'status = "CONFIRMED"'), "use status = 'PARTLY_CONFIRMED'"),
        (
            ('name = "Gold"', 'name = "Gold"\nrequires = "Bronze"'),
            "requires 'Bronze', which is not a lower level",
        ),
        (
            ('version = "1"', 'version = "1"\nindicator_count = 31'),
            "indicator_count is 31 but the groups hold 1",
        ),
        (
            ("min_score_share = 0.8", "after_previous_months = [24, 18]"),
            "with 0 <= min <= max; got [24, 18]",
        ),
    ],
)
def test_schema_errors_name_the_key_path(
    tmp_path: Path, change: tuple[str, str], needle: str
) -> None:
    assert change[0] in TOY
    assert needle in _error(TOY.replace(change[0], change[1], 1), tmp_path)


def test_a_scheme_names_the_kinds_it_assesses(tmp_path: Path) -> None:
    from typing import get_args

    from clusteratlas.labels.schemes import OrganisationKind
    from clusteratlas.registry.models_org import ORG_KINDS

    # The scheme's kinds are the registry's: a new registry kind must be added to both.
    assert get_args(OrganisationKind) == ORG_KINDS
    toy = parse_scheme(TOY)
    assert toy.organisation_kinds == ("cluster organisation",)
    assert "organisation_kinds" not in dump_scheme(toy)  # the default is left out
    # A labelling body's scheme for training providers (a Qualiopi-like audit) says so.
    own = TOY.replace('version = "1"', 'version = "1"\norganisation_kinds = ["training provider"]')
    scheme = parse_scheme(own)
    assert scheme.organisation_kinds == ("training provider",)
    assert parse_scheme(dump_scheme(scheme)) == scheme
    message = _error(
        TOY.replace('version = "1"', 'version = "1"\norganisation_kinds = ["university"]'), tmp_path
    )
    assert "organisation_kinds[0]" in message and "'training provider'" in message
    empty = TOY.replace('version = "1"', 'version = "1"\norganisation_kinds = []')
    assert "organisation_kinds" in _error(empty, tmp_path)


def test_missing_key_and_repeated_ids(tmp_path: Path) -> None:
    assert "missing required key 'body'" in _error(TOY.replace('body = "Us"\n', ""), tmp_path)
    twice = TOY + TOY[TOY.index("[[groups.indicators]]") : TOY.index("[[levels]]")]
    assert "indicator id(s) 'I1' repeat" in _error(twice, tmp_path)


def test_scale_threshold_must_be_a_level(tmp_path: Path) -> None:
    scale = TOY.replace(
        'kind = "number"\nunit = "members"', 'kind = "scale"\nscale = ["no", "yes"]'
    )
    assert "level index in 0..1" in _error(scale, tmp_path)


def test_unknown_builtin_suggests() -> None:
    with pytest.raises(
        LabelSchemeError, match=r"Unknown label scheme 'esca-gld'.*Did you mean 'esca-gold'"
    ):
        load_scheme("esca-gld")
    with pytest.raises(LabelSchemeError, match="does not exist"):
        load_scheme("nowhere/mine.toml")
