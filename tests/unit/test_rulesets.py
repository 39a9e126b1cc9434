"""Rule-sets: TOML loading and validation, the generic engine, the built-ins, overrides."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clusteratlas.errors import ParameterError, RuleSetError, SchemaError
from clusteratlas.mapping.rules_apply import apply_ruleset, override_ruleset
from clusteratlas.mapping.rulesets import RuleSet, list_rulesets, load_ruleset

NAN = np.nan


@pytest.fixture
def cmp_frame() -> pd.DataFrame:
    """5 regions x 2 categories, one year, written so the quantiles fall on data values.

    Category "a" (all five regions have employment > 0):
      lq  = 0.5 1.0 1.5 2.0 3.0 -> p25 = 1.0 (h = 0.25*4 = 1), p50 = 1.5 (h = 2),
                                   p75 = 2.0 (h = 3), p90 = 2.0 + 0.6*(3.0-2.0) = 2.6 (h = 3.6)
      emp = 10 20 30 40 50      -> p25 = 20;   est = 1 2 3 4 5 -> p25 = 2
    Category "b" (R1 has employment 0, so it is left out of the quantiles):
      population lq = 0.8 0.9 1.2 0.95 -> sorted 0.8 0.9 0.95 1.2:
                   p25 = 0.8 + 0.75*0.1 = 0.875 (h = 0.75), p75 = 0.95 + 0.25*0.25 = 1.0125
      emp = 100 200 300 400 -> p25 = 100 + 0.75*100 = 175
      est = 10 NaN 30 40 (NaN skipped) -> p25 = 10 + 0.5*20 = 20 (h = 0.5)
    """
    return pd.DataFrame(
        {
            "region": ["R1", "R2", "R3", "R4", "R5"] * 2,
            "category": ["a"] * 5 + ["b"] * 5,
            "year": 2020,
            "employment": [10, 20, 30, 40, 50, 0, 100, 200, 300, 400],
            "establishments": [1, 2, 3, 4, 5, 0, 10, NAN, 30, 40],
            "lq": [0.5, 1.0, 1.5, 2.0, 3.0, 0.0, 0.8, 0.9, 1.2, 0.95],
        },
        dtype=object,
    ).astype({"employment": float, "establishments": float, "lq": float, "year": int})


def test_hand_computed_quantiles_match_numpy() -> None:
    a_lq = np.array([0.5, 1.0, 1.5, 2.0, 3.0])
    assert np.quantile(a_lq, [0.25, 0.5, 0.75, 0.9]) == pytest.approx([1.0, 1.5, 2.0, 2.6])
    b_lq = np.array([0.8, 0.9, 1.2, 0.95])
    assert np.quantile(b_lq, [0.25, 0.75]) == pytest.approx([0.875, 1.0125])
    assert np.quantile([100, 200, 300, 400], 0.25) == pytest.approx(175)
    assert np.quantile([10, 30, 40], 0.25) == pytest.approx(20)


def test_uscmp_flags_on_hand_computed_frame(cmp_frame: pd.DataFrame) -> None:
    out = apply_ruleset(cmp_frame, "uscmp")
    # a: R4 sits exactly on p75 = 2.0 and passes (>=); R2 has emp 20 = p25 and fails (>).
    # a: R3 sits exactly on p50 = 1.5 (fails significant's >), R2 on p25 = 1.0 (fails >).
    # b: R3 has NaN establishments, so fails every flag; R1 has employment 0.
    expected = {
        "strong": [0, 0, 0, 1, 1, 0, 0, 0, 1, 0],
        "strong10": [0, 0, 0, 0, 1, 0, 0, 0, 1, 0],
        "significant": [0, 0, 0, 1, 1, 0, 0, 0, 1, 1],
        "qualifying": [0, 0, 1, 1, 1, 0, 0, 0, 1, 1],
    }
    for flag, values in expected.items():
        assert out[flag].dtype == bool
        assert out[flag].tolist() == [bool(v) for v in values], flag
    assert (out["ruleset"] == "uscmp@1.0").all()
    assert (out["unconfirmed"] == "").all()
    # b: strong10 needs lq >= p90 = 0.95 + 0.7*0.25 = 1.125 (h = 2.7): R4 (1.2) passes.
    assert np.quantile([0.8, 0.9, 1.2, 0.95], 0.9) == pytest.approx(1.125)
    # b: significant needs lq > p50 = (0.9 + 0.95) / 2 = 0.925, so R5 (0.95) passes.
    assert np.quantile([0.8, 0.9, 1.2, 0.95], 0.5) == pytest.approx(0.925)


def test_apply_adds_columns_in_order_and_does_not_mutate(cmp_frame: pd.DataFrame) -> None:
    before = cmp_frame.copy()
    out = apply_ruleset(cmp_frame, load_ruleset("uscmp"))
    pd.testing.assert_frame_equal(cmp_frame, before)
    new = ["strong", "strong10", "significant", "qualifying", "ruleset", "unconfirmed"]
    assert list(out.columns) == [*before.columns, *new]
    again = apply_ruleset(out, "uscmp")  # re-applying replaces the columns
    assert list(again.columns) == list(out.columns)


def test_strict_and_non_strict_boundaries_follow_op() -> None:
    frame = pd.DataFrame({"category": "c", "year": 1, "employment": [1.0, 2.0, 3.0]})
    ge = _ruleset(flags=[_flag("x", measure="employment", op=">=", quantile=0.5)])
    gt = _ruleset(flags=[_flag("x", measure="employment", op=">", quantile=0.5)])
    assert apply_ruleset(frame, ge)["x"].tolist() == [False, True, True]
    assert apply_ruleset(frame, gt)["x"].tolist() == [False, False, True]
    le = _ruleset(flags=[_flag("x", measure="employment", op="<=", value=2)])
    lt = _ruleset(flags=[_flag("x", measure="employment", op="<", value=2)])
    assert apply_ruleset(frame, le)["x"].tolist() == [True, True, False]
    assert apply_ruleset(frame, lt)["x"].tolist() == [True, False, False]


def test_nan_never_passes_and_empty_group_has_no_threshold() -> None:
    frame = pd.DataFrame(
        {
            "category": ["c", "c", "c", "d"],
            "year": 1,
            "employment": [1.0, 2.0, NAN, 0.0],
            "lq": [NAN, 5.0, 5.0, 5.0],
        }
    )
    rs = _ruleset(flags=[_flag("low", measure="lq", op="<=", quantile=1.0)])
    # c: lq quantiles over rows with employment > 0 and a value: only 5.0. d: empty group.
    assert apply_ruleset(frame, rs)["low"].tolist() == [False, True, True, False]


def test_group_by_empty_uses_whole_frame() -> None:
    frame = pd.DataFrame({"employment": [1.0, 2.0, 3.0, 4.0]})
    rs = _ruleset(group_by=[], flags=[_flag("top", measure="employment", op=">", quantile=0.5)])
    assert apply_ruleset(frame, rs)["top"].tolist() == [False, False, True, True]


@pytest.fixture
def eco_frame() -> pd.DataFrame:
    """One category, 10 regions with employment 10..100, plus region K tied at the top.

    Without K: p90 over 10 values, h = 0.9*9 = 8.1 -> 90 + 0.1*10 = 91, so 1 region (top 10 %).
    With K (11 values, 100 twice): h = 9 -> p90 = 100, both tied regions pass.
    """
    employment = [10.0, 20, 30, 40, 50, 60, 70, 80, 90, 100, 100]
    return pd.DataFrame(
        {
            "region": list("ABCDEFGHIJK"),
            "category": "c",
            "year": 2007,
            "employment": employment,
            "lq": [2.0, 1.99, 3, 0.5, NAN, 1, 1, 1, 1, 2.5, 0.1],
            "share_of_region": [0.01] * 9 + [0.2, 0.3],
        }
    )


def test_eco2007_stars(eco_frame: pd.DataFrame) -> None:
    assert np.quantile(eco_frame["employment"], 0.9) == 100
    assert np.quantile(eco_frame["employment"].iloc[:10], 0.9) == pytest.approx(91)
    # share p90 over 11 values: h = 9 -> sorted[9] = 0.2, so J (0.2) and K (0.3) pass.
    assert np.quantile(eco_frame["share_of_region"], 0.9) == pytest.approx(0.2)
    out = apply_ruleset(eco_frame, "eco2007")
    assert out["star_size"].tolist() == [False] * 9 + [True, True]
    assert out["star_specialisation"].tolist() == [
        True, False, True, False, False, False, False, False, False, True, False,
    ]  # fmt: skip
    assert out["star_focus"].tolist() == [False] * 9 + [True, True]
    assert out["stars"].dtype == np.int64
    assert out["stars"].tolist() == [1, 0, 1, 0, 0, 0, 0, 0, 0, 3, 2]
    single = apply_ruleset(eco_frame.iloc[:10], "eco2007")
    assert single["star_size"].tolist() == [False] * 9 + [True]


def test_unconfirmed_labels(eco_frame: pd.DataFrame) -> None:
    out = apply_ruleset(eco_frame, "eco2007")
    expected = (
        "stars.specialisation.lq: lq >= 2; stars.focus.share_of_region: share_of_region >= p90"
    )
    assert (out["unconfirmed"] == expected).all()
    pano = apply_ruleset(eco_frame, "panorama2021")
    assert (
        pano["unconfirmed"]
        == "specialised.lq: lq >= 1.55; specialised.employment: employment >= 3500"
    ).all()


def test_unconfirmed_only_where_output_undecided(cmp_frame: pd.DataFrame) -> None:
    rs = load_ruleset("uscmp").with_overrides({"strong.lq": 0.6})
    assert rs.status == "PARTLY_CONFIRMED"
    out = apply_ruleset(cmp_frame, rs)
    # the overridden condition only matters where strong's CONFIRMED conditions all hold
    # (lq >= 1, employment > p25, establishments > p25): a R3-R5, b R4.
    relevant = [False, False, True, True, True, False, False, False, True, False]
    assert (out["unconfirmed"] == "strong.lq: lq >= p60").tolist() == relevant
    assert (out.loc[[not r for r in relevant], "unconfirmed"] == "").all()
    # a: p60 = 1.5 + 0.4*0.5 = 1.7 (h = 2.4): R4, R5; b: p60 = 0.9 + 0.8*0.05 = 0.94: R4.
    assert out["strong"].tolist() == [False, False, False, True, True] + [False] * 3 + [True, False]


def test_unconfirmed_population_condition_is_listed() -> None:
    frame = pd.DataFrame({"category": "c", "year": 1, "employment": [1.0, 2.0, 3.0]})
    rs = _ruleset(
        flags=[_flag("x", measure="employment", op=">", quantile=0.5, status="CONFIRMED")],
        population=[{"measure": "employment", "op": ">", "value": 1}],
    )
    out = apply_ruleset(frame, rs)
    assert out["x"].tolist() == [False, False, True]  # p50 over (2, 3) = 2.5
    assert out["unconfirmed"].tolist() == ["population.employment: employment > 1"] * 3


def test_overrides_change_thresholds(eco_frame: pd.DataFrame) -> None:
    out = apply_ruleset(eco_frame, "panorama2021", overrides={"specialised.employment": 50})
    assert out["specialised"].tolist() == [False] * 9 + [True, False]
    out = apply_ruleset(
        eco_frame,
        "panorama2021",
        overrides={"specialised.lq": 1.99, "specialised.employment": {"quantile": 0.0}},
    )
    assert out["specialised"].tolist() == [True, True, True] + [False] * 6 + [True, False]
    rs = override_ruleset(load_ruleset("eco2007"), {"stars.size.employment": {"op": ">"}})
    assert str(rs.thresholds()["stars.size.employment"]) == "employment > p90"
    assert rs.thresholds()["stars.size.employment"].status == "UNCONFIRMED"
    assert "was employment >= p90 (CONFIRMED)" in rs.describe()


def test_override_same_value_keeps_ruleset() -> None:
    rs = load_ruleset("uscmp")
    assert rs.with_overrides({"strong.lq": 0.75}) is rs
    assert rs.with_overrides(None) is rs


def test_override_errors() -> None:
    rs = load_ruleset("panorama2021")
    with pytest.raises(ParameterError, match=r"'specialised\.lqq'.*Did you mean 'specialised\.lq'"):
        rs.with_overrides({"specialised.lqq": 2})
    with pytest.raises(ParameterError, match=r"'specialised\.lq'.*quantile.*less than or equal"):
        rs.with_overrides({"specialised.lq": {"quantile": 1.5}})
    with pytest.raises(ParameterError, match="may set 'value', 'quantile' or 'op'"):
        rs.with_overrides({"specialised.lq": {"threshold": 2}})
    with pytest.raises(ParameterError, match="Input should be"):
        rs.with_overrides({"specialised.lq": {"op": "=>"}})


def test_builtins_are_listed_and_valid() -> None:
    assert list_rulesets() == ["eco2007", "panorama2021", "uscmp"]
    for name in list_rulesets():
        rs = load_ruleset(name)
        assert rs.name == name
        assert rs.provenance
        text = rs.describe()
        assert rs.label in text
        for key, condition in rs.thresholds().items():
            assert key in text
            assert condition.status in text
    uscmp = load_ruleset("uscmp")
    assert uscmp.status == "CONFIRMED"
    assert all(c.status == "CONFIRMED" for c in uscmp.thresholds().values())
    pano = load_ruleset("panorama2021").thresholds()
    assert {k: c.status for k, c in pano.items() if k != "population.employment"} == {
        "specialised.lq": "UNCONFIRMED",
        "specialised.employment": "UNCONFIRMED",
    }


def test_unknown_builtin_lists_available() -> None:
    with pytest.raises(RuleSetError, match=r"'usmcp'.*'eco2007', 'panorama2021', 'uscmp'.*Did you"):
        load_ruleset("usmcp")
    with pytest.raises(RuleSetError, match="does not exist"):
        load_ruleset("missing/rules.toml")


USER_TOML = """
name = "mine"
version = "0.1"
title = "Big and specialised"
description = "A user rule-set."
status = "UNCONFIRMED"
provenance = [{ title = "My own choice" }]

