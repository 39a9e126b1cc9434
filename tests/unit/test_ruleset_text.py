"""The texts users read: a rule-set's summary and a meta-cluster pick's reason, by hand."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from clusteratlas.errors import RuleSetError
from clusteratlas.mapping.rules_apply import describe_ruleset
from clusteratlas.mapping.rulesets import (
    Condition,
    Criterion,
    RuleSet,
    Source,
    Stars,
    load_ruleset,
)
from clusteratlas.valuechains.metacluster import _ordinal, _reason

SMALL = """
name = "small"
version = "2.1"
title = "Small and specialised"
description = "  A hand-made rule-set.  "
status = "PARTLY_CONFIRMED"
group_by = ["category", "year"]

[[provenance]]
title = "A paper"
url = "https://example.org/paper"
note = "Section 3."

[[provenance]]
title = "Our choice"

[[population]]
measure = "employment"
op = ">"
value = 0
status = "CONFIRMED"

[[flags]]
name = "big"
description = "large"
conditions = [
  { measure = "employment", op = ">=", quantile = 0.75, status = "UNCONFIRMED", note = "p75" },
  { measure = "lq", op = ">", value = 1.5, status = "CONFIRMED" },
]

[[stars]]
name = "stars"
description = "0-1"
criterion_prefix = "s_"

[[stars.criteria]]
name = "focus"
description = "share of region"
conditions = [{ measure = "share_of_region", op = ">=", value = 0.1, status = "UNCONFIRMED" }]
"""


def test_a_rule_set_summary_lists_every_threshold_with_its_status(tmp_path: Path) -> None:
    path = tmp_path / "small.toml"
    path.write_text(SMALL, encoding="utf-8")
    width = len("stars.focus.share_of_region")  # the longest key

    def row(key: str, condition: str, status: str, note: str = "") -> str:
        return f"    {key:<{width}}  {condition:<26} {status}" + (f"  ({note})" if note else "")

    expected = [
        "small@2.1: Small and specialised [PARTLY_CONFIRMED]",
        "",
        "A hand-made rule-set.",
        "",
        "Quantiles: per (category, year) over rows with employment > 0; linear interpolation.",
        "Rows whose measure is missing (NaN) never meet a condition.",
        "",
        "Population:",
        row("population.employment", "employment > 0", "CONFIRMED"),
        "Flag 'big' (all of): large",
        row("big.employment", "employment >= p75", "UNCONFIRMED", "p75"),
        row("big.lq", "lq > 1.5", "CONFIRMED"),
        "Stars 'stars' (one per criterion met): 0-1",
        "  s_focus: share of region",
        row("stars.focus.share_of_region", "share_of_region >= 0.1", "UNCONFIRMED"),
        "",
        "Provenance:",
        "  - A paper <https://example.org/paper>",
        "    Section 3.",
        "  - Our choice",
    ]
    assert describe_ruleset(load_ruleset(path)).split("\n") == expected


def test_a_rule_set_without_population_or_groups_says_so(tmp_path: Path) -> None:
    text = SMALL.replace('group_by = ["category", "year"]\n', "group_by = []\npopulation = []\n")
    start = text.index("[[population]]")
    text = text[:start] + text[text.index("[[flags]]") :]
    path = tmp_path / "bare.toml"
    path.write_text(text, encoding="utf-8")
    lines = describe_ruleset(load_ruleset(path)).split("\n")
    assert lines[4] == (
        "Quantiles: per (the whole frame) over rows with all rows; linear interpolation."
    )
    assert lines[7:9] == ["Population:", "Flag 'big' (all of): large"]


def test_ordinals_follow_english_usage() -> None:
    numbers = (1, 2, 3, 4, 10, 11, 12, 13, 14, 20, 21, 22, 23, 101, 111, 112, 113, 121)
    assert [_ordinal(n) for n in numbers] == [
        "1st", "2nd", "3rd", "4th", "10th", "11th", "12th", "13th", "14th", "20th",
        "21st", "22nd", "23rd", "101st", "111th", "112th", "113th", "121st",
    ]  # fmt: skip


def test_a_pick_is_explained_with_its_figures_and_rank() -> None:
    first = pd.Series(
        {"lq": 2.346, "employment": 12345.6, "stars": 1.0, "strong": True, "rank": 1,
         "n_eligible": 7, "resolution": "coarser", "categories": "C26+C27"}
    )  # fmt: skip
    assert _reason(first, "Design") == (
        "Design: LQ 2.35, 12,346 employees, 1 star, strong cluster (via C26+C27); "
        "strongest of 7 specialised regions for this stage"
    )
    third = pd.Series(
        {"lq": 1.5, "employment": 900, "stars": 3, "strong": False, "rank": 3,
         "n_eligible": 12, "resolution": "exact", "categories": "C26"}
    )  # fmt: skip
    assert _reason(third, "Fab") == (
        "Fab: LQ 1.50, 900 employees, 3 stars; 3rd strongest of 12 specialised regions for "
        "this stage"
    )
    bare = pd.Series({"lq": 1.0, "employment": 50, "stars": float("nan"), "rank": 22,
                      "n_eligible": 30})  # fmt: skip
    assert _reason(bare, "Test") == (
        "Test: LQ 1.00, 50 employees; 22nd strongest of 30 specialised regions for this stage"
    )


def _error(tmp_path: Path, text: str) -> str:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    try:
        load_ruleset(path)
    except RuleSetError as err:
        return str(err).removeprefix(f"{path}: invalid rule-set: ")
    raise AssertionError("the rule-set loaded")


def test_an_unknown_key_lists_the_keys_allowed_where_it_sits(tmp_path: Path) -> None:
    cases = {  # where the typo goes -> the model whose keys are allowed there
        ('title = "A paper"', 'title = "A paper"\nurl2 = "x"'): ("provenance[0]", "url2", Source),
        ('criterion_prefix = "s_"', 'criterion_prefix = "s_"\nprefix = "t"'): (
            "stars[0]",
            "prefix",
            Stars,
        ),
        ('name = "focus"', 'name = "focus"\nweight = 2'): (
            "stars[0].criteria[0]",
            "weight",
            Criterion,
        ),
        ('status = "CONFIRMED"\n\n[[flags]]', 'status = "CONFIRMED"\nunit = "x"\n\n[[flags]]'): (
            "population[0]",
            "unit",
            Condition,
        ),
        ('group_by = ["category", "year"]', 'group_by = ["category", "year"]\ncolour = "red"'): (
            "",
            "colour",
            RuleSet,
        ),
    }
    for (old, new), (where, key, model) in cases.items():
        assert old in SMALL, old
        message = _error(tmp_path, SMALL.replace(old, new, 1))
        allowed = ", ".join(model.model_fields)
        prefix = f"{where}: " if where else ""
        assert message.startswith(f"{prefix}unknown key {key!r} (allowed: {allowed})."), message


def test_a_long_wrong_value_is_cut_at_60_characters(tmp_path: Path) -> None:
    message = _error(tmp_path, SMALL.replace('title = "A paper"', "title = 1", 1))
    assert message == "provenance[0].title: Input should be a valid string; got 1."
    message = _error(tmp_path, SMALL.replace('version = "2.1"', f"version = [{'1, ' * 30}1]"))
    shown = repr([1] * 31)
    assert message == f"version: Input should be a valid string; got {shown[:57]}..."
    assert _error(tmp_path, SMALL.replace('name = "small"\n', "")) == (
        "missing required key 'name'."
    )
