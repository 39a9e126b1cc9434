"""Rule-set loading and its error messages, sentence by sentence.

Written for the survivors of a mutation run (issue 16): how a name is told from a path,
built-in names in any case, where an unknown key sits, values cut at 60 characters,
empty lists and several problems in one message.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from clusteratlas.errors import RuleSetError
from clusteratlas.mapping.rulesets import ClusterRule, Flag, load_ruleset, validate_ruleset

BASE: dict[str, Any] = {
    "name": "mine",
    "version": "0.1",
    "title": "Mine",
    "description": "A user rule-set.",
    "status": "UNCONFIRMED",
    "provenance": [{"title": "My own choice"}],
    "flags": [
        {
            "name": "big",
            "conditions": [{"measure": "employment", "op": ">=", "quantile": 0.5}],
        }
    ],
}


def _message(**changes: Any) -> str:
    data = copy.deepcopy(BASE)
    for key, value in changes.items():
        if key == "flag":
            data["flags"][0].update(value)
        else:
            data[key] = value
    with pytest.raises(RuleSetError) as info:
        validate_ruleset(data, "mine.toml")
    prefix = "mine.toml: invalid rule-set: "
    assert str(info.value).startswith(prefix)
    return str(info.value).removeprefix(prefix)


@pytest.mark.parametrize(
    "given", ["absent.toml", "some/dir/absent", "some\\dir\\absent", Path("absent")]
)
def test_a_toml_name_a_separator_or_a_path_is_read_as_a_file(given: str | Path) -> None:
    with pytest.raises(RuleSetError) as info:
        load_ruleset(given)
    assert str(info.value) == f"Rule-set file {str(given)!r} does not exist."


def test_built_in_names_are_found_in_any_case() -> None:
    for given, name in (("ECO2007", "eco2007"), (" Uscmp ", "uscmp"), ("uscmp", "uscmp")):
        ruleset = load_ruleset(given)
        assert ruleset.name == name
        assert ruleset.origin == f"rulesets/{name}.toml"


def test_thresholds_list_population_flags_and_criteria_in_order() -> None:
    data = copy.deepcopy(BASE)
    data["population"] = [{"measure": "employment", "op": ">", "value": 10.0}]
    data["flags"].append(
        {"name": "focus", "conditions": [{"measure": "lq", "op": ">", "value": 1.0}]}
    )
    data["stars"] = [
        {"criteria": [{"name": "size", "conditions": [{"measure": "share", "op": ">=",
                                                         "value": 0.1}]}]}
    ]  # fmt: skip
    ruleset = validate_ruleset(data, "mine.toml")
    assert list(ruleset.thresholds()) == [
        "population.employment", "big.employment", "focus.lq", "stars.size.share",
    ]  # fmt: skip


def test_repeated_condition_names_are_one_sentence() -> None:
    twice = [
        {"measure": "lq", "op": ">", "value": 1.0},
        {"measure": "lq", "op": "<", "value": 9.0},
        {"measure": "employment", "op": ">", "value": 1.0},
        {"measure": "employment", "op": "<", "value": 9.0},
    ]
    assert _message(flag={"conditions": twice}) == (
        "flags[0]: condition name(s) 'employment', 'lq' repeat; give each condition on the "
        "same measure a distinct 'name'."
    )


def test_unknown_keys_in_a_flag_and_in_the_cluster_table_list_their_own_keys() -> None:
    assert _message(flag={"colour": "red"}) == (
        f"flags[0]: unknown key 'colour' (allowed: {', '.join(Flag.model_fields)})."
    )
    assert _message(cluster={"output": "big", "colour": "red"}) == (
        f"cluster: unknown key 'colour' (allowed: {', '.join(ClusterRule.model_fields)})."
    )


def test_a_missing_nested_key_names_its_table() -> None:
    assert _message(provenance=[{"url": "x"}]) == ("provenance[0]: missing required key 'title'.")


def test_a_list_emptied_by_its_bad_item_is_not_reported_twice() -> None:
    # pydantic also reports the provenance list as too short once its only item fails:
    # that echo is left out, and the problems after it are still reported.
    assert _message(provenance=[{"url": "x"}], flag={"colour": "red"}) == (
        "provenance[0]: missing required key 'title'. "
        f"flags[0]: unknown key 'colour' (allowed: {', '.join(Flag.model_fields)})."
    )


def test_values_are_cut_only_beyond_60_characters() -> None:
    sixty = [1] * 20  # repr: 20 * "1, " - ", " + "[]" = 60 characters
    assert len(repr(sixty)) == 60
    assert _message(version=sixty) == (f"version: Input should be a valid string; got {sixty!r}.")
    sixty_one = [11] + [1] * 19
    assert len(repr(sixty_one)) == 61
    assert _message(version=sixty_one) == (
        f"version: Input should be a valid string; got {repr(sixty_one)[:57]}..."
    )


def test_wrong_case_is_suggested_and_an_unfixable_literal_gets_no_hint() -> None:
    assert _message(status="confirmed").endswith("got 'confirmed'. Did you mean 'CONFIRMED'?")
    message = _message(status="maybe")
    assert message.startswith("status: Input should be ")
    assert message.endswith("; got 'maybe'.")


def test_an_empty_conditions_list_is_reported_with_the_other_problems() -> None:
    alone = _message(flag={"conditions": []})
    assert alone.startswith("flags[0].conditions: ")
    assert alone.endswith("; got [].")
    # Two problems: both sentences, in order, separated by one space.
    both = _message(version=1, flag={"conditions": []})
    assert both == f"version: Input should be a valid string; got 1. {alone}"