[[flags]]
name = "big"
conditions = [
  { measure = "employment", op = ">=", quantile = 0.5 },
  { measure = "lq", op = ">", value = 1, status = "CONFIRMED", note = "textbook" },
]
"""


def test_user_toml_ruleset(tmp_path: Path, eco_frame: pd.DataFrame) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(USER_TOML, encoding="utf-8")
    rs = load_ruleset(path)
    assert isinstance(rs, RuleSet)
    assert rs.label == "mine@0.1"
    assert rs.origin == str(path)
    assert load_ruleset(str(path)) == rs
    out = apply_ruleset(eco_frame, str(path))
    # employment p50 over 11 values = 60: F..K; lq > 1: J only (F-I have lq 1, K 0.1).
    assert out["big"].tolist() == [False] * 9 + [True, False]
    # rows with lq <= 1 (or NaN) are decided by the CONFIRMED condition
    label = "big.employment: employment >= p50"
    assert out["unconfirmed"].tolist() == [
        label, label, label, "", "", "", "", "", "", label, "",
    ]  # fmt: skip


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_typo_key_names_path_and_suggests(tmp_path: Path) -> None:
    text = USER_TOML.replace('op = ">", value = 1', 'op = ">", vaule = 1')
    path = _write(tmp_path, text)
    with pytest.raises(RuleSetError) as info:
        load_ruleset(path)
    message = str(info.value)
    assert str(path) in message
    assert "flags[0].conditions[1]: unknown key 'vaule' (allowed: name, measure" in message
    assert "Did you mean 'value'?" in message
    assert "\n" not in message


def test_bad_op_and_bad_quantile(tmp_path: Path) -> None:
    text = USER_TOML.replace('op = ">=", quantile = 0.5', 'op = "=>", quantile = 50')
    with pytest.raises(RuleSetError) as info:
        load_ruleset(_write(tmp_path, text))
    message = str(info.value)
    assert "flags[0].conditions[0].op: Input should be '>=', '>', '<=' or '<'" in message
    assert "got '=>'" in message
    assert "Did you mean '>='?" in message
    assert "flags[0].conditions[0].quantile: Input should be less than or equal to 1" in message
    assert "at least 1 item" not in message  # no echo of the nested errors


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("quantile = 0.5 }", "quantile = 0.5, value = 3 }"), r"conditions\[0\]: give exactly one"),
        (
            ('name = "big"', 'name = "big"\ndescription = 3'),
            r"flags\[0\]\.description: Input should",
        ),
        (('version = "0.1"', "version = 1"), r"version: Input should be a valid string; got 1"),
        (('version = "0.1"\n', ""), r"missing required key 'version'"),
        (('status = "UNCONFIRMED"', 'status = "CONFIRMED"'), r"big\.employment are UNCONFIRMED"),
        (('name = "big"', 'name = "lq"'), r"output column 'lq' clashes"),
        (('measure = "lq"', 'measure = "employment"'), r"'employment' repeat"),
        (("[[flags]]", "threshhold = 2\n[[flags]]"), r"unknown key 'threshhold' \(allowed: name"),
        (("[[flags]]", "[[flags]\n"), r"not valid TOML"),
        (
            ("value = 1,", "value = nan,"),
            r"conditions\[1\]\.value: Input should be a finite number",
        ),
    ],
)
def test_invalid_rulesets(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    text = USER_TOML.replace(*change)
    assert text != USER_TOML
    with pytest.raises(RuleSetError, match=expected):
        load_ruleset(_write(tmp_path, text))


def test_population_must_be_absolute() -> None:
    with pytest.raises(RuleSetError, match=r"population\[0\] must use an absolute 'value'"):
        _ruleset(
            flags=[_flag("x", measure="lq", op=">", value=1)],
            population=[{"measure": "employment", "op": ">", "quantile": 0.1}],
        )


def test_missing_measure_column_lists_available(cmp_frame: pd.DataFrame) -> None:
    with pytest.raises(RuleSetError, match=r"'share_of_region'.*available columns: 'region'"):
        apply_ruleset(cmp_frame, "eco2007")
    rs = _ruleset(flags=[_flag("x", measure="employmnt", op=">", value=1)])
    with pytest.raises(RuleSetError, match=r"x\.employmnt measure.*Did you mean 'employment'"):
        apply_ruleset(cmp_frame, rs)
    no_year = cmp_frame.drop(columns="year")
    with pytest.raises(RuleSetError, match=r"'year' \(group_by\)"):
        apply_ruleset(no_year, "uscmp")


def test_non_numeric_measure_and_wrong_frame_type(cmp_frame: pd.DataFrame) -> None:
    frame = cmp_frame.assign(lq="high")
    with pytest.raises(SchemaError, match=r"'lq' .* must be numeric"):
        apply_ruleset(frame, "uscmp")
    with pytest.raises(TypeError, match="pandas DataFrame"):
        apply_ruleset(cmp_frame.to_dict(), "uscmp")  # type: ignore[arg-type]


def _flag(name: str, **condition: object) -> dict[str, object]:
    return {"name": name, "conditions": [condition]}


def _ruleset(**fields: object) -> RuleSet:
    from clusteratlas.mapping.rulesets import validate_ruleset

    data = {
        "name": "test",
        "version": "1",
        "title": "t",
        "description": "d",
        "status": "UNCONFIRMED",
        "provenance": [{"title": "test"}],
        **fields,
    }
    return validate_ruleset(data, "<test>")


def test_uscmp_lq_floor_is_inclusive_at_exactly_one() -> None:
    # One category, five regions; every LQ is low, so p75 falls below 1 and the floor binds.
    #   lq  = .2 .4 .6 .99 1.0 -> p75 = .99 (h = 3), p90 = .99 + .6 * .01 = .996 (h = 3.6)
    #   emp = 10 20 30 40 50 -> p25 = 20;  est = 1 2 3 4 5 -> p25 = 2
    # R5 (LQ exactly 1, emp 50 > 20, est 5 > 2) is strong and strong10 (LQ >= 1 holds);
    # R4 (LQ .99 >= p75, size fine) fails only the floor.
    assert np.quantile([0.2, 0.4, 0.6, 0.99, 1.0], [0.75, 0.9]) == pytest.approx([0.99, 0.996])
    frame = pd.DataFrame(
        {
            "region": ["R1", "R2", "R3", "R4", "R5"],
            "category": "c",
            "year": 2019,
            "employment": [10.0, 20.0, 30.0, 40.0, 50.0],
            "establishments": [1.0, 2.0, 3.0, 4.0, 5.0],
            "lq": [0.2, 0.4, 0.6, 0.99, 1.0],
        }
    )
    out = apply_ruleset(frame, "uscmp")
    assert out["strong"].tolist() == [False, False, False, False, True]
    assert out["strong10"].tolist() == [False, False, False, False, True]
